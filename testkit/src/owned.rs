//! Owned copies of connection events, for comparing event sequences.

use wsframe::{Chunk, Event, MessageKind, ProtocolError};

/// An owned copy of a [`wsframe::Event`] (RFC 6455 §5.6 data, §5.5 control
/// frames), plus [`Owned::Error`] for the error that ends a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owned {
    /// A whole text message.
    Text(String),
    /// A whole binary message.
    Binary(Vec<u8>),
    /// A piece of a streamed message.
    Chunk {
        /// The message is text (else binary).
        text: bool,
        /// The payload bytes of this piece.
        data: Vec<u8>,
        /// Where `data` starts within the message.
        offset: u64,
        /// This is the message's last piece.
        last: bool,
    },
    /// A Ping's payload.
    Ping(Vec<u8>),
    /// A Pong's payload.
    Pong(Vec<u8>),
    /// A Close: code and reason, or none.
    Close(Option<(u16, String)>),
    /// Not an event: the error a connection reported. [`own`] never makes
    /// it; drivers such as the tests' `feed` append it last.
    Error(ProtocolError),
}

impl Owned {
    /// The owned copy of `event`.
    pub fn of(event: &Event<'_>) -> Self {
        match *event {
            Event::Text(t) => Self::Text(t.to_owned()),
            Event::Binary(b) => Self::Binary(b.to_vec()),
            Event::Chunk(Chunk {
                kind,
                data,
                offset,
                last,
            }) => Self::Chunk {
                text: kind == MessageKind::Text,
                data: data.to_vec(),
                offset,
                last,
            },
            Event::Ping(p) => Self::Ping(p.to_vec()),
            Event::Pong(p) => Self::Pong(p.to_vec()),
            Event::Close(c) => Self::Close(c.map(|c| (c.code.as_u16(), c.reason.to_owned()))),
        }
    }

    /// The message kind of a data event (`Text`, `Binary`, `Chunk`).
    pub fn kind(&self) -> Option<MessageKind> {
        match self {
            Self::Text(_) | Self::Chunk { text: true, .. } => Some(MessageKind::Text),
            Self::Binary(_) | Self::Chunk { text: false, .. } => Some(MessageKind::Binary),
            _ => None,
        }
    }
}

/// The owned copy of `event` (the same as [`Owned::of`]).
pub fn own(event: &Event<'_>) -> Owned {
    Owned::of(event)
}

impl From<&Event<'_>> for Owned {
    fn from(event: &Event<'_>) -> Self {
        Self::of(event)
    }
}
