"""Slow: the five quality gates, for real, on crates generated from the template.

All crates share one CARGO_TARGET_DIR (tests/conftest.py): a dependency compiles once per profile
and feature set. Gates 1-4 run on every crate here, but for the workspace sample's member: a
member of its answers passes them in tests/test_workspace.py, from the workspace's root and
through its own script, beside a library and an MCP server (one workspace, built once). Gate 5
measures the library's benchmarks, and a crate's benchmarks are a function of its stack alone
(``benches/*.rs.jinja`` render one group per benched component, whatever the crate's kind): it
runs in full on the skeleton (the vector-cache sample, no component) here and on every component
at once in tests/test_gate5.py (the mcp-tools sample under another name, with a base to compare
with). doc-search's benchmarks, a subset of those, run once each in the test profile (criterion's
test mode, on gate 4's build) to show their harness renders and runs for that stack: measuring
the same code in release a third time would prove nothing new (a workspace member's gate 5 runs
with a base in tests/test_workspace.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import samples  # scripts/samples.py (on sys.path through conftest)
from conftest import PROGRAMS, SAMPLES, SLOW_CRATES, cargo_env, run, shared_crate
from dependency_policy import version_key

pytestmark = [pytest.mark.slow, pytest.mark.builds("samples")]

GATES = ["build", "lint", "fmt", "test"]  # gate 5: test_gate_5_passes


@pytest.fixture(scope="module", params=[*SAMPLES, *SLOW_CRATES])
def crate(request, copie_session) -> Path:
    return shared_crate(copie_session, request.param)


#: The crates gates 1-4 run on here: the workspace sample's member runs them in
#: tests/test_workspace.py instead, where a cli member with its answers (beside a library and an
#: MCP server) passes them from the workspace's root and through its own script.
GATED = [key for key in [*SAMPLES, *SLOW_CRATES] if key != "workspace"]


@pytest.fixture(scope="module", params=GATED)
def gated(request, copie_session) -> Path:
    return shared_crate(copie_session, request.param)


@pytest.fixture(scope="module")
def skeleton(copie_session) -> Path:
    return shared_crate(copie_session, "vector-cache")


#: The sample whose benchmarks run in criterion's test mode: a stack subset.
SUBSET = "doc-search"


def gate(crate: Path, name: str, record_property) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/gates.sh name`` in ``crate`` (failing the test if it fails), timed."""
    started = time.monotonic()
    completed = run(["bash", "scripts/gates.sh", name], cwd=crate, env=cargo_env(gate_5=name == "bench"))
    record_property("seconds", round(time.monotonic() - started, 1))
    return completed


@pytest.mark.parametrize("name", GATES)
def test_gate_passes(gated, name, record_property):
    """Gates 1-4 pass on the crate as generated."""
    completed = gate(gated, name, record_property)
    output = completed.stdout + completed.stderr
    if name == "build":
        assert_only_the_bindings_are_a_shared_library(gated)
    if name == "test":
        results = re.findall(r"test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored", output)
        assert results and all(status == "ok" and failed == "0" for status, _, failed, _ in results)
        assert sum(int(passed) for _, passed, _, _ in results) >= 5
        # the public API's examples run as doctests (Document::new, tokenize, parse_jsonl)
        doctests = re.findall(
            r"^test (?:\S+/)?src/document\.rs - (\S+) \(line \d+\) \.\.\. ok$", completed.stdout, re.MULTILINE
        )
        assert sorted(doctests) == ["document::Document::new", "document::parse_jsonl", "document::tokenize"]


def test_gate_5_passes(skeleton, record_property):
    """Gate 5 passes on the skeleton as generated (a first commit: no base yet), and so does the
    policy's plain `cargo bench` without gungraun-runner."""
    completed = gate(skeleton, "bench", record_property)
    # Both halves ran: criterion's budget check and Gungraun's counts of every benchmark.
    assert "no base to compare with (no git commit yet): budget checked, changes not" in completed.stdout
    assert "gate 5 passed: nothing compared; no benchmark over the 5 ms budget" in completed.stdout
    assert re.search(r"^ok +document/tokenize_256_kib: median [\d,]+ ns$", completed.stdout, re.MULTILINE)
    for metric in ("Ir", "EstimatedCycles"):  # counted, nothing compared: no base, change, threshold or floor
        assert re.search(
            rf"^ok +instructions::document::tokenize_60_words +{metric} +- +[\d,]+ +- +- +-$",
            completed.stdout,
            re.MULTILINE,
        ), completed.stdout
    # The policy's command as written, with criterion's flags (--test: each benchmark once;
    # --noplot, which no libtest harness accepts), with Valgrind but without gungraun-runner on
    # PATH: the criterion benchmarks run, the counts say in one line that they were skipped
    # and how to get them, and `cargo bench` succeeds.
    budgeted = re.findall(r"^ok +(\S+): median", completed.stdout, re.MULTILINE)
    plain = run(["cargo", "bench", "--", "--test", "--noplot"], cwd=skeleton, env=without_runner(cargo_env()))
    assert sorted(re.findall(r"^Testing (\S+)\nSuccess$", plain.stdout, re.MULTILINE)) == sorted(budgeted)
    assert_counts_skipped(plain.stderr)


#: Component -> the criterion group of its hot path, for the stacks of the samples below.
BENCH_GROUPS = {"tantivy": "search", "moka": "cache", "rayon": "parallel", "simd-json": "json"}


def test_the_benchmarks_of_a_stack_subset_run(copie_session):
    """The sample's benchmarks run once each (criterion's test mode) in the profile and feature
    set gate 4 built: one group per benched component of its stack, and the document paths."""
    crate = shared_crate(copie_session, SUBSET)
    script = (crate / "scripts" / "gates.sh").read_text(encoding="utf-8")
    (scope,) = re.findall(r"^  else\n    cargo test([^\n]*) --no-fail-fast$", script, re.MULTILINE)
    completed = run(["cargo", "test", *scope.split(), "--benches"], cwd=crate, env=without_runner(cargo_env()))
    ran = re.findall(r"^Testing (\S+)\nSuccess$", completed.stdout, re.MULTILINE)
    stack = samples.SAMPLES[SUBSET][0]["stack"]
    assert {name.split("/")[0] for name in ran} == {"document"} | {BENCH_GROUPS[c] for c in stack}, ran
    assert len(ran) == len(set(ran)) >= 3, ran
    assert_counts_skipped(completed.stderr)


def assert_counts_skipped(stderr: str) -> None:
    """The instruction-count benchmark ran without gungraun-runner: one line says how to count."""
    (skipped,) = [line for line in stderr.splitlines() if "instruction counts" in line]
    assert re.fullmatch(
        r"instruction counts skipped: gungraun-runner not on PATH \(.*`cargo install gungraun-runner "
        r"--version [\d.]+ --locked`\); `scripts/gates.sh bench` measures and compares them",
        skipped,
    ), stderr


def without_runner(env: dict[str, str]) -> dict[str, str]:
    """``env`` with no gungraun-runner on PATH (Valgrind stays)."""
    dirs = [d for d in env["PATH"].split(os.pathsep) if not (Path(d) / "gungraun-runner").exists()]
    if shutil.which("valgrind", path=os.pathsep.join(dirs)) is None:
        pytest.fail(f"valgrind is not on PATH: {PROGRAMS['valgrind']}", pytrace=False)
    return {**env, "PATH": os.pathsep.join(dirs)}


def test_rust_version_is_true_for_the_resolved_graph(crate):
    """No package the crate's library and binaries build with (normal and build dependencies,
    resolved) declares a newer rust-version than the crate's own: the MSRV is true. The
    dev-dependencies (criterion, gungraun) may: tests and benches build on the current stable."""
    metadata = json.loads(run(["cargo", "metadata", "--format-version", "1"], cwd=crate, env=cargo_env()).stdout)
    packages = {p["id"]: p for p in metadata["packages"]}
    nodes = {node["id"]: node for node in metadata["resolve"]["nodes"]}
    members = [i for i in metadata["workspace_members"] if Path(packages[i]["manifest_path"]).is_relative_to(crate)]
    built, todo = set(members), list(members)
    while todo:
        for dep in nodes[todo.pop()]["deps"]:
            if any(kind["kind"] != "dev" for kind in dep["dep_kinds"]) and dep["pkg"] not in built:
                built.add(dep["pkg"])
                todo.append(dep["pkg"])
    root = next(p for p in metadata["packages"] if Path(p["manifest_path"]) == crate / "Cargo.toml")
    declared = version_key(root["rust_version"])
    too_new = [
        f"{packages[i]['name']} {packages[i]['version']} needs {packages[i]['rust_version']}"
        for i in built
        if packages[i].get("rust_version") and version_key(packages[i]["rust_version"]) > declared
    ]
    assert too_new == [], f"rust-version {root['rust_version']} is not true: {too_new}"
    assert any(packages[i]["name"] == "tokio" for i in built)  # the walk reached the graph


def assert_only_the_bindings_are_a_shared_library(crate: Path) -> None:
    """The library is an rlib: what depends on it (the binary, a dependent crate) links no shared
    object of it. With Python bindings, their package (python/) is the one cdylib of the build.
    Read from gate 1's own build, again (every unit fresh: cargo only reports the artifacts)."""
    script = (crate / "scripts" / "gates.sh").read_text(encoding="utf-8")
    (scope,) = re.findall(r"^gate_build\(\) .*cargo build --release([^;]*);", script, re.MULTILINE)
    args = scope.split()  # a workspace member's --package flags: gate 1's exact selection
    completed = run(["cargo", "build", "--release", "--message-format=json", *args], cwd=crate, env=cargo_env())
    artifacts = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    artifacts = [a for a in artifacts if a.get("reason") == "compiler-artifact"]
    root = (crate / "Cargo.toml").resolve()
    (library,) = [a for a in artifacts if Path(a["manifest_path"]) == root and "lib" in a["target"]["kind"]]
    assert library["target"]["crate_types"] == ["lib"]
    # Proc-macros are shared objects the compiler loads; any other one is linked into something.
    here = crate.resolve()
    shared = {
        Path(a["manifest_path"]).parent.relative_to(here).as_posix()
        if Path(a["manifest_path"]).is_relative_to(here)
        else a["manifest_path"]
        for a in artifacts
        if "proc-macro" not in a["target"]["kind"]
        and any(f.endswith((".so", ".dylib", ".dll")) for f in a["filenames"])
    }
    assert shared == ({"python"} if (crate / "python" / "Cargo.toml").is_file() else set())
    assert len(artifacts) > 20  # the dependencies were reported too: the check saw the whole build
