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

use search_cli::cache::DocumentCache;
use search_cli::document::parse_jsonl;
use search_cli::document::tokenize;
use search_cli::search::SearchIndex;

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

// Braces: rustfmt leaves the target list as written, whichever components are selected.
criterion_group! {
    name = benches;
    // Criterion's defaults; scripts/gates.sh passes BENCH_ARGS (e.g. "--measurement-time 10").
    config = Criterion::default();
    targets =
        document_benches,
        search_benches,
        cache_benches,
}
criterion_main!(benches);
