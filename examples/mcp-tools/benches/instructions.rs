//! Instruction counts of the crate's hot paths under Valgrind's Callgrind (Gungraun).
//!
//! Gate 5 (`scripts/gates.sh bench`) runs these benchmarks for the base and the head of a change,
//! built by the same toolchain, and fails when a benchmark's instruction count (`Ir`) rises more
//! than `BENCH_THRESHOLD` percent. Counts are deterministic: unchanged code gives the same
//! numbers on a busy machine and on an idle one. Each benchmark runs once, its set-up (inputs,
//! indexes, runtimes) is not counted, and the inputs are small so the whole run takes seconds.
//!
//! Callgrind counts the calling thread only, so the work measured here runs on it (a rayon
//! batch on a pool whose only worker is this thread, async calls on a current-thread runtime).
//! Wall-clock time, parallel scaling and I/O are `hot_paths.rs`' part (criterion). Each
//! component's group is in `benches/instructions/<module>.rs` (named after the module: the
//! benchmarks' ids). Plain `cargo bench --bench
//! instructions` compares nothing and fails nothing: use the gate.
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

#[path = "instructions/cache.rs"]
mod cache_benches;
mod corpus;
#[path = "instructions/json.rs"]
mod json_benches;
#[path = "instructions/parallel.rs"]
mod parallel_benches;
#[path = "instructions/search.rs"]
mod search_benches;

use std::hint::black_box;

use gungraun::{
    Callgrind, LibraryBenchmarkConfig, library_benchmark, library_benchmark_group, main,
};

use mcp_tools::Document;
use mcp_tools::document::{DocumentError, parse_jsonl, tokenize};

use cache_benches::cache;
use json_benches::json;
use parallel_benches::parallel;
use search_benches::search;

#[library_benchmark(setup = corpus::text)]
fn tokenize_60_words(text: String) -> Vec<String> {
    tokenize(black_box(&text))
}

/// 100 documents as JSON lines.
fn jsonl_100() -> String {
    corpus::jsonl(100)
}

#[library_benchmark(setup = jsonl_100)]
fn parse_jsonl_100_docs(jsonl: String) -> Result<Vec<Document>, DocumentError> {
    parse_jsonl(black_box(&jsonl))
}

library_benchmark_group!(name = document, benchmarks = [tokenize_60_words, parse_jsonl_100_docs]);

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
        parallel,
        cache,
        json,
    ]
}
