//! Integration tests of the runnable examples: each example is built with
//! `cargo build --examples`, started as a child process on a free port on
//! 127.0.0.1, and driven as a real client would (tungstenite, raw HTTP,
//! piped stdin/stdout, rustls over wsframe's async adapter for wss://).
//! Every wait is bounded; every child is killed.

mod args;
mod axum;
mod chat;
mod echo;
mod gateway;
mod harness;
mod tls;
