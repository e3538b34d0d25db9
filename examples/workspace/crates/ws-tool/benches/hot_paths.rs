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

use ws_tool::document::parse_jsonl;
use ws_tool::document::tokenize;
use ws_tool::parallel::Parallel;

fn document_benches(c: &mut Criterion) {
    let text = corpus::text();
    c.bench_function("document/tokenize", |b| b.iter(|| tokenize(black_box(&text))));
    let jsonl = corpus::jsonl(100);
    c.bench_function("document/parse_jsonl_100", |b| {
        b.iter(|| parse_jsonl(black_box(&jsonl)));
    });
}

fn parallel_benches(c: &mut Criterion) {
    let parallel = Parallel::new(0).expect("thread pool");
    let documents = corpus::documents(1_000);
    c.bench_function("parallel/term_frequencies_1000_docs", |b| {
        b.iter(|| parallel.term_frequencies(black_box(&documents)));
    });
}

// Braces: rustfmt leaves the target list as written, whichever components are selected.
criterion_group! {
    name = benches;
    // Criterion's defaults; scripts/gates.sh passes BENCH_ARGS (e.g. "--measurement-time 10").
    config = Criterion::default();
    targets =
        document_benches,
        parallel_benches,
}
criterion_main!(benches);
