"""Slow: a release rolled out to crates in the field, for real. Crates generated at 0.1.0 and at
the previous release (checked out of git history) get the edits a team makes, then update to the
upcoming release: with the crate's own update script where the crate has one
(``scripts/template_update.py``: copier update, conflict detection, gates 1-4, one commit), with
the plain copier command before that. Checked: no conflict, every team edit kept (a moved file's
edits in its new place), the answers file on the new release, gates 1-4 green."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import copier
import pytest
import tomlkit
from conftest import (
    GIT_IDENTITY,
    assert_no_conflicts,
    cargo_env,
    check_answer_keys,
    commit_all,
    git,
    released_template,
    run,
)
from test_template_update import PREVIOUS, UPCOMING, answers_commit

pytestmark = pytest.mark.slow

FIRST = "0.1.0"

#: One crate per kind (the workspace member exists since 0.2.0), each from two releases.
KINDS = {
    "lib": {"project_name": "rollout-lib"},
    "cli": {"project_name": "rollout-cli", "crate_kind": "cli", "stack": ["tantivy", "moka"]},
    "mcp-python": {
        "project_name": "rollout-mcp",
        "crate_kind": "mcp-server",
        "python_bindings": True,
        "stack": ["rayon", "simd-json"],
    },
    "member": {"project_name": "rollout-member", "crate_kind": "cli", "stack": ["rayon"]},
}
CASES = [
    (kind, version) for kind in KINDS for version in (FIRST, PREVIOUS) if not (kind == "member" and version == FIRST)
]

TEAM_CODE = """
/// Whether `text` holds a run of ASCII digits (the team's own code).
///
/// # Errors
///
/// When the pattern does not compile.
pub fn has_digits(text: &str) -> std::result::Result<bool, regex::Error> {
    Ok(regex::Regex::new(r"[0-9]+")?.is_match(text))
}
"""
TEAM_BINARY_TEST = """
#[cfg(test)]
mod team_tests {
    #[test]
    fn the_teams_own_binary_test() {
        assert_eq!(super::log_level(0, 0), tracing_subscriber::filter::LevelFilter::WARN);
    }
}
"""
TEAM_README = "\n## Team notes\n\nOur on-call rota lives in the wiki.\n"
TEAM_STEP = "      - name: Team check\n        run: echo the team's own step\n"
WORKSPACE_ROOT = '[workspace]\nresolver = "3"\nmembers = ["crates/*"]\n'


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return released_template(tmp_path_factory.mktemp("rollout") / "template")


def generate(template: Path, where: Path, kind: str, version: str) -> Path:
    """Generate the ``kind`` crate at ``version`` under ``where`` (into a team's workspace for
    ``member``), git-initialised and committed; return the crate's folder."""
    data = KINDS[kind]
    check_answer_keys(data)
    if kind == "member":
        (where / "crates").mkdir(parents=True)
        (where / "Cargo.toml").write_text(WORKSPACE_ROOT, encoding="utf-8")
        crate = where / "crates" / data["project_name"]
    else:
        crate = where / data["project_name"]
    copier.run_copy(str(template), crate, data=data, defaults=True, unsafe=True, vcs_ref=version, quiet=True)
    git(where.parent, "init", "-q", "-b", "main", str(where if kind == "member" else crate))
    commit_all(where if kind == "member" else crate, f"generated at {version}")
    return crate


def make_team_edits(crate: Path, kind: str) -> None:
    """The edits a team makes after generating: a dependency of its own (`cargo add`), a feature
    of a policy crate where the README says, code in lib.rs using the new dependency, a README
    paragraph, a step of its own in ci.yml; a cli team also tests its binary (src/main.rs, moved
    by 0.3.0) and deleted the search module's integration test."""
    subprocess.run(["cargo", "add", "--quiet", "regex@1"], cwd=crate, check=True, env=cargo_env())
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    tokio = tomlkit.inline_table()
    if kind == "member":
        tokio.update({"version": "1", "features": ["net"]})
    else:
        tokio.update({"workspace": True, "features": ["net"]})
    manifest["dependencies"]["tokio"] = tokio
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    with (crate / "src" / "lib.rs").open("a", encoding="utf-8") as lib:
        lib.write(TEAM_CODE)
    with (crate / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(TEAM_README)
    if kind != "member":
        ci = crate / ".github" / "workflows" / "ci.yml"
        anchor = "        run: scripts/gates.sh test\n"
        text = ci.read_text(encoding="utf-8")
        assert anchor in text
        ci.write_text(text.replace(anchor, anchor + TEAM_STEP, 1), encoding="utf-8")
    if kind == "cli":
        with (crate / "src" / "main.rs").open("a", encoding="utf-8") as main:
            main.write(TEAM_BINARY_TEST)
        tests = crate / "tests" / "integration.rs"
        text = tests.read_text(encoding="utf-8")
        start = text.index("#[tokio::test]\nasync fn indexes_and_searches_a_loaded_corpus")
        end = text.index("\n}\n", start) + 3
        tests.write_text(text[:start].rstrip("\n") + "\n" + text[end:], encoding="utf-8")
    commit_all(crate, "team edits")


def update(template: Path, crate: Path, version: str, body: Path) -> subprocess.CompletedProcess[str]:
    """Update ``crate`` the way it can: its own script (0.2.0 on), else the plain copier command."""
    env = cargo_env(**GIT_IDENTITY, COPIER=str(Path(sys.executable).with_name("copier")), CRATE_DIR=str(crate))
    if (crate / "scripts" / "template_update.py").is_file():
        return subprocess.run(
            [sys.executable, str(crate / "scripts" / "template_update.py"), "--body", str(body)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    return subprocess.run(
        [env["COPIER"], "update", "--trust", "--defaults", "--skip-answered"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.parametrize(("kind", "version"), CASES, ids=[f"{kind}-from-{version}" for kind, version in CASES])
def test_a_crate_in_the_field_updates_cleanly_and_passes_gates_1_to_4(template, tmp_path, kind, version):
    crate = generate(template, tmp_path / "team", kind, version)
    assert answers_commit(crate) == version
    make_team_edits(crate, kind)
    body = tmp_path / "pr-body.md"
    completed = update(template, crate, version, body)
    report = body.read_text(encoding="utf-8") if body.exists() else ""
    assert completed.returncode == 0, f"{completed.stderr[-6000:]}\n{report}"
    if version != FIRST:  # the script committed, and ran the gates
        assert git(crate, "log", "-1", "--format=%s").strip() == f"chore: update from template {version} to {UPCOMING}"
        assert git(crate, "status", "--porcelain") == ""
        for gate in ("build", "lint", "fmt", "test"):
            assert f"| `scripts/gates.sh {gate}` | pass |" in report, gate
        assert f"### [{UPCOMING}]" in report
    else:
        for gate in ("build", "lint", "fmt", "test"):
            run(["bash", "scripts/gates.sh", gate], crate, env=cargo_env())
    assert answers_commit(crate) == UPCOMING
    assert_no_conflicts(crate)

    # every team edit kept
    cargo = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["dependencies"]["regex"] == "1"
    assert cargo["dependencies"]["tokio"]["features"] == ["net"]
    assert TEAM_CODE in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    assert (crate / "README.md").read_text(encoding="utf-8").endswith(TEAM_README)
    if kind != "member":
        assert TEAM_STEP in (crate / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    if kind == "cli":
        assert TEAM_BINARY_TEST.strip() in (crate / "cli" / "src" / "main.rs").read_text(encoding="utf-8")
        assert "indexes_and_searches_a_loaded_corpus" not in (crate / "tests" / "integration.rs").read_text()
    # and the release arrived: the binary is a package of its own, the library carries none of
    # its dependencies, no task rewrote the manifest
    assert not (crate / "src" / "main.rs").exists() and not (crate / ".cargo").exists()
    binary_only = {"clap", "anyhow", "tracing-subscriber", "rmcp", "schemars"}
    assert not binary_only & set(cargo.get("dependencies", {}))
    if KINDS[kind].get("crate_kind", "lib") != "lib":
        assert (crate / KINDS[kind]["crate_kind"] / "Cargo.toml").is_file()
