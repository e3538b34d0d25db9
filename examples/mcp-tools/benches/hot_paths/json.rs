//! SIMD parsing of one call's documents (256 KiB of text) as a JSON array.

use std::hint::black_box;

use criterion::{BatchSize, Criterion};

use mcp_tools::json::parse_documents;

use crate::call_documents;
use crate::clock::UndelayedWallTime;

pub(crate) fn benches(c: &mut Criterion<UndelayedWallTime>) {
    let json = serde_json::to_vec(&call_documents()).expect("serialising the corpus");
    c.bench_function("json/simd_parse_256_kib", |b| {
        b.iter_batched_ref(
            || json.clone(),
            |buffer| parse_documents(black_box(buffer)),
            BatchSize::SmallInput,
        );
    });
}
