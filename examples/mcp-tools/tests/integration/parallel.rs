//! Term statistics on the pool, awaited from async code.

use mcp_tools::document::parse_jsonl;
use mcp_tools::parallel::Parallel;

use crate::CORPUS;

#[tokio::test]
async fn counts_terms_off_the_runtime() {
    let documents = parse_jsonl(CORPUS).unwrap();
    let parallel = std::sync::Arc::new(Parallel::new(2).unwrap());
    let pool = std::sync::Arc::clone(&parallel);
    let counts = parallel.spawn(move || pool.term_frequencies(&documents)).await.unwrap();
    assert_eq!(counts["rust"], 3);
}
