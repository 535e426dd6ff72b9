//! In-memory transports: [`Feed`], [`Sink`] and [`Duplex`] implement
//! `std::io`, `tokio::io` and `embedded-io-async`; [`run`] drives the
//! async implementations over them, and [`leak`] gives peers that borrow
//! their buffers a `'static` one.

use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Drive a future that never waits for anything but memory I/O.
///
/// # Panics
/// When the future is still pending after many polls (a bench bug: the
/// reader waits on an empty pipe).
pub fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future stalled: reading an empty in-memory pipe");
}

/// A cyclic reader over a prepared stream of whole frames; writes are
/// counted and dropped. A read returns at most up to the end of the stream.
#[derive(Debug)]
pub struct Feed<'a> {
    data: &'a [u8],
    pos: usize,
    /// Bytes written (and dropped).
    pub written: usize,
}

impl<'a> Feed<'a> {
    /// A reader cycling over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            written: 0,
        }
    }

    /// Copy the next bytes into `buf`.
    pub fn read_into(&mut self, buf: &mut [u8]) -> usize {
        if self.pos == self.data.len() {
            self.pos = 0;
        }
        let n = buf.len().min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

/// An output buffer that writes append to; `clear` between iterations.
#[derive(Debug, Default)]
pub struct Sink {
    /// What was written.
    pub data: Vec<u8>,
}

/// One end of an in-memory pipe pair: reads from `rx`, writes to `tx`.
#[derive(Debug, Clone)]
pub struct Duplex {
    rx: Rc<RefCell<Pipe>>,
    tx: Rc<RefCell<Pipe>>,
}

#[derive(Debug, Default)]
struct Pipe {
    data: Vec<u8>,
    pos: usize,
}

impl Duplex {
    /// Two connected ends (client, server).
    pub fn pair() -> (Self, Self) {
        let a = Rc::new(RefCell::new(Pipe::default()));
        let b = Rc::new(RefCell::new(Pipe::default()));
        (
            Self {
                rx: a.clone(),
                tx: b.clone(),
            },
            Self { rx: b, tx: a },
        )
    }

    /// Bytes waiting to be read at this end.
    pub fn available(&self) -> usize {
        let p = self.rx.borrow();
        p.data.len() - p.pos
    }

    /// Read what is there (0 when empty).
    pub fn read_into(&mut self, buf: &mut [u8]) -> usize {
        let mut p = self.rx.borrow_mut();
        let n = buf.len().min(p.data.len() - p.pos);
        buf[..n].copy_from_slice(&p.data[p.pos..p.pos + n]);
        p.pos += n;
        if p.pos == p.data.len() {
            p.data.clear();
            p.pos = 0;
        }
        n
    }

    /// Drop what is waiting at this end; returns how much that was.
    pub fn clear_input(&mut self) -> usize {
        let mut p = self.rx.borrow_mut();
        let n = p.data.len() - p.pos;
        p.data.clear();
        p.pos = 0;
        n
    }

    /// Append to the peer's input.
    pub fn write_from(&mut self, buf: &[u8]) -> usize {
        self.tx.borrow_mut().data.extend_from_slice(buf);
        buf.len()
    }
}

/// Transports share one implementation of each I/O trait family.
trait Mem {
    /// Read; `None` when nothing is there yet (would block).
    fn mem_read(&mut self, buf: &mut [u8]) -> Option<usize>;
    fn mem_write(&mut self, buf: &[u8]) -> usize;
}

impl Mem for Feed<'_> {
    fn mem_read(&mut self, buf: &mut [u8]) -> Option<usize> {
        Some(self.read_into(buf))
    }
    fn mem_write(&mut self, buf: &[u8]) -> usize {
        self.written += buf.len();
        buf.len()
    }
}

impl Mem for Sink {
    fn mem_read(&mut self, _buf: &mut [u8]) -> Option<usize> {
        None
    }
    fn mem_write(&mut self, buf: &[u8]) -> usize {
        self.data.extend_from_slice(buf);
        buf.len()
    }
}

impl Mem for Duplex {
    fn mem_read(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.available() == 0 && !buf.is_empty() {
            None
        } else {
            Some(self.read_into(buf))
        }
    }
    fn mem_write(&mut self, buf: &[u8]) -> usize {
        self.write_from(buf)
    }
}

macro_rules! mem_io {
    ($($t:ty),*) => {$(
        impl std::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.mem_read(buf).ok_or(std::io::ErrorKind::WouldBlock.into())
            }
        }
        impl std::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                Ok(self.mem_write(buf))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        impl tokio::io::AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> Poll<std::io::Result<()>> {
                let this = self.get_mut();
                match this.mem_read(buf.initialize_unfilled()) {
                    Some(n) => {
                        buf.advance(n);
                        Poll::Ready(Ok(()))
                    }
                    None => Poll::Pending,
                }
            }
        }
        impl tokio::io::AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<std::io::Result<usize>> {
                Poll::Ready(Ok(self.get_mut().mem_write(buf)))
            }
            fn poll_write_vectored(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> Poll<std::io::Result<usize>> {
                let this = self.get_mut();
                Poll::Ready(Ok(bufs.iter().map(|b| this.mem_write(b)).sum()))
            }
            fn is_write_vectored(&self) -> bool {
                true
            }
            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
                Poll::Ready(Ok(()))
            }
            fn poll_shutdown(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
            ) -> Poll<std::io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }
        impl embedded_io::ErrorType for $t {
            type Error = embedded_io::ErrorKind;
        }
        impl embedded_io_async::Read for $t {
            async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
                // Memory never waits; an empty pipe here is a bench bug.
                self.mem_read(buf).ok_or(embedded_io::ErrorKind::Other)
            }
        }
        impl embedded_io_async::Write for $t {
            async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
                Ok(self.mem_write(buf))
            }
            async fn flush(&mut self) -> Result<(), Self::Error> {
                Ok(())
            }
        }
    )*};
}
mem_io!(Feed<'_>, Sink, Duplex);

/// A buffer that lives for the rest of the process (peers that borrow
/// their buffers are kept in structs across iterations).
pub fn leak(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}
