//! Speaks MCP over streamable HTTP to the server binary (`--http`, the `http` feature), as a
//! remote client does, and as a web page reached through DNS rebinding cannot.
#![cfg(feature = "http")]
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The server binary, built by cargo for this test.
#[rustfmt::skip] // one line whatever the package name's length, so the template stays fmt-clean
const BIN: &str = env!("CARGO_BIN_EXE_mcp-tools");

/// A server serving streamable HTTP on a port the system picked.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts the server with `args` beside `--http 0`; waits for the line naming its URL.
    fn start(args: &[&str]) -> std::io::Result<Self> {
        let mut child = Command::new(BIN)
            .args(["--http", "0", "--log-level", "info"])
            .args(args)
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or(std::io::ErrorKind::BrokenPipe)?;
        let mut lines = BufReader::new(stderr).lines();
        let marker = "serving MCP over streamable HTTP at http://127.0.0.1:";
        let port = loop {
            let line = lines.next().ok_or(std::io::ErrorKind::UnexpectedEof)??;
            if let Some((_, rest)) = line.split_once(marker) {
                let port = rest.split('/').next().unwrap_or_default();
                break port.parse().map_err(std::io::Error::other)?;
            }
        };
        // Keep reading stderr, so that logging never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, port })
    }

    /// POSTs a JSON-RPC message to `/mcp` with this `Host` (and `Origin`); returns the status and
    /// the body.
    fn post(
        &self,
        host: &str,
        origin: Option<&str>,
        message: &Value,
    ) -> std::io::Result<(u16, String)> {
        let body = message.to_string();
        let origin = origin.map(|origin| format!("Origin: {origin}\r\n")).unwrap_or_default();
        let request = format!(
            "POST /mcp HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-11-25\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.write_all(request.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned());
        Ok((status, body.unwrap_or_default()))
    }

    /// The server's own `Host` value.
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

fn request(id: u64, method: &str, params: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn initialize() -> Value {
    let params = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "integration-test", "version": "0"}
    });
    request(0, "initialize", &params)
}

#[test]
fn answers_each_request_on_its_own() {
    let server = Server::start(&[]).unwrap();
    let (status, body) = server.post(&server.host(), None, &initialize()).unwrap();
    assert_eq!(status, 200, "{body}");
    let init: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(init["result"]["serverInfo"]["name"], "mcp-tools");
    // Stateless: no session to carry, the next request stands alone.
    let (status, body) =
        server.post(&server.host(), None, &request(1, "tools/list", &json!({}))).unwrap();
    assert_eq!(status, 200, "{body}");
    let tools: Value = serde_json::from_str(&body).unwrap();
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|tool| tool["name"].as_str())
        .collect();
    assert!(names.contains(&"tokenize"), "{names:?}");
    let call =
        request(2, "tools/call", &json!({"name": "tokenize", "arguments": {"text": "Over HTTP!"}}));
    let (status, body) = server.post(&server.host(), None, &call).unwrap();
    assert_eq!(status, 200, "{body}");
    let result: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(result["result"]["structuredContent"]["tokens"], json!(["over", "http"]));
}

#[test]
fn a_foreign_host_or_origin_gets_403() {
    let server = Server::start(&["--allow-origin", "https://app.example.com"]).unwrap();
    let own = server.host();
    let own_origin = format!("http://{own}");
    let cases = [
        ("evil.example.com", None, 403),
        (own.as_str(), Some("https://evil.example.com"), 403),
        (own.as_str(), Some("https://app.example.com"), 200),
        (own.as_str(), Some(own_origin.as_str()), 200),
    ];
    for (host, origin, expected) in cases {
        let (status, body) = server.post(host, origin, &initialize()).unwrap();
        assert_eq!(status, expected, "Host {host}, Origin {origin:?}: {body}");
    }
}

#[cfg(unix)]
#[test]
fn exits_cleanly_on_sigterm() {
    let mut server = Server::start(&[]).unwrap();
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the server did not stop within 10 s of SIGTERM");
}
