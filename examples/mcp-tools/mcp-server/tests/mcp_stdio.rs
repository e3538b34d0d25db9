//! Speaks MCP (newline-delimited JSON-RPC) to the server binary over its stdio, as a client does.
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

mod mcp_client;

use std::process::Command;
use std::time::{Duration, Instant};

use mcp_client::{BIN, Session, initialized};
use serde_json::{Value, json};

#[test]
fn initializes_and_calls_tools() {
    let (mut session, init) = initialized().unwrap();
    let binary = std::path::Path::new(BIN).file_stem().and_then(|stem| stem.to_str()).unwrap();
    assert_eq!(init["result"]["serverInfo"]["name"], binary, "{init}");
    assert_eq!(init["result"]["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    // Which tools it lists, with which schemas: tests/mcp_surface.rs (mcp-surface.json).
    let tokens = session.call(2, "tokenize", &json!({"text": "Hello, MCP world"})).unwrap();
    assert_eq!(tokens["result"]["isError"], json!(false), "{tokens}");
    assert_eq!(tokens["result"]["structuredContent"]["tokens"], json!(["hello", "mcp", "world"]));

    let info = session.call(3, "server_info", &json!({})).unwrap();
    assert_eq!(info["result"]["structuredContent"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(session.close(Duration::from_secs(10)).unwrap(), "no clean exit on stdin EOF");
}

#[test]
fn errors_are_protocol_correct_and_the_server_keeps_serving() {
    let (mut session, _) = initialized().unwrap();
    // Wrong argument type: a tool error the model can read (isError), not a crash.
    let wrong = session.call(1, "tokenize", &json!({"text": 42})).unwrap();
    assert_eq!(wrong["result"]["isError"], json!(true), "{wrong}");
    // Unknown tool: JSON-RPC invalid params.
    let unknown = session.call(2, "no_such_tool", &json!({})).unwrap();
    assert_eq!(unknown["error"]["code"], json!(-32602), "{unknown}");
    // Well-formed JSON that is not JSON-RPC: Invalid Request, id null.
    session.send_line(r#"{"jsonrpc":"2.0","id":3,"method":7}"#).unwrap();
    let invalid = session.receive().unwrap();
    assert_eq!(invalid["error"]["code"], json!(-32600), "{invalid}");
    assert_eq!(invalid["id"], Value::Null);
    // Not JSON at all: ignored (no reply to echo back), as in the other official MCP SDKs.
    session.send_line("{this is not json").unwrap();
    // A tool that fails on its input: a tool error whose text is the cause chain.
    let bad = session.call(4, "parse_jsonl", &json!({"jsonl": "not json"})).unwrap();
    assert_eq!(bad["result"]["isError"], json!(true), "{bad}");
    let text = bad["result"]["content"][0]["text"].as_str().unwrap_or_default();
    assert_eq!(text, "invalid document on line 1: expected ident at line 1 column 2");
    let alive = session.call(5, "server_info", &json!({})).unwrap();
    assert_eq!(alive["result"]["isError"], json!(false), "{alive}");
    assert!(session.close(Duration::from_secs(10)).unwrap(), "no clean exit on stdin EOF");
}

#[test]
fn a_text_over_the_cap_its_schema_states_is_a_tool_error() {
    let (mut session, _) = initialized().unwrap();
    let listed = session.request(1, "tools/list", &json!({})).unwrap();
    let tokenize = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["name"] == "tokenize")
        .unwrap();
    let cap = tokenize["inputSchema"]["properties"]["text"]["maxLength"].as_u64().unwrap();
    let at_cap = "a".repeat(usize::try_from(cap).unwrap());
    let within = session.call(2, "tokenize", &json!({"text": at_cap})).unwrap();
    assert_eq!(within["result"]["isError"], json!(false));
    let over = session.call(3, "tokenize", &json!({"text": at_cap + "a"})).unwrap();
    assert_eq!(over["result"]["isError"], json!(true));
    let text = over["result"]["content"][0]["text"].as_str().unwrap_or_default();
    assert_eq!(text, format!("`text` has {} characters; the cap is {cap}", cap + 1));
    assert!(session.close(Duration::from_secs(10)).unwrap(), "no clean exit on stdin EOF");
}

#[test]
fn exits_cleanly_when_stdin_closes_before_initialize() {
    let session = Session::start().unwrap();
    assert!(session.close(Duration::from_secs(10)).unwrap());
}

#[cfg(unix)]
#[test]
fn exits_cleanly_on_sigterm_with_stdin_still_open() {
    let (mut session, _) = initialized().unwrap();
    let pid = session.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(status) = session.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    session.child.kill().unwrap();
    panic!("the server did not stop within 10 s of SIGTERM");
}
