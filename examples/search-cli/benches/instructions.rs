//! Instruction counts of the crate's hot paths under Valgrind's Callgrind (Gungraun).
//!
//! Gate 5 (`scripts/gates.sh bench`) runs these benchmarks for the base and the head of a change,
//! built by the same toolchain, and fails when a benchmark's instruction count (`Ir`) rises more
//! than `BENCH_THRESHOLD` percent. Counts are deterministic: unchanged code gives the same
//! numbers on a busy machine and on an idle one. Each benchmark runs once, its set-up (inputs,
//! indexes, runtimes) is not counted, and the inputs are small so the whole run takes seconds.
//!
//! Callgrind counts the calling thread only, so the work measured here runs on it: the rayon
//! batch on a pool whose only worker is this thread, async calls on a current-thread tokio
//! runtime. Wall-clock time, parallel scaling and I/O are `hot_paths.rs`' part (criterion).
//! Plain `cargo bench --bench instructions` compares nothing and fails nothing: use the gate.
#![allow(
    clippy::disallowed_macros,
    reason = "a benchmark binary's entry point: gungraun's main! prints its report to stderr"
)]
#![allow(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails is broken; there is no caller to return an error to"
)]
#![allow(
    missing_docs,
    reason = "Gungraun's macros generate undocumented public items; a bench target has no API"
)]

mod corpus;

use std::hint::black_box;

use gungraun::{
    Callgrind, LibraryBenchmarkConfig, library_benchmark, library_benchmark_group, main,
};

use search_cli::cache::DocumentCache;
use search_cli::document::{parse_jsonl, tokenize};
use search_cli::search::{Hit, SearchIndex};
use search_cli::{Document, Result};

#[library_benchmark(setup = corpus::text)]
fn tokenize_60_words(text: String) -> Vec<String> {
    tokenize(black_box(&text))
}

/// 100 documents as JSON lines.
fn jsonl_100() -> String {
    corpus::jsonl(100)
}

#[library_benchmark(setup = jsonl_100)]
fn parse_jsonl_100_docs(jsonl: String) -> Result<Vec<Document>> {
    parse_jsonl(black_box(&jsonl))
}

library_benchmark_group!(name = document, benchmarks = [tokenize_60_words, parse_jsonl_100_docs]);

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
fn query_1000_docs(index: &SearchIndex) -> Result<Vec<Hit>> {
    index.search(black_box("vector AND latency"), 10)
}

library_benchmark_group!(name = search, benchmarks = [query_1000_docs]);

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
fn get_hit(
    (runtime, cache): (&tokio::runtime::Runtime, &DocumentCache),
) -> Option<std::sync::Arc<Document>> {
    runtime.block_on(cache.get(black_box("doc-0")))
}

library_benchmark_group!(name = cache, benchmarks = [get_hit]);

main! {
    // Instruction counts only: Callgrind's cache simulation would double the run time for
    // figures gate 5 does not use. One working directory for every run: gate 5 builds the base
    // and the head from different directories, and the path's length moved the heap's layout,
    // and with it some counts (seen: 14 instructions in the tantivy query).
    config = LibraryBenchmarkConfig::default()
        .tool(Callgrind::with_args(["--cache-sim=no"]))
        .current_dir("/"),
    library_benchmark_groups = [
        document,
        search,
        cache,
    ]
}
