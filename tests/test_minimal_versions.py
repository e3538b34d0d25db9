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

import pytest
import yaml
from conftest import REPO

pytestmark = pytest.mark.slow

EXAMPLES = REPO / "examples"


def job_runs() -> list[str]:
    """The `run` lines of the rendered `minimal-versions` job (the mcp-tools sample's ci.yml)."""
    workflow = yaml.safe_load((EXAMPLES / "mcp-tools/.github/workflows/ci.yml").read_text(encoding="utf-8"))
    return [step["run"] for step in workflow["jobs"]["minimal-versions"]["steps"] if "run" in step]


def floors(workspace: Path) -> dict[str, str]:
    """`[workspace.dependencies]` of `workspace`: crate → its floor (the requirement, padded to x.y.z)."""
    table = tomllib.loads((workspace / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["dependencies"]
    found = {}
    for name, entry in table.items():
        requirement = entry if isinstance(entry, str) else entry.get("version")
        if requirement and requirement[0].isdigit():
            found[name] = ".".join((requirement.split(".") + ["0", "0"])[:3])
    return found


@pytest.mark.parametrize("sample", ["vector-cache", "doc-search", "mcp-tools", "workspace"])
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
    locked = {
        (package["name"], package["version"])
        for package in tomllib.loads((workspace / "Cargo.lock").read_text(encoding="utf-8"))["package"]
    }
    expected = floors(workspace)
    assert expected, f"{sample}: no [workspace.dependencies]"
    # Each crate the workspace names sits at its floor (a second, newer copy may come from others).
    assert {name: floor for name, floor in expected.items() if (name, floor) not in locked} == {}
