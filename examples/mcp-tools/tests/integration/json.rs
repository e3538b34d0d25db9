//! SIMD parsing agrees with `serde_json`.

use mcp_tools::document::parse_jsonl;
use mcp_tools::json::parse_documents;

use crate::CORPUS;

#[test]
fn simd_json_agrees_with_serde_json() {
    let documents = parse_jsonl(CORPUS).unwrap();
    let mut buffer = serde_json::to_vec(&documents).unwrap();
    assert_eq!(parse_documents(&mut buffer).unwrap(), documents);
}
