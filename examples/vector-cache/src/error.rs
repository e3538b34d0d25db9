//! The crate's one error type.
//!
//! Every fallible function returns [`Result`]. Each variant wraps the error of one component
//! (`#[from]`, so `?` converts it); the wrapped error stays reachable through
//! [`std::error::Error::source`], and the message names what failed without repeating it, so
//! `{:#}` on an `anyhow::Error` prints the whole chain on one line.

use thiserror::Error;

/// Every error this crate returns.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("cannot read or write {}", path.display())]
    Io {
        /// The file that failed.
        path: std::path::PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// A value could not be encoded or decoded as JSON.
    #[error("JSON error")]
    Json(#[from] serde_json::Error),
    /// One line of a JSON-lines input is not a valid document.
    #[error("invalid document on line {line}")]
    InvalidDocument {
        /// The 1-based line number in the input.
        line: usize,
        /// Why the line was rejected.
        #[source]
        source: serde_json::Error,
    },
    /// `RUST_LOG` holds a filter that does not parse.
    #[error("invalid RUST_LOG filter")]
    LogFilter(#[from] tracing_subscriber::filter::FromEnvError),
    /// A global tracing subscriber was already installed.
    #[error("could not install the tracing subscriber")]
    Telemetry(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The search index failed (tantivy).
    #[error("search index error")]
    Search(#[from] tantivy::TantivyError),
    /// A search query does not parse (tantivy's query language).
    #[error("invalid search query")]
    Query(#[from] tantivy::query::QueryParserError),
    /// Loading a value into the cache failed; the loader's error is shared by every caller that
    /// waited for the same key.
    #[error("cache loader failed")]
    CacheLoad(#[from] std::sync::Arc<Error>),
    /// The rayon thread pool could not be built.
    #[error("could not build the thread pool")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
    /// SIMD JSON parsing failed (simd-json).
    #[error("SIMD JSON error")]
    SimdJson(#[from] simd_json::Error),
    /// The Qdrant client failed (qdrant-client).
    #[error("Qdrant error")]
    Qdrant(#[from] qdrant_client::QdrantError),
    /// A caller passed an argument outside the documented range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl Error {
    /// Returns this error and all its sources on one line, joined by `": "`, e.g.
    /// `invalid document on line 2: expected value at line 1 column 1`.
    #[must_use]
    pub fn chain(&self) -> String {
        let mut message = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        message
    }
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn chain_joins_the_sources_on_one_line() {
        let error = crate::document::parse_jsonl("not json").unwrap_err();
        assert_eq!(error.chain(), "invalid document on line 1: expected ident at line 1 column 2");
    }
}
