//! Keepalive on a simulated clock (RFC 6455 §5.5.2 pings as a liveness
//! check; §7.4.1 code 1011 when the peer is gone): the connection never
//! reads a clock, the test moves `Instant::from_millis` by hand.
use crate::common;

use core::time::Duration;

use common::*;
use wsframe::frame::Opcode;
use wsframe::{CloseCode, Config, Connection, Instant, ProtocolError, SendError, State};

const INTERVAL: u64 = 1000;
const TIMEOUT: u64 = 500;

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn config() -> Config {
    Config::new().with_keepalive(
        Duration::from_millis(INTERVAL),
        Duration::from_millis(TIMEOUT),
    )
}

/// Owed frames, decoded.
fn owed<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut Connection<B, M>,
) -> Vec<(Opcode, bool, Vec<u8>, bool)> {
    frames(&transmit(conn))
}

fn keepalive_ping(seq: u32, masked: bool) -> (Opcode, bool, Vec<u8>, bool) {
    (Opcode::Ping, true, seq.to_be_bytes().to_vec(), masked)
}

#[test]
fn without_keepalive_there_is_no_deadline_and_no_ping() {
    let mut s = server(4096, Config::new());
    assert_eq!(s.poll_timeout(), None);
    for t in [0, 1, INTERVAL, 10 * INTERVAL, u64::MAX] {
        s.handle_timeout(at(t));
        assert_eq!(s.poll_timeout(), None);
        assert!(!s.wants_transmit());
        assert!(transmit(&mut s).is_empty());
    }
    assert_eq!(s.state(), State::Open);
}

#[test]
fn before_the_handshake_there_is_no_deadline() {
    let mut s = Connection::server(vec![0u8; 4096], config()).unwrap();
    assert_eq!(s.poll_timeout(), None);
    s.handle_timeout(at(5 * INTERVAL));
    assert!(transmit(&mut s).is_empty());
    s.finish_handshake(wsframe::handshake::Finished::elsewhere());
    // The clock starts at the first tick after opening, not before.
    assert_eq!(
        s.poll_timeout(),
        Some(at(0)),
        "tick at once to start the clock"
    );
    s.handle_timeout(at(6 * INTERVAL));
    assert!(
        transmit(&mut s).is_empty(),
        "no ping for time spent connecting"
    );
    assert_eq!(s.poll_timeout(), Some(at(7 * INTERVAL)));
}

#[test]
fn no_ping_before_the_interval() {
    let mut s = server(4096, config());
    s.handle_timeout(at(10_000));
    assert_eq!(s.poll_timeout(), Some(at(10_000 + INTERVAL)));
    for t in [10_000, 10_001, 10_500, 10_000 + INTERVAL - 1] {
        s.handle_timeout(at(t));
        assert!(!s.wants_transmit(), "no ping at {t}");
        assert!(transmit(&mut s).is_empty());
        assert_eq!(
            s.poll_timeout(),
            Some(at(10_000 + INTERVAL)),
            "deadline unchanged at {t}"
        );
    }
}

#[test]
fn ping_is_owed_once_the_interval_passes_without_input() {
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    s.handle_timeout(at(INTERVAL));
    assert!(s.wants_transmit());
    assert_eq!(owed(&mut s), vec![keepalive_ping(1, false)]);
    // Now the deadline is the pong timeout.
    assert_eq!(s.poll_timeout(), Some(at(INTERVAL + TIMEOUT)));
    // Owed once: further ticks before the timeout do not repeat it.
    s.handle_timeout(at(INTERVAL + 1));
    assert!(transmit(&mut s).is_empty());
    assert_eq!(s.state(), State::Open);
}

#[test]
fn client_keepalive_ping_is_masked() {
    let mut c = client(4096, config());
    c.handle_timeout(at(0));
    c.handle_timeout(at(INTERVAL));
    assert_eq!(owed(&mut c), vec![keepalive_ping(1, true)]);
}

#[test]
fn a_late_tick_owes_a_ping_rather_than_failing() {
    // The caller was late (e.g. asleep) by far more than interval + timeout:
    // the peer gets a ping and the full timeout to answer it.
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    s.handle_timeout(at(100 * INTERVAL));
    assert_eq!(s.error(), None);
    assert_eq!(owed(&mut s), vec![keepalive_ping(1, false)]);
    assert_eq!(s.poll_timeout(), Some(at(100 * INTERVAL + TIMEOUT)));
}

#[test]
fn a_pong_within_the_timeout_keeps_the_connection() {
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    s.handle_timeout(at(INTERVAL));
    let ping = owed(&mut s);
    assert_eq!(ping, vec![keepalive_ping(1, false)]);
    // The peer answers at INTERVAL + 200.
    let ev = feed(&mut s, &from_client(Opcode::Pong, true, &ping[0].2), &[]);
    assert_eq!(ev, vec![Owned::Pong(1u32.to_be_bytes().to_vec())]);
    s.handle_timeout(at(INTERVAL + 200));
    assert_eq!(
        s.poll_timeout(),
        Some(at(2 * INTERVAL + 200)),
        "idle again from the pong"
    );
    s.handle_timeout(at(INTERVAL + TIMEOUT));
    assert_eq!(s.error(), None);
    assert!(transmit(&mut s).is_empty());
    // The next ping, one interval after the pong, has the next sequence number.
    s.handle_timeout(at(2 * INTERVAL + 200));
    assert_eq!(owed(&mut s), vec![keepalive_ping(2, false)]);
}

#[test]
fn any_received_bytes_reset_the_idle_timer() {
    // A data frame, a ping, or even one byte of an unfinished header.
    let inputs: [Vec<u8>; 3] = [
        from_client(Opcode::Text, true, b"hi"),
        from_client(Opcode::Ping, true, b"p"),
        from_client(Opcode::Binary, true, b"xyz")[..1].to_vec(),
    ];
    for input in inputs {
        let mut s = server(4096, config());
        s.handle_timeout(at(0));
        s.handle_timeout(at(900));
        feed(&mut s, &input, &[]);
        let _ = transmit(&mut s); // a pong, for the ping
        // Told at the old deadline: the timer restarts from this tick.
        s.handle_timeout(at(INTERVAL));
        assert!(
            transmit(&mut s).is_empty(),
            "no ping after input; input {input:?}"
        );
        assert_eq!(s.poll_timeout(), Some(at(2 * INTERVAL)));
    }

    // Told right after the bytes arrive: the timer restarts from then.
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    feed(&mut s, &from_client(Opcode::Binary, true, b"x"), &[]);
    s.handle_timeout(at(900));
    assert_eq!(s.poll_timeout(), Some(at(900 + INTERVAL)));
    s.handle_timeout(at(900 + INTERVAL - 1));
    assert!(transmit(&mut s).is_empty());
    s.handle_timeout(at(900 + INTERVAL));
    assert_eq!(owed(&mut s), vec![keepalive_ping(1, false)]);
}

#[test]
fn data_after_a_ping_counts_as_an_answer() {
    // "Nothing at all arrives": any frame, not only the pong, proves life.
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    s.handle_timeout(at(INTERVAL));
    let _ = transmit(&mut s);
    feed(&mut s, &from_client(Opcode::Text, true, b"busy"), &[]);
    s.handle_timeout(at(INTERVAL + TIMEOUT));
    assert_eq!(s.error(), None);
    assert_eq!(s.state(), State::Open);
}

#[test]
fn a_silent_peer_fails_the_connection_with_1011() {
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    s.handle_timeout(at(INTERVAL));
    assert_eq!(owed(&mut s), vec![keepalive_ping(1, false)]);
    s.handle_timeout(at(INTERVAL + TIMEOUT - 1));
    assert_eq!(s.error(), None, "not yet");
    assert_eq!(s.state(), State::Open);

    s.handle_timeout(at(INTERVAL + TIMEOUT));
    // What the caller observes: the fault, a Close owed, no more events.
    assert_eq!(s.error(), Some(ProtocolError::KeepaliveTimeout));
    assert_eq!(
        ProtocolError::KeepaliveTimeout.close_code(),
        CloseCode::INTERNAL_ERROR
    );
    assert_eq!(s.state(), State::Failed);
    assert!(s.wants_transmit());
    // poll_event reports the fault once, like any other, then nothing more.
    assert_eq!(s.poll_event(), Err(ProtocolError::KeepaliveTimeout));
    assert_eq!(s.poll_event(), Ok(None));
    assert_eq!(s.poll_timeout(), None, "no deadline once failing");
    assert_eq!(
        s.encode_text("late", &mut [0u8; 64]),
        Err(SendError::Closing)
    );
    let out = owed(&mut s);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, Opcode::Close);
    assert_eq!(close_code(&out[0].2), Some(1011));
    assert_eq!(&out[0].2[2..], b"keepalive ping timeout");
    assert_eq!(s.state(), State::Failed);
    assert!(s.is_closed());

    // A pong that arrives too late is not processed, and nothing more is owed.
    assert_eq!(
        feed(
            &mut s,
            &from_client(Opcode::Pong, true, &1u32.to_be_bytes()),
            &[]
        ),
        vec![]
    );
    s.handle_timeout(at(10 * INTERVAL));
    assert!(transmit(&mut s).is_empty());
    assert_eq!(s.error(), Some(ProtocolError::KeepaliveTimeout));
}

#[test]
fn an_unsent_ping_is_dropped_when_the_peer_times_out() {
    // The caller never transmitted the ping: the failure still replaces it
    // with exactly one Close.
    let mut c = client(4096, config());
    c.handle_timeout(at(0));
    c.handle_timeout(at(INTERVAL));
    assert!(c.wants_transmit());
    c.handle_timeout(at(INTERVAL + TIMEOUT));
    let out = owed(&mut c);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        (out[0].0, close_code(&out[0].2)),
        (Opcode::Close, Some(1011))
    );
    assert!(out[0].3, "client close is masked");
}

#[test]
fn keepalive_stops_once_closing() {
    let mut s = server(4096, config().with_close_timeout(None));
    s.handle_timeout(at(0));
    s.close(CloseCode::NORMAL, "").unwrap();
    assert_eq!(s.poll_timeout(), None);
    s.handle_timeout(at(10 * INTERVAL));
    let out = owed(&mut s);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, Opcode::Close);
    assert_eq!(
        s.error(),
        None,
        "a slow close echo is not a keepalive failure"
    );

    // After the peer's Close, likewise.
    let mut s = server(4096, config());
    s.handle_timeout(at(0));
    feed(&mut s, &from_client(Opcode::Close, true, b""), &[]);
    assert_eq!(s.poll_timeout(), None);
    s.handle_timeout(at(10 * INTERVAL));
    assert_eq!(owed(&mut s), vec![(Opcode::Close, true, vec![], false)]);
}

#[test]
fn a_client_and_a_server_keep_each_other_alive_in_memory() {
    // Only the client pings; the server's automatic pongs keep it alive
    // for many intervals, then the server goes silent and the client fails.
    let mut c = client(4096, config());
    let mut s = server(4096, Config::new());
    c.handle_timeout(at(0));
    let mut now = 0;
    for round in 1..=20u32 {
        now = c.poll_timeout().unwrap().as_millis();
        c.handle_timeout(at(now));
        let ping = transmit(&mut c);
        assert_eq!(frames(&ping), vec![keepalive_ping(round, true)]);
        assert_eq!(
            feed(&mut s, &ping, &[]),
            vec![Owned::Ping(round.to_be_bytes().to_vec())]
        );
        let pong = transmit(&mut s);
        now += 10;
        assert_eq!(
            feed(&mut c, &pong, &[]),
            vec![Owned::Pong(round.to_be_bytes().to_vec())]
        );
        c.handle_timeout(at(now));
        assert_eq!(c.poll_timeout(), Some(at(now + INTERVAL)));
    }
    assert_eq!(c.state(), State::Open);
    // The server stops answering.
    c.handle_timeout(at(now + INTERVAL));
    let _ = transmit(&mut c);
    c.handle_timeout(at(now + INTERVAL + TIMEOUT));
    assert_eq!(c.error(), Some(ProtocolError::KeepaliveTimeout));
    let close = transmit(&mut c);
    assert_eq!(
        feed(&mut s, &close, &[]),
        vec![Owned::Close(Some((1011, "keepalive ping timeout".into())))]
    );
    assert_eq!(c.state(), State::Failed);
}
