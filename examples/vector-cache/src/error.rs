//! The crate's error type: each module owns its error enum, and [`Error`] composes them.
//!
//! Functions return their module's error; [`Error`] is what a caller combining several modules
//! propagates with `?`. The module errors carry context (the file, the line, the query) and keep
//! the underlying error reachable through [`std::error::Error::source`].
//!
//! ```
//! use vector_cache::Error;
//! use vector_cache::document::parse_jsonl;
//!
//! let error = Error::from(parse_jsonl("{}").unwrap_err());
//! assert_eq!(error.chain(), "invalid document on line 1: missing field `id` at line 1 column 2");
//! ```

use crate::document::DocumentError;

/// Every error this crate returns, by the module it comes from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or parsing documents failed.
    #[error(transparent)]
    Document(#[from] DocumentError),
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
    use crate::Error;
    use crate::document::parse_jsonl;

    #[test]
    fn chain_joins_the_sources_on_one_line() {
        let error = Error::from(parse_jsonl("not json").unwrap_err());
        assert_eq!(error.chain(), "invalid document on line 1: expected ident at line 1 column 2");
    }
}
