//! A query over 10,000 indexed documents, asking for 1,000 hits (the MCP server's cap on `limit`).

use std::hint::black_box;

use criterion::Criterion;

use mcp_tools::search::SearchIndex;

use crate::clock::UndelayedWallTime;
use crate::corpus;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let index = SearchIndex::in_memory().expect("in-RAM index");
    index.add(&corpus::documents(10_000)).expect("indexing the corpus");
    c.bench_function("search/top_1000_of_10000_docs", |b| {
        b.iter(|| index.search(black_box("vector AND latency"), 1_000));
    });
}
