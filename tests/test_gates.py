"""Slow: the five quality gates, for real, on crates generated from the template.

All crates share one CARGO_TARGET_DIR (tests/conftest.py), and the policy keeps every
dependency's feature set identical across crates, so each dependency compiles once per profile.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import tomllib
from pathlib import Path

import pytest
from conftest import CARGO_TARGET_DIR, SLOW_CRATES, cargo_env, run, shared_crate
from dependency_policy import version_key

pytestmark = pytest.mark.slow

GATES = ["build", "lint", "fmt", "test", "bench"]
#: Short criterion runs: gate 5 is exercised for real, but these crates have no baseline yet,
#: so it records one (what a crate's first `scripts/gates.sh all` does).
BENCH_ARGS = "--warm-up-time 0.5 --measurement-time 1"


@pytest.fixture(scope="module", params=list(SLOW_CRATES))
def crate(request, copie_session) -> Path:
    return shared_crate(copie_session, request.param)


@pytest.mark.parametrize("gate", GATES)
def test_gate_passes(crate, gate, record_property):
    package = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))["package"]["name"]
    criterion_home = CARGO_TARGET_DIR / "criterion" / package
    if gate == "bench":
        shutil.rmtree(criterion_home, ignore_errors=True)  # a first commit: no baseline yet
    started = time.monotonic()
    completed = run(["bash", "scripts/gates.sh", gate], cwd=crate, env=cargo_env(BENCH_ARGS=BENCH_ARGS))
    record_property("seconds", round(time.monotonic() - started, 1))
    output = completed.stdout + completed.stderr
    if gate == "test":
        results = re.findall(r"test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored", output)
        assert results and all(status == "ok" and failed == "0" for status, _, failed, _ in results)
        assert sum(int(passed) for _, passed, _, _ in results) >= 5
    if gate == "bench":
        assert "saving this run as the baseline" in output
        assert "benchmark(s) within the 5 ms budget; 0 compared with baseline 'main'" in output
        assert list(criterion_home.rglob("main/estimates.json")), "no baseline saved"


def test_rust_version_is_true_for_the_resolved_graph(crate):
    """No resolved package declares a newer rust-version than the crate's own (the MSRV)."""
    metadata = json.loads(run(["cargo", "metadata", "--format-version", "1"], cwd=crate, env=cargo_env()).stdout)
    root = next(p for p in metadata["packages"] if p["id"] == metadata["resolve"]["root"])
    declared = version_key(root["rust_version"])
    too_new = [
        f"{p['name']} {p['version']} needs {p['rust_version']}"
        for p in metadata["packages"]
        if p.get("rust_version") and version_key(p["rust_version"]) > declared
    ]
    assert too_new == [], f"rust-version {root['rust_version']} is not true: {too_new}"
