//! `doc-search`: A Rust crate built on the org's `ReasonKit` stack
//!
//! Modules:
//! - [`document`]: the [`Document`] type, tokenizing, and loading JSON-lines files.
//! - [`search`]: an in-memory full-text index with one long-lived writer (tantivy).
//! - [`cache`]: an async document cache with a size bound and a time to live (moka).
//! - [`error`]: the crate's [`Error`], one variant per module's error type.
// The policy's rules the compiler and clippy check (gate 2), each with the policy's reason in the
// message. Cargo.toml's [lints] sets the same levels for every target (tests, benches), but
// cannot carry a reason (rust-lang/cargo#14521): until it can, four levels are set in both.
#![forbid(
    unsafe_code,
    reason = "policy: no `unsafe` without approval: a documented rationale, two reviewers, and this attribute and Cargo.toml's unsafe_code lint relaxed in the same reviewed change"
)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "policy: no unwrap() in production code; return the error instead (tests may: clippy.toml)"
)]
#![deny(
    clippy::let_underscore_must_use,
    clippy::map_err_ignore,
    clippy::unused_result_ok,
    reason = "policy: no silent errors; return the error, or log it with tracing where it is handled"
)]

pub mod cache;
pub mod document;
pub mod error;
pub mod search;

pub use document::Document;
pub use error::{Error, Result};
