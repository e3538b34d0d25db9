//! Wall-clock benchmarks of the crate's hot paths (criterion; policy: no performance guesses).
//!
//! Gate 5 (`scripts/gates.sh bench`) fails when a median is over the policy's 5 ms budget, and
//! reports each benchmark's change against the base of the change as advice: regressions are
//! decided by the instruction counts of `instructions.rs`, which noise cannot move. Wall-clock
//! time is what sees parallel scaling, locks, caches and I/O; it is read on `clock`'s clock,
//! which leaves out the time other processes kept the benchmark off the CPU. Each component's
//! benchmarks are in `benches/hot_paths/<module>.rs`.
#![allow(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails is broken; there is no caller to return an error to"
)]

#[path = "hot_paths/cache.rs"]
mod cache;
mod clock;
mod corpus;
#[path = "hot_paths/search.rs"]
mod search;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use doc_search::Document;
use doc_search::document::{parse_jsonl, tokenize};

use crate::clock::UndelayedWallTime;

/// One hot-path call's input, the size the 5 ms budget is judged at: 256 KiB of text. That is
/// about 64k tokens at 4 bytes a token, half of a 128k-token context window: the most an agent
/// puts into one tool call. State a call reads (an index, a cache) holds 10,000 documents.
const CALL_BYTES: usize = 256 * 1024;

/// The corpus's first documents, together about [`CALL_BYTES`] of text.
fn call_documents() -> Vec<Document> {
    corpus::documents(CALL_BYTES / corpus::text().len())
}

fn document(c: &mut Criterion<UndelayedWallTime>) {
    let documents = call_documents();
    let text: Vec<&str> = documents.iter().map(|document| document.text.as_str()).collect();
    let text = text.join(" ");
    c.bench_function("document/tokenize_256_kib", |b| b.iter(|| tokenize(black_box(&text))));
    let jsonl = corpus::jsonl(documents.len());
    c.bench_function("document/parse_jsonl_256_kib", |b| {
        b.iter(|| parse_jsonl(black_box(&jsonl)));
    });
}

// Braces: rustfmt leaves the target list as written, whichever components are selected.
criterion_group! {
    name = benches;
    // Criterion's defaults on the budget's clock; scripts/gates.sh passes BENCH_ARGS (e.g.
    // "--measurement-time 10").
    config = Criterion::default().with_measurement(UndelayedWallTime);
    targets =
        document,
        search::benches,
        cache::benches,
}
criterion_main!(benches);
