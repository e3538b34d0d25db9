"""Slow: every policy rule a machine can check fails gate 2 when broken, with the policy's reason in
the message (issue 11, item 5), and the untouched crate passes.

One generated crate (a `cli`, so a binary's entry point is there too); each case appends one
violation to `src/lib.rs`, runs `scripts/gates.sh lint` (clippy --all-targets --all-features -D
warnings) and restores the file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import cargo_env, generate

pytestmark = [pytest.mark.slow, pytest.mark.builds("own")]

BLOCKING = "policy: no blocking I/O in async code (checked in sync code too); use "
SILENT = "policy: no silent errors; return the error, or log it with tracing where it is handled"
PRINTING = "policy: no silent errors, logs go through tracing"

#: rule -> (code appended to src/lib.rs, what clippy or rustc says, the policy's reason it shows)
VIOLATIONS = {
    "blocking file read in async": (
        "/// Injected.\n///\n/// # Errors\n/// Never.\npub async fn injected() -> std::io::Result<String> {\n"
        '    std::fs::read_to_string("Cargo.toml")\n}\n',
        "use of a disallowed method `std::fs::read_to_string`",
        BLOCKING + "tokio::fs::read_to_string",
    ),
    "blocking sleep in async": (
        "/// Injected.\npub async fn injected() {\n    std::thread::sleep(std::time::Duration::from_millis(1));\n}\n",
        "use of a disallowed method `std::thread::sleep`",
        BLOCKING + "tokio::time::sleep",
    ),
    "blocking stdin": (
        "/// Injected.\npub async fn injected() -> std::io::Stdin {\n    std::io::stdin()\n}\n",
        "use of a disallowed method `std::io::stdin`",
        BLOCKING + "tokio::io::stdin",
    ),
    "blocking network client": (
        "/// Injected.\n///\n/// # Errors\n/// Never.\npub async fn injected() -> "
        "std::io::Result<std::net::TcpStream> {\n"
        '    std::net::TcpStream::connect("127.0.0.1:9")\n}\n',
        "use of a disallowed method `std::net::TcpStream::connect`",
        BLOCKING + "tokio::net::TcpStream::connect",
    ),
    "printing instead of tracing": (
        '/// Injected.\npub fn injected() {\n    println!("done");\n}\n',
        "use of a disallowed macro `std::println`",
        PRINTING,
    ),
    "discarded error (let _)": (
        '/// Injected.\npub fn injected() {\n    let _ = crate::document::parse_jsonl("");\n}\n',
        "non-binding `let` on an expression with `#[must_use]` type",
        SILENT,
    ),
    "discarded error (map_err(|_|))": (
        "/// Injected.\n///\n/// # Errors\n/// Never.\npub fn injected() -> std::result::Result<usize, ()> {\n"
        '    crate::document::parse_jsonl("").map(|documents| documents.len()).map_err(|_| ())\n}\n',
        "`map_err(|_|...` wildcard pattern discards the original error",
        SILENT,
    ),
    "discarded error (.ok())": (
        '/// Injected.\npub fn injected() {\n    crate::document::parse_jsonl("").ok();\n}\n',
        "ignoring a result with `.ok()` is misleading",
        SILENT,
    ),
    "unwrap in production code": (
        "/// Injected.\n#[must_use]\npub fn injected() -> usize {\n    "
        'crate::document::parse_jsonl("").unwrap().len()\n}\n',
        "used `unwrap()` on a `Result` value",
        "policy: no unwrap() in production code",
    ),
    "unsafe without approval": (
        "/// Injected.\n#[must_use]\npub fn injected() -> u8 {\n    let value = 1_u8;\n"
        "    // SAFETY: a local, valid for the read.\n    unsafe { *std::ptr::addr_of!(value) }\n}\n",
        "usage of an `unsafe` block",
        "policy: no `unsafe` without approval",
    ),
}


@pytest.fixture(scope="module")
def crate(copie_session) -> Path:
    return generate(copie_session, {"project_name": "policy-lints", "crate_kind": "cli", "stack": []})


def gate_2(crate: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/gates.sh", "lint"],
        cwd=crate,
        env=cargo_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


def test_the_untouched_crate_passes_gate_2(crate):
    completed = gate_2(crate)
    assert completed.returncode == 0, completed.stderr[-4000:]


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_a_violation_fails_gate_2_with_the_policys_reason(crate, rule):
    code, message, reason = VIOLATIONS[rule]
    lib = crate / "src" / "lib.rs"
    original = lib.read_text(encoding="utf-8")
    lib.write_text(original + "\n" + code, encoding="utf-8")
    try:
        completed = gate_2(crate)
    finally:
        lib.write_text(original, encoding="utf-8")
    assert completed.returncode != 0, f"{rule}: gate 2 passed"
    assert message in completed.stderr, completed.stderr[-4000:]
    assert reason in completed.stderr, completed.stderr[-4000:]
