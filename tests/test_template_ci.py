"""Fast: the template repository's own CI (.github/workflows/ci.yml): GitHub's schema, zizmor,
least privilege, SHA pins, the checks a pull request gets, and slow-test shards that cover every
module with slow tests exactly once."""

from __future__ import annotations

import shlex
import subprocess
import sys

import yaml
from conftest import REPO
from test_workflow import assert_pinned_and_credential_free, assert_valid_workflows, zizmor_findings

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
TEXT = WORKFLOW.read_text(encoding="utf-8")
JOBS = yaml.safe_load(TEXT)["jobs"]


def runs(job: str) -> list[str]:
    """The shell commands of ``job``'s steps, one per line."""
    return [line.strip() for step in JOBS[job]["steps"] for line in step.get("run", "").splitlines() if line.strip()]


def test_the_workflow_is_valid_pinned_and_least_privileged():
    assert_valid_workflows(WORKFLOW)
    serious = [f["ident"] for f in zizmor_findings(WORKFLOW) if f["determinations"]["severity"] != "Informational"]
    assert serious == []
    assert_pinned_and_credential_free(TEXT)
    workflow = yaml.safe_load(TEXT)
    assert workflow["permissions"] == {}
    assert all(job["permissions"] == {"contents": "read"} for job in JOBS.values())


def test_a_pull_request_gets_the_linters_the_samples_check_and_the_fast_tests():
    triggers = yaml.safe_load(TEXT)[True]
    assert "pull_request" in triggers and triggers["push"] == {"branches": ["main"]}
    checks = runs("checks")
    for command in (
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        "shellcheck .ci/run",
        ".venv/bin/python scripts/samples.py check",
        ".venv/bin/python scripts/backstage_templates.py check",
    ):
        assert command in checks, command
    assert '.venv/bin/python -m pytest -m "not slow"' in runs("fast")
    assert "if" not in JOBS["checks"] and "if" not in JOBS["fast"]
    assert JOBS["slow"]["if"] == "github.event_name != 'pull_request'"


def test_the_slow_shards_cover_every_module_with_slow_tests_once():
    """pytest itself says which modules hold slow tests (its collection with ``-m slow``)."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow", "-n", "0", "-p", "no:randomly"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
    modules = {line.split("::", 1)[0] for line in collected.stdout.splitlines() if "::" in line}
    assert len(modules) >= 10, modules
    sharded = [
        module for shard in JOBS["slow"]["strategy"]["matrix"]["include"] for module in shlex.split(shard["tests"])
    ]
    assert sorted(sharded) == sorted(set(sharded)), "a module in two shards"
    assert set(sharded) == modules
    assert ".venv/bin/python -m pytest -m slow $TESTS" in runs("slow")
