//! The adapter body, written once and expanded for the blocking and the
//! async traits, so the two cannot drift apart. `$($aw)*` is empty for the
//! blocking expansion and `.await` for the async one.

macro_rules! websocket_adapter {
    ($(#[$doc:meta])* ; $($asyncness:ident)? ; $($aw:tt)*) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct WebSocket<T, R, W, M> {
            transport: T,
            conn: Connection<R, M>,
            tx: W,
            /// Encoded bytes in `tx[pending.0..pending.1]` not yet written.
            pending: (usize, usize),
        }

        impl<T, R, W, M> WebSocket<T, R, W, M>
        where
            T: Read + Write,
            R: AsRef<[u8]> + AsMut<[u8]>,
            W: AsMut<[u8]>,
            M: MaskSource,
        {
            /// Wrap a connection (open, or still connecting if the caller
            /// runs the handshake itself). `tx` must hold at least
            /// [`MAX_CONTROL_FRAME_LEN`] bytes; messages larger than it are
            /// sent as fragments.
            ///
            /// # Errors
            /// [`BufferTooSmall`] for a shorter `tx`.
            pub fn new(transport: T, conn: Connection<R, M>, mut tx: W) -> Result<Self, BufferTooSmall> {
                if tx.as_mut().len() < MAX_CONTROL_FRAME_LEN {
                    return Err(BufferTooSmall { needed: MAX_CONTROL_FRAME_LEN });
                }
                Ok(Self { transport, conn, tx, pending: (0, 0) })
            }

            /// The protocol state.
            pub const fn connection(&self) -> &Connection<R, M> {
                &self.conn
            }

            /// The protocol state, mutably.
            pub const fn connection_mut(&mut self) -> &mut Connection<R, M> {
                &mut self.conn
            }

            /// The transport.
            pub const fn transport_mut(&mut self) -> &mut T {
                &mut self.transport
            }

            /// The parts back. Bytes still pending in `tx` are dropped; call
            /// [`WebSocket::flush`] first.
            pub fn into_parts(self) -> (T, Connection<R, M>, W) {
                (self.transport, self.conn, self.tx)
            }

            /// Write encoded bytes left over from an interrupted call.
            $($asyncness)? fn write_pending(&mut self) -> Result<(), Error<T::Error>> {
                while self.pending.0 < self.pending.1 {
                    let bytes = self.tx.as_mut().get(self.pending.0..self.pending.1).unwrap_or_default();
                    let n = self.transport.write(bytes) $($aw)* .map_err(Error::Io)?;
                    if n == 0 {
                        return Err(Error::UnexpectedEof);
                    }
                    self.pending.0 += n;
                }
                self.pending = (0, 0);
                Ok(())
            }

            /// Write `n` bytes just encoded at the front of `tx`.
            $($asyncness)? fn write_encoded(&mut self, n: usize) -> Result<(), Error<T::Error>> {
                self.pending = (0, n);
                self.write_pending() $($aw)*
            }

            /// Write every frame the connection owes.
            $($asyncness)? fn write_owed(&mut self) -> Result<(), Error<T::Error>> {
                self.write_pending() $($aw)* ?;
                while self.conn.wants_transmit() {
                    let n = self.conn.poll_transmit(self.tx.as_mut());
                    if n == 0 {
                        break;
                    }
                    self.write_encoded(n) $($aw)* ?;
                }
                Ok(())
            }

            /// Read once from the transport into the receive buffer, for a
            /// caller that inspects the request head itself before
            /// [`WebSocket::accept`] (to serve plain HTTP on the same port,
            /// say): the bytes are in [`Connection::pending_input`].
            ///
            /// # Errors
            /// [`HandshakeError::HeadTooLarge`] when the buffer is full,
            /// [`Error::UnexpectedEof`], [`Error::Io`].
            pub $($asyncness)? fn fill(&mut self) -> Result<(), Error<T::Error>> {
                let space = self.conn.rx_buffer();
                if space.is_empty() {
                    return Err(Error::Handshake(HandshakeError::HeadTooLarge));
                }
                let n = self.transport.read(space) $($aw)* .map_err(Error::Io)?;
                if n == 0 {
                    return Err(Error::UnexpectedEof);
                }
                self.conn.handle_rx(n);
                Ok(())
            }

            /// Client: send the opening handshake `request` (RFC 6455 §4.1),
            /// read the answer and check it, and open the connection. Frames
            /// that arrived with the answer are kept. Returns the subprotocol
            /// the server chose, from the request's own list.
            ///
            /// # Errors
            /// [`Error::Handshake`] for a refused or malformed answer (a
            /// non-101 status is [`HandshakeError::Response`] carrying it),
            /// [`Error::UnexpectedEof`], [`Error::Io`].
            pub $($asyncness)? fn connect<'r>(
                &mut self,
                request: &handshake::ClientRequest<'r>,
            ) -> Result<Option<&'r str>, Error<T::Error>> {
                let n = request
                    .encode(self.tx.as_mut())
                    .map_err(|e| Error::Handshake(HandshakeError::Encode(e)))?;
                self.write_encoded(n) $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)?;
                loop {
                    let step = match handshake::check_response(self.conn.pending_input(), request) {
                        Ok(Status::Complete(response)) => Some(Ok((response.head_len, response.protocol))),
                        Ok(Status::Partial { .. }) => None,
                        Err(e) => Some(Err(Error::Handshake(HandshakeError::Response(e)))),
                    };
                    match step {
                        Some(Ok((head_len, protocol))) => {
                            self.conn.finish_handshake(head_len);
                            return Ok(protocol);
                        }
                        Some(Err(e)) => return Err(e),
                        None => self.fill() $($aw)* ?,
                    }
                }
            }

            /// Server: read the client's request (RFC 6455 §4.2), let
            /// `answer` decide, write the 101 (or the refusal), and open the
            /// connection. A malformed request is answered with the status
            /// its [`RequestError`](handshake::RequestError) names (400, 405,
            /// 426 with `Sec-WebSocket-Version: 13`, 431). Frames the client
            /// sent right after its head are kept.
            ///
            /// # Errors
            /// [`Error::Handshake`] for a malformed or refused request (the
            /// HTTP answer has been written), [`Error::UnexpectedEof`], [`Error::Io`].
            pub $($asyncness)? fn accept<const N: usize>(
                &mut self,
                limits: &handshake::Limits,
                answer: impl FnOnce(&handshake::Request<'_, N>) -> Answer,
            ) -> Result<(), Error<T::Error>> {
                let mut answer = Some(answer);
                let outcome = loop {
                    let step = match handshake::parse_request::<N>(self.conn.pending_input(), limits) {
                        Ok(Status::Complete(request)) => {
                            let tx = self.tx.as_mut();
                            let decision = answer.take().map_or(Answer::Reject(500), |f| f(&request));
                            Some(match decision {
                                Answer::Accept(protocol) => request
                                    .accept(protocol, &[], tx)
                                    .map(|n| (n, Ok(request.head_len())))
                                    .map_err(HandshakeError::Encode),
                                Answer::Reject(status) => handshake::reject(status, &[], tx)
                                    .map(|n| (n, Err(HandshakeError::Rejected(status))))
                                    .map_err(HandshakeError::Encode),
                            })
                        }
                        Ok(Status::Partial { .. }) => None,
                        Err(e) => Some(
                            e.encode_response(self.tx.as_mut())
                                .map(|n| (n, Err(HandshakeError::Request(e))))
                                .map_err(HandshakeError::Encode),
                        ),
                    };
                    match step {
                        Some(outcome) => break outcome,
                        None => self.fill() $($aw)* ?,
                    }
                };
                let (n, result) = outcome.map_err(Error::Handshake)?;
                self.write_encoded(n) $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)?;
                let head_len = result.map_err(Error::Handshake)?;
                self.conn.finish_handshake(head_len);
                Ok(())
            }

            /// Write every frame the connection owes (and anything left
            /// from an interrupted call), then flush the transport.
            ///
            /// # Errors
            /// [`Error::Io`].
            pub $($asyncness)? fn flush(&mut self) -> Result<(), Error<T::Error>> {
                self.write_owed() $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)
            }

            /// Read until the next event: a message (or a chunk, in stream
            /// mode), a ping, a pong, or the peer's close. The pong or close
            /// echo an event calls for is written before it is returned.
            ///
            /// # Errors
            /// [`Error::Protocol`] when the peer broke the protocol (the
            /// Close with the right code has been written);
            /// [`Error::UnexpectedEof`] when the transport ends first;
            /// [`Error::Closed`] once the connection is closed; [`Error::Io`].
            pub $($asyncness)? fn read(&mut self) -> Result<Event<'_>, Error<T::Error>> {
                loop {
                    match self.conn.process() {
                        Ok(true) => break,
                        Ok(false) => {}
                        Err(e) => {
                            self.flush() $($aw)* ?;
                            return Err(Error::Protocol(e));
                        }
                    }
                    self.flush() $($aw)* ?;
                    if self.conn.state() == State::Closed || self.conn.error().is_some() {
                        return Err(Error::Closed);
                    }
                    let space = self.conn.rx_buffer();
                    if space.is_empty() {
                        return Err(Error::Closed);
                    }
                    let n = self.transport.read(space) $($aw)* .map_err(Error::Io)?;
                    if n == 0 {
                        return Err(Error::UnexpectedEof);
                    }
                    self.conn.handle_rx(n);
                }
                self.flush() $($aw)* ?;
                match self.conn.poll_event() {
                    Ok(Some(event)) => Ok(event),
                    Ok(None) => Err(Error::Closed),
                    Err(e) => Err(Error::Protocol(e)),
                }
            }

            /// Send a text message (fragmented when it does not fit `tx`,
            /// or per [`Config::with_fragment_size`](crate::Config::with_fragment_size)).
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
                self.send(MessageKind::Text, text.as_bytes()) $($aw)*
            }

            /// Send a binary message; see [`WebSocket::send_text`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
                self.send(MessageKind::Binary, data) $($aw)*
            }

            /// Send a whole message of `kind` (text is UTF-8 checked).
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send(&mut self, kind: MessageKind, payload: &[u8]) -> Result<(), Error<T::Error>> {
                self.write_owed() $($aw)* ?;
                let tx_len = self.tx.as_mut().len();
                if self.conn.encoded_message_len(payload.len()) <= tx_len {
                    let n = self.conn.encode_message(kind, payload, self.tx.as_mut())?;
                    self.write_encoded(n) $($aw)* ?;
                } else {
                    self.conn.check_message(payload.len())?;
                    if kind == MessageKind::Text {
                        if let Err(e) = crate::utf8::from_utf8(payload) {
                            return Err(Error::Send(SendError::InvalidUtf8(e)));
                        }
                    }
                    let piece = self.conn.fragment_len(tx_len);
                    let mut rest = payload;
                    loop {
                        let (part, tail) = rest.split_at_checked(piece).unwrap_or((rest, &[]));
                        let n = self.conn.encode_fragment(kind, part, tail.is_empty(), self.tx.as_mut())?;
                        self.write_encoded(n) $($aw)* ?;
                        if tail.is_empty() {
                            break;
                        }
                        rest = tail;
                    }
                }
                self.transport.flush() $($aw)* .map_err(Error::Io)
            }

            /// Send one frame of a message sent in pieces; see
            /// [`Connection::encode_fragment`].
            ///
            /// # Errors
            /// [`Error::Send`] (nothing written), [`Error::Io`].
            pub $($asyncness)? fn send_fragment(
                &mut self,
                kind: MessageKind,
                payload: &[u8],
                fin: bool,
            ) -> Result<(), Error<T::Error>> {
                self.write_owed() $($aw)* ?;
                let n = self.conn.encode_fragment(kind, payload, fin, self.tx.as_mut())?;
                self.write_encoded(n) $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)
            }

            /// Send a ping (at most 125 bytes).
            ///
            /// # Errors
            /// [`Error::Send`], [`Error::Io`].
            pub $($asyncness)? fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
                self.write_owed() $($aw)* ?;
                let n = self.conn.encode_ping(payload, self.tx.as_mut())?;
                self.write_encoded(n) $($aw)* ?;
                self.transport.flush() $($aw)* .map_err(Error::Io)
            }

            /// Start the closing handshake: send a Close with `code` and
            /// `reason`. Keep calling [`WebSocket::read`] until it returns the
            /// peer's [`Event::Close`] (then [`Error::Closed`]); then close
            /// the transport.
            ///
            /// # Errors
            /// [`Error::Send`] for a code that may not be sent or a second
            /// close; [`Error::Io`].
            pub $($asyncness)? fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
                self.conn.close(code, reason)?;
                self.flush() $($aw)*
            }

            /// Advance the keepalive clock to `now` and write any ping it owes.
            ///
            /// # Errors
            /// [`Error::Protocol`] with
            /// [`ProtocolError::KeepaliveTimeout`](crate::ProtocolError::KeepaliveTimeout)
            /// when the peer stopped answering (the Close 1011 has been
            /// written); [`Error::Io`].
            pub $($asyncness)? fn handle_timeout(&mut self, now: Instant) -> Result<(), Error<T::Error>> {
                self.conn.handle_timeout(now);
                self.flush() $($aw)* ?;
                match self.conn.error() {
                    Some(e @ crate::ProtocolError::KeepaliveTimeout) => Err(Error::Protocol(e)),
                    _ => Ok(()),
                }
            }
        }
    };
}

pub(crate) use websocket_adapter;
