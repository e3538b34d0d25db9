//! Tools of the simd-json component.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use mcp_tools::json::parse_documents;

use super::{McpServer, tool_error};

/// Arguments of `parse_json`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ParseJsonParams {
    /// A JSON array of `{"id": …, "text": …}` objects.
    json: String,
}

/// Result of `parse_json`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ParsedDocuments {
    /// How many documents the array holds.
    count: usize,
    /// Their identifiers, in order.
    ids: Vec<String>,
}

#[tool_router(router = json_tools, vis = "pub(crate)")]
impl McpServer {
    /// Parse a JSON array of documents with SIMD-accelerated simd-json.
    #[tool]
    fn parse_json(
        Parameters(params): Parameters<ParseJsonParams>,
    ) -> Result<Json<ParsedDocuments>, String> {
        let mut buffer = params.json.into_bytes();
        let documents = parse_documents(&mut buffer).map_err(|error| tool_error(&error))?;
        let ids: Vec<String> = documents.into_iter().map(|document| document.id).collect();
        Ok(Json(ParsedDocuments { count: ids.len(), ids }))
    }
}
