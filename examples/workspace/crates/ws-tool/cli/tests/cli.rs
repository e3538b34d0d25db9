//! Tests of the `ws-tool` binary itself: exit codes, stdout and stderr.
#![allow(
    clippy::disallowed_methods,
    reason = "synchronous test code, never on the async runtime: the policy forbids blocking I/O in async code"
)]

use std::process::{Command, Output};

/// The binary under test, built by cargo for this test.
#[rustfmt::skip] // one line whatever the package name's length, so the template stays fmt-clean
const BIN: &str = env!("CARGO_BIN_EXE_ws-tool");

/// Runs the binary with `args` (and no `RUST_LOG`), capturing its output.
fn run(args: &[&str]) -> std::io::Result<Output> {
    Command::new(BIN).args(args).env_remove("RUST_LOG").output()
}

/// A path under the system temp dir, unique to this test process.
fn temp_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{}-{}-{name}", env!("CARGO_CRATE_NAME"), std::process::id()))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn prints_its_version() {
    let output = run(&["--version"]).unwrap();
    assert!(output.status.success());
    assert_eq!(
        stdout(&output).trim(),
        format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn tokenizes_a_text() {
    let output = run(&["tokenize", "Hello, World"]).unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "hello\nworld\n");
}

#[test]
fn a_reader_that_closed_the_pipe_ends_the_output_quietly() {
    // The read end closes before the binary starts: every write gets EPIPE, as behind `| head -1`.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(BIN)
        .args(["tokenize", "one two three"])
        .env_remove("RUST_LOG")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}: {}", output.status, stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn counts_the_documents_of_a_file() {
    let path = temp_file("cli.jsonl");
    std::fs::write(&path, "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n")
        .unwrap();
    let output = run(&["-v", "count", path.to_str().unwrap()]).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "2\n");
}

#[test]
fn an_error_is_one_line_on_stderr_and_a_failure_exit_code() {
    let output = run(&["count", "/nonexistent/corpus.jsonl"]).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    let stderr = stderr(&output);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: cannot load the documents: cannot read /nonexistent/corpus.jsonl: "
        ),
        "{stderr}"
    );
}

#[test]
fn a_usage_error_exits_with_clap_code_2() {
    let output = run(&["no-such-command"]).unwrap();
    assert_eq!(output.status.code(), Some(2));
}
