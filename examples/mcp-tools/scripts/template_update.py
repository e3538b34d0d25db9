#!/usr/bin/env python3
"""Update this crate from its copier template: what the template-update workflow runs, and what a
maintainer runs locally (with the Python copier is installed in; needs git and cargo).

    python3 scripts/template_update.py                 # to the template's newest release
    python3 scripts/template_update.py --to 0.3.0      # to one release
    python3 scripts/template_update.py --no-gates      # skip gates 1-4 on the result
    python3 scripts/template_update.py --api-check     # also compare the library's public API
    python3 scripts/template_update.py --commit-conflicts  # commit a conflicted update, markers and all

Steps: refuse a dirty work tree; a crate generated from a commit between releases (or from a clone
without tags) counts as the release that commit descends from; ask the template for its releases
(``git ls-remote --tags`` on the answers file's ``_src_path``) and ``copier check-update`` for the
newest; nothing to do: exit 0, nothing written. Otherwise ``copier update --trust --defaults
--skip-answered --conflict inline --vcs-ref <version>``, then look for conflicts the way copier
leaves them (unmerged index entries, inline ``<<<<<<< before updating`` markers, ``.rej`` files):
any → every file named, nothing committed (``--commit-conflicts``: committed with the markers,
for a draft pull request that stays visible until a person resolves it), exit 3. Then gates 1-4
(``scripts/gates.sh build|lint|fmt|test``) on the updated tree; with ``--api-check``, the
library's public API before and after, compared by cargo-semver-checks (``check-release
--baseline-rev <the commit before> --release-type minor``: the field's semver linter, on stable
Rust; it builds the crate as the gates do; not installed: said, not failed); one commit on the
current branch; and a pull-request body (``--body``): a first line naming the public items the
update breaks and the version the crate's next release needs, the template's CHANGELOG sections
between the old and the new version, the gates' results and the API check's.

Exit codes: 0 updated and gates green, or already up to date; 1 a command failed; 2 bad input (a
version that is not a release, a downgrade, a dirty tree); 3 conflicts (the tree is left as copier
wrote it, for you to resolve); 4 updated and committed, but a gate failed. In GitHub Actions it also
writes ``result`` (up-to-date|updated|conflicts), ``from``, ``to``, ``gates`` (pass|fail|skipped)
and ``api`` (breaking|compatible|unchecked) to ``$GITHUB_OUTPUT``, and the report to the job
summary. Environment: ``COPIER`` (copier command, default ``copier``), ``CRATE_DIR`` (default:
this script's crate).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.version import Version

PROG = "template-update"
ANSWERS_FILE = ".copier-answers.yml"
GATES = ("build", "lint", "fmt", "test")
#: A release tag: what copier compares as a PEP 440 version (plain X.Y.Z here).
RELEASE_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
#: A CHANGELOG section heading: ``## [0.2.0] - 2026-11-22`` (Keep a Changelog).
SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\](?P<rest>.*)$", re.MULTILINE)
#: What `copier update --conflict inline` writes into a conflicted file.
MARKERS = re.compile(r"^(<<<<<<< |>>>>>>> )", re.MULTILINE)
#: A failed lint in cargo-semver-checks' report: ``--- failure enum_variant_missing: pub enum variant removed ---``.
SEMVER_LINT = re.compile(r"^--- failure (?P<lint>\S+): (?P<what>.*) ---$", re.MULTILINE)
#: Where an item of a ``Failed in:`` list names its file (the item is what comes before).
SEMVER_WHERE = re.compile(r",? (?:previously )?in (?:file )?/\S*$")
#: Its summary when a lint failed: ``Summary semver requires new major version: 4 major and 0 minor checks failed``.
SEMVER_SUMMARY = re.compile(r"semver requires new (?P<bump>major|minor) version")


class UpdateError(Exception):
    """A failure with one line for the user and the exit code it maps to."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ApiCheck:
    """What cargo-semver-checks found comparing the library's public API before and after the update."""

    checked: bool
    #: Why it was not checked (``checked`` False), else the tool's version.
    note: str
    #: The crate's version, and the one its next release needs (empty: the API stays compatible).
    version: str = ""
    next_version: str = ""
    #: ``(lint, what it finds, items)`` per failed lint, in the tool's order.
    lints: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def state(self) -> str:
        """``breaking``, ``compatible`` or ``unchecked``."""
        if not self.checked:
            return "unchecked"
        return "breaking" if self.lints else "compatible"

    @property
    def items(self) -> list[str]:
        """Every item a failed lint names, each once, in order."""
        return list(dict.fromkeys(item for _, _, items in self.lints for item in items))


@dataclass
class Report:
    """What happened, for the terminal, the pull-request body and ``$GITHUB_OUTPUT``."""

    result: str
    old: str
    new: str
    src: str
    changelog: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    gates: list[tuple[str, bool, float]] = field(default_factory=list)
    committed: bool = False
    api: ApiCheck | None = None

    @property
    def gates_state(self) -> str:
        """``pass``, ``fail`` or ``skipped``."""
        if not self.gates:
            return "skipped"
        return "pass" if all(ok for _, ok, _ in self.gates) else "fail"


def version_key(version: str) -> Version:
    """Return the comparable version of a release tag ``X.Y.Z`` (PEP 440, as copier compares).

    Raises:
        UpdateError: ``version`` is not ``X.Y.Z`` (code 2).
    """
    from packaging.version import Version  # copier's own dependency

    if not RELEASE_TAG.match(version):
        raise UpdateError(f"'{version}' is not a release version (X.Y.Z)", 2)
    return Version(version)


def read_answers(path: Path) -> dict[str, str]:
    """Return the top-level scalar answers of a copier answers file (``_commit``, ``_src_path``, …)
    as strings; lists and nested values are left out. Read with PyYAML, which copier brings: run
    this script with the Python copier is installed in.

    Raises:
        UpdateError: the file is missing or unreadable, PyYAML is missing, or the file records no
            ``_src_path``/``_commit`` (code 2).
    """
    if not path.is_file():
        raise UpdateError(f"{path.name} not found: this crate was not generated by copier", 2)
    try:
        import yaml
    except ImportError as error:
        raise UpdateError(
            "PyYAML is missing: run this script with the Python that has copier (e.g. ~/.venvs/copier/bin/python)", 2
        ) from error
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise UpdateError(f"{path.name} is not valid YAML: {error}", 2) from error
    answers = {str(key): str(value) for key, value in loaded.items() if not isinstance(value, (list, dict))}
    for key in ("_src_path", "_commit"):
        if key not in answers:
            raise UpdateError(f"{path.name} records no {key}; `copier update` cannot work", 2)
    return answers


def base_release(src: str, commit: str, cwd: Path) -> str:
    """Return the newest release the template commit ``commit`` descends from: the version of a
    crate generated from a commit between releases (or from a clone without tags).

    Raises:
        UpdateError: the commit is not in the template (a crate rendered from uncommitted
            changes), or no release precedes it (code 2).
    """
    with tempfile.TemporaryDirectory(prefix="template-history-") as tmp:
        run(["git", "clone", "--quiet", "--no-checkout", "--filter=blob:none", src, tmp], Path(tmp))
        commit_hash = commit.rsplit("-g", 1)[-1]  # git describe's form, 0.2.0-26-g46bc06e
        described = run(
            ["git", "describe", "--tags", "--abbrev=0", "--match", "[0-9]*.[0-9]*.[0-9]*", commit_hash],
            Path(tmp),
            check=False,
        )
        if described.returncode != 0 or not RELEASE_TAG.match(described.stdout.strip()):
            raise UpdateError(
                f"this crate records template version '{commit}', which no release of the "
                "template precedes (or which is no commit of it: generated from uncommitted "
                "changes?); update it once by hand: `copier update --trust --defaults "
                "--vcs-ref <release>`",
                2,
            )
        return described.stdout.strip()


def run(cmd: list[str], cwd: Path, check: bool = True, capture: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in ``cwd``.

    Raises:
        UpdateError: the command is missing, or exits non-zero when ``check`` (code 1).
    """
    try:
        completed = subprocess.run(cmd, cwd=cwd, capture_output=capture, text=True, check=False)
    except FileNotFoundError as error:
        raise UpdateError(f"{cmd[0]} is not installed ({error.strerror})") from error
    if check and completed.returncode != 0:
        tail = (completed.stderr or completed.stdout or "").strip().splitlines()[-1:] if capture else []
        raise UpdateError(f"`{shlex.join(cmd)}` exited {completed.returncode}" + (f": {tail[0]}" if tail else ""))
    return completed


def release_tags(src: str, cwd: Path) -> list[str]:
    """Return the template's release tags (``X.Y.Z``), oldest first.

    Raises:
        UpdateError: the template repository cannot be read (code 1).
    """
    listing = run(["git", "ls-remote", "--tags", "--refs", src], cwd).stdout
    tags = [line.split("refs/tags/", 1)[1] for line in listing.splitlines() if "refs/tags/" in line]
    return sorted((tag for tag in tags if RELEASE_TAG.match(tag)), key=version_key)


def choose_target(requested: str | None, current: str, tags: list[str], latest: str | None) -> str | None:
    """Return the version to update to, or None when the crate is already there.

    ``requested`` is the ``--to`` version (None: the newest release, ``latest`` from
    ``copier check-update``).

    Raises:
        UpdateError: ``requested`` is not a release of the template, or older than ``current``
            (code 2).
    """
    if requested is None:
        if latest is None or version_key(latest) <= version_key(current):
            return None
        return latest
    if requested not in tags:
        known = ", ".join(tags) or "none"
        raise UpdateError(f"--to {requested}: no such release of the template (releases: {known})", 2)
    if version_key(requested) < version_key(current):
        raise UpdateError(
            f"--to {requested}: older than this crate's template version {current}; copier does not downgrade", 2
        )
    return None if requested == current else requested


def changelog_sections(text: str) -> list[tuple[str, str]]:
    """Split a Keep-a-Changelog text into ``(version, section text)`` pairs, in file order.

    The section text starts with its ``## [version]`` heading and ends before the next one.
    """
    matches = list(SECTION.finditer(text))
    sections = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        sections.append((match.group("version"), text[match.start() : end].rstrip() + "\n"))
    return sections


def sections_between(sections: list[tuple[str, str]], old: str, new: str) -> list[tuple[str, str]]:
    """Return the sections of the releases after ``old`` up to and including ``new``, newest first."""
    low, high = version_key(old), version_key(new)
    return [
        (version, body)
        for version, body in sections
        if RELEASE_TAG.match(version) and low < version_key(version) <= high
    ]


def template_changelog(src: str, version: str) -> str:
    """Return the template's CHANGELOG.md at ``version`` (a throwaway clone without checkout).

    Raises:
        UpdateError: the clone fails, or the template has no CHANGELOG.md there (code 1).
    """
    with tempfile.TemporaryDirectory(prefix="template-changelog-") as tmp:
        run(["git", "clone", "--quiet", "--no-checkout", "--filter=blob:none", src, tmp], Path(tmp))
        return run(["git", "show", f"{version}:CHANGELOG.md"], Path(tmp)).stdout


def find_conflicts(crate: Path) -> list[str]:
    """Return every file copier left conflicted: unmerged index entries, inline markers in
    changed or new files, and ``.rej`` files; sorted, each once."""
    unmerged = run(["git", "ls-files", "--unmerged"], crate).stdout
    found = {line.split("\t", 1)[1] for line in unmerged.splitlines() if "\t" in line}
    changed = run(["git", "diff", "--name-only", "--relative", "HEAD"], crate).stdout.splitlines()
    untracked = run(["git", "ls-files", "--others", "--exclude-standard"], crate).stdout.splitlines()
    for name in {*changed, *untracked}:
        path = crate / name
        if name.endswith(".rej"):
            found.add(name)
        elif path.is_file():
            if MARKERS.search(path.read_text(encoding="utf-8", errors="replace")):
                found.add(name)
    return sorted(found)


def run_gates(crate: Path) -> list[tuple[str, bool, float]]:
    """Run gates 1-4 through ``scripts/gates.sh``, each even when an earlier one failed; return
    ``(gate, passed, seconds)`` per gate."""
    results = []
    for gate in GATES:
        started = time.monotonic()
        completed = subprocess.run(["bash", "scripts/gates.sh", gate], cwd=crate, check=False)
        results.append((gate, completed.returncode == 0, time.monotonic() - started))
    return results


def check_api(crate: Path, baseline: str) -> ApiCheck:
    """Compare the public API of the crate's library at git revision ``baseline`` (before the
    update) with the work tree's, by ``cargo semver-checks check-release --release-type minor``:
    every lint that fails is a change a semver-compatible release may not make. Builds rustdoc JSON
    of both (in ``target/semver-checks``); needs no network once the dependencies are fetched.

    Never raises: a crate without a library target, a missing tool or a tool failure is an
    unchecked result that says why.
    """
    version = subprocess.run(
        ["cargo", "semver-checks", "--version"], cwd=crate, capture_output=True, text=True, check=False
    )
    if version.returncode != 0:
        return ApiCheck(False, "cargo-semver-checks is not installed (`cargo install cargo-semver-checks --locked`)")
    manifest = (crate / "Cargo.toml").resolve()
    metadata = run(["cargo", "metadata", "--no-deps", "--format-version", "1", "--manifest-path", str(manifest)], crate)
    packages = [
        package for package in json.loads(metadata.stdout)["packages"] if Path(package["manifest_path"]) == manifest
    ]
    # Before 0.4.0 a library with Python bindings was ["cdylib", "rlib"]: the rlib is the Rust API.
    if not packages or not any({"lib", "rlib"} & set(target["kind"]) for target in packages[0]["targets"]):
        return ApiCheck(False, "the package has no library target")
    package = packages[0]
    completed = subprocess.run(
        ["cargo", "semver-checks", "check-release", "--manifest-path", str(manifest), "--package", package["name"]]
        + ["--baseline-rev", baseline, "--release-type", "minor", "--color", "never"],
        cwd=crate,
        capture_output=True,
        text=True,
        check=False,
    )
    tool = version.stdout.strip()
    if completed.returncode == 0:
        return ApiCheck(True, tool, package["version"])
    lints = semver_lints(completed.stdout)
    if not lints or not SEMVER_SUMMARY.search(completed.stderr):
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ["no output"]
        return ApiCheck(False, f"{tool} exited {completed.returncode}: {tail[0].strip()}")
    return ApiCheck(True, tool, package["version"], next_breaking(package["version"]), lints)


def semver_lints(report: str) -> list[tuple[str, str, list[str]]]:
    """Return ``(lint, what it finds, items)`` for each failed lint in cargo-semver-checks'
    report (its standard output), the items without their file names, each once."""
    found = []
    matches = list(SEMVER_LINT.finditer(report))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(report)
        block = report[match.end() : end].split("\nFailed in:\n", 1)
        items = block[1].split("\n\n", 1)[0].splitlines() if len(block) == 2 else []
        names = [SEMVER_WHERE.sub("", item.strip()) for item in items if item.strip()]
        found.append((match.group("lint"), match.group("what"), list(dict.fromkeys(names))))
    return found


def next_breaking(version: str) -> str:
    """Return the version after ``version`` that may break its API: the next major, or below
    1.0 the next minor (Cargo's semver rules), e.g. ``1.4.2`` -> ``2.0.0``, ``0.1.0`` -> ``0.2.0``."""
    major, minor, patch = (int(part) for part in re.split(r"[.+-]", version)[:3])
    if major:
        return f"{major + 1}.0.0"
    return f"0.{minor + 1}.0" if minor else f"0.0.{patch + 1}"


def code_spans(text: str) -> str:
    """Return ``text`` with each Rust path in it (a word with ``::``) as Markdown code."""
    return re.sub(r"[\w:<>]*::[\w:<>]*", lambda match: f"`{match.group(0)}`", text)


def api_banner(api: ApiCheck, limit: int = 6) -> str:
    """Return the pull request's one-line opening for an update that breaks the library's API."""
    items = api.items
    named = "; ".join(code_spans(item) for item in items[:limit])
    more = f"; and {len(items) - limit} more (below)" if len(items) > limit else ""
    rule = " (below 1.0 the minor version is the breaking one)" if api.version.startswith("0.") else ""
    return (
        f"**Breaking change of this crate's public API:** {named}{more}. Release the crate next as "
        f"**{api.next_version}**, not a compatible bump of {api.version}{rule}."
    )


def api_section(api: ApiCheck) -> list[str]:
    """Return the body's section on the library's public API (Markdown lines)."""
    lines = ["## Public API of the library", ""]
    if not api.checked:
        return [*lines, f"Not checked: {api.note}.", ""]
    if not api.lints:
        return [
            *lines,
            f"No breaking change: {api.note} finds the API of the updated crate compatible with its last.",
            "",
        ]
    lines += [
        f"{api.note} (`check-release --release-type minor` against the crate before this update): a release "
        f"after this update must be {api.next_version}.",
        "",
    ]
    for lint, what, items in api.lints:
        lines.append(f"- `{lint}` ({what}): " + "; ".join(code_spans(item) for item in items))
    return [*lines, ""]


def render_body(report: Report) -> str:
    """Return the pull-request body (Markdown) for ``report``."""
    lines = [api_banner(report.api), ""] if report.api and report.api.state == "breaking" else []
    lines += [
        f"Updates this crate from template version **{report.old}** to **{report.new}** "
        f"(`{report.src}`), with `copier update --trust --defaults --skip-answered "
        f"--vcs-ref {report.new}`.",
        "",
    ]
    if report.conflicts:
        if report.committed:
            heading, where = "Conflicts: this pull request needs a person", "this branch holds them with"
            finish = (
                "To finish: `git fetch origin template-update && git switch template-update`, edit "
                "each file to what it should be (`git diff --check HEAD~1` finds leftover markers), "
                "`scripts/gates.sh build && scripts/gates.sh lint && scripts/gates.sh test`, commit, "
                "`git push`, then mark this pull request ready for review. The weekly run leaves a "
                "branch you pushed to alone."
            )
        else:
            heading, where = "Conflicts", "nothing was committed; each file holds"
            finish = (
                f"Resolve them locally: run `python3 scripts/template_update.py --to {report.new}`, "
                "edit each file, `git add` it, then commit."
            )
        lines += [
            f"## {heading}",
            "",
            f"`copier update` could not merge these files with this crate's own edits; {where} "
            "`<<<<<<< before updating` … `>>>>>>> after updating` markers (or a `.rej` file), and "
            "gates 1-4 did not run:",
            "",
            *[f"- `{name}`" for name in report.conflicts],
            "",
            finish,
            "",
        ]
    if report.gates:
        lines += ["## Gates 1-4 on the updated crate", "", "| gate | result | time |", "|---|---|---:|"]
        lines += [
            f"| `scripts/gates.sh {gate}` | {'pass' if ok else '**FAIL**'} | {seconds:.0f} s |"
            for gate, ok, seconds in report.gates
        ]
        lines.append("")
        if report.gates_state == "fail":
            lines += ["A gate failed: push the fixes to this branch before merging.", ""]
    if report.api:
        lines += api_section(report.api)
    lines += ["## What changes in your crate", ""]
    if report.changelog:
        for version, body in report.changelog:
            lines += [release_heading(version, body), "", crate_changes(body), ""]
    else:
        lines += ["The template's CHANGELOG has no section for these versions.", ""]
    return "\n".join(lines)


def release_heading(version: str, section: str) -> str:
    """Return a CHANGELOG section's heading one level down (``### 0.3.0 - 2026-12-04``)."""
    match = SECTION.match(section)
    return f"### {version}{match.group('rest') if match else ''}"


def crate_changes(section: str) -> str:
    """Return the "What changes in your crate" part of a CHANGELOG section without its heading
    (the part written for crate maintainers; the template's own notes stay in the CHANGELOG)."""
    parts = re.split(r"^### (.*)$", section, flags=re.MULTILINE)
    for heading, text in zip(parts[1::2], parts[2::2], strict=True):
        if heading.strip() == "What changes in your crate":
            return text.strip()
    return "Nothing, according to the template's CHANGELOG."


def github_output(report: Report) -> None:
    """Write the step outputs and the job summary when running in GitHub Actions."""
    if output := os.environ.get("GITHUB_OUTPUT"):
        with open(output, "a", encoding="utf-8") as out:
            api = report.api.state if report.api else "unchecked"
            out.write(
                f"result={report.result}\nfrom={report.old}\nto={report.new}\ngates={report.gates_state}\napi={api}\n"
            )
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as out:
            out.write(
                render_body(report)
                if report.result != "up-to-date"
                else f"Already on the template's newest release, {report.old}.\n"
            )


def update(
    crate: Path,
    requested: str | None,
    gates: bool,
    body: Path | None,
    commit_conflicts: bool = False,
    api_check: bool = False,
) -> int:
    """Update ``crate`` and return the exit code (see the module docstring).

    Raises:
        UpdateError: bad input or a failed command.
    """
    copier = shlex.split(os.environ.get("COPIER", "copier"))
    if shutil.which(copier[0]) is None:
        raise UpdateError(
            f"{copier[0]} not found: install copier, copier-template-extensions and tomlkit "
            "(see CONTRIBUTING.md's 'Keeping up with the template')"
        )
    if run(["git", "status", "--porcelain"], crate).stdout.strip():
        raise UpdateError("the work tree has uncommitted changes: commit or stash them first", 2)
    answers = read_answers(crate / ANSWERS_FILE)
    src, recorded = answers["_src_path"], answers["_commit"]
    # A crate generated between releases (or from a clone without tags) updates from the release
    # its commit descends from.
    current = recorded if RELEASE_TAG.match(recorded) else base_release(src, recorded, crate)
    tags = release_tags(src, crate)
    check = json.loads(run([*copier, "check-update", "--output-format", "json"], crate).stdout)
    target = choose_target(requested, current, tags, check.get("latest_version"))
    report = Report("up-to-date", current, target or current, src)
    if target is None:
        print(f"{PROG}: already on template version {recorded}; nothing to do")
        github_output(report)
        return 0

    print(f"{PROG}: updating from template version {current} to {target}", flush=True)
    before = run(["git", "rev-parse", "HEAD"], crate).stdout.strip()
    run(
        [*copier, "update", "--trust", "--defaults", "--skip-answered", "--conflict", "inline", "--vcs-ref", target],
        crate,
        capture=False,
    )
    report.changelog = sections_between(changelog_sections(template_changelog(src, target)), current, target)
    report.conflicts = find_conflicts(crate)
    if report.conflicts:
        report.result = "conflicts"
        for name in report.conflicts:
            print(f"{PROG}: conflict in {name}", file=sys.stderr)
        if commit_conflicts:
            run(["git", "add", "--all"], crate)
            message = f"chore: update from template {current} to {target}: conflicts to resolve"
            run(["git", "commit", "--quiet", "--no-verify", "-m", message], crate)
            report.committed = True
            print(f"{PROG}: {len(report.conflicts)} conflicted file(s), committed with their markers", file=sys.stderr)
        else:
            print(
                f"{PROG}: {len(report.conflicts)} conflicted file(s), nothing committed: resolve the "
                "markers, `git add` the files, then commit",
                file=sys.stderr,
            )
    else:
        report.result = "updated"
        if gates:
            report.gates = run_gates(crate)
        if api_check:
            report.api = check_api(crate, before)
            print(f"{PROG}: public API: {report.api.state}" + ("" if report.api.checked else f" ({report.api.note})"))
            if report.api.state == "breaking":
                print(f"{PROG}: {len(report.api.items)} public item(s) break; next release: {report.api.next_version}")
        run(["git", "add", "--all"], crate)
        origin = current if recorded == current else f"{recorded} (after {current})"
        run(
            ["git", "commit", "--quiet", "--no-verify", "-m", f"chore: update from template {origin} to {target}"],
            crate,
        )
        print(f"{PROG}: committed the update to {target}; gates 1-4: {report.gates_state}")
    if body is not None:
        body.parent.mkdir(parents=True, exist_ok=True)
        body.write_text(render_body(report), encoding="utf-8")
        print(f"{PROG}: pull-request body written to {body}")
    github_output(report)
    if report.conflicts:
        return 3
    return 4 if report.gates_state == "fail" else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the update, and map errors to one line and an exit code."""
    parser = argparse.ArgumentParser(prog="template_update.py", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--to", metavar="VERSION", help="release to update to (default: the newest)")
    parser.add_argument("--no-gates", action="store_true", help="do not run gates 1-4 on the result")
    parser.add_argument("--body", type=Path, help="write the pull-request body (Markdown) here")
    parser.add_argument(
        "--api-check",
        action="store_true",
        help="compare the library's public API before and after (cargo-semver-checks)",
    )
    parser.add_argument(
        "--commit-conflicts", action="store_true", help="commit a conflicted update with its markers (exit 3 still)"
    )
    args = parser.parse_args(argv)
    crate = Path(os.environ.get("CRATE_DIR") or Path(__file__).resolve().parent.parent)
    requested = args.to.strip() if args.to and args.to.strip() else None
    try:
        return update(crate, requested, not args.no_gates, args.body, args.commit_conflicts, args.api_check)
    except UpdateError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.code


if __name__ == "__main__":
    sys.exit(main())
