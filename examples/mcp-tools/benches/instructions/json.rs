//! SIMD parsing of a JSON array of documents.

use std::hint::black_box;

use gungraun::{library_benchmark, library_benchmark_group};

use mcp_tools::Document;
use mcp_tools::json::{JsonError, parse_documents};

use crate::corpus;

/// 100 documents as one JSON array.
fn json_array_100() -> Vec<u8> {
    serde_json::to_vec(&corpus::documents(100)).expect("serialising the corpus")
}

#[library_benchmark(setup = json_array_100)]
fn simd_parse_100_docs(mut json: Vec<u8>) -> Result<Vec<Document>, JsonError> {
    parse_documents(black_box(&mut json))
}

library_benchmark_group!(name = json, benchmarks = [simd_parse_100_docs]);
