"""The message copier prints after generating: next steps that work as printed, for each kind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

COPIER = Path(sys.executable).with_name("copier")


def message(destination: Path, *data: str, init: bool = False) -> str:
    """Generate into ``destination`` (with ``init``, a new git repository first) with the copier
    CLI; return the after-copy message."""
    if init:
        subprocess.run(["git", "init", "-q", "-b", "main", str(destination)], check=True)
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
    # crates/inner/.github/ is written (a crate of its own), and the message says GitHub ignores it
    assert (tmp_path / "mono" / "crates" / "inner" / ".github" / "workflows").is_dir()
    assert f"# GitHub reads .github/ (workflows, Renovate, agent files) at {tmp_path / 'mono'} only" in text
    at_the_top = message(tmp_path / "top", "stack=[]", init=True)
    assert "no `git init`" in at_the_top and "GitHub reads .github/" not in at_the_top


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


def test_a_members_registration_is_not_a_change_of_the_repositorys_own(tmp_path):
    """A clean workspace: the only changes outside the new member are the root manifest's
    registration of it (and no lock file yet), the copy's own, so no warning about others'."""
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    root = tmp_path / "ws"
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / "Cargo.toml").write_text('[workspace]\nresolver = "3"\nmembers = []\n', encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "workspace"], cwd=root, env=env, check=True)
    text = message(root / "crates" / "member", "stack=[]")
    assert "member of the Cargo workspace at ../.." in text
    assert "uncommitted changes of its own" not in text
    assert "GitHub reads .github/" not in text  # a member has no .github/
    (root / "notes.txt").write_text("draft\n", encoding="utf-8")  # a change that is the team's
    text = message(root / "crates" / "other", "stack=[]")
    assert "that repository has uncommitted changes of its own" in text
