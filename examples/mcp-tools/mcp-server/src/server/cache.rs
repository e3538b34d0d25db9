//! Tools of the cache component: documents the client stores and fetches by id.

use std::time::Duration;

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use mcp_tools::cache::DocumentCache;

use super::{DocumentParams, McpServer, ToolState, caps, check_text};

/// Most documents the cache keeps, and for how long.
const ENTRIES: u64 = 10_000;
const TIME_TO_LIVE: Duration = Duration::from_secs(3_600);

/// The cache the tools share.
#[derive(Clone)]
pub(crate) struct State {
    documents: DocumentCache,
}

impl ToolState for State {
    /// An empty cache.
    fn new() -> anyhow::Result<Self> {
        Ok(Self { documents: DocumentCache::new(ENTRIES, TIME_TO_LIVE) })
    }
}

/// Arguments of `cache_get`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct CacheGetParams {
    /// Identifier of the cached document.
    #[schemars(length(max = caps::TEXT))]
    id: String,
}

#[tool_router(router = cache_tools, vis = "pub(crate)")]
impl McpServer {
    /// Store a document in the server's cache, replacing one with its id.
    #[tool]
    async fn cache_put(
        &self,
        Parameters(params): Parameters<DocumentParams>,
    ) -> Result<Json<DocumentParams>, String> {
        params.check()?;
        self.cache.documents.insert(params.clone().into()).await;
        Ok(Json(params))
    }

    /// Fetch a document from the server's cache by id.
    #[tool]
    async fn cache_get(
        &self,
        Parameters(params): Parameters<CacheGetParams>,
    ) -> Result<Json<DocumentParams>, String> {
        check_text("id", &params.id)?;
        match self.cache.documents.get(&params.id).await {
            Some(document) => Ok(Json(DocumentParams::from((*document).clone()))),
            None => Err(format!("no cached document with id {:?}", params.id)),
        }
    }
}
