//! Term statistics over 1,000 documents on a pool of one thread per CPU.

use std::hint::black_box;

use criterion::Criterion;

use mcp_tools::parallel::Parallel;

use crate::clock::UndelayedWallTime;
use crate::corpus;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let parallel = Parallel::new(0).expect("thread pool");
    let documents = corpus::documents(1_000);
    c.bench_function("parallel/term_frequencies_1000_docs", |b| {
        b.iter(|| parallel.term_frequencies(black_box(&documents)));
    });
}
