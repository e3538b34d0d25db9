//! Documents: the crate's core data type, tokenizing text, and loading JSON-lines files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A text document with a caller-chosen identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Unique identifier, chosen by the caller.
    pub id: String,
    /// The document's text.
    pub text: String,
}

impl Document {
    /// Creates a document from an identifier and a text.
    ///
    /// ```
    /// use doc_search::Document;
    ///
    /// let document = Document::new("readme", "Tokio is an asynchronous runtime");
    /// assert_eq!((document.id.as_str(), document.text.len()), ("readme", 32));
    /// ```
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Self { id: id.into(), text: text.into() }
    }
}

/// Why documents could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// One line of the JSON-lines input is not a document.
    #[error("invalid document on line {line}")]
    Invalid {
        /// The 1-based line number in the input.
        line: usize,
        /// Why the line was rejected.
        #[source]
        source: serde_json::Error,
    },
}

/// Splits `text` into lowercase tokens at every character that is not alphanumeric.
///
/// A hot path: benchmarked in `benches/`.
///
/// ```
/// use doc_search::document::tokenize;
///
/// assert_eq!(tokenize("Hello, World! 42x"), ["hello", "world", "42x"]);
/// ```
#[must_use]
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Parses JSON lines: one [`Document`] object per line; blank lines are skipped.
///
/// # Errors
///
/// [`DocumentError::Invalid`] naming the first line that is not a document.
///
/// ```
/// use doc_search::Document;
/// use doc_search::document::{DocumentError, parse_jsonl};
///
/// let documents = parse_jsonl("{\"id\": \"a\", \"text\": \"Hello\"}\n\n")?;
/// assert_eq!(documents, [Document::new("a", "Hello")]);
/// assert!(matches!(parse_jsonl("not json"), Err(DocumentError::Invalid { line: 1, .. })));
/// # Ok::<(), DocumentError>(())
/// ```
pub fn parse_jsonl(input: &str) -> Result<Vec<Document>, DocumentError> {
    input
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line)
                .map_err(|source| DocumentError::Invalid { line: index + 1, source })
        })
        .collect()
}

/// Reads a JSON-lines file without blocking the async runtime, then parses it.
///
/// # Errors
///
/// [`DocumentError::Read`] when the file cannot be read, [`DocumentError::Invalid`] when a line
/// is not a document.
pub async fn load_jsonl(path: impl AsRef<Path>) -> Result<Vec<Document>, DocumentError> {
    let path = path.as_ref();
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|source| DocumentError::Read { path: path.to_path_buf(), source })?;
    let documents = parse_jsonl(&text)?;
    tracing::debug!(path = %path.display(), count = documents.len(), "loaded documents");
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_lowercases_and_splits_on_punctuation() {
        assert_eq!(tokenize("Hello, World! 42x"), ["hello", "world", "42x"]);
        assert!(tokenize(" ,;. ").is_empty());
    }

    #[test]
    fn parse_jsonl_skips_blank_lines() {
        let documents =
            parse_jsonl("{\"id\":\"a\",\"text\":\"x\"}\n\n{\"id\":\"b\",\"text\":\"y\"}\n")
                .unwrap();
        assert_eq!(documents, [Document::new("a", "x"), Document::new("b", "y")]);
    }

    #[test]
    fn parse_jsonl_names_the_bad_line() {
        let error = parse_jsonl("{\"id\":\"a\",\"text\":\"x\"}\nnot json\n").unwrap_err();
        assert!(matches!(error, DocumentError::Invalid { line: 2, .. }), "{error:?}");
    }
}
