//! Integration tests: the public API, used the way a caller would, on the tokio runtime.
//! One test binary; each component's tests are a module of it, in `tests/integration/`.
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

#[path = "integration/cache.rs"]
mod cache;
#[path = "integration/json.rs"]
mod json;
#[path = "integration/parallel.rs"]
mod parallel;
#[path = "integration/search.rs"]
mod search;
#[path = "integration/vector.rs"]
mod vector;

use mcp_tools::Document;
use mcp_tools::document::{DocumentError, load_jsonl, tokenize};

/// A file under the system temp dir that is removed when dropped.
pub(crate) struct TempFile(pub(crate) std::path::PathBuf);

impl TempFile {
    /// Writes `contents` to a new file named after the test binary, the process and `name`.
    pub(crate) async fn with_contents(name: &str, contents: &str) -> std::io::Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "{}-{}-{name}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        tokio::fs::write(&path, contents).await?;
        Ok(Self(path))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Three documents as JSON lines.
pub(crate) const CORPUS: &str = r#"{"id": "tokio", "text": "Tokio is an asynchronous runtime for Rust"}
{"id": "rayon", "text": "Rayon is a data parallelism library for Rust"}
{"id": "serde", "text": "Serde serializes and deserializes Rust data structures"}
"#;

#[tokio::test]
async fn loads_a_jsonl_file_without_blocking() {
    let file = TempFile::with_contents("corpus.jsonl", CORPUS).await.unwrap();
    let documents = load_jsonl(&file.0).await.unwrap();
    assert_eq!(documents.len(), 3);
    assert_eq!(documents[0], Document::new("tokio", "Tokio is an asynchronous runtime for Rust"));
    assert_eq!(tokenize(&documents[1].text)[0], "rayon");
}

#[tokio::test]
async fn a_missing_file_is_a_read_error_naming_it() {
    let error = load_jsonl("/nonexistent/corpus.jsonl").await.unwrap_err();
    assert!(
        matches!(&error, DocumentError::Read { path, .. } if path.ends_with("corpus.jsonl")),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "cannot read /nonexistent/corpus.jsonl");
}
