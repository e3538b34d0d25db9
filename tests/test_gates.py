"""Slow: the five quality gates, for real, on crates generated from the template.

All crates share one CARGO_TARGET_DIR (tests/conftest.py), and the policy keeps every
dependency's feature set identical across crates, so each dependency compiles once per profile.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import SAMPLES, SLOW_CRATES, cargo_env, run, shared_crate
from dependency_policy import version_key

pytestmark = [pytest.mark.slow, pytest.mark.builds("samples")]

GATES = ["build", "lint", "fmt", "test", "bench"]


@pytest.fixture(scope="module", params=[*SAMPLES, *SLOW_CRATES])
def crate(request, copie_session) -> Path:
    return shared_crate(copie_session, request.param)


@pytest.mark.parametrize("gate", GATES)
def test_gate_passes(crate, gate, record_property):
    """Each gate passes on the crate as generated (a first commit: no base for gate 5 yet)."""
    started = time.monotonic()
    completed = run(["bash", "scripts/gates.sh", gate], cwd=crate, env=cargo_env(gate_5=gate == "bench"))
    record_property("seconds", round(time.monotonic() - started, 1))
    output = completed.stdout + completed.stderr
    if gate == "test":
        results = re.findall(r"test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored", output)
        assert results and all(status == "ok" and failed == "0" for status, _, failed, _ in results)
        assert sum(int(passed) for _, passed, _, _ in results) >= 5
        # the public API's examples run as doctests (Document::new, tokenize, parse_jsonl)
        doctests = re.findall(
            r"^test (?:\S+/)?src/document\.rs - (\S+) \(line \d+\) \.\.\. ok$", completed.stdout, re.MULTILINE
        )
        assert sorted(doctests) == ["document::Document::new", "document::parse_jsonl", "document::tokenize"]
    if gate == "bench":
        # Both halves ran: criterion's budget check and Gungraun's counts of every benchmark.
        assert "no base to compare with (no git commit yet): budget checked, changes not" in completed.stdout
        assert "gate 5 passed: nothing compared; no benchmark over the 5 ms budget" in completed.stdout
        assert re.search(r"^ok +document/tokenize: median [\d,]+ ns$", completed.stdout, re.MULTILINE)
        assert re.search(
            r"^ok +instructions::document::tokenize_60_words: [\d,]+ instructions "
            r"\(nothing to compare with\)$",
            completed.stdout,
            re.MULTILINE,
        )


def test_rust_version_is_true_for_the_resolved_graph(crate):
    """No resolved package declares a newer rust-version than the crate's own (the MSRV)."""
    metadata = json.loads(run(["cargo", "metadata", "--format-version", "1"], cwd=crate, env=cargo_env()).stdout)
    root = next(p for p in metadata["packages"] if Path(p["manifest_path"]) == crate / "Cargo.toml")
    declared = version_key(root["rust_version"])
    too_new = [
        f"{p['name']} {p['version']} needs {p['rust_version']}"
        for p in metadata["packages"]
        if p.get("rust_version") and version_key(p["rust_version"]) > declared
    ]
    assert too_new == [], f"rust-version {root['rust_version']} is not true: {too_new}"
