"""gates.sh on a developer's Mac: macOS ships bash 3.2 and BSD `date`. The script keeps to what
bash 3.2 runs (no arrays, which abort under `set -u` when empty; no bash-4 syntax), calls no
`date` (gate 5's timing lives in Python), and is shellcheck clean."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, require


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """gates.sh as copier renders it: for a crate of its own and for a workspace member."""
    import copier

    base = tmp_path_factory.mktemp("gates")
    (base / "ws").mkdir()
    (base / "ws" / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\n', encoding="utf-8")
    crates = {"standalone": base / "solo", "member": base / "ws" / "crates" / "member"}
    for crate in crates.values():
        copier.run_copy(
            str(REPO),
            crate,
            data={"stack": []},
            defaults=True,
            unsafe=True,
            vcs_ref="HEAD",
            quiet=True,
            skip_tasks=True,
        )
    assert "--package member" in (crates["member"] / "scripts" / "gates.sh").read_text(encoding="utf-8")
    return {name: crate / "scripts" / "gates.sh" for name, crate in crates.items()}


#: Constructs bash 3.2 lacks or mishandles, with why.
BASH4_ONLY = {
    r"\[@\]|\[\*\]": "arrays: an empty one aborts under `set -u` on bash 3.2",
    r"\bdeclare\s+-A\b|\blocal\s+-A\b": "associative arrays (bash 4)",
    r"\bmapfile\b|\breadarray\b": "mapfile/readarray (bash 4)",
    r"\$\{\w+(,,|\^\^)": "case conversion expansions (bash 4)",
    r"\|&|&>>|\bcoproc\b": "bash 4 redirections and coprocesses",
    r"\bdate\b": "BSD date has no %N; keep timing out of the shell",
}


@pytest.mark.parametrize("variant", ["standalone", "member"])
def test_no_construct_bash_3_2_lacks(rendered, variant):
    script = rendered[variant]
    code = "\n".join(
        line for line in script.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    )
    for pattern, why in BASH4_ONLY.items():
        assert not re.search(pattern, code), f"{script.name}: {why}"


@pytest.mark.parametrize("variant", ["standalone", "member", ".ci/run"])
def test_shellcheck_finds_nothing(rendered, variant):
    script = REPO / ".ci" / "run" if variant == ".ci/run" else rendered[variant]
    require("shellcheck")
    completed = subprocess.run(
        ["shellcheck", "--shell=bash", "--severity=style", str(script)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout


def test_gates_sh_runs_without_date_and_with_an_empty_bench_args(tmp_path, copie):
    """A stand-in `date` that prints BSD's literal `N` and fails: the script never calls it."""
    from conftest import generate

    require("cargo", "rustfmt")
    crate = generate(copie, {"project_name": "mac-gates", "stack": []})
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "date").write_text("#!/bin/sh\necho 1700000000.N\nexit 1\n")
    (fake / "date").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", BENCH_ARGS="")
    completed = subprocess.run(
        ["bash", "scripts/gates.sh", "fmt"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "gate 3/5: format" in completed.stderr
    completed = subprocess.run(
        ["bash", "scripts/gates.sh", "nonsense"], cwd=crate, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == "usage: scripts/gates.sh [all|build|lint|fmt|test|bench]"
