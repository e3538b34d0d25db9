//! Term statistics over one call's documents (256 KiB of text) on a pool of one thread per CPU.

use std::hint::black_box;

use criterion::Criterion;

use mcp_tools::parallel::Parallel;

use crate::call_documents;
use crate::clock::UndelayedWallTime;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let parallel = Parallel::new(0).expect("thread pool");
    let documents = call_documents();
    c.bench_function("parallel/term_frequencies_256_kib", |b| {
        b.iter(|| parallel.term_frequencies(black_box(&documents)));
    });
}
