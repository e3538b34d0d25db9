//! Tools of the simd-json component.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use mcp_tools::json::parse_documents;

use super::{McpServer, caps, check_text, off_runtime, tool_error};

/// Arguments of `parse_json`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ParseJsonParams {
    /// A JSON array of `{"id": …, "text": …}` objects.
    #[schemars(length(max = caps::TEXT))]
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
    async fn parse_json(
        Parameters(params): Parameters<ParseJsonParams>,
    ) -> Result<Json<ParsedDocuments>, String> {
        check_text("json", &params.json)?;
        let mut buffer = params.json.into_bytes();
        let documents = off_runtime(move || parse_documents(&mut buffer))
            .await?
            .map_err(|error| tool_error(&error))?;
        let ids: Vec<String> = documents.into_iter().map(|document| document.id).collect();
        Ok(Json(ParsedDocuments { count: ids.len(), ids }))
    }
}
