//! An async document cache (moka): bounded in entries, entries expire after a time to live.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use crate::{Document, Result};

/// A concurrent, async cache of documents by identifier.
///
/// Cloning is cheap and every clone shares the same entries.
#[derive(Clone)]
pub struct DocumentCache {
    inner: Cache<String, Arc<Document>>,
}

impl DocumentCache {
    /// Creates a cache holding at most `max_entries` documents, each for at most `time_to_live`.
    #[must_use]
    pub fn new(max_entries: u64, time_to_live: Duration) -> Self {
        Self {
            inner: Cache::builder().max_capacity(max_entries).time_to_live(time_to_live).build(),
        }
    }

    /// Stores `document` under its identifier, replacing any previous entry.
    pub async fn insert(&self, document: Document) {
        self.inner.insert(document.id.clone(), Arc::new(document)).await;
    }

    /// Returns the cached document with identifier `id`, if any.
    pub async fn get(&self, id: &str) -> Option<Arc<Document>> {
        self.inner.get(id).await
    }

    /// Returns the document with identifier `id`, calling `load` on a miss.
    ///
    /// Concurrent callers for the same missing key wait for one `load`; a failed load is not
    /// cached.
    ///
    /// # Errors
    ///
    /// [`crate::Error::CacheLoad`] wrapping the error `load` returned.
    pub async fn get_or_load<F>(&self, id: &str, load: F) -> Result<Arc<Document>>
    where
        F: Future<Output = Result<Document>>,
    {
        let loaded = self.inner.try_get_with_by_ref(id, async { load.await.map(Arc::new) }).await;
        loaded.map_err(|error| {
            tracing::warn!(id, error = %error, "cache loader failed");
            error.into()
        })
    }

    /// Returns the approximate number of cached documents (moka counts lazily).
    #[must_use]
    pub fn entry_count(&self) -> u64 {
        self.inner.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[tokio::test]
    async fn loads_once_then_hits() {
        let cache = DocumentCache::new(100, Duration::from_secs(60));
        let first =
            cache.get_or_load("a", async { Ok(Document::new("a", "loaded")) }).await.unwrap();
        assert_eq!(first.text, "loaded");
        let second =
            cache.get_or_load("a", async { Ok(Document::new("a", "not called")) }).await.unwrap();
        assert_eq!(second.text, "loaded");
    }

    #[tokio::test]
    async fn a_failed_load_is_an_error_and_not_cached() {
        let cache = DocumentCache::new(100, Duration::from_secs(60));
        let error = cache
            .get_or_load("b", async { Err(Error::InvalidArgument("no such id".into())) })
            .await
            .unwrap_err();
        assert!(matches!(error, Error::CacheLoad(_)), "{error:?}");
        assert!(cache.get("b").await.is_none());
    }
}
