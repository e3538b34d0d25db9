//! The benchmarks' inputs, shared by `hot_paths.rs` (criterion, wall-clock: one call's input,
//! the size the 5 ms budget is judged at) and `instructions.rs` (Gungraun, instruction counts:
//! small inputs, as a change in the cost per document shows at any size and Valgrind runs the
//! code about 50 times slower).

use ws_tool::Document;

/// The words the corpus is made of.
const WORDS: [&str; 12] = [
    "rust", "async", "index", "vector", "cache", "parallel", "query", "tokio", "search", "latency",
    "memory", "safety",
];

/// A deterministic corpus of `count` documents (`doc-0`, `doc-1`, ...) of 60 words each.
pub(crate) fn documents(count: usize) -> Vec<Document> {
    (0..count)
        .map(|i| {
            let text: Vec<&str> = (0..60).map(|j| WORDS[(i * 7 + j * 3) % WORDS.len()]).collect();
            Document::new(format!("doc-{i}"), text.join(" "))
        })
        .collect()
}

/// The text of one 60-word document.
pub(crate) fn text() -> String {
    documents(1).remove(0).text
}

/// `count` documents as JSON lines, one document per line.
pub(crate) fn jsonl(count: usize) -> String {
    documents(count)
        .iter()
        .map(|document| serde_json::to_string(document).expect("serialising a document") + "\n")
        .collect()
}
