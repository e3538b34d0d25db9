//! The MCP server: one tool per capability of this crate, served over stdio by `main.rs`.
//!
//! Every tool is backed by the crate's own library code. A failing tool answers with an MCP
//! tool error (`isError: true`, the error's cause chain as the message); rmcp itself answers
//! unknown tools and malformed requests with JSON-RPC errors. Nothing here panics.

use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cache::DocumentCache;
use crate::document::tokenize;
use crate::json::parse_documents;
use crate::parallel::Parallel;
use crate::search::SearchIndex;
use crate::vector::{QDRANT_URL_ENV, VectorStore};
use crate::{Document, Error, Result};

/// The stack components this build serves tools for.
const COMPONENTS: &[&str] = &["qdrant", "tantivy", "rayon", "moka", "simd-json"];

/// Most documents the `cache_put` tool keeps, and for how long.
const CACHE_ENTRIES: u64 = 10_000;
const CACHE_TTL: Duration = Duration::from_secs(3_600);

/// What `server_info` reports.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ServerStatus {
    /// The server's package name.
    pub name: String,
    /// The server's version.
    pub version: String,
    /// The stack components the server has tools for.
    pub components: Vec<String>,
}

/// Arguments of `tokenize`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TokenizeParams {
    /// The text to split into lowercase tokens.
    pub text: String,
}

/// Result of `tokenize`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Tokens {
    /// The tokens, in the order they appear.
    pub tokens: Vec<String>,
}

/// A document as tools receive and return it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DocumentParams {
    /// Unique identifier.
    pub id: String,
    /// The document's text.
    pub text: String,
}

impl From<DocumentParams> for Document {
    fn from(params: DocumentParams) -> Self {
        Document::new(params.id, params.text)
    }
}

/// Arguments of `index_documents`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct IndexParams {
    /// The documents to add to the search index.
    pub documents: Vec<DocumentParams>,
}

/// Result of `index_documents`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Indexed {
    /// Documents added by this call.
    pub added: usize,
    /// Documents in the index now.
    pub total: u64,
}

/// Arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchParams {
    /// Query in tantivy's query language, e.g. `rust AND async`.
    pub query: String,
    /// Most hits to return (default 10).
    pub limit: Option<usize>,
}

/// One hit of `search`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchHit {
    /// The matching document's identifier.
    pub id: String,
    /// BM25 relevance score; higher is better.
    pub score: f32,
}

/// Result of `search`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchHits {
    /// Hits, best first.
    pub hits: Vec<SearchHit>,
}

/// Arguments of `cache_get`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CacheGetParams {
    /// Identifier of the cached document.
    pub id: String,
}

/// Arguments of `parse_json`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ParseJsonParams {
    /// A JSON array of `{"id": …, "text": …}` objects.
    pub json: String,
}

/// Result of `parse_json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ParsedDocuments {
    /// How many documents the array holds.
    pub count: usize,
    /// Their identifiers, in order.
    pub ids: Vec<String>,
}

/// Arguments of `term_frequencies`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TermFrequencyParams {
    /// The texts to count terms in.
    pub texts: Vec<String>,
    /// How many of the most frequent terms to return (default 10).
    pub top: Option<usize>,
}

/// One term and how often it occurs.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TermCount {
    /// The (lowercase) term.
    pub term: String,
    /// Occurrences across all texts.
    pub count: usize,
}

/// Result of `term_frequencies`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TermCounts {
    /// Most frequent first; ties in alphabetical order.
    pub terms: Vec<TermCount>,
}

/// Result of `qdrant_health`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct QdrantStatus {
    /// The server's title.
    pub title: String,
    /// The server's version.
    pub version: String,
}

/// The MCP server's state: the router of its tools and the components they use.
pub struct McpServer {
    tool_router: ToolRouter<Self>,
    index: Arc<SearchIndex>,
    cache: DocumentCache,
    parallel: Arc<Parallel>,
}

/// Turns a crate error into the message of an MCP tool error, logging it (no silent errors).
fn tool_error(error: &Error) -> String {
    let message = error.chain();
    tracing::warn!(error = %message, "tool failed");
    message
}

/// Runs CPU-bound `work` off the async runtime's threads.
async fn blocking<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|error| Error::Task(error.to_string()))?
}

#[tool_router]
impl McpServer {
    /// Creates the server and the components its tools use.
    ///
    /// # Errors
    ///
    /// Any error of building a component (e.g. the search index or the thread pool).
    pub fn new() -> Result<Self> {
        let tool_router = Self::tool_router();
        let index = Arc::new(SearchIndex::in_memory()?);
        let cache = DocumentCache::new(CACHE_ENTRIES, CACHE_TTL);
        let parallel = Arc::new(Parallel::new(0)?);
        Ok(Self { tool_router, index, cache, parallel })
    }

    /// The `server_info` tool (health check): name, version and the components served.
    #[must_use]
    #[tool(description = "Health check: the server's name, version and stack components.")]
    pub fn server_info(&self) -> Json<ServerStatus> {
        Json(ServerStatus {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            components: COMPONENTS.iter().map(|&component| component.to_owned()).collect(),
        })
    }

    /// The `tokenize` tool: [`tokenize`] over MCP.
    #[must_use]
    #[tool(description = "Split a text into lowercase alphanumeric tokens.")]
    pub fn tokenize(&self, Parameters(params): Parameters<TokenizeParams>) -> Json<Tokens> {
        Json(Tokens { tokens: tokenize(&params.text) })
    }

    /// The `index_documents` tool: adds documents to the server's [`SearchIndex`].
    ///
    /// # Errors
    ///
    /// The index error's cause chain, as the MCP tool error's message.
    #[tool(description = "Add documents to the server's full-text search index.")]
    pub async fn index_documents(
        &self,
        Parameters(params): Parameters<IndexParams>,
    ) -> Result<Json<Indexed>, String> {
        let index = Arc::clone(&self.index);
        let documents: Vec<Document> = params.documents.into_iter().map(Document::from).collect();
        let added = documents.len();
        let total = blocking(move || {
            index.add(&documents)?;
            Ok(index.len())
        })
        .await
        .map_err(|error| tool_error(&error))?;
        Ok(Json(Indexed { added, total }))
    }

    /// The `search` tool: [`SearchIndex::search`] over MCP.
    ///
    /// # Errors
    ///
    /// A query that does not parse, or an index error, as the MCP tool error's message.
    #[tool(description = "Search the indexed documents (tantivy query syntax), best first.")]
    pub async fn search(
        &self,
        Parameters(params): Parameters<SearchParams>,
    ) -> Result<Json<SearchHits>, String> {
        let index = Arc::clone(&self.index);
        let limit = params.limit.unwrap_or(10);
        let hits = blocking(move || index.search(&params.query, limit))
            .await
            .map_err(|error| tool_error(&error))?;
        let hits = hits.into_iter().map(|hit| SearchHit { id: hit.id, score: hit.score }).collect();
        Ok(Json(SearchHits { hits }))
    }

    /// The `cache_put` tool: stores a document in the server's [`DocumentCache`].
    #[tool(description = "Store a document in the server's cache, replacing one with its id.")]
    pub async fn cache_put(
        &self,
        Parameters(params): Parameters<DocumentParams>,
    ) -> Json<DocumentParams> {
        self.cache.insert(params.clone().into()).await;
        Json(params)
    }

    /// The `cache_get` tool: fetches a document from the server's [`DocumentCache`].
    ///
    /// # Errors
    ///
    /// No cached document with that id, as the MCP tool error's message.
    #[tool(description = "Fetch a document from the server's cache by id.")]
    pub async fn cache_get(
        &self,
        Parameters(params): Parameters<CacheGetParams>,
    ) -> Result<Json<DocumentParams>, String> {
        match self.cache.get(&params.id).await {
            Some(document) => {
                Ok(Json(DocumentParams { id: document.id.clone(), text: document.text.clone() }))
            }
            None => Err(tool_error(&Error::InvalidArgument(format!(
                "no cached document with id {:?}",
                params.id
            )))),
        }
    }

    /// The `parse_json` tool: [`parse_documents`] over MCP.
    ///
    /// # Errors
    ///
    /// JSON that is not an array of documents, as the MCP tool error's message.
    #[tool(description = "Parse a JSON array of documents with SIMD-accelerated simd-json.")]
    pub fn parse_json(
        &self,
        Parameters(params): Parameters<ParseJsonParams>,
    ) -> Result<Json<ParsedDocuments>, String> {
        let mut buffer = params.json.into_bytes();
        let documents = parse_documents(&mut buffer).map_err(|error| tool_error(&error))?;
        let ids: Vec<String> = documents.into_iter().map(|document| document.id).collect();
        Ok(Json(ParsedDocuments { count: ids.len(), ids }))
    }

    /// The `term_frequencies` tool: [`Parallel::term_frequencies`] over MCP.
    ///
    /// # Errors
    ///
    /// A failed background task, as the MCP tool error's message.
    #[tool(description = "Count the most frequent terms across texts, in parallel.")]
    pub async fn term_frequencies(
        &self,
        Parameters(params): Parameters<TermFrequencyParams>,
    ) -> Result<Json<TermCounts>, String> {
        let parallel = Arc::clone(&self.parallel);
        let top = params.top.unwrap_or(10);
        let counts = blocking(move || {
            let documents: Vec<Document> = params
                .texts
                .into_iter()
                .enumerate()
                .map(|(index, text)| Document::new(index.to_string(), text))
                .collect();
            Ok(parallel.term_frequencies(&documents))
        })
        .await
        .map_err(|error| tool_error(&error))?;
        let mut terms: Vec<TermCount> =
            counts.into_iter().map(|(term, count)| TermCount { term, count }).collect();
        terms.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
        terms.truncate(top);
        Ok(Json(TermCounts { terms }))
    }

    /// The `qdrant_health` tool: [`VectorStore::health`] of the server named by `QDRANT_URL`.
    ///
    /// # Errors
    ///
    /// `QDRANT_URL` unset, a malformed URL, or an unreachable server, as the tool error's message.
    #[tool(description = "Check the Qdrant server named by the QDRANT_URL variable.")]
    pub async fn qdrant_health(&self) -> Result<Json<QdrantStatus>, String> {
        let Ok(url) = std::env::var(QDRANT_URL_ENV) else {
            return Err(tool_error(&Error::InvalidArgument(format!(
                "{QDRANT_URL_ENV} is not set: start the server with {QDRANT_URL_ENV}=http://host:6334 to use Qdrant"
            ))));
        };
        let store = VectorStore::connect(&url).map_err(|error| tool_error(&error))?;
        let info = store.health().await.map_err(|error| tool_error(&error))?;
        Ok(Json(QdrantStatus { title: info.title, version: info.version }))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(concat!(
                env!("CARGO_PKG_DESCRIPTION"),
                " Call tools/list for the tools."
            ))
    }
}
