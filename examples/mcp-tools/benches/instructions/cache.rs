//! A cache hit.

use std::hint::black_box;
use std::sync::Arc;

use gungraun::{library_benchmark, library_benchmark_group};

use mcp_tools::Document;
use mcp_tools::cache::DocumentCache;

use crate::corpus;

/// A cache holding one document, and the current-thread runtime that serves it, never dropped.
///
/// One document: with more, whether the key shares a slot with another depends on the cache's
/// random hash seed, and the count with it (criterion measures a full cache's wall-clock).
fn cache_with_1_doc() -> (&'static tokio::runtime::Runtime, &'static DocumentCache) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    let cache = DocumentCache::new(10_000, std::time::Duration::from_secs(600));
    runtime.block_on(cache.insert(corpus::documents(1).remove(0)));
    (Box::leak(Box::new(runtime)), Box::leak(Box::new(cache)))
}

#[library_benchmark(setup = cache_with_1_doc)]
fn get_hit((runtime, cache): (&tokio::runtime::Runtime, &DocumentCache)) -> Option<Arc<Document>> {
    runtime.block_on(cache.get(black_box("doc-0")))
}

library_benchmark_group!(name = cache, benchmarks = [get_hit]);
