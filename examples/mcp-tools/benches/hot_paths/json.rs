//! SIMD parsing of a JSON array of 100 documents.

use std::hint::black_box;

use criterion::{BatchSize, Criterion};

use mcp_tools::json::parse_documents;

use crate::clock::UndelayedWallTime;
use crate::corpus;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let json = serde_json::to_vec(&corpus::documents(100)).expect("serialising the corpus");
    c.bench_function("json/simd_parse_100_docs", |b| {
        b.iter_batched_ref(
            || json.clone(),
            |buffer| parse_documents(black_box(buffer)),
            BatchSize::SmallInput,
        );
    });
}
