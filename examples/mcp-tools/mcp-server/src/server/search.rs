//! Tools of the search component: a full-text index the client fills and queries.

use std::sync::Arc;

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use mcp_tools::Document;
use mcp_tools::search::SearchIndex;

use super::{
    DocumentParams, McpServer, ToolState, caps, check_len, check_results, check_text, off_runtime,
    tool_error,
};

/// The index the tools share.
#[derive(Clone)]
pub(crate) struct State {
    index: Arc<SearchIndex>,
}

impl ToolState for State {
    /// An empty in-memory index.
    fn new() -> anyhow::Result<Self> {
        Ok(Self { index: Arc::new(SearchIndex::in_memory()?) })
    }
}

/// Arguments of `index_documents`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct IndexParams {
    /// The documents to add to the search index.
    #[schemars(length(max = caps::ITEMS))]
    documents: Vec<DocumentParams>,
}

/// Result of `index_documents`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Indexed {
    /// Documents added by this call.
    added: usize,
    /// Documents in the index now.
    total: u64,
}

/// Arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct SearchParams {
    /// Query in tantivy's query language, e.g. `rust AND async`.
    #[schemars(length(max = caps::TEXT))]
    query: String,
    /// Most hits to return (default 10).
    #[schemars(range(max = caps::RESULTS))]
    limit: Option<usize>,
}

/// One hit of `search`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct SearchHit {
    /// The matching document's identifier.
    id: String,
    /// BM25 relevance score; higher is better.
    score: f32,
}

/// Result of `search`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct SearchHits {
    /// Hits, best first.
    hits: Vec<SearchHit>,
}

#[tool_router(router = search_tools, vis = "pub(crate)")]
impl McpServer {
    /// Add documents to the server's full-text search index.
    #[tool]
    async fn index_documents(
        &self,
        Parameters(params): Parameters<IndexParams>,
    ) -> Result<Json<Indexed>, String> {
        check_len("documents", params.documents.len(), "items", caps::ITEMS)?;
        params.documents.iter().try_for_each(DocumentParams::check)?;
        let index = Arc::clone(&self.search.index);
        let documents: Vec<Document> = params.documents.into_iter().map(Document::from).collect();
        let added = documents.len();
        let total = off_runtime(move || index.add(&documents).map(|()| index.len()))
            .await?
            .map_err(|error| tool_error(&error))?;
        Ok(Json(Indexed { added, total }))
    }

    /// Search the indexed documents (tantivy query syntax), best first.
    #[tool]
    async fn search(
        &self,
        Parameters(params): Parameters<SearchParams>,
    ) -> Result<Json<SearchHits>, String> {
        check_text("query", &params.query)?;
        check_results("limit", params.limit)?;
        let index = Arc::clone(&self.search.index);
        let limit = params.limit.unwrap_or(10);
        let hits = off_runtime(move || index.search(&params.query, limit))
            .await?
            .map_err(|error| tool_error(&error))?;
        let hits = hits.into_iter().map(|hit| SearchHit { id: hit.id, score: hit.score }).collect();
        Ok(Json(SearchHits { hits }))
    }
}
