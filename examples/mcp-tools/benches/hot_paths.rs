//! Wall-clock benchmarks of the crate's hot paths (criterion; policy: no performance guesses).
//!
//! Gate 5 (`scripts/gates.sh bench`) fails when a median is over the policy's 5 ms budget, and
//! reports each benchmark's change against the base of the change as advice: regressions are
//! decided by the instruction counts of `instructions.rs`, which noise cannot move. Wall-clock
//! time is what sees parallel scaling, locks, caches and I/O.
#![allow(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails is broken; there is no caller to return an error to"
)]

mod corpus;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rmcp::handler::server::wrapper::Parameters;

use mcp_tools::cache::DocumentCache;
use mcp_tools::document::parse_jsonl;
use mcp_tools::document::tokenize;
use mcp_tools::json::parse_documents;
use mcp_tools::mcp::McpServer;
use mcp_tools::mcp::TokenizeParams;
use mcp_tools::mcp::{CacheGetParams, DocumentParams};
use mcp_tools::mcp::{DocumentParams as IndexedDocument, IndexParams, SearchParams};
use mcp_tools::parallel::Parallel;
use mcp_tools::search::SearchIndex;

fn document_benches(c: &mut Criterion) {
    let text = corpus::text();
    c.bench_function("document/tokenize", |b| b.iter(|| tokenize(black_box(&text))));
    let jsonl = corpus::jsonl(100);
    c.bench_function("document/parse_jsonl_100", |b| {
        b.iter(|| parse_jsonl(black_box(&jsonl)));
    });
}

fn search_benches(c: &mut Criterion) {
    let index = SearchIndex::in_memory().expect("in-RAM index");
    index.add(&corpus::documents(1_000)).expect("indexing the corpus");
    c.bench_function("search/query_1000_docs", |b| {
        b.iter(|| index.search(black_box("vector AND latency"), 10));
    });
}

fn cache_benches(c: &mut Criterion) {
    use std::time::Duration;
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let cache = DocumentCache::new(10_000, Duration::from_secs(600));
    runtime.block_on(async {
        for document in corpus::documents(1_000) {
            cache.insert(document).await;
        }
    });
    c.bench_function("cache/get_hit", |b| {
        b.to_async(&runtime).iter(|| cache.get(black_box("doc-500")));
    });
}

fn parallel_benches(c: &mut Criterion) {
    let parallel = Parallel::new(0).expect("thread pool");
    let documents = corpus::documents(1_000);
    c.bench_function("parallel/term_frequencies_1000_docs", |b| {
        b.iter(|| parallel.term_frequencies(black_box(&documents)));
    });
}

fn json_benches(c: &mut Criterion) {
    let json = corpus::json_array(100);
    c.bench_function("json/simd_parse_100_docs", |b| {
        b.iter_batched_ref(
            || json.clone(),
            |buffer| parse_documents(black_box(buffer)),
            criterion::BatchSize::SmallInput,
        );
    });
}

/// The tools' own hot paths, called as the MCP router calls them (without the stdio transport).
fn mcp_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let server = McpServer::new().expect("MCP server");
    let text = corpus::text();
    c.bench_function("mcp/server_info", |b| b.iter(|| server.server_info()));
    c.bench_function("mcp/tokenize", |b| {
        b.iter(|| server.tokenize(Parameters(TokenizeParams { text: black_box(&text).clone() })));
    });
    let documents: Vec<IndexedDocument> = corpus::documents(1_000)
        .into_iter()
        .map(|document| IndexedDocument { id: document.id, text: document.text })
        .collect();
    runtime
        .block_on(server.index_documents(Parameters(IndexParams { documents })))
        .expect("indexing the corpus");
    c.bench_function("mcp/search", |b| {
        b.to_async(&runtime).iter(|| {
            let query =
                SearchParams { query: black_box("vector AND latency").to_owned(), limit: None };
            server.search(Parameters(query))
        });
    });
    runtime.block_on(
        server.cache_put(Parameters(DocumentParams { id: "hot".to_owned(), text: text.clone() })),
    );
    c.bench_function("mcp/cache_get", |b| {
        b.to_async(&runtime).iter(|| {
            server.cache_get(Parameters(CacheGetParams { id: black_box("hot").to_owned() }))
        });
    });
}

// Braces: rustfmt leaves the target list as written, whichever components are selected.
criterion_group! {
    name = benches;
    // Criterion's defaults; scripts/gates.sh passes BENCH_ARGS (e.g. "--measurement-time 10").
    config = Criterion::default();
    targets =
        document_benches,
        search_benches,
        cache_benches,
        parallel_benches,
        json_benches,
        mcp_benches,
}
criterion_main!(benches);
