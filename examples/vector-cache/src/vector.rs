//! A Qdrant vector-database client.
//!
//! Construction does no I/O (the gRPC connection opens lazily), so it is safe inside async code;
//! [`VectorStore::health`] is the explicit, async connectivity check.

use qdrant_client::Qdrant;

use crate::Result;

/// The environment variable naming the Qdrant server, e.g. `http://localhost:6334` (gRPC port).
pub const QDRANT_URL_ENV: &str = "QDRANT_URL";

/// A handle to a Qdrant server.
pub struct VectorStore {
    client: Qdrant,
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
    /// [`crate::Error::Qdrant`] when `url` is not a valid URI.
    pub fn connect(url: &str) -> Result<Self> {
        let client = Qdrant::from_url(url).skip_compatibility_check().build()?;
        Ok(Self { client })
    }

    /// Asks the server for its title and version.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Qdrant`] when the server cannot be reached or answers with an error.
    pub async fn health(&self) -> Result<ServerInfo> {
        let reply = self.client.health_check().await?;
        Ok(ServerInfo { title: reply.title, version: reply.version })
    }

    /// Returns whether the collection `name` exists on the server.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Qdrant`] when the server cannot be reached or answers with an error.
    pub async fn collection_exists(&self, name: &str) -> Result<bool> {
        Ok(self.client.collection_exists(name).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn builds_a_client_without_a_server() {
        assert!(VectorStore::connect("http://127.0.0.1:6334").is_ok());
    }

    #[test]
    fn rejects_a_malformed_url() {
        assert!(matches!(VectorStore::connect("not a url"), Err(Error::Qdrant(_))));
    }
}
