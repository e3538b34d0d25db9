//! The MCP server: the library's capabilities as MCP tools, served by `main.rs` (over stdio, or
//! streamable HTTP: `http.rs`).
//!
//! The core tools are here; each stack component adds its own (`server/<module>.rs`, its own
//! `#[tool_router]`). A failing tool answers with an MCP tool error (`isError: true`, the error's
//! cause chain as the message); rmcp itself answers unknown tools and malformed requests with
//! JSON-RPC errors. Nothing here panics.
//!
//! Every text, list and count argument has a cap, stated in its JSON schema ([`caps`]) and
//! checked before any work is done: a call over one is a tool error. Tools that do CPU work run
//! off the runtime's threads ([`off_runtime`], or the rayon pool), so one large call never stalls
//! the others.

mod cache;
mod json;
mod parallel;
mod search;
mod vector;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use mcp_tools::Document;
use mcp_tools::document::{parse_jsonl, tokenize};

/// The stack components this build serves tools for.
const COMPONENTS: &[&str] = &["qdrant", "tantivy", "rayon", "moka", "simd-json"];

/// The server's state: the router of its tools and what each component's tools use. A clone
/// shares that state (the HTTP transport answers each request with one).
#[derive(Clone)]
pub(crate) struct McpServer {
    tool_router: ToolRouter<Self>,
    vector: vector::State,
    search: search::State,
    parallel: parallel::State,
    cache: cache::State,
}

/// What a component's tools keep between calls (`server/<module>.rs`), built at start-up.
trait ToolState: Sized {
    /// Builds the state.
    fn new() -> anyhow::Result<Self>;
}

impl McpServer {
    /// Creates the server and the state its tools use.
    ///
    /// # Errors
    ///
    /// When a component's state cannot be built (e.g. a thread pool, or a malformed
    /// `QDRANT_URL`).
    pub(crate) fn new() -> anyhow::Result<Self> {
        let mut tool_router = Self::core_tools();
        tool_router += Self::vector_tools();
        tool_router += Self::search_tools();
        tool_router += Self::parallel_tools();
        tool_router += Self::cache_tools();
        tool_router += Self::json_tools();
        Ok(Self {
            tool_router,
            vector: vector::State::new()?,
            search: search::State::new()?,
            parallel: parallel::State::new()?,
            cache: cache::State::new()?,
        })
    }
}

/// Caps on what one call may ask for. Each argument's schema states its cap (`maxLength`,
/// `maxItems`, `maximum`), and the tool checks it before any work.
pub(crate) mod caps {
    /// Characters of one text argument (a text, a document, a JSON payload, a query, an id):
    /// the input gate 5 judges the 5 ms budget at (`CALL_BYTES` in `benches/hot_paths.rs`).
    pub(crate) const TEXT: usize = 256 * 1024;
    /// Items of one list argument (documents, texts).
    pub(crate) const ITEMS: usize = 10_000;
    /// Results one call may ask for (`limit`, `top`).
    pub(crate) const RESULTS: usize = 1_000;
}

/// Checks a text argument against [`caps::TEXT`] (in characters, as JSON schema's `maxLength`).
///
/// # Errors
///
/// The tool error's message, naming the argument, when the text is longer.
fn check_text(argument: &str, text: &str) -> Result<(), String> {
    check_len(argument, text.chars().count(), "characters", caps::TEXT)
}

/// Checks that `argument` holds at most `cap` `unit`s.
///
/// # Errors
///
/// The tool error's message, naming the argument and its cap, when it holds more.
fn check_len(argument: &str, len: usize, unit: &str, cap: usize) -> Result<(), String> {
    if len <= cap {
        return Ok(());
    }
    let message = format!("`{argument}` has {len} {unit}; the cap is {cap}");
    tracing::warn!(error = %message, "tool call over a cap");
    Err(message)
}

/// Checks a count argument (`limit`, `top`) against [`caps::RESULTS`].
///
/// # Errors
///
/// The tool error's message, naming the argument and its cap, when it is larger.
fn check_results(argument: &str, count: Option<usize>) -> Result<(), String> {
    match count {
        Some(count) if count > caps::RESULTS => {
            let message = format!("`{argument}` is {count}; the cap is {}", caps::RESULTS);
            tracing::warn!(error = %message, "tool call over a cap");
            Err(message)
        }
        _ => Ok(()),
    }
}

/// Runs CPU-bound `work` on tokio's blocking pool: the runtime's threads keep serving other calls.
///
/// # Errors
///
/// The tool error's message when the work panicked (the pool catches the panic).
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work).await.map_err(|error| tool_error(&error))
}

/// The message of an MCP tool error: `error` and its sources on one line. Logged here, once:
/// the client gets the message, the server's log the event.
fn tool_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::warn!(error = %message, "tool failed");
    message
}

/// What `server_info` reports.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ServerStatus {
    /// The server's name (its binary's).
    name: String,
    /// The server's version.
    version: String,
    /// The stack components the server has tools for.
    components: Vec<String>,
}

/// Arguments of `tokenize`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct TokenizeParams {
    /// The text to split into lowercase tokens.
    #[schemars(length(max = caps::TEXT))]
    text: String,
}

/// Result of `tokenize`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Tokens {
    /// The tokens, in the order they appear.
    tokens: Vec<String>,
}

/// A document as tools receive and return it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct DocumentParams {
    /// Unique identifier.
    #[schemars(length(max = caps::TEXT))]
    id: String,
    /// The document's text.
    #[schemars(length(max = caps::TEXT))]
    text: String,
}

impl DocumentParams {
    /// Checks both fields against [`caps::TEXT`].
    ///
    /// # Errors
    ///
    /// The tool error's message naming the field over its cap.
    fn check(&self) -> Result<(), String> {
        check_text("id", &self.id)?;
        check_text("text", &self.text)
    }
}

impl From<DocumentParams> for Document {
    fn from(params: DocumentParams) -> Self {
        Self::new(params.id, params.text)
    }
}

impl From<Document> for DocumentParams {
    fn from(document: Document) -> Self {
        Self { id: document.id, text: document.text }
    }
}

/// Arguments of `parse_jsonl`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct JsonLinesParams {
    /// One `{"id": …, "text": …}` object per line; blank lines are skipped.
    #[schemars(length(max = caps::TEXT))]
    jsonl: String,
}

/// Result of `parse_jsonl`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Documents {
    /// The documents, in input order.
    documents: Vec<DocumentParams>,
}

#[tool_router(router = core_tools)]
impl McpServer {
    /// Health check: the server's name, version and stack components.
    #[tool]
    fn server_info() -> Json<ServerStatus> {
        Json(ServerStatus {
            name: env!("CARGO_BIN_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            components: COMPONENTS.iter().map(|&component| component.to_owned()).collect(),
        })
    }

    /// Split a text into lowercase alphanumeric tokens.
    #[tool]
    async fn tokenize(
        Parameters(params): Parameters<TokenizeParams>,
    ) -> Result<Json<Tokens>, String> {
        check_text("text", &params.text)?;
        let tokens = off_runtime(move || tokenize(&params.text)).await?;
        Ok(Json(Tokens { tokens }))
    }

    /// Parse JSON lines into documents; the error names the first line that is not one.
    #[tool]
    async fn parse_jsonl(
        Parameters(params): Parameters<JsonLinesParams>,
    ) -> Result<Json<Documents>, String> {
        check_text("jsonl", &params.jsonl)?;
        let documents = off_runtime(move || parse_jsonl(&params.jsonl))
            .await?
            .map_err(|error| tool_error(&error))?;
        Ok(Json(Documents { documents: documents.into_iter().map(DocumentParams::from).collect() }))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                env!("CARGO_BIN_NAME"),
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(concat!(
                env!("CARGO_PKG_DESCRIPTION"),
                "\n\nCall tools/list for the tools."
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_the_core_tools_and_every_components_tools() {
        let server = McpServer::new().unwrap();
        let mut names: Vec<String> =
            server.tool_router.list_all().into_iter().map(|tool| tool.name.into_owned()).collect();
        names.sort_unstable();
        let mut expected = vec!["parse_jsonl", "server_info", "tokenize"];
        expected.push("qdrant_health");
        expected.push("index_documents");
        expected.push("search");
        expected.push("term_frequencies");
        expected.push("cache_get");
        expected.push("cache_put");
        expected.push("parse_json");
        expected.sort_unstable();
        assert_eq!(names, expected);
    }
}
