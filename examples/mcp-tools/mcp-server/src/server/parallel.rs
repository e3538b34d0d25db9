//! Tools of the rayon component: term statistics computed on the server's thread pool.

use std::sync::Arc;

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use mcp_tools::Document;
use mcp_tools::parallel::Parallel;

use super::{McpServer, ToolState, caps, check_len, check_results, tool_error};

/// The thread pool the tools share.
#[derive(Clone)]
pub(crate) struct State {
    pool: Arc<Parallel>,
}

impl ToolState for State {
    /// A pool of one thread per CPU.
    fn new() -> anyhow::Result<Self> {
        Ok(Self { pool: Arc::new(Parallel::new(0)?) })
    }
}

/// Arguments of `term_frequencies`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct TermFrequencyParams {
    /// The texts to count terms in: together at most as many characters as one text may hold
    /// (each item's `maxLength`), one hot-path call's input.
    #[schemars(length(max = caps::ITEMS), inner(length(max = caps::TEXT)))]
    texts: Vec<String>,
    /// How many of the most frequent terms to return (default 10).
    #[schemars(range(max = caps::RESULTS))]
    top: Option<usize>,
}

/// One term and how often it occurs.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TermCount {
    /// The (lowercase) term.
    term: String,
    /// Occurrences across all texts.
    count: usize,
}

/// Result of `term_frequencies`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TermCounts {
    /// Most frequent first; ties in alphabetical order.
    terms: Vec<TermCount>,
}

#[tool_router(router = parallel_tools, vis = "pub(crate)")]
impl McpServer {
    /// Count the most frequent terms across texts, in parallel.
    #[tool]
    async fn term_frequencies(
        &self,
        Parameters(params): Parameters<TermFrequencyParams>,
    ) -> Result<Json<TermCounts>, String> {
        check_len("texts", params.texts.len(), "items", caps::ITEMS)?;
        let characters = params.texts.iter().map(|text| text.chars().count()).sum();
        check_len("texts", characters, "characters in all", caps::TEXT)?;
        check_results("top", params.top)?;
        let documents: Vec<Document> = params
            .texts
            .into_iter()
            .enumerate()
            .map(|(index, text)| Document::new(index.to_string(), text))
            .collect();
        let pool = Arc::clone(&self.parallel.pool);
        let counts = self
            .parallel
            .pool
            .spawn(move || pool.term_frequencies(&documents))
            .await
            .map_err(|error| tool_error(&error))?;
        let mut terms: Vec<TermCount> =
            counts.into_iter().map(|(term, count)| TermCount { term, count }).collect();
        terms.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
        terms.truncate(params.top.unwrap_or(10));
        Ok(Json(TermCounts { terms }))
    }
}
