//! The MCP registry entry (`server.json` at the crate's root, the registry's schema) names this
//! package at its version, and the README carries the registry's ownership line for its name:
//! bump the version in `Cargo.toml` and this test asks for the same in `server.json`.
//! (Not shipped in the package: it reads files beside it.)
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

use std::path::Path;

use serde_json::Value;

/// A file at the crate's root (the package lives in `mcp-server/`).
fn crate_file(name: &str) -> std::io::Result<String> {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name))
}

#[test]
fn server_json_names_this_package_at_its_version() {
    let entry: Value = serde_json::from_str(&crate_file("server.json").unwrap()).unwrap();
    assert_eq!(entry["version"], env!("CARGO_PKG_VERSION"));
    let packages = entry["packages"].as_array().unwrap();
    let cargo = packages.iter().find(|package| package["registryType"] == "cargo").unwrap();
    assert_eq!(cargo["identifier"], env!("CARGO_PKG_NAME"));
    assert_eq!(cargo["version"], env!("CARGO_PKG_VERSION"));
    // The registry's rule: at most 100 characters.
    assert!(entry["description"].as_str().unwrap().chars().count() <= 100);
}

#[test]
fn the_readme_carries_the_registrys_ownership_line() {
    let entry: Value = serde_json::from_str(&crate_file("server.json").unwrap()).unwrap();
    let line = format!("mcp-name: {}", entry["name"].as_str().unwrap());
    let readme = crate_file("README.md").unwrap();
    // Visible text (crates.io drops HTML comments), the name whole: what follows is no part of it.
    let (before, after) =
        readme.split_once(&line).unwrap_or_else(|| panic!("README.md lacks `{line}`"));
    assert!(!before.ends_with("<!-- "), "`{line}` must be visible, not in an HTML comment");
    assert!(
        after.starts_with(['`', ' ', '\n', '<']) || after.is_empty(),
        "`{line}` is followed by {after:.10}"
    );
}
