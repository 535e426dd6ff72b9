//! edge-ws 0.8 through `io::recv` / `io::send` over `embedded-io-async`.

use crate::{Count, Duplex, ENCODE_BATCH, Feed, Keys, LARGE, Msg, Sink, TEXTS, run};
use edge_ws::FrameType;

/// Read `n` data frames into `buf` (no UTF-8 check in edge-ws).
pub fn read(feed: &mut Feed<'_>, buf: &mut [u8], n: usize) -> Count {
    run(async {
        let (mut msgs, mut bytes) = (0, 0);
        while msgs < n {
            let (t, len) = edge_ws::io::recv(&mut *feed, buf)
                .await
                .expect("edge-ws recv");
            if matches!(t, FrameType::Text(_) | FrameType::Binary(_)) {
                msgs += 1;
                bytes += len;
            }
        }
        (msgs, bytes)
    })
}

/// W3.
pub fn encode(sink: &mut Sink, keys: &mut Keys) -> usize {
    sink.data.clear();
    run(async {
        for i in 0..ENCODE_BATCH {
            let key = u32::from_be_bytes(keys.next_key());
            edge_ws::io::send(
                &mut *sink,
                FrameType::Text(false),
                Some(key),
                TEXTS[i % TEXTS.len()].as_bytes(),
            )
            .await
            .expect("send");
        }
    });
    sink.data.len()
}

/// W6 state.
pub struct Echo {
    client: Duplex,
    server: Duplex,
    keys: Keys,
    buf: Vec<u8>,
}

impl Default for Echo {
    fn default() -> Self {
        let (client, server) = Duplex::pair();
        Self {
            client,
            server,
            keys: Keys::default(),
            buf: vec![0; LARGE + 64],
        }
    }
}

impl Echo {
    /// One round trip.
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        let Self {
            client,
            server,
            keys,
            buf,
        } = self;
        let t = match msg {
            Msg::Text(_) => FrameType::Text(false),
            Msg::Binary(_) => FrameType::Binary(false),
        };
        run(async {
            let key = u32::from_be_bytes(keys.next_key());
            edge_ws::io::send(&mut *client, t, Some(key), msg.bytes())
                .await
                .expect("send");
            let (t, n) = edge_ws::io::recv(&mut *server, buf)
                .await
                .expect("server recv");
            edge_ws::io::send(&mut *server, t, None, &buf[..n])
                .await
                .expect("echo");
            edge_ws::io::recv(&mut *client, buf)
                .await
                .expect("client recv")
                .1
        })
    }
}
