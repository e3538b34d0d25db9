"""Releases: ``releases.toml`` (version → commit) is the one record; CHANGELOG.md has a section
per release plus the upcoming one; ``scripts/release.py`` checks and tags; the tests' tagged
clone looks like the template once the upcoming version is released."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO, git, release, released_template, upcoming_release

FAKE = "abcdef0123456789" * 2 + "abcdef01"
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def test_releases_changelog_and_history_agree():
    releases = release.load_releases()
    assert "0.1.0" in releases
    assert release.problems(releases, CHANGELOG, None) == []
    for version, commit in releases.items():
        # every released commit is in this repository's history, before HEAD
        merge_base = subprocess.run(
            ["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=REPO, capture_output=True, check=False
        )
        assert merge_base.returncode == 0, f"{version} = {commit} is not an ancestor of HEAD"
    assert upcoming_release() not in releases


def test_every_changelog_section_speaks_to_crate_maintainers():
    sections = release.changelog_sections(CHANGELOG)
    assert [version for version, _ in sections][:2] == [upcoming_release(), list(release.load_releases())[-1]]
    for version, body in sections:
        assert "### What changes in your crate" in body, version
    top = sections[0][1]
    # the upcoming release says what a crate receives, item by item
    receives = top.split("### What changes in your crate", 1)[1].split("\n### ", 1)[0]
    assert receives.count("\n- ") >= 1, "the upcoming release's 'What changes in your crate' is empty"


def test_the_mapping_lives_in_one_file():
    """No other tracked file carries a release's commit hash (one source for tests and scripts)."""
    hashes = [commit for commit in release.load_releases().values()]
    holders = set()
    for name in git(REPO, "ls-files").splitlines():
        path = REPO / name
        if name == "releases.toml" or not path.is_file() or path.suffix in (".jsonl",):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(commit[:7] in text for commit in hashes):
            holders.add(name)
    assert holders == set()


@pytest.mark.parametrize(
    ("changelog", "problem"),
    [
        ("## [0.3.0] - unreleased\n\n## [0.1.0] - 2026-11-21\n", "neither released nor upcoming"),
        ("## [0.1.0] - unreleased\n", "marks 0.1.0 unreleased, but releases.toml has it"),
        ("## [0.0.9] - unreleased\n\n## [0.1.0] - 2026-11-21\n", "is not newer than 0.1.0"),
        ("## [0.2.0] - unreleased\n", "no section for release 0.1.0"),
    ],
)
def test_release_check_names_each_inconsistency(changelog, problem):
    releases = {"0.1.0": FAKE}
    if "0.3.0" in changelog:
        changelog = changelog.replace("## [0.1.0]", "## [0.2.0] - 2026-11-30\n\n## [0.1.0]")
    found = release.problems(releases, changelog, None)
    assert len(found) == 1 and problem in found[0], found


def test_a_tag_naming_another_commit_is_reported():
    releases = {"0.1.0": FAKE}
    found = release.problems(releases, "## [0.1.0] - 2026-11-21\n", {"0.1.0": "0" * 40})
    assert found == ["tag 0.1.0 names 000000000000, releases.toml abcdef012345"]


def test_bad_entries_in_releases_toml_are_refused(tmp_path):
    path = tmp_path / "releases.toml"
    path.write_text(f'[releases]\n"v0.1.0" = "{FAKE}"\n')
    with pytest.raises(ValueError, match="'v0.1.0' is not a release version"):
        release.load_releases(path)
    path.write_text('[releases]\n"0.1.0" = "abcdef0"\n')
    with pytest.raises(ValueError, match="not a full commit hash"):
        release.load_releases(path)


def test_the_tagged_clone_carries_every_release_and_the_upcoming_one(tmp_path):
    template = released_template(tmp_path / "template")
    tags = release.local_tags(template)
    assert tags == {**release.load_releases(), upcoming_release(): git(template, "rev-parse", "HEAD").strip()}
    assert git(template, "status", "--porcelain") == ""
    # release.py tag is idempotent: every tag exists already
    assert release.tag_releases(template, release.load_releases()) == []


def test_release_py_check_passes_on_this_checkout():
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "release.py"), "check"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert f"upcoming {upcoming_release()}" in completed.stdout
