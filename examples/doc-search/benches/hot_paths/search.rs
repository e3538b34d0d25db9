//! A query over 1,000 indexed documents.

use std::hint::black_box;

use criterion::Criterion;

use doc_search::search::SearchIndex;

use crate::clock::UndelayedWallTime;
use crate::corpus;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let index = SearchIndex::in_memory().expect("in-RAM index");
    index.add(&corpus::documents(1_000)).expect("indexing the corpus");
    c.bench_function("search/query_1000_docs", |b| {
        b.iter(|| index.search(black_box("vector AND latency"), 10));
    });
}
