//! The search index over a loaded corpus.

use doc_search::document::load_jsonl;
use doc_search::search::SearchIndex;

use crate::{CORPUS, TempFile};

#[tokio::test]
async fn indexes_and_searches_a_loaded_corpus() {
    let file = TempFile::with_contents("search.jsonl", CORPUS).await.unwrap();
    let documents = load_jsonl(&file.0).await.unwrap();
    let index = std::sync::Arc::new(SearchIndex::in_memory().unwrap());
    let writer = std::sync::Arc::clone(&index);
    tokio::task::spawn_blocking(move || writer.add(&documents)).await.unwrap().unwrap();
    let hits = index.search("parallelism", 5).unwrap();
    assert_eq!(hits.first().map(|hit| hit.id.as_str()), Some("rayon"));
}
