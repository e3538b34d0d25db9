//! A hit in a cache of 10,000 documents.

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;

use doc_search::cache::DocumentCache;

use crate::clock::UndelayedWallTime;
use crate::corpus;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    let cache = DocumentCache::new(10_000, Duration::from_secs(600));
    runtime.block_on(async {
        for document in corpus::documents(10_000) {
            cache.insert(document).await;
        }
    });
    c.bench_function("cache/get_hit", |b| {
        b.iter(|| runtime.block_on(cache.get(black_box("doc-500"))));
    });
}
