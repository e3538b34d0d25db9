//! Integration tests: the public API, used the way a caller would, on the tokio runtime.
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

use vector_cache::Document;
use vector_cache::Error;
use vector_cache::cache::DocumentCache;
use vector_cache::document::load_jsonl;
use vector_cache::document::parse_jsonl;
use vector_cache::document::tokenize;
use vector_cache::json::parse_documents;
use vector_cache::parallel::Parallel;
use vector_cache::search::SearchIndex;

/// A file under the system temp dir that is removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    async fn with_contents(name: &str, contents: &str) -> std::io::Result<Self> {
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

const CORPUS: &str = r#"{"id": "tokio", "text": "Tokio is an asynchronous runtime for Rust"}
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
async fn a_missing_file_is_an_io_error() {
    let error = load_jsonl("/nonexistent/corpus.jsonl").await.unwrap_err();
    assert!(
        matches!(&error, Error::Io { path, .. } if path.ends_with("corpus.jsonl")),
        "{error:?}"
    );
    // the message says which file failed
    assert_eq!(error.to_string(), "cannot read or write /nonexistent/corpus.jsonl");
}

#[tokio::test]
async fn indexes_and_searches_a_loaded_corpus() {
    let file = TempFile::with_contents("search.jsonl", CORPUS).await.unwrap();
    let documents = load_jsonl(&file.0).await.unwrap();
    let hits = tokio::task::spawn_blocking(move || {
        let index = SearchIndex::in_memory()?;
        index.add(&documents)?;
        index.search("parallelism", 5)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(hits.first().map(|hit| hit.id.as_str()), Some("rayon"));
}

#[tokio::test]
async fn caches_documents_loaded_from_disk() {
    use std::time::Duration;
    let file = TempFile::with_contents("cache.jsonl", CORPUS).await.unwrap();
    let cache = DocumentCache::new(10, Duration::from_secs(60));
    let path = file.0.clone();
    let document = cache
        .get_or_load("serde", async move {
            let documents = load_jsonl(&path).await?;
            documents
                .into_iter()
                .find(|document| document.id == "serde")
                .ok_or_else(|| Error::InvalidArgument("serde not in corpus".into()))
        })
        .await
        .unwrap();
    assert!(document.text.starts_with("Serde"));
    assert!(cache.get("serde").await.is_some());
}

#[tokio::test]
async fn counts_terms_off_the_runtime() {
    let documents = parse_jsonl(CORPUS).unwrap();
    let counts = tokio::task::spawn_blocking(move || {
        let parallel = Parallel::new(2)?;
        Ok::<_, Error>(parallel.term_frequencies(&documents))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(counts["rust"], 3);
}

#[tokio::test]
async fn simd_json_agrees_with_serde_json() {
    let documents = parse_jsonl(CORPUS).unwrap();
    let mut buffer = serde_json::to_vec(&documents).unwrap();
    let parsed = parse_documents(&mut buffer).unwrap();
    assert_eq!(parsed, documents);
}
