//! An async document cache (moka): bounded in entries, entries expire after a time to live.
//!
//! ```
//! use std::time::Duration;
//!
//! use doc_search::Document;
//! use doc_search::cache::DocumentCache;
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let cache = DocumentCache::new(1_000, Duration::from_secs(60));
//! cache.insert(Document::new("readme", "Tokio is an asynchronous runtime")).await;
//! let cached = cache.get("readme").await;
//! assert_eq!(cached.map(|document| document.text.len()), Some(32));
//! # });
//! # Ok::<(), std::io::Error>(())
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use thiserror::Error;

use crate::Document;

/// The error of a failed [`DocumentCache::get_or_load`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The loader failed; every caller that waited for the same key gets this same error.
    #[error("cannot load {id:?} into the cache")]
    Load {
        /// The key that was being loaded.
        id: String,
        /// The loader's error.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
}

/// A concurrent, async cache of documents by identifier.
///
/// Cloning is cheap and every clone shares the same entries.
#[derive(Clone)]
pub struct DocumentCache {
    inner: Cache<String, Arc<Document>>,
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCache")
            .field("entries", &self.inner.entry_count())
            .finish_non_exhaustive()
    }
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
    /// [`CacheError::Load`] with the error `load` returned.
    pub async fn get_or_load<F, E>(&self, id: &str, load: F) -> Result<Arc<Document>, CacheError>
    where
        F: Future<Output = Result<Document, E>>,
        E: std::error::Error + Send + Sync + 'static,
    {
        self.inner
            .try_get_with_by_ref(id, async { load.await.map(Arc::new) })
            .await
            .map_err(|source| CacheError::Load { id: id.to_owned(), source })
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

    #[tokio::test]
    async fn loads_once_then_hits() {
        let cache = DocumentCache::new(100, Duration::from_secs(60));
        let load = |text| async move { Ok::<_, std::io::Error>(Document::new("a", text)) };
        assert_eq!(cache.get_or_load("a", load("loaded")).await.unwrap().text, "loaded");
        assert_eq!(cache.get_or_load("a", load("not called")).await.unwrap().text, "loaded");
    }

    #[tokio::test]
    async fn a_failed_load_is_an_error_and_not_cached() {
        let cache = DocumentCache::new(100, Duration::from_secs(60));
        let failing = async { Err(std::io::Error::other("backend down")) };
        let error = cache.get_or_load("b", failing).await.unwrap_err();
        assert_eq!(error.to_string(), "cannot load \"b\" into the cache");
        assert!(cache.get("b").await.is_none());
    }
}
