//! Instruction counts of the crate's hot paths under Valgrind's Callgrind (Gungraun).
//!
//! Gate 5 (`scripts/gates.sh bench`) runs these benchmarks for the base and the head of a change,
//! built by the same toolchain, and fails when a benchmark's instruction count (`Ir`) or its
//! estimated cycles (`EstimatedCycles`, from Callgrind's cache simulation: memory behaviour at
//! the same instruction count) rise more than `BENCH_THRESHOLD` percent. Both are simulated:
//! unchanged code gives the same numbers on a busy machine and on an idle one, and the gate's
//! table shows each benchmark's noise floor (the base counted twice). Each benchmark runs once,
//! its set-up (inputs, indexes, runtimes) is not counted, and the inputs are small so the whole
//! run takes seconds. A benchmark may hold its own limit, with the reason, on the line above its
//! `#[library_benchmark]`: `// gate 5: EstimatedCycles 8 %: <why this benchmark differs>`.
//!
//! Callgrind counts the calling thread only, so the work measured here runs on it (a rayon
//! batch on a pool whose only worker is this thread, async calls on a current-thread runtime).
//! Wall-clock time, parallel scaling and I/O are `hot_paths.rs`' part (criterion). Each
//! component's group is in `benches/instructions/<module>.rs` (named after the module: the
//! benchmarks' ids). Plain `cargo bench --bench
//! instructions` compares nothing and fails nothing: use the gate. Without gungraun-runner or
//! Valgrind on PATH, this binary says so in one line and ends successfully, so plain
//! `cargo bench` runs the criterion benchmarks (the gate checks for both itself).
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

use vector_cache::Document;
use vector_cache::document::{DocumentError, parse_jsonl, tokenize};

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

/// The tools the counts need, besides this binary: Gungraun's runner runs it under Valgrind.
const TOOLS: [&str; 2] = ["gungraun-runner", "valgrind"];

/// Gungraun's configuration; when a tool it needs is not installed, a one-line notice instead,
/// and the end of this binary (`main!` evaluates this first, before it starts the runner).
fn counting_config() -> LibraryBenchmarkConfig {
    let missing: Vec<&str> = TOOLS.into_iter().filter(|tool| !installed(tool)).collect();
    if !missing.is_empty() {
        eprintln!(
            "instruction counts skipped: {} not on PATH (install Valgrind and `cargo install \
             gungraun-runner --version 0.20.0 --locked`); \
             `scripts/gates.sh bench` measures and compares them",
            missing.join(" and ")
        );
        std::process::exit(0);
    }
    // The cache simulation gives gate 5 its estimated cycles (it adds about a sixth to this run).
    // One working directory for every run: gate 5 builds the base and the head from different
    // directories, and the path's length moved the heap's layout, and with it some counts (seen:
    // 14 instructions in the tantivy query).
    let mut config = LibraryBenchmarkConfig::default();
    config.tool(Callgrind::with_args(["--cache-sim=yes"])).current_dir("/");
    config
}

/// Whether `tool` is an executable on PATH, or (the runner) named by `GUNGRAUN_RUNNER` at build
/// time, where Gungraun looks for it.
fn installed(tool: &str) -> bool {
    (tool == TOOLS[0] && option_env!("GUNGRAUN_RUNNER").is_some())
        || std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

main! {
    config = counting_config(),
    library_benchmark_groups = [
        document,
    ]
}
