//! Bits the std examples share: randomness for handshake keys and masks,
//! and a lingering TCP close. Not every example uses every item.
#![allow(dead_code)]

use std::io::Read as _;

pub mod split_echo;

/// The fragment cap for a message cap (`--max-message`): 65,536 at the
/// default 1 MiB, and a message of the cap in 16-byte fragments above it.
pub fn fragments_for(max_message: usize) -> u32 {
    u32::try_from(max_message / 16)
        .unwrap_or(u32::MAX)
        .max(wsframe::DEFAULT_MAX_FRAGMENTS)
}

/// Masking keys from an xorshift generator seeded by the OS. Good enough for
/// an example; firmware would use its hardware RNG.
pub struct Masks(u64);

impl Masks {
    /// A generator seeded from `/dev/urandom`.
    pub fn from_os() -> Self {
        Self(u64::from_le_bytes(random()) | 1)
    }
}

impl wsframe::MaskSource for Masks {
    fn next_mask(&mut self) -> [u8; 4] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 as u32).to_le_bytes()
    }
}

/// `N` random bytes from the OS (a handshake key needs 16).
pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut out))
        .expect("/dev/urandom");
    out
}

/// Close a TCP connection without losing the Close frame just written: shut
/// down our sending side, then read and discard until the peer closes (at
/// most `limit`). Dropping a socket with unread input makes the kernel send
/// a reset, and a reset can make the peer discard our Close before reading it.
#[allow(dead_code)]
pub fn linger(stream: std::net::TcpStream, limit: std::time::Duration) {
    let start = std::time::Instant::now();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(200)));
    let mut sink = [0u8; 16 * 1024];
    let mut stream = stream;
    while start.elapsed() < limit {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return,
        }
    }
}
