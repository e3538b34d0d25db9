"""Fast: the template's own Python (hooks, scripts, the crates' scripts, tests, benchmarks) is
ruff-clean (lint and format) and passes mypy --strict, as configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_the_templates_python_is_clean(command):
    completed = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True, check=False, timeout=600
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
