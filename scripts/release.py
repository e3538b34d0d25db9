#!/usr/bin/env python3
"""Release tooling of the template: ``releases.toml`` (version → commit) is the one record of
the released versions; CHANGELOG.md has a section for each, plus the upcoming release on top.

    python scripts/release.py check    # releases.toml, CHANGELOG.md and the local tags agree
    python scripts/release.py tag      # create the missing tags from releases.toml (then push them)

With a recorded fleet (``fleet.txt``), ``tag`` refuses a release that ``origin`` does not have yet
unless the last rehearsal (``scripts/fleet.py rehearse fleet.txt --to <commit>``, recorded in
``.rehearsal/last.json``) ran on that fleet and that release's tree and left every crate clean;
``--force`` tags anyway.

Exit codes: 0 fine, 1 an inconsistency (each printed on one line), 2 bad usage.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RELEASES_FILE = REPO / "releases.toml"
FLEET_FILE = REPO / "fleet.txt"
REHEARSAL_FILE = REPO / ".rehearsal" / "last.json"
CHANGELOG_FILE = REPO / "CHANGELOG.md"

sys.path.insert(0, str(REPO / "hooks"))
from context import load_file  # noqa: E402  (hooks/context.py: the template's one module loader)
from gitrun import git, git_out  # noqa: E402  (hooks/gitrun.py)

#: The crates' update script (template/scripts/template_update.py), whose reading of release tags
#: and CHANGELOG sections, and finding of conflicts, this tooling and fleet.py share.
crate_update = load_file("copier_reasonkit_rust_template_update", REPO / "template" / "scripts" / "template_update.py")
RELEASE_TAG, changelog_sections, version_key = (
    crate_update.RELEASE_TAG,
    crate_update.changelog_sections,
    crate_update.version_key,
)

#: The heading suffix of the section of the release being prepared.
UNRELEASED = re.compile(r"^\s*-\s*unreleased\s*$", re.IGNORECASE)
SHA = re.compile(r"^[0-9a-f]{40}$")


def load_releases(path: Path = RELEASES_FILE) -> dict[str, str]:
    """Return ``{version: full commit hash}`` from ``releases.toml``, oldest version first.

    Raises:
        ValueError: a version is not ``X.Y.Z`` or a commit is not a full 40-digit hash.
    """
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("releases", {})
    for version, commit in table.items():
        if not RELEASE_TAG.match(version) or version.startswith("v"):
            raise ValueError(f"{path.name}: '{version}' is not a release version X.Y.Z")
        if not isinstance(commit, str) or not SHA.match(commit):
            raise ValueError(f"{path.name}: {version} = {commit!r} is not a full commit hash")
    return dict(sorted(table.items(), key=lambda item: version_key(item[0])))


def upcoming_version(changelog: str, releases: dict[str, str]) -> str | None:
    """Return the version of the CHANGELOG's top section when ``releases`` lacks it: the release
    being prepared (headed ``- unreleased`` until its release commit dates it)."""
    sections = changelog_sections(changelog)
    return sections[0][0] if sections and sections[0][0] not in releases else None


def upcoming_release() -> str:
    """Return the version this checkout will be released as (CHANGELOG.md's top section).

    Raises:
        ValueError: CHANGELOG.md has no section for an upcoming release.
    """
    version = upcoming_version(CHANGELOG_FILE.read_text(encoding="utf-8"), load_releases())
    if version is None:
        raise ValueError("CHANGELOG.md has no section for an upcoming release")
    return version


def copy_work_tree(dest: Path, skip: str | None = None) -> None:
    """Copy this checkout's files as they are now (tracked and untracked, not ignored; not those
    under the folder ``skip``) to ``dest``: the template as the next release will hold it.

    Raises:
        subprocess.CalledProcessError: git failed.
    """
    names = git_out(REPO, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for name in filter(None, names):
        source = REPO / name
        if source.is_file() and not (skip and name.startswith(skip)):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def problems(releases: dict[str, str], changelog: str, tags: dict[str, str] | None) -> list[str]:
    """Return every inconsistency between the releases, the CHANGELOG and ``tags`` (tag →
    commit; None: not checked), one line each."""
    found = []
    bodies = dict(changelog_sections(changelog))
    for version in releases:
        if version not in bodies:
            found.append(f"CHANGELOG.md has no section for release {version}")
    upcoming = upcoming_version(changelog, releases)
    for version, body in bodies.items():
        if UNRELEASED.match(body.splitlines()[0].split("]", 1)[1]) and version != upcoming:
            found.append(f"CHANGELOG.md marks {version} unreleased, but releases.toml has it")
    if upcoming is not None:
        if not RELEASE_TAG.match(upcoming):
            found.append(f"CHANGELOG.md's top section '{upcoming}' is not a version X.Y.Z")
        elif releases and version_key(upcoming) <= version_key(list(releases)[-1]):
            found.append(f"the upcoming version {upcoming} is not newer than {list(releases)[-1]}")
    for version in bodies:
        if version not in releases and version != upcoming:
            found.append(f"CHANGELOG.md has a section {version} that is neither released nor upcoming")
    for version, commit in (tags or {}).items():
        if version in releases and releases[version] != commit:
            found.append(f"tag {version} names {commit[:12]}, releases.toml {releases[version][:12]}")
    return found


def local_tags(repo: Path) -> dict[str, str]:
    """Return ``{tag: commit}`` of the repository's release tags."""
    out = git_out(repo, "for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)", "refs/tags")
    tags = {}
    for line in out.splitlines():
        name, obj, peeled = (line.split() + [""])[:3]
        if RELEASE_TAG.match(name):
            tags[name] = peeled or obj
    return tags


def tag_releases(repo: Path, releases: dict[str, str]) -> list[str]:
    """Create a lightweight tag for every release the repository lacks; return the new tags.

    Raises:
        ValueError: a release's commit is not in the repository (a shallow clone?).
        subprocess.CalledProcessError: git failed.
    """
    existing = local_tags(repo)
    created = []
    for version, commit in releases.items():
        if version in existing:
            continue
        if git(repo, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode != 0:
            raise ValueError(
                f"release {version}: commit {commit[:12]} is not in {repo} (a shallow clone? fetch the full history)"
            )
        git_out(repo, "tag", version, commit)
        created.append(version)
    return created


def published_tags(repo: Path) -> set[str]:
    """The tags ``origin`` has (empty without an ``origin`` or when it cannot be reached)."""
    try:
        listing = git(repo, "ls-remote", "--tags", "--refs", "origin", check=False)
    except subprocess.TimeoutExpired:
        return set()
    return {line.rsplit("refs/tags/", 1)[1] for line in listing.stdout.splitlines() if "refs/tags/" in line}


def fleet_fields(line: str) -> list[str]:
    """The fields of one fleet-file line (``URL-or-path [folder]``), its ``#`` comment left out."""
    return re.sub(r"(^|\s)#.*$", "", line).split()


def fleet_entries(path: Path) -> list[str]:
    """The entries of a fleet file, blank and comment lines left out, fields joined by one space.

    Raises:
        OSError: the file cannot be read.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    return [" ".join(fields) for fields in map(fleet_fields, lines) if fields]


def fleet_digest(path: Path) -> str:
    """SHA-256 (hex) of a fleet file's entries, comments and layout left out: what a rehearsal
    record names its fleet by."""
    return hashlib.sha256("\n".join(fleet_entries(path)).encode()).hexdigest()


#: A line of a release's CHANGELOG section that accepts what the release costs a crate's benchmark
#: (``fleet.py rehearse --benches``: gate 5 red): ``Bench-Accepted: <crate, or *> <benchmark> <reason>``.
BENCH_ACCEPTED = re.compile(
    r"Bench-Accepted: `?(?P<crate>[^\s`]+)`? `?(?P<benchmark>[^\s`]+)`? +(?P<reason>\S.*)$", re.M
)


def accepted_costs(repo: Path, version: str, commit: str) -> set[tuple[str, str]]:
    """The ``(crate, benchmark)`` pairs whose slowdown ``version``'s CHANGELOG section (as of
    ``commit``) accepts; crate ``*`` stands for every crate."""
    changelog = git_out(repo, "show", f"{commit}:CHANGELOG.md")
    notes = dict(changelog_sections(changelog)).get(version, "")
    return {(match["crate"], match["benchmark"]) for match in BENCH_ACCEPTED.finditer(notes)}


def not_clean(row: dict[str, Any], accepted: set[tuple[str, str]]) -> bool:
    """Whether a rehearsal row stops the tag: any result but clean, except gate 5 red where the
    release notes accept every benchmark it slowed."""
    if row.get("result") == "clean":
        return False
    if row.get("result") != "gate 5 red":
        return True
    slower = {bench["benchmark"] for bench in row.get("benches", []) if bench.get("verdict") == "REGRESSION"}
    return not slower or any({(row["crate"], name), ("*", name)}.isdisjoint(accepted) for name in slower)


def rehearsal_problem(repo: Path, version: str, commit: str, fleet: Path, rehearsal: Path) -> str | None:
    """Why ``version`` (at ``commit``) must not be tagged yet, or None: the last rehearsal is
    missing, ran on another fleet or another tree, or left a crate not clean (a crate whose
    benchmarks the release slows is clean where the release's notes accept each of them)."""
    if not rehearsal.is_file():
        return (
            f"{version}: no rehearsal on the recorded fleet; "
            f"run `python scripts/fleet.py rehearse {fleet.name} --to {commit[:12]}`"
        )
    record = json.loads(rehearsal.read_text(encoding="utf-8"))
    tree = git_out(repo, "rev-parse", f"{commit}^{{tree}}").strip()
    if record.get("tree") != tree:
        return (
            f"{version}: the last rehearsal ({record.get('finished', '?')}) ran on another template tree; "
            f"run `python scripts/fleet.py rehearse {fleet.name} --to {commit[:12]}`"
        )
    if record.get("fleet_sha256") != fleet_digest(fleet):
        return f"{version}: the last rehearsal ran on another fleet ({record.get('fleet')}); rehearse {fleet.name}"
    if not record.get("clean"):
        accepted = accepted_costs(repo, version, commit)
        red = [f"{row['crate']} ({row['result']})" for row in record.get("crates", []) if not_clean(row, accepted)]
        if red:
            return (
                f"{version}: the last rehearsal left crates not clean: {', '.join(red)}; fix them, accept a "
                "slower benchmark in the release's CHANGELOG section (Bench-Accepted: <crate> <benchmark> "
                "<reason>), or tag with --force"
            )
    return None


def main(argv: list[str] | None = None) -> int:
    """Run ``check`` or ``tag``; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="releases.toml, CHANGELOG.md and the local tags agree")
    tag_parser = commands.add_parser("tag", help="create the missing tags from releases.toml (then push them)")
    tag_parser.add_argument("--force", action="store_true", help="tag without a clean rehearsal on fleet.txt")
    args = parser.parse_args(argv)
    try:
        releases = load_releases()
        changelog = CHANGELOG_FILE.read_text(encoding="utf-8")
        if args.command == "tag":
            if FLEET_FILE.is_file() and not args.force:
                existing, published = local_tags(REPO), published_tags(REPO)
                for version, commit in releases.items():
                    if version in existing or version in published:
                        continue
                    problem = rehearsal_problem(REPO, version, commit, FLEET_FILE, REHEARSAL_FILE)
                    if problem:
                        print(f"release.py: {problem}", file=sys.stderr)
                        return 1
            has_origin, published = "origin" in git_out(REPO, "remote").split(), published_tags(REPO)
            for version in tag_releases(REPO, releases):
                if version in published:
                    after = "origin has it already"
                elif has_origin:
                    after = f"push with: git push origin {version}"
                else:
                    after = "local only (no remote 'origin')"
                print(f"tagged {version} at {releases[version][:12]}; {after}")
        found = problems(releases, changelog, local_tags(REPO))
    except (OSError, ValueError, subprocess.SubprocessError) as error:  # git failed or timed out
        print(f"release.py: {error}", file=sys.stderr)
        return 1
    for line in found:
        print(f"release.py: {line}", file=sys.stderr)
    if not found:
        upcoming = upcoming_version(changelog, releases)
        print(
            f"release.py: {len(releases)} release(s), latest {list(releases)[-1] if releases else 'none'}"
            + (f"; upcoming {upcoming}" if upcoming else "")
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
