//! Against a real Qdrant server. `#[ignore]`d, so a plain `cargo test` reports it as ignored
//! instead of pretending it passed; `scripts/gates.sh test` runs it when `QDRANT_URL` is set,
//! e.g. `QDRANT_URL=http://localhost:6334 scripts/gates.sh test`.

use mcp_tools::vector::{QDRANT_URL_ENV, VectorStore};

#[tokio::test]
#[ignore = "needs a live Qdrant server: set QDRANT_URL (gRPC, e.g. http://localhost:6334)"]
async fn talks_to_a_live_qdrant() {
    let url = std::env::var(QDRANT_URL_ENV)
        .expect("QDRANT_URL must be set to run this test (scripts/gates.sh only runs it then)");
    let store = VectorStore::connect(&url).unwrap();
    let info = store.health().await.unwrap();
    assert!(!info.version.is_empty(), "{info:?}");
    let name = format!("{}-live-test-{}", env!("CARGO_CRATE_NAME"), std::process::id());
    assert!(!store.collection_exists(&name).await.unwrap());
}
