//! A Qdrant vector-database client.
//!
//! Construction does no I/O (the gRPC connection opens lazily), so it is safe inside async code;
//! [`VectorStore::health`] is the explicit, async connectivity check.
//!
//! ```
//! use mcp_tools::vector::VectorStore;
//!
//! // No I/O yet: the connection opens on the first call, e.g. `store.health().await`.
//! let store = VectorStore::connect("http://localhost:6334")?;
//! assert_eq!(format!("{store:?}"), r#"VectorStore { url: "http://localhost:6334", .. }"#);
//! # Ok::<(), mcp_tools::vector::VectorStoreError>(())
//! ```

use qdrant_client::{Qdrant, QdrantError};
use thiserror::Error;

/// The environment variable naming the Qdrant server, e.g. `http://localhost:6334` (gRPC port).
pub const QDRANT_URL_ENV: &str = "QDRANT_URL";

/// Why a Qdrant call failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VectorStoreError {
    /// The server URL is not a valid URI.
    #[error("invalid Qdrant URL {url:?}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why the client refused it.
        #[source]
        source: QdrantError,
    },
    /// The server could not be reached, or answered `operation` with an error.
    #[error("Qdrant {operation} at {url} failed")]
    QueryFailed {
        /// What was asked, e.g. `health check`.
        operation: String,
        /// The server's URL.
        url: String,
        /// What the client reported.
        #[source]
        source: QdrantError,
    },
}

/// A handle to a Qdrant server.
pub struct VectorStore {
    client: Qdrant,
    url: String,
}

impl std::fmt::Debug for VectorStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VectorStore").field("url", &self.url).finish_non_exhaustive()
    }
}

/// What the server reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// Server title, e.g. `qdrant - vector search engine`.
    pub title: String,
    /// Server version, e.g. `1.16.0`.
    pub version: String,
}

impl VectorStore {
    /// Creates a client for the server at `url` without contacting it.
    ///
    /// The client's blocking start-up compatibility check is skipped on purpose: it would
    /// block the async runtime; call [`health`](Self::health) instead.
    ///
    /// # Errors
    ///
    /// [`VectorStoreError::InvalidUrl`] when `url` is not a valid URI.
    pub fn connect(url: &str) -> Result<Self, VectorStoreError> {
        let client = Qdrant::from_url(url)
            .skip_compatibility_check()
            .build()
            .map_err(|source| VectorStoreError::InvalidUrl { url: url.to_owned(), source })?;
        Ok(Self { client, url: url.to_owned() })
    }

    /// The error of `operation` on this store's server.
    fn failed(&self, operation: String) -> impl FnOnce(QdrantError) -> VectorStoreError + '_ {
        move |source| VectorStoreError::QueryFailed { operation, url: self.url.clone(), source }
    }

    /// Asks the server for its title and version.
    ///
    /// # Errors
    ///
    /// [`VectorStoreError::QueryFailed`] when the server cannot be reached or answers with an
    /// error.
    pub async fn health(&self) -> Result<ServerInfo, VectorStoreError> {
        let reply =
            self.client.health_check().await.map_err(self.failed("health check".to_owned()))?;
        Ok(ServerInfo { title: reply.title, version: reply.version })
    }

    /// Returns whether the collection `name` exists on the server.
    ///
    /// # Errors
    ///
    /// [`VectorStoreError::QueryFailed`] when the server cannot be reached or answers with an
    /// error.
    pub async fn collection_exists(&self, name: &str) -> Result<bool, VectorStoreError> {
        let operation = format!("existence check of collection {name:?}");
        self.client.collection_exists(name).await.map_err(self.failed(operation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_client_without_a_server() {
        assert!(VectorStore::connect("http://127.0.0.1:6334").is_ok());
    }

    #[test]
    fn rejects_a_malformed_url() {
        let error = VectorStore::connect("not a url").err().unwrap();
        assert!(matches!(&error, VectorStoreError::InvalidUrl { url, .. } if url == "not a url"));
    }
}
