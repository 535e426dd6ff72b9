//! The permessage-deflate probes' handshake: (c)'s server handshake with
//! the extension negotiated from the connection's memory.
#![no_std]

use footprint_rt::{receive, send};
use wsframe::handshake::{self, Acceptance, Limits};
use wsframe::{Connection, MaskSource, RecvExtension, SendExtension, Status};

/// Read the request, accept it (with permessage-deflate when offered and
/// the memory allows), open the connection. `false` when refused.
#[inline(never)]
pub fn accept<B, M, I, C>(conn: &mut Connection<B, M, I, C>, tx: &mut [u8]) -> bool
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: RecvExtension,
    C: SendExtension,
{
    let capability = conn.deflate_capability();
    loop {
        let n = receive(conn.rx_buffer());
        conn.handle_rx(n);
        let head = match handshake::parse_request::<16>(conn.pending_input(), &Limits::DEFAULT) {
            Ok(Status::Complete(request)) => {
                let deflate = capability.and_then(|c| request.select_deflate(&c));
                let answer = Acceptance::new()
                    .with_protocol(request.select_protocol(&["chat"]))
                    .with_deflate(deflate);
                match request.accept_with(&answer, tx) {
                    Ok(n) => send(tx.get(..n).unwrap_or_default()),
                    Err(_) => return false,
                }
                request.finished_with(&answer)
            }
            Ok(Status::Partial { .. }) => continue,
            Err(e) => {
                if let Ok(n) = e.encode_response(tx) {
                    send(tx.get(..n).unwrap_or_default());
                }
                return false;
            }
        };
        conn.finish_handshake(head);
        return true;
    }
}
