//! A client of the server binary over its stdio (newline-delimited JSON-RPC), shared by the
//! test binaries `mcp_stdio` and `mcp_surface`.
#![allow(dead_code, reason = "each test binary uses part of the client")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The server binary, built by cargo for this test.
#[rustfmt::skip] // one line whatever the package name's length, so the template stays fmt-clean
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_mcp-tools");

/// A running server with pipes to its stdin and stdout.
pub(crate) struct Session {
    pub(crate) child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Session {
    /// Starts the server (debug logs on: they must go to stderr, never into the protocol).
    pub(crate) fn start() -> std::io::Result<Self> {
        let mut child = Command::new(BIN)
            .args(["--log-level", "debug"])
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout =
            child.stdout.take().map(BufReader::new).ok_or(std::io::ErrorKind::BrokenPipe)?;
        Ok(Self { child, stdin, stdout })
    }

    pub(crate) fn send_line(&mut self, line: &str) -> std::io::Result<()> {
        let stdin = self.stdin.as_mut().ok_or(std::io::ErrorKind::BrokenPipe)?;
        writeln!(stdin, "{line}")?;
        stdin.flush()
    }

    /// Reads the next message; every line on stdout must be JSON.
    pub(crate) fn receive(&mut self) -> std::io::Result<Value> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        serde_json::from_str(&line).map_err(std::io::Error::other)
    }

    /// Sends a request and returns the response with the same id (skipping notifications).
    pub(crate) fn request(
        &mut self,
        id: u64,
        method: &str,
        params: &Value,
    ) -> std::io::Result<Value> {
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_line(&request.to_string())?;
        loop {
            let message = self.receive()?;
            if message["id"] == json!(id) {
                return Ok(message);
            }
        }
    }

    pub(crate) fn call(
        &mut self,
        id: u64,
        tool: &str,
        arguments: &Value,
    ) -> std::io::Result<Value> {
        self.request(id, "tools/call", &json!({"name": tool, "arguments": arguments}))
    }

    /// Closes stdin and returns whether the server exited successfully within `limit`.
    pub(crate) fn close(mut self, limit: Duration) -> std::io::Result<bool> {
        drop(self.stdin.take());
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.success());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.kill()?;
        Ok(false)
    }
}

/// Starts a server and runs the MCP handshake; returns the session and the `initialize` result.
pub(crate) fn initialized() -> std::io::Result<(Session, Value)> {
    let mut session = Session::start()?;
    let init = json!({
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "integration-test", "version": "0"}
    });
    let response = session.request(0, "initialize", &init)?;
    session.send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)?;
    Ok((session, response))
}
