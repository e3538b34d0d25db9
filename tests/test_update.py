"""`copier update`: policy bumps and changed answers reach existing crates, user edits survive."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import copier
import pytest
import tomlkit
from conftest import REPO, assert_no_conflicts, bump_policy, commit_all, git

sys.path.insert(0, str(REPO / "hooks"))  # bound at collection: see tests/test_workspace.py
from carry_edits import KeyConflict, merge_lines, merge_tables  # noqa: E402

pytestmark = pytest.mark.usefixtures("git_identity")


def crate_with_team_edits(tmp_path: Path, template_repo: Path, data: dict) -> Path:
    """Generate a crate from template 1.0.0, commit it, then commit the team's own edits: a
    dependency of theirs (appended by `cargo add`-style editing) and a function."""
    crate = tmp_path / "crate"
    copier.run_copy(str(template_repo), crate, data=data, defaults=True, unsafe=True, vcs_ref="1.0.0", quiet=True)
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated")
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    manifest["dependencies"]["itoa"] = "1.0"
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    with (crate / "src" / "lib.rs").open("a", encoding="utf-8") as lib:
        lib.write("\n/// The team's own addition.\npub const ANSWER: u32 = 42;\n")
    commit_all(crate, "our edits")
    return crate


def assert_team_edits_merged_cleanly(crate: Path) -> dict:
    """The team's edits survived the update with no conflict; return the parsed Cargo.toml."""
    cargo = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["dependencies"]["itoa"] == "1.0"  # the team's dependency survived
    assert "pub const ANSWER: u32 = 42;" in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    assert [p for p in crate.rglob("*.orig")] == []
    assert_no_conflicts(crate)
    return cargo


def test_update_brings_a_policy_bump_and_keeps_user_edits(tmp_path, template_repo):
    crate = crate_with_team_edits(tmp_path, template_repo, {"project_name": "upd", "stack": ["moka"]})
    bump_policy(template_repo, "moka", "0.12.16")
    copier.run_update(crate, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.1.0", quiet=True)

    cargo = assert_team_edits_merged_cleanly(crate)
    assert cargo["workspace"]["dependencies"]["moka"]["version"] == "0.12.16"  # the bump arrived
    assert "_commit: 1.1.0" in (crate / ".copier-answers.yml").read_text(encoding="utf-8")


def test_a_gungraun_bump_moves_the_crate_and_its_runner_in_lockstep(tmp_path, template_repo):
    """The runner must equal the library: a policy bump changes the crate's gungraun, the install
    command in CONTRIBUTING.md (the template's) with it, and CI reads the version from the crate's resolved graph."""
    crate = crate_with_team_edits(tmp_path, template_repo, {"project_name": "gg", "stack": []})
    contributing = (crate / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "cargo install gungraun-runner --version 0.20.0 --locked" in contributing
    bump_policy(template_repo, "gungraun", "=0.20.1")
    copier.run_update(crate, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.1.0", quiet=True)

    cargo = assert_team_edits_merged_cleanly(crate)
    assert cargo["workspace"]["dependencies"]["gungraun"] == "=0.20.1"
    contributing = (crate / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "cargo install gungraun-runner --version 0.20.1 --locked" in contributing
    assert "0.20.0" not in contributing
    ci = (crate / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "tool: gungraun-runner@${{ steps.gungraun.outputs.version }}" in ci and "0.20" not in ci


def test_turning_python_bindings_on_later_adds_the_package_and_keeps_user_edits(tmp_path, template_repo):
    crate = crate_with_team_edits(tmp_path, template_repo, {"project_name": "later-py", "stack": ["rayon"]})
    copier.run_update(
        crate, data={"python_bindings": True}, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.0.0", quiet=True
    )

    cargo = assert_team_edits_merged_cleanly(crate)
    # The bindings arrive as a package of their own; the library's manifest only gains the member.
    assert cargo["workspace"]["members"] == ["python"]
    assert "pyo3" not in cargo["dependencies"] and "crate-type" not in cargo["lib"]
    for name in (
        "pyproject.toml",
        "python/Cargo.toml",
        "python/src/lib.rs",
        "python/src/parallel.rs",
        "python/later_py/_core.pyi",
        "tests/python/test_stub.py",
    ):
        assert (crate / name).is_file(), name
    assert "mod python" not in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    answers = (crate / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "python_bindings: true" in answers and "python_package: later_py" in answers


def test_update_with_a_new_answer_adds_the_component(tmp_path, template_repo):
    crate = tmp_path / "crate"
    copier.run_copy(
        str(template_repo),
        crate,
        data={"project_name": "grow", "stack": []},
        defaults=True,
        unsafe=True,
        vcs_ref="1.0.0",
        quiet=True,
    )
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated")
    copier.run_update(
        crate, data={"stack": ["rayon"]}, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.0.0", quiet=True
    )
    cargo = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["workspace"]["dependencies"]["rayon"] == "1.12"
    assert cargo["dependencies"]["rayon"] == {"workspace": True}
    assert (crate / "src" / "parallel.rs").is_file()
    assert "pub mod parallel;" in (crate / "src" / "lib.rs").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.builds("own")
def test_removing_a_component_with_copier_update_leaves_a_green_crate(tmp_path, template_repo):
    """`copier update --data 'stack=[…]'` without tantivy: every file of the component goes (its
    module, tests, benchmarks, MCP tools), the shared files stop naming it, the team's edits stay,
    and clippy and the tests pass on the result (gates 2 and 4)."""
    from conftest import cargo_env, run

    crate = crate_with_team_edits(
        tmp_path, template_repo, {"project_name": "shrink", "crate_kind": "mcp-server", "stack": ["tantivy", "moka"]}
    )
    copier.run_update(
        crate, data={"stack": ["moka"]}, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.0.0", quiet=True
    )
    cargo = assert_team_edits_merged_cleanly(crate)
    assert "tantivy" not in cargo["workspace"]["dependencies"] and "tantivy" not in cargo["dependencies"]
    remaining = {path.relative_to(crate).as_posix() for path in crate.rglob("search.rs")}
    assert remaining == set()
    assert "search" not in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    assert (crate / "src" / "cache.rs").is_file() and (crate / "mcp-server" / "src" / "server" / "cache.rs").is_file()
    run(["cargo", "clippy", "--all-targets", "--all-features", "--", "-D", "warnings"], crate, env=cargo_env())
    tested = run(["cargo", "test", "--all-features", "--no-fail-fast"], crate, env=cargo_env()).stdout
    assert "test cache::tests::loads_once_then_hits ... ok" in tested
    assert "test search::" not in tested


def test_a_dropped_file_the_team_edited_is_kept_and_an_unedited_one_goes(tmp_path, template_repo, capfd):
    """Copier deletes what the new render lacks, edited or not; the migration keeps the team's
    edited file (and says so), and lets the deletion of an unedited one stand."""
    crate = crate_with_team_edits(tmp_path, template_repo, {"project_name": "drop", "stack": ["tantivy", "moka"]})
    search = crate / "src" / "search.rs"
    edited = search.read_text(encoding="utf-8") + "\n// The team's note on the index.\n"
    search.write_text(edited, encoding="utf-8")
    commit_all(crate, "a note in search.rs")
    copier.run_update(
        crate, data={"stack": []}, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.0.0", quiet=True
    )
    assert search.read_text(encoding="utf-8") == edited
    assert not (crate / "src" / "cache.rs").exists()
    assert not (crate / "tests" / "integration" / "search.rs").exists()
    assert "kept src/search.rs: the template no longer has it, but you had edited it" in capfd.readouterr().err


def test_the_key_merge_takes_both_sides_unless_they_changed_the_same_key():
    import tomlkit

    base = tomlkit.parse(
        "[dependencies]\ntokio = {workspace = true}\ntantivy = {workspace = true}\n"
        '[workspace.dependencies]\ntokio = {version = "1.54", features = ["fs"]}\n'
    )
    ours = tomlkit.parse(
        '[dependencies]\ntokio = {workspace = true}\ntantivy = {workspace = true}\nregex = "1"\n'
        '[workspace.dependencies]\ntokio = {version = "1.54", features = ["fs", "net"]}\n'
    )
    theirs = tomlkit.parse(
        "[dependencies]\ntokio = {workspace = true}\n"
        '[workspace.dependencies]\ntokio = {version = "1.99", features = ["fs"]}\n'
    )
    merge_tables(base, ours, theirs)
    assert theirs.unwrap() == {
        "dependencies": {"tokio": {"workspace": True}, "regex": "1"},
        "workspace": {"dependencies": {"tokio": {"version": "1.99", "features": ["fs", "net"]}}},
    }
    conflicting = tomlkit.parse('[workspace.dependencies]\ntokio = {version = "1.50", features = ["fs"]}\n')
    with pytest.raises(KeyConflict, match="version"):
        merge_tables(
            tomlkit.parse('[workspace.dependencies]\ntokio = {version = "1.54", features = ["fs"]}\n'),
            conflicting,
            tomlkit.parse('[workspace.dependencies]\ntokio = {version = "1.99", features = ["fs"]}\n'),
        )


def test_features_both_sides_changed_merge_as_sets():
    """0.4.0 splits tokio's features per package while the team added one of its own: the merged
    line keeps the release's features and the team's, and a feature the team removed stays out."""
    base = tomlkit.parse(
        '[dependencies]\ntokio = {workspace = true}\nserde = {workspace = true, features = ["derive", "rc"]}\n'
    )
    ours = tomlkit.parse(
        '[dependencies]\ntokio = {workspace = true, features = ["net"]}\n'
        'serde = {workspace = true, features = ["derive"]}\n'
    )
    theirs = tomlkit.parse(
        '[dependencies]\ntokio = {workspace = true, features = ["fs", "sync"]}\n'
        'serde = {workspace = true, features = ["derive", "rc", "alloc"]}\n'
    )
    merge_tables(base, ours, theirs)
    assert theirs.unwrap() == {
        "dependencies": {
            "tokio": {"workspace": True, "features": ["fs", "sync", "net"]},
            "serde": {"workspace": True, "features": ["derive", "alloc"]},
        }
    }


def test_the_line_merge_unifies_deletions_and_neighbours_but_not_changes():

    base = ["fn a() {\n", "    old();\n", "}\n", "\n", "fn search() {}\n", "\n", "fn cache() {}\n"]
    # the team deleted search(); the release changed a() and moved search() and cache() away
    ours = ["fn a() {\n", "    old();\n", "}\n", "\n", "fn cache() {}\n"]
    theirs = ["fn a() {\n", "    new();\n", "}\n"]
    assert merge_lines(base, ours, theirs) == theirs
    # a line of the team's next to a line the release deleted
    assert merge_lines(["a\n", "b\n", "\n"], ["a\n", "b\n", "mine\n", "\n"], ["a\n", "\n"]) == ["a\n", "mine\n", "\n"]
    # both changed the same line: a real conflict
    assert merge_lines(["x = 1\n"], ["x = 2\n"], ["x = 3\n"]) is None
    # the team deleted a line the release changed: a real conflict too
    assert merge_lines(["a\n", "b\n"], ["a\n"], ["a\n", "B\n"]) is None
