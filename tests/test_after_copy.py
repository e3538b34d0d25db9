"""The message copier prints after generating: next steps that work as printed, for each kind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

COPIER = Path(sys.executable).with_name("copier")


def message(destination: Path, *data: str) -> str:
    """Generate into ``destination`` with the copier CLI; return the after-copy message."""
    args = [arg for item in data for arg in ("--data", item)]
    completed = subprocess.run(
        [str(COPIER), "copy", "--trust", "--defaults", *args, str(REPO), str(destination)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    text = completed.stdout + completed.stderr
    return text[text.index("Generated ") :]


def test_a_standalone_crate_starts_a_main_branch_and_commits_its_lockfile(tmp_path):
    text = message(tmp_path / "solo", "stack=[]")
    steps = [line.strip() for line in text.split("Next steps:", 1)[1].split("\n\n", 1)[0].splitlines() if line.strip()]
    assert steps[0] == f"cd {tmp_path / 'solo'}"
    assert steps[1].startswith("git init -b main ")  # CI triggers on main
    assert steps[2].startswith("cargo generate-lockfile ")
    assert steps[3].startswith('git add . && git commit -m "solo: generated from copier-reasonkit-rust"')
    assert steps[4].startswith("scripts/gates.sh all ")
    # The one update command: the crate's script, with the copier the user ran and its Python.
    update = re.search(r"^\s+COPIER=(\S+) (\S+) scripts/template_update.py$", text, re.MULTILINE)
    assert update and update.group(1) == str(COPIER), text
    assert "update --trust" not in text  # no second, plain-copier recommendation
    helped = subprocess.run(
        [update.group(2), "scripts/template_update.py", "--help"],
        cwd=tmp_path / "solo",
        capture_output=True,
        text=True,
        check=False,
    )
    assert helped.returncode == 0 and "usage: template_update.py" in helped.stdout, helped.stderr
    assert "MCP server" not in text and "Python package" not in text


def test_inside_a_git_repository_there_is_no_git_init(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "mono")], check=True)
    text = message(tmp_path / "mono" / "crates" / "inner", "stack=[]")
    assert "git init" not in text.replace("no `git init`", "")
    assert f"# already inside the git repository {tmp_path / 'mono'}: no `git init`" in text
    assert 'git add . && git commit -m "inner: generated' in text  # only this crate, not the whole repository


def test_an_mcp_server_gets_its_client_config_and_python_bindings_their_commands(tmp_path):
    destination = tmp_path / "tools"
    text = message(destination, "crate_kind=mcp-server", "python_bindings=true", "stack=[]")
    snippet = next(line.strip() for line in text.splitlines() if line.strip().startswith('{"mcpServers"'))
    assert json.loads(snippet) == {"mcpServers": {"tools": {"command": f"{destination}/target/release/tools"}}}
    assert ".venv/bin/python -m pip install . && .venv/bin/python -m pip install --group test" in text
    assert ".venv/bin/python -m pytest" in text
    ignored = (destination / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert any(line.strip("/") == ".venv" for line in ignored), "the suggested .venv would dirty the crate"


def test_the_message_names_what_gate_5_needs(tmp_path):
    import tomllib

    version = tomllib.loads((REPO / "policy" / "dependencies.toml").read_text(encoding="utf-8"))["gungraun"]["version"]
    text = message(tmp_path / "fresh", "stack=[]")
    assert "Valgrind (apt-get install valgrind" in text
    assert f"\n  cargo install gungraun-runner --version {version.lstrip('=')} --locked\n" in text


def test_in_a_repository_with_changes_of_its_own_the_commit_takes_the_crate_only(tmp_path):
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
    }
    repo = tmp_path / "mono"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "notes.txt").write_text("draft\n")
    subprocess.run(["git", "add", "notes.txt"], cwd=repo, check=True)  # staged, unrelated to the crate
    text = message(repo / "crates" / "inner", "stack=[]")
    assert "that repository has uncommitted changes of its own" in text
    commit = next(line.strip() for line in text.splitlines() if line.strip().startswith("git add ."))
    assert commit.endswith(" -- .")
    subprocess.run(commit, shell=True, cwd=repo / "crates" / "inner", env=env, check=True)
    committed = subprocess.run(
        ["git", "show", "--name-only", "--format=", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    assert committed and all(name.startswith("crates/inner/") for name in committed)
    assert (
        "A  notes.txt"
        in subprocess.run(["git", "status", "--short"], cwd=repo, capture_output=True, text=True, check=True).stdout
    )
