"""Fast tests that keep the README true: its two commands, its question table."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ASKED, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
FIRST_BLOCK = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
COMMANDS = [line for line in FIRST_BLOCK.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_starts_with_two_commands_generate_then_test():
    assert len(COMMANDS) == 2, COMMANDS
    assert "copier copy --trust" in COMMANDS[0]
    assert COMMANDS[1].endswith("-m pytest")


def test_ci_runs_the_readmes_test_command_verbatim():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert COMMANDS[1] in script.splitlines()


def test_the_generate_command_installs_the_generate_dependency_group():
    group = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]["generate"]
    pip_install = shlex.split(COMMANDS[0].split("&&")[1])
    installed = [arg for arg in pip_install if re.match(r"[a-z][a-z0-9-]*[<>=]", arg)]
    assert sorted(installed) == sorted(group)


def test_the_local_checkout_command_generates_a_crate(tmp_path):
    line = next(line for line in README.splitlines() if line.startswith(".copier-venv/bin/copier copy --trust \"$PWD\""))
    command = line.replace(".copier-venv/bin/copier", str(Path(sys.executable).with_name("copier")))
    command = command.replace("../vector-cache", str(tmp_path / "vector-cache")) + " --defaults --quiet"
    completed = subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True,
                               check=False, stdin=subprocess.DEVNULL, env=dict(os.environ))
    assert completed.returncode == 0, completed.stderr[-3000:]
    manifest = tomllib.loads((tmp_path / "vector-cache" / "Cargo.toml").read_text(encoding="utf-8"))
    assert manifest["package"]["name"] == "vector-cache"
    answers = (tmp_path / "vector-cache" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert f"_src_path: {REPO}" in answers  # absolute: `copier update` can find the template


def test_every_question_is_in_the_readme_table():
    for name in ASKED:
        assert f"| `{name}` |" in README, name
