//! Tools of the Qdrant component: the server named by `QDRANT_URL`.

use std::sync::Arc;

use rmcp::handler::server::wrapper::Json;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Serialize;

use mcp_tools::vector::{QDRANT_URL_ENV, VectorStore};

use super::{McpServer, ToolState, tool_error};

/// The client of the server named by `QDRANT_URL` at start-up, if it was set.
#[derive(Clone)]
pub(crate) struct State {
    store: Option<Arc<VectorStore>>,
}

impl ToolState for State {
    /// A client for `QDRANT_URL` (no connection yet), or none when it is unset.
    fn new() -> anyhow::Result<Self> {
        let url = std::env::var_os(QDRANT_URL_ENV);
        let store =
            url.map(|url| VectorStore::connect(&url.to_string_lossy())).transpose()?.map(Arc::new);
        Ok(Self { store })
    }
}

/// Result of `qdrant_health`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct QdrantStatus {
    /// The server's title.
    title: String,
    /// The server's version.
    version: String,
}

#[tool_router(router = vector_tools, vis = "pub(crate)")]
impl McpServer {
    /// Check the Qdrant server named by the `QDRANT_URL` variable.
    #[tool]
    async fn qdrant_health(&self) -> Result<Json<QdrantStatus>, String> {
        let Some(store) = &self.vector.store else {
            return Err(format!(
                "{QDRANT_URL_ENV} is not set: start the server with {QDRANT_URL_ENV}=http://host:6334 to use Qdrant"
            ));
        };
        let info = store.health().await.map_err(|error| tool_error(&error))?;
        Ok(Json(QdrantStatus { title: info.title, version: info.version }))
    }
}
