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


@pytest.mark.parametrize(
    ("script", "subcommands"),
    [
        ("scripts/release.py", {"check", "tag"}),
        ("scripts/samples.py", {"render", "check"}),
        ("scripts/fleet.py", {"status", "rehearse", "list", "join", "table"}),
    ],
)
def test_help_describes_each_subcommand(script, subcommands):
    """`--help` lists every subcommand with a line saying what it does."""
    completed = subprocess.run(
        [sys.executable, str(REPO / script), "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    described = dict(
        line.split(maxsplit=1)
        for line in completed.stdout.splitlines()
        if line.startswith("    ") and len(line.split()) > 1
    )
    assert subcommands <= described.keys(), completed.stdout
