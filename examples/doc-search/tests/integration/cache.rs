//! The document cache in front of a file.

use std::time::Duration;

use doc_search::Error;
use doc_search::cache::DocumentCache;
use doc_search::document::load_jsonl;

use crate::{CORPUS, TempFile};

#[tokio::test]
async fn caches_documents_loaded_from_disk() {
    let file = TempFile::with_contents("cache.jsonl", CORPUS).await.unwrap();
    let cache = DocumentCache::new(10, Duration::from_secs(60));
    let path = file.0.clone();
    let document = cache
        .get_or_load("serde", async move {
            let mut documents = load_jsonl(&path).await?;
            documents.retain(|document| document.id == "serde");
            Ok::<_, Error>(documents.remove(0))
        })
        .await
        .unwrap();
    assert!(document.text.starts_with("Serde"));
    assert!(cache.get("serde").await.is_some());
}
