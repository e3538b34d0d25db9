"""Who owns which file (README "Who owns which file", copier.yml's ``_skip_if_exists``): every
rendered file is in exactly one class, and an update leaves the team's files alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import copier
import pytest
from conftest import FULL_STACK, REPO, SAMPLES, assert_no_conflicts, commit_all, git

sys.path.insert(0, str(REPO / "hooks"))  # bound at collection: see tests/test_workspace.py
import ownership  # noqa: E402

pytestmark = pytest.mark.usefixtures("git_identity")


def readme_rows() -> list[tuple[str, list[str]]]:
    """The README table's rows: (owner, the row's files as gitignore-style lines); a cell's files
    after "but not" are exceptions (``!`` lines)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Who owns which file", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[1] not in ("team", "template"):
            continue
        files, _, exceptions = cells[0].partition(" but not ")
        lines = re.findall(r"`([^`]+)`", files) + [f"!{name}" for name in re.findall(r"`([^`]+)`", exceptions)]
        rows.append((cells[1], lines))
    return rows


def sample_files(sample: str) -> list[str]:
    """The files of a committed sample crate, relative to the crate."""
    crate = REPO / "examples" / sample / SAMPLES[sample]
    listed = git(crate, "ls-files", "--", ".")
    return [name for name in listed.splitlines() if name]


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_every_file_of_a_sample_is_in_exactly_one_class(sample):
    rows = [(owner, ownership.path_spec(lines)) for owner, lines in readme_rows()]
    team = ownership.team_spec()
    assert {owner for owner, _ in rows} == {"team", "template"}
    files = sample_files(sample)
    assert "Cargo.toml" in files and "src/lib.rs" in files
    for name in files:
        owners = [owner for owner, spec in rows if spec.match_file(name)]
        assert len(owners) == 1, (name, owners)
        assert (owners[0] == "team") == bool(team.match_file(name)), name


def test_the_team_rows_are_copier_yml_list():
    in_readme = [line for owner, lines in readme_rows() if owner == "team" for line in lines]
    assert sorted(in_readme) == sorted(ownership.team_patterns())


def test_the_handover_is_the_0_4_0_release():
    assert not ownership.kept("0.3.0") and not ownership.kept("0.3.0-12-gabc1234") and not ownership.kept("0.2.0")
    assert ownership.kept("0.4.0") and ownership.kept("0.4.0-3-g0123456") and ownership.kept("1.0.0")
    assert ownership.kept("4f1c2d3")  # a bare commit of the template: a recent one


@pytest.mark.parametrize("kind", ["cli", "mcp-server"])
def test_a_team_file_reads_the_same_whatever_the_components(tmp_path, template_repo, kind):
    """An update never rewrites a team's file, so none may depend on an answer an update changes
    (``stack``, ``python_bindings``): a crate with none of the stack and one with all of it and
    the bindings get the same text in every team file both have. CHANGELOG's first entry, a
    record of the generation, is the one exception."""
    renders = []
    for stack, python in (([], False), (FULL_STACK, True)):
        crate = tmp_path / f"{kind}-{len(stack)}"
        data = {"project_name": "same", "crate_kind": kind, "stack": stack, "python_bindings": python}
        copier.run_copy(str(template_repo), crate, data=data, defaults=True, unsafe=True, vcs_ref="1.0.0", quiet=True)
        renders.append(crate)
    team = ownership.team_spec()
    compared = 0
    for path in sorted(renders[0].rglob("*")):
        name = path.relative_to(renders[0]).as_posix()
        if not path.is_file() or not team.match_file(name) or name == "CHANGELOG.md":
            continue
        other = renders[1] / name
        assert other.is_file(), name
        assert path.read_text(encoding="utf-8") == other.read_text(encoding="utf-8"), name
        compared += 1
    assert compared >= 2  # the sample document module and its benchmark at least


def template_change(template: Path, tag: str) -> None:
    """A release that changes a team file's template and a policy line, tagged ``tag``."""
    for jinja in (
        "template/src/document.rs.jinja",
        "template/src/{% if 'rayon' in stack %}parallel.rs{% endif %}.jinja",
    ):
        with (template / jinja).open("a", encoding="utf-8") as file:
            file.write("\n/// Added by the template's next release.\npub const NEXT_RELEASE: u8 = 1;\n")
    policy = template / "policy" / "dependencies.toml"
    policy.write_text(policy.read_text(encoding="utf-8").replace('version = "2.0.18"', 'version = "2.0.21"'))
    commit_all(template, f"release {tag}")
    git(template, "tag", tag)


def crate_at(tmp_path: Path, template: Path, tag: str) -> Path:
    """A crate (lib + rayon) generated at ``tag``, committed, then the team's commit: an edit of
    a team file, and a team file deleted."""
    crate = tmp_path / "crate"
    data = {"project_name": "owned", "stack": ["rayon"]}
    copier.run_copy(str(template), crate, data=data, defaults=True, unsafe=True, vcs_ref=tag, quiet=True)
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated")
    with (crate / "src" / "document.rs").open("a", encoding="utf-8") as file:
        file.write("\n/// The team's own item.\npub const TEAMS: u8 = 7;\n")
    (crate / "tests" / "integration" / "parallel.rs").unlink()
    commit_all(crate, "the team's edits")
    return crate


def test_an_update_leaves_the_team_files_alone_and_adds_a_new_components(tmp_path, template_repo, capfd):
    crate = crate_at(tmp_path, template_repo, "1.0.0")
    parallel_before = (crate / "src" / "parallel.rs").read_text(encoding="utf-8")
    document_before = (crate / "src" / "document.rs").read_text(encoding="utf-8")
    template_change(template_repo, "1.1.0")
    copier.run_update(
        crate, data={"stack": ["rayon", "moka"]}, defaults=True, overwrite=True, unsafe=True, vcs_ref="1.1.0"
    )
    assert_no_conflicts(crate)
    # the team's files: exactly as the team left them, edited or not, deleted or not
    assert (crate / "src" / "document.rs").read_text(encoding="utf-8") == document_before
    assert (crate / "src" / "parallel.rs").read_text(encoding="utf-8") == parallel_before
    assert not (crate / "tests" / "integration" / "parallel.rs").exists()
    assert "left out tests/integration/parallel.rs: you had deleted it" in capfd.readouterr().err
    # the template's files: current
    assert 'thiserror = "2.0.21"' in (crate / "Cargo.toml").read_text(encoding="utf-8")
    # a component added by the update: its files arrive, from the new release
    assert (crate / "src" / "cache.rs").is_file() and (crate / "tests" / "integration" / "cache.rs").is_file()
    assert "mod cache;" in (crate / "tests" / "integration.rs").read_text(encoding="utf-8")
    assert "pub mod cache;" in (crate / "src" / "lib.rs").read_text(encoding="utf-8")


def test_a_crate_from_before_0_4_0_gets_its_team_files_merged_one_last_time(tmp_path, template_repo):
    git(template_repo, "commit", "-q", "--allow-empty", "-m", "release 0.3.0")  # a tag of its own
    git(template_repo, "tag", "0.3.0")
    crate = crate_at(tmp_path, template_repo, "0.3.0")
    changelog = (crate / "CHANGELOG.md").read_text(encoding="utf-8")
    template_change(template_repo, "0.4.0")
    copier.run_update(
        crate, data={"stack": ["rayon", "moka"]}, defaults=True, overwrite=True, unsafe=True, vcs_ref="0.4.0"
    )
    assert_no_conflicts(crate)
    # the record of the generation stays true: the crate was generated with rayon only
    assert (crate / "CHANGELOG.md").read_text(encoding="utf-8") == changelog
    assert "(lib; stack: rayon)." in changelog
    document = (crate / "src" / "document.rs").read_text(encoding="utf-8")
    assert "pub const TEAMS: u8 = 7;" in document and "pub const NEXT_RELEASE: u8 = 1;" in document
    assert "pub const NEXT_RELEASE: u8 = 1;" in (crate / "src" / "parallel.rs").read_text(encoding="utf-8")
    # from 0.4.0 on they are the team's: the next release leaves them alone
    commit_all(crate, "updated to 0.4.0")
    before = (crate / "src" / "parallel.rs").read_text(encoding="utf-8")
    (template_repo / "template" / "src" / "document.rs.jinja").write_text("// rewritten\n", encoding="utf-8")
    commit_all(template_repo, "release 0.4.1")
    git(template_repo, "tag", "0.4.1")
    copier.run_update(crate, defaults=True, overwrite=True, unsafe=True, vcs_ref="0.4.1")
    assert "pub const TEAMS: u8 = 7;" in (crate / "src" / "document.rs").read_text(encoding="utf-8")
    assert (crate / "src" / "parallel.rs").read_text(encoding="utf-8") == before
    status = subprocess.run(["git", "status", "--porcelain"], cwd=crate, capture_output=True, text=True).stdout
    assert "src/document.rs" not in status, status


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_agents_md_names_exactly_the_team_files(sample):
    """AGENTS.md's list (what an agent or a newcomer reads) classifies each file as copier does."""
    agents = (REPO / "examples" / sample / SAMPLES[sample] / "AGENTS.md").read_text(encoding="utf-8")
    paragraph = agents.split("Files of the team", 1)[1].split("Every other", 1)[0]
    lines = []
    for phrase in re.findall(r"`[^`]+`(?: \(not [^)]*\))?", paragraph.split(":", 1)[1]):
        pattern, _, exceptions = phrase.partition(" (not ")
        lines += [pattern.strip("`"), *(f"!{name}" for name in re.findall(r"`([^`]+)`", exceptions))]
    listed, team = ownership.path_spec(lines), ownership.team_spec()
    for name in sample_files(sample):
        assert bool(listed.match_file(name)) == bool(team.match_file(name)), name
