//! The search index's query.

use std::hint::black_box;

use gungraun::{library_benchmark, library_benchmark_group};

use mcp_tools::search::{Hit, SearchError, SearchIndex};

use crate::corpus;

/// An in-RAM index of 1,000 documents, queried once, never dropped.
///
/// Built on a thread of its own: tantivy indexes on background threads, and their frees would
/// land in this thread's heap at moments that differ from run to run, and with them the
/// allocator's work in the measured query. The warm-up query leaves the caches as a hot path
/// finds them.
fn index_1000_docs() -> &'static SearchIndex {
    let index = std::thread::spawn(|| {
        let index = SearchIndex::in_memory().expect("in-RAM index");
        index.add(&corpus::documents(1_000)).expect("indexing the corpus");
        index
    })
    .join()
    .expect("indexing thread");
    index.search("vector AND latency", 10).expect("warm-up query");
    Box::leak(Box::new(index))
}

#[library_benchmark(setup = index_1000_docs)]
fn query_1000_docs(index: &SearchIndex) -> Result<Vec<Hit>, SearchError> {
    index.search(black_box("vector AND latency"), 10)
}

library_benchmark_group!(name = search, benchmarks = [query_1000_docs]);
