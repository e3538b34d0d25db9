//! Term statistics over a batch, on a pool whose only worker is the calling thread.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;
use std::hint::black_box;

use gungraun::{library_benchmark, library_benchmark_group};

use mcp_tools::Document;
use mcp_tools::parallel::Parallel;

use crate::corpus;

/// A pool on this thread (so Callgrind sees the batch) and 100 documents.
fn pool_and_100_docs() -> (&'static Parallel, Vec<Document>) {
    let parallel = Parallel::on_current_thread().expect("thread pool");
    (Box::leak(Box::new(parallel)), corpus::documents(100))
}

/// Maps with a fixed-key `SipHash`: the same work as the default's random keys, but the same
/// work in every run.
type FixedKeyCounts = HashMap<String, usize, BuildHasherDefault<DefaultHasher>>;

#[library_benchmark(setup = pool_and_100_docs)]
fn term_frequencies_100_docs((parallel, documents): (&Parallel, Vec<Document>)) -> FixedKeyCounts {
    parallel.term_frequencies_with_hasher(black_box(&documents))
}

library_benchmark_group!(name = parallel, benchmarks = [term_frequencies_100_docs]);
