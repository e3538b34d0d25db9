"""Fast: the template's and the crates' command-line scripts explain themselves in `--help`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

SCRIPTS = [
    "hooks/carry_edits.py",
    "hooks/workspace.py",
    "scripts/samples.py",
    "scripts/release.py",
    "scripts/backstage_templates.py",
    "scripts/fleet.py",
    "template/scripts/bench_gate.py",
    "template/scripts/template_update.py",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_states_a_whole_description(script):
    """The description is the docstring's first paragraph, whole (not cut at its first line)."""
    completed = subprocess.run(
        [sys.executable, str(REPO / script), "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    paragraphs = completed.stdout.split("\n\n")
    description = " ".join(paragraphs[1].split())
    assert description.endswith("."), description
