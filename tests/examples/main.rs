//! Integration tests of the runnable examples: each example is built with
//! `cargo build --examples`, started as a child process on a free port on
//! 127.0.0.1, and driven as a real client would (tungstenite, raw HTTP,
//! piped stdin/stdout). Every wait is bounded; every child is killed.

mod chat;
mod echo;
mod gateway;
mod harness;
