"""Fast tests of the generated CI: GitHub's schema, zizmor, least privilege, SHA pins, and one
definition of the five gates shared by CI and the crate's script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import generate

BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")

#: The seed's CONS-009 commands, verbatim.
SEED_GATES = [
    "cargo build --release",
    "cargo clippy --all-targets --all-features -- -D warnings",
    "cargo fmt --check",
    "cargo test --all-features --no-fail-fast",
    "cargo bench --no-fail-fast",
]


@pytest.fixture(scope="module", params=["lib", "cli"])
def crate(request, copie_session) -> Path:
    return generate(copie_session, {"project_name": f"wf-{request.param}", "crate_kind": request.param})


def workflow_text(crate: Path) -> str:
    return (crate / ".github/workflows/ci.yml").read_text(encoding="utf-8")


def steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job["steps"]


def test_matches_githubs_workflow_schema(crate):
    completed = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
         str(crate / ".github/workflows/ci.yml")],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_zizmor_finds_nothing_of_low_severity_or_more(crate):
    completed = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona", "pedantic", "--format", "json",
         str(crate / ".github/workflows/ci.yml")],
        capture_output=True, text=True, check=False,
    )
    findings = json.loads(completed.stdout)
    serious = [f"{f['ident']} ({f['determinations']['severity']})" for f in findings
               if f["determinations"]["severity"] not in ("Informational", "Unknown")]
    assert serious == [], serious
    # The only informational note is that runners ship rustup; the issue asks for the action.
    assert {f["ident"] for f in findings} <= {"superfluous-actions"}


def test_least_privilege_and_pinned_actions(crate):
    workflow = yaml.safe_load(workflow_text(crate))
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert "permissions" not in job, f"job {name} widens permissions"
        assert job.get("timeout-minutes"), f"job {name} has no timeout"
    lines = [line.strip().removeprefix("- ").removeprefix("uses: ") for line in workflow_text(crate).splitlines()
             if re.match(r"\s*(- )?uses:", line)]
    assert lines, "no actions found"
    for line in lines:
        assert SHA_PIN.match(line), f"not pinned by SHA with a version comment: {line}"
    checkouts = [step for step in steps(workflow) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)
    used = {step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step}
    assert {"dtolnay/rust-toolchain", "Swatinem/rust-cache", "actions/checkout"} <= used


def test_ci_runs_every_gate_through_the_crates_script(crate):
    workflow = yaml.safe_load(workflow_text(crate))
    runs = [step.get("run", "") for step in steps(workflow)]
    for gate in ("build", "lint", "fmt", "test"):
        assert f"scripts/gates.sh {gate}" in runs
    assert "CRATE_DIR=base scripts/gates.sh bench-save pr-base" in runs
    assert "BENCH_BASELINE=pr-base scripts/gates.sh bench" in runs
    assert "cargo deny --all-features check" in runs
    bench = workflow["jobs"]["bench"]
    base_checkout = next(step for step in bench["steps"] if step.get("with", {}).get("path") == "base")
    assert base_checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"


def test_the_gate_script_holds_the_seeds_commands(crate):
    script = (crate / "scripts/gates.sh").read_text(encoding="utf-8")
    for command in SEED_GATES:
        assert command in script, command
    completed = subprocess.run(["bash", "-n", str(crate / "scripts/gates.sh")], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_deny_toml_covers_the_four_checks(crate):
    import tomllib

    deny = tomllib.loads((crate / "deny.toml").read_text(encoding="utf-8"))
    assert {"advisories", "licenses", "bans", "sources"} <= set(deny)
    assert deny["sources"]["unknown-git"] == "deny"
