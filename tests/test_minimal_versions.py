"""Slow: the floors the manifests state resolve together (issue 26, item 7). The crate's CI job
`minimal-versions` resolves every direct dependency to its floor on nightly and checks every
target at the floors; here its resolution step runs on each committed sample (stable cargo with
`RUSTC_BOOTSTRAP=1` stands in for nightly, and no check: building a second dependency graph per
sample costs minutes the suite does not have; the note of the release records the check)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import dependency_policy as policy
import pytest
import yaml
from conftest import REPO, SAMPLES

pytestmark = pytest.mark.slow

EXAMPLES = REPO / "examples"


def job_runs() -> list[str]:
    """The `run` lines of the rendered `minimal-versions` job (the mcp-tools sample's ci.yml)."""
    workflow = yaml.safe_load((EXAMPLES / "mcp-tools/.github/workflows/ci.yml").read_text(encoding="utf-8"))
    return [step["run"] for step in workflow["jobs"]["minimal-versions"]["steps"] if "run" in step]


def floors(workspace: Path) -> dict[str, tuple[int, int, int]]:
    """`[workspace.dependencies]` of `workspace`: crate → its floor (the caret, tilde or exact
    requirement as (major, minor, patch))."""
    table = tomllib.loads((workspace / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["dependencies"]
    requirements = {name: entry if isinstance(entry, str) else entry["version"] for name, entry in table.items()}
    return {name: policy.version_key(requirement.lstrip("=~")) for name, requirement in requirements.items()}


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_every_direct_dependency_resolves_at_its_floor(tmp_path, sample):
    resolve, *_ = job_runs()
    assert resolve == "cargo update -Z direct-minimal-versions"
    workspace = tmp_path / sample
    shutil.copytree(EXAMPLES / sample, workspace, ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    completed = subprocess.run(
        resolve.split(),
        cwd=workspace,
        env={**os.environ, "RUSTC_BOOTSTRAP": "1", "CARGO_TERM_COLOR": "never"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    expected = floors(workspace)
    assert expected, f"{sample}: no [workspace.dependencies]"
    locked = {
        (package["name"], policy.version_key(package["version"]))
        for package in tomllib.loads((workspace / "Cargo.lock").read_text(encoding="utf-8"))["package"]
        if package["name"] in expected
    }
    # Each crate the workspace names sits at its floor (a second, newer copy may come from others).
    assert {name: floor for name, floor in expected.items() if (name, floor) not in locked} == {}
