"""Slow: a policy rollout from the previous release, for real. Crates generated at the previous
release (checked out of git history) get the edits a team makes, then update to the upcoming
release with the update automation's own command (``scripts/template_update.py``: copier update,
conflict detection, gates 1-4 through ``scripts/gates.sh``, one commit): no conflict, every team
edit kept, the answers file on the new release, and gates 1-4 green on the updated crate."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomlkit
from conftest import GIT_IDENTITY, assert_no_conflicts, cargo_env, check_answer_keys, commit_all, git, released_template
from test_template_update import PREVIOUS, SCRIPT, UPCOMING, answers_commit, generate_at

pytestmark = pytest.mark.slow

#: One crate per kind: the default lib, a cli with part of the stack, an MCP server with bindings.
ROLLOUT_CRATES = {
    "lib-defaults": {"project_name": "rollout-lib"},
    "cli-partial-stack": {"project_name": "rollout-cli", "crate_kind": "cli", "stack": ["tantivy", "moka"]},
    "mcp-server-python": {"project_name": "rollout-mcp", "crate_kind": "mcp-server", "python_bindings": True},
}

TEAM_CODE = '''
/// Whether `text` holds a run of ASCII digits (the team's own code).
///
/// # Errors
///
/// When the pattern does not compile.
pub fn has_digits(text: &str) -> std::result::Result<bool, regex::Error> {
    Ok(regex::Regex::new(r"[0-9]+")?.is_match(text))
}
'''
TEAM_README = "\n## Team notes\n\nOur on-call rota lives in the wiki.\n"
TEAM_STEP = "      - name: Team check\n        run: echo the team's own step\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return released_template(tmp_path_factory.mktemp("rollout") / "template")


def make_team_edits(crate: Path) -> None:
    """The edits a team makes after generating: a dependency of its own (`cargo add`), a feature
    of a policy crate on its [dependencies] line (the README's advice), code in lib.rs using the
    new dependency, a README paragraph, and a step of its own in ci.yml."""
    subprocess.run(["cargo", "add", "--quiet", "regex@1"], cwd=crate, check=True, env=cargo_env())
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    tokio = tomlkit.inline_table()
    tokio.update({"workspace": True, "features": ["net"]})
    manifest["dependencies"]["tokio"] = tokio
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    with (crate / "src" / "lib.rs").open("a", encoding="utf-8") as lib:
        lib.write(TEAM_CODE)
    with (crate / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(TEAM_README)
    ci = crate / ".github" / "workflows" / "ci.yml"
    anchor = "        run: scripts/gates.sh test\n"
    text = ci.read_text(encoding="utf-8")
    assert anchor in text
    ci.write_text(text.replace(anchor, anchor + TEAM_STEP, 1), encoding="utf-8")
    commit_all(crate, "team edits")


@pytest.mark.parametrize("key", sorted(ROLLOUT_CRATES))
def test_a_crate_from_the_previous_release_updates_cleanly_and_passes_gates_1_to_4(template, tmp_path, key):
    data = ROLLOUT_CRATES[key]
    check_answer_keys(data)
    crate = generate_at(template, tmp_path / data["project_name"], PREVIOUS, data)
    assert answers_commit(crate) == PREVIOUS
    make_team_edits(crate)
    body = tmp_path / "pr-body.md"

    env = cargo_env(**GIT_IDENTITY, COPIER=str(Path(sys.executable).with_name("copier")), CRATE_DIR=str(crate))
    completed = subprocess.run([sys.executable, str(template / SCRIPT), "--body", str(body)], env=env,
                               capture_output=True, text=True, check=False, timeout=3600)
    report = body.read_text(encoding="utf-8") if body.exists() else ""
    assert completed.returncode == 0, f"{completed.stderr[-6000:]}\n{report}"

    # the update is one commit on top of the team's, the tree clean, the crate on the new release
    assert git(crate, "log", "-1", "--format=%s").strip() == f"chore: update from template {PREVIOUS} to {UPCOMING}"
    assert git(crate, "status", "--porcelain") == ""
    assert answers_commit(crate) == UPCOMING
    assert_no_conflicts(crate)
    # every team edit kept
    cargo = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["dependencies"]["regex"] == "1"
    assert cargo["dependencies"]["tokio"] == {"workspace": True, "features": ["net"]}
    assert TEAM_CODE in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    assert (crate / "README.md").read_text(encoding="utf-8").endswith(TEAM_README)
    assert TEAM_STEP in (crate / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    # and the release's changes arrived
    assert (crate / "benches" / "instructions.rs").is_file() and (crate / "scripts" / "template_update.py").is_file()
    assert not (crate / "scripts" / "bench_regression.py").exists()
    assert cargo["workspace"]["resolver"] == "1"
    # gates 1-4 ran on the updated tree and passed, as the pull-request body says
    for gate in ("build", "lint", "fmt", "test"):
        assert f"| `scripts/gates.sh {gate}` | pass |" in report, gate
    assert f"### [{UPCOMING}]" in report
