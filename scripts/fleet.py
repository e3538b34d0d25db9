#!/usr/bin/env python3
"""The crates made from this template, seen from here: which lag, and what the next release does
to each of them before it is tagged.

    python scripts/fleet.py status FLEET [--json]            # version, lag, drift, update branch
    python scripts/fleet.py rehearse FLEET [--to REF] [--jobs N] [--json] [--keep DIR] [--benches]
    python scripts/fleet.py list FLEET                  # the entries as JSON (a CI matrix)
    python scripts/fleet.py table ROWS.json...          # rehearsal rows (--json) joined in one table

FLEET is a text file, one crate a line: a git URL or a local path, then optionally the crate's
folder inside that repository (a workspace member: ``git@host:team/tools.git crates/indexer``);
``#`` starts a comment. ``fleet.txt`` at this repository's root is the recorded fleet that
``scripts/release.py tag`` checks.

``status`` reads each crate's default branch without a checkout (a shallow, blob-less clone and
the few files it needs): kind, stack, template version, releases behind the newest in
``releases.toml``, drift (the crate's policy-owned manifest entries against what its recorded
template version renders with its answers: a team that edited them is headed for a conflict), and
the ``template-update`` branch with its pull request, when the host publishes ``refs/pull/*``.
An unreadable crate is a row with the reason.

``rehearse`` makes the upcoming release from this work tree (or ``--to`` a release or commit),
then for each crate: a throwaway clone pointed at that release, the crate's own update path
(``scripts/template_update.py --no-gates``, or the copier command for crates older than the
script), then gates 1-4 (``scripts/gates.sh build|lint|fmt|test``), the crates in parallel
(``--jobs``) with one shared cargo target dir (``--target-dir``; cargo's lock serialises the
builds that share it; a second crate of the same package name builds in its own). Each crate
ends clean, conflict (the files), gate N red (its first lines), or skipped (why). With
``--benches``, a crate clean after gates 1-4 runs gate 5 against itself before the update: the
release's cost in instruction counts and estimated cycles, per benchmark (``gate 5 red`` when one
rises above the crate's threshold; ``release.py tag`` accepts that only where the release's
CHANGELOG section says ``Bench-Accepted: <crate> <benchmark> <reason>``). The result is
recorded in ``.rehearsal/last.json`` for ``release.py tag``.

Exit codes: 0 every crate clean (``status``: every row readable), 1 a crate not clean (or a
row unreadable), 2 bad usage. Needs git, and copier in this Python (the test group of
``pyproject.toml``); ``rehearse`` needs cargo.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import release  # noqa: E402  (this folder's release tooling; it puts hooks/ on sys.path)
from gitrun import NO_PROMPT  # noqa: E402  (hooks/gitrun.py)
from gitrun import git as run_git  # noqa: E402

REPO = release.REPO
ANSWERS_FILE = ".copier-answers.yml"
UPDATE_BRANCH = "template-update"
GATES = ("build", "lint", "fmt", "test")
RECORD = REPO / ".rehearsal" / "last.json"
#: The manifest entries the template owns: a team's edit of one is headed for a conflict.
POLICY_TABLES = (
    ("workspace", "dependencies"),
    ("workspace", "lints"),
    ("target", "cfg(all())", "dependencies"),
    ("target", "cfg(all())", "dev-dependencies"),
)
#: Cargo's progress lines, left out of a red gate's first lines.
PROGRESS = re.compile(
    r"^\s*(Compiling|Checking|Downloaded|Downloading|Updating|Locking|Adding|Finished|Running|Blocking)\b"
)
#: Git runs without prompts: an unreadable crate is a row, never a hanging password prompt.
GIT_ENV = {**os.environ, **NO_PROMPT}
#: Seconds a command may take before the fleet tools stop it: git (a clone over the network
#: included), a copier render or update, one gate of a crate (a cold release build of a large one).
GIT_TIMEOUT, COPIER_TIMEOUT, GATE_TIMEOUT = 600, 1800, 3600
#: Gate 5 in a rehearsal: instruction counts and cycles decide; the wall-clock budget is the
#: crate's own CI's (off here), and criterion, which still runs, runs briefly.
REHEARSAL_BENCH_ENV = {
    "BENCH_BUDGET_MS": "0",
    "BENCH_ARGS": "--sample-size 10 --warm-up-time 0.1 --measurement-time 0.3",
}
#: What gate 5 needs on PATH besides cargo (bench_gate.py checks the runner's version itself).
BENCH_TOOLS = ("valgrind", "gungraun-runner")
#: git for the fleet tools: without prompts, stopped after ``GIT_TIMEOUT`` seconds.
git = functools.partial(run_git, timeout=GIT_TIMEOUT)


class FleetError(Exception):
    """Bad usage: one line for the user, exit code 2."""


@dataclass(frozen=True)
class Entry:
    """One line of a fleet file: a git URL or local path, and the crate's folder in it."""

    source: str
    subdir: str = ""

    @property
    def name(self) -> str:
        """The entry as written (source and folder)."""
        return f"{self.source} {self.subdir}".strip()


def is_url(source: str) -> bool:
    """Whether a fleet entry is a URL (``https://…``, ``git@host:path``) rather than a local path."""
    return "://" in source or re.match(r"^[\w.-]+@[\w.-]+:", source) is not None


def read_fleet(path: Path) -> list[Entry]:
    """Return the entries of the fleet file ``path``, in file order.

    Raises:
        FleetError: the file cannot be read, or a line has more than two fields.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FleetError(f"{path}: {error.strerror}") from error
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = release.fleet_fields(line)
        if len(fields) > 2:
            raise FleetError(f"{path}:{number}: expected 'URL-or-path [folder]', got {line.strip()!r}")
        if fields:
            source = fields[0]
            local = Path(source).expanduser()
            if not is_url(source) and not local.is_absolute():
                source = str((path.parent / local).resolve())  # relative to the fleet file
            entries.append(Entry(source, fields[1].strip("/") if len(fields) == 2 else ""))
    return entries


def local_problem(source: str) -> str:
    """Why a fleet entry naming a local path cannot be read (no such folder, not a git
    repository), or ``""`` (also for URLs, which only git can tell)."""
    if is_url(source):
        return ""
    path = Path(source)
    if not path.is_dir():
        return "no such folder"
    if git(path, "rev-parse", "--git-dir", check=False).returncode != 0:
        return "not a git repository"
    return ""


def last_line(error: subprocess.CalledProcessError) -> str:
    """The last non-empty line a failed command printed (its reason), or its exit status."""
    lines = [line for line in f"{error.stdout or ''}\n{error.stderr or ''}".splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit status {error.returncode}"


# --- versions ---------------------------------------------------------------------------------


def template_history(dest: Path) -> Path:
    """Clone this repository (its committed history) to ``dest`` with every release of
    ``releases.toml`` tagged; return ``dest``. Shared by the renders of ``status``."""
    git(dest.parent, "clone", "--quiet", "--no-checkout", str(REPO), str(dest))
    release.tag_releases(dest, release.load_releases())
    return dest


def recorded_version(commit: str, template: Path) -> tuple[str, str | None]:
    """Return ``(release, commit)`` for an answers file's ``_commit``: a release tag is itself;
    a commit between releases (``0.2.0-26-g46bc06e`` or a bare hash) is the release it descends
    from, and its hash; ``("?", None)`` when the template has no such commit."""
    if release.RELEASE_TAG.match(commit):
        known = git(template, "rev-parse", "--verify", "--quiet", f"refs/tags/{commit}", check=False)
        return (commit, commit) if known.returncode == 0 else (commit, None)
    commit_hash = commit.rsplit("-g", 1)[-1]
    described = git(
        template, "describe", "--tags", "--abbrev=0", "--match", "[0-9]*.[0-9]*.[0-9]*", commit_hash, check=False
    )
    found = described.stdout.strip()
    if described.returncode != 0 or not release.RELEASE_TAG.match(found):
        return "?", None
    return found, commit_hash


def releases_behind(version: str, releases: list[str]) -> int | None:
    """How many of ``releases`` are newer than ``version``; None for an unknown version."""
    if not release.RELEASE_TAG.match(version):
        return None
    key = release.version_key(version)
    return sum(1 for other in releases if release.version_key(other) > key)


# --- status -----------------------------------------------------------------------------------


@dataclass
class Status:
    """One row of ``status``."""

    crate: str
    source: str
    kind: str = ""
    stack: list[str] = field(default_factory=list)
    version: str = ""
    behind: int | None = None
    drift: list[str] = field(default_factory=list)
    update_branch: str = ""
    error: str = ""


def policy_entries(manifest: dict[str, Any]) -> dict[str, Any]:
    """Return the manifest's policy-owned entries as ``{"table.key": value}``."""
    entries = {}
    for path in POLICY_TABLES:
        table: Any = manifest
        for key in path:
            table = table.get(key, {}) if isinstance(table, dict) else {}
        for key, value in table.items():
            entries[f"{'.'.join(path)}.{key}"] = value
    return entries


def drift(crate: dict[str, Any], rendered: dict[str, Any]) -> list[str]:
    """Return the policy-owned entries of ``crate`` (a parsed manifest) that differ from
    ``rendered`` (the manifest its template version renders): edited, added or removed."""
    ours, theirs = policy_entries(crate), policy_entries(rendered)
    return sorted(key for key in {*ours, *theirs} if ours.get(key) != theirs.get(key))


def render_manifest(
    template: Path, commit: str, answers: dict[str, Any], scratch: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Render the template at ``commit`` with ``answers`` (user answers only) into ``scratch``
    and return its parsed ``Cargo.toml`` and, for a workspace member (rendered under a bare
    workspace root at the same depth), the root's as the copy left it (``{}`` otherwise): from
    0.4.0 the policy's entries are there.

    Raises:
        subprocess.CalledProcessError: copier failed.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    depth = len([part for part in str(answers.get("workspace_root", "")).split("/") if part == ".."])
    dest = scratch / "root" / Path(*(["member"] * depth)) if depth else scratch / "crate"
    if depth:
        (scratch / "root").mkdir(parents=True)
        (scratch / "root" / "Cargo.toml").write_text('[workspace]\nresolver = "3"\nmembers = []\n', encoding="utf-8")
    data = scratch / "answers.yml"
    data.write_text(yaml.safe_dump(answers), encoding="utf-8")
    copier = Path(sys.executable).with_name("copier")
    subprocess.run(
        [str(copier), "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", commit, "--data-file", str(data)]
        + [str(template), str(dest)],
        check=True,
        capture_output=True,
        text=True,
        env=GIT_ENV,
        timeout=COPIER_TIMEOUT,
    )
    root = tomllib.loads((scratch / "root" / "Cargo.toml").read_text(encoding="utf-8")) if depth else {}
    return tomllib.loads((dest / "Cargo.toml").read_text(encoding="utf-8")), root


def root_drift(root: dict[str, Any], rendered_root: dict[str, Any]) -> list[str]:
    """Return the policy's entries of a member's workspace root (those its template version puts
    into ``[workspace.dependencies]``) that differ there, as ``root:workspace.dependencies.<crate>``."""
    ours = root.get("workspace", {}).get("dependencies", {})
    theirs = rendered_root.get("workspace", {}).get("dependencies", {})
    return [f"root:workspace.dependencies.{key}" for key in sorted(theirs) if ours.get(key) != theirs[key]]


def update_branch(source: str) -> str:
    """``template-update`` (with ``PR #N`` when the host publishes pull-request refs and one
    points at the branch's head), or ``""`` when there is no such branch."""
    refs = git(Path.cwd(), "ls-remote", source, f"refs/heads/{UPDATE_BRANCH}", "refs/pull/*/head").stdout
    heads: dict[str, str] = {}
    for line in refs.splitlines():
        sha, _, ref = line.partition("\t")
        heads[ref] = sha
    branch = heads.get(f"refs/heads/{UPDATE_BRANCH}")
    if branch is None:
        return ""
    pulls = sorted(
        int(ref.split("/")[2]) for ref, sha in heads.items() if ref.startswith("refs/pull/") and sha == branch
    )
    return UPDATE_BRANCH + (f" (PR #{pulls[-1]})" if pulls else "")


def crate_status(entry: Entry, template: Path, releases: list[str], scratch: Path) -> Status:
    """Return the status row of one fleet entry; an unreadable one carries the reason."""
    row = Status(crate=entry.name, source=entry.name)
    prefix = f"{entry.subdir}/" if entry.subdir else ""
    if problem := local_problem(entry.source):
        row.error = problem
        return row
    try:
        clone = scratch / "clone"
        shallow = ["--depth", "1", "--filter=blob:none", "--no-checkout"]
        git(scratch, "clone", "--quiet", *shallow, entry.source, str(clone))
        shown = git(clone, "show", f"HEAD:{prefix}{ANSWERS_FILE}", check=False)
        if shown.returncode != 0:
            row.error = f"no {prefix}{ANSWERS_FILE}: not generated from a copier template"
            return row
        answers = yaml.safe_load(shown.stdout) or {}
        manifest = tomllib.loads(git(clone, "show", f"HEAD:{prefix}Cargo.toml").stdout)
        row.update_branch = update_branch(entry.source)
    except subprocess.CalledProcessError as error:
        row.error = last_line(error)
        return row
    except (yaml.YAMLError, tomllib.TOMLDecodeError, AttributeError) as error:
        row.error = f"unreadable {ANSWERS_FILE} or Cargo.toml: {str(error).splitlines()[0]}"
        return row
    if not isinstance(answers, dict) or "_commit" not in answers:
        row.error = f"{prefix}{ANSWERS_FILE} records no _commit"
        return row
    row.crate = str(answers.get("project_name", entry.name))
    row.kind = str(answers.get("crate_kind", "lib"))
    row.stack = [str(item) for item in answers.get("stack") or []]
    base, commit = recorded_version(str(answers["_commit"]), template)
    row.version = base if base == answers["_commit"] else f"{base} ({answers['_commit']})"
    row.behind = releases_behind(base, releases)
    if commit is None:
        row.error = f"template version {answers['_commit']} is no release or commit of this template"
        return row
    user_answers = {key: value for key, value in answers.items() if not str(key).startswith("_")}
    try:
        rendered, rendered_root = render_manifest(template, commit, user_answers, scratch / "render")
        row.drift = drift(manifest, rendered)
        if rendered_root:
            root_path = os.path.normpath(f"{prefix}{answers['workspace_root']}/Cargo.toml")
            root = tomllib.loads(git(clone, "show", f"HEAD:{root_path}").stdout)
            row.drift += root_drift(root, rendered_root)
    except subprocess.CalledProcessError as error:
        row.error = f"cannot render its template version: {last_line(error)}"
    except (OSError, tomllib.TOMLDecodeError) as error:
        row.error = f"cannot render its template version: {error}"
    return row


def status(entries: list[Entry], jobs: int) -> list[Status]:
    """Return one status row per entry, in fleet order (``jobs`` crates read at a time)."""
    releases = list(release.load_releases())
    with tempfile.TemporaryDirectory(prefix="fleet-status-") as tmp:
        template = template_history(Path(tmp) / "template")

        def one(index: int, entry: Entry) -> Status:
            scratch = Path(tmp) / str(index)
            scratch.mkdir()
            return crate_status(entry, template, releases, scratch)

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(one, range(len(entries)), entries))


def status_table(rows: list[Status]) -> str:
    """Return the rows as a Markdown table."""
    lines = [
        "| crate | kind | stack | template version | behind | drift | update branch |",
        "|---|---|---|---|---:|---|---|",
    ]
    for row in rows:
        if row.error and not row.version:
            lines.append(f"| {row.crate} | | | unreadable: {row.error} | | | |")
            continue
        drift_text = ", ".join(f"`{key}`" for key in row.drift) or "none"
        if row.error:
            drift_text = f"unknown: {row.error}"
        behind = "?" if row.behind is None else str(row.behind)
        lines.append(
            f"| {row.crate} | {row.kind} | {', '.join(row.stack) or '-'} | {row.version} | {behind} "
            f"| {drift_text} | {row.update_branch or '-'} |"
        )
    return "\n".join(lines)


# --- rehearse ---------------------------------------------------------------------------------


class Processes:
    """The commands a rehearsal runs, each in a process group of its own, so that ``Ctrl-C``
    (or SIGTERM) stops every one of them and what they started (cargo's rustc, copier's git)."""

    def __init__(self) -> None:
        self._live: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
        self.stopping = False

    def run(self, cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
        """Run ``cmd`` to completion; stdout and stderr merged into ``stdout``. After ``timeout``
        seconds its process group is killed, and its output starts with a line saying so (exit
        status -9).

        Starting and registering a command is one step under the lock that ``stop`` takes: a
        stop either finds the command to kill or keeps it from starting.

        Raises:
            KeyboardInterrupt: the rehearsal is being stopped.
        """
        with self._lock:
            if self.stopping:
                raise KeyboardInterrupt
            process = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            self._live.add(process)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill(process)
            output, _ = process.communicate()
            output = f"{Path(cmd[0]).name}: stopped after {timeout:g} s\n{output}"
        finally:
            with self._lock:
                self._live.discard(process)
        if self.stopping:
            raise KeyboardInterrupt
        return subprocess.CompletedProcess(cmd, process.returncode, output, "")

    def stop(self) -> None:
        """Kill every running command's process group; start no more."""
        with self._lock:
            self.stopping = True
            for process in self._live:
                self._kill(process)

    @staticmethod
    def _kill(process: subprocess.Popen[str]) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@dataclass
class Rehearsal:
    """One row of ``rehearse``: ``result`` is clean, conflict, gate N red, or skipped."""

    crate: str
    source: str
    result: str = "skipped"
    version: str = ""
    detail: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: With ``--benches``: gate 5's rows (bench_gate.py's ``BENCH_REPORT``): benchmark, metric,
    #: base (before the update), head, change_pct, threshold_pct, noise_pct, verdict.
    benches: list[dict[str, Any]] = field(default_factory=list)


def upcoming_template(dest: Path, ref: str | None) -> tuple[Path, str, str]:
    """Make the template the crates update to: a clone of this repository with every release
    tagged and, without ``ref``, this work tree committed on top (uncommitted edits included)
    and tagged as CHANGELOG's upcoming version. ``ref`` is a release (used as it is) or a commit
    (tagged as the upcoming version). Return ``(path, version, tree hash)``.

    Raises:
        FleetError: ``ref`` is no release or commit here, or no upcoming version is recorded.
    """
    releases = release.load_releases()
    git(dest.parent, "clone", "--quiet", str(REPO), str(dest))
    release.tag_releases(dest, releases)
    if ref in releases:
        version = ref
    else:
        try:
            version = release.upcoming_release()
        except ValueError as error:
            raise FleetError(f"{error}: pass --to <release>") from error
        if ref is None:
            git(dest, "rm", "-rq", "--ignore-unmatch", ".")
            release.copy_work_tree(dest)
            git(dest, "add", "-A")
            git(
                dest,
                "-c",
                "user.name=fleet",
                "-c",
                "user.email=fleet@localhost",
                "commit",
                "-q",
                "--allow-empty",
                "--no-gpg-sign",
                "-m",
                "the work tree, as the upcoming release",
            )
        else:
            found = git(dest, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
            if found.returncode != 0:
                raise FleetError(f"--to {ref}: no release in releases.toml and no commit of this repository")
            commit = found.stdout.strip()
            released = [name for name, released_commit in releases.items() if released_commit == commit]
            if released:  # a release's commit is that release (tagged above), not the upcoming one
                tree = git(dest, "rev-parse", f"{released[-1]}^{{tree}}").stdout.strip()
                return dest, released[-1], tree
            git(dest, "checkout", "-q", "--detach", commit)
        git(dest, "tag", version)
    tree = git(dest, "rev-parse", f"{version}^{{tree}}").stdout.strip()
    return dest, version, tree


def first_lines(output: str, count: int = 6) -> list[str]:
    """The first ``count`` lines of a red gate's output that say something (cargo's progress
    lines left out)."""
    return [line.rstrip() for line in output.splitlines() if line.strip() and not PROGRESS.match(line)][:count]


class SharedTarget:
    """The cargo target dir the crates share, and who uses it. Cargo names a path package's
    artifacts by package name and version, not by folder, so two crates of one name would take
    each other's builds for their own: the second of a name builds in a target dir of its own."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._names: set[str] = set()
        self._lock = threading.Lock()
        #: Held by a crate's gate 5: it runs `cargo clean --package <crate>`, and cargo removes
        #: every `hot_paths-*`/`instructions-*` binary of the dir by those names, another crate's
        #: between its build and its run included.
        self.bench_lock = threading.Lock()

    def for_crate(self, name: str, workdir: Path) -> Path:
        """The target dir for the crate ``name`` rehearsed under ``workdir``."""
        with self._lock:
            if self.path is None or name in self._names:
                return workdir / "target"
            self._names.add(name)
            return self.path


def release_cost(
    crate: Path, before: str, env: dict[str, str], procs: Processes, report: Path
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """Gate 5 of the updated ``crate`` with ``before`` (its commit before the update) as the base:
    what the release does to its instruction counts and estimated cycles.

    Returns:
        ``(result, detail, rows)``: ``clean``, ``gate 5 red`` (the benchmarks above the crate's
        thresholds) or ``gate 5 failed`` (nothing measured: its first lines), and the rows.
    """
    if not (crate / "benches" / "instructions.rs").is_file():
        return "clean", ["no instruction-count benchmarks: the release's cost not measured"], []
    bench_env = {**env, **REHEARSAL_BENCH_ENV, "BENCH_BASE": before, "BENCH_REPORT": str(report)}
    completed = procs.run(["bash", "scripts/gates.sh", "bench"], crate, bench_env, GATE_TIMEOUT)
    if not report.is_file():
        return "gate 5 failed", ["scripts/gates.sh bench", *first_lines(completed.stdout)], []
    verdict = json.loads(report.read_text(encoding="utf-8"))
    rows = list(verdict.get("rows", []))
    if completed.returncode == 0:
        return "clean", [], rows
    return "gate 5 red", list(verdict.get("failures") or first_lines(completed.stdout)), rows


def rehearse_one(
    entry: Entry,
    template: Path,
    version: str,
    workdir: Path,
    targets: SharedTarget,
    procs: Processes,
    benches: bool = False,
) -> Rehearsal:
    """Rehearse the update of one crate to ``version`` in a throwaway clone under ``workdir``;
    with ``benches``, gate 5 on a crate clean after gates 1-4 (:func:`release_cost`)."""
    row = Rehearsal(crate=entry.name, source=entry.name)
    started = time.monotonic()
    identity = {
        "GIT_AUTHOR_NAME": "fleet rehearsal", "GIT_AUTHOR_EMAIL": "fleet@localhost",
        "GIT_COMMITTER_NAME": "fleet rehearsal", "GIT_COMMITTER_EMAIL": "fleet@localhost",
    }  # fmt: skip
    env = {**GIT_ENV, **identity, "CARGO_TERM_COLOR": "never"}
    env["COPIER"] = str(Path(sys.executable).with_name("copier"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("CARGO_TARGET_DIR", None)
    try:
        if problem := local_problem(entry.source):
            row.detail = [problem]
            return row
        clone = workdir / "clone"
        cloned = procs.run(["git", "clone", "--quiet", entry.source, str(clone)], workdir, env, GIT_TIMEOUT)
        if cloned.returncode != 0:
            reason = (cloned.stdout.strip().splitlines() or [f"exit status {cloned.returncode}"])[-1]
            row.detail = [f"cannot clone: {reason}"]
            return row
        crate = clone / entry.subdir if entry.subdir else clone
        answers_path = crate / ANSWERS_FILE
        if not answers_path.is_file():
            row.detail = [f"no {ANSWERS_FILE}: not generated from a copier template"]
            return row
        answers = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
        row.crate = str(answers.get("project_name", entry.name))
        row.version = str(answers.get("_commit", "?"))
        env["CARGO_TARGET_DIR"] = str(targets.for_crate(row.crate, workdir))
        # The crate's recorded template (a URL the rehearsal must not touch) becomes the
        # rehearsal's; committed, because the update refuses a dirty tree.
        answers["_src_path"] = str(template)
        answers_path.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
        commit = ["git", "commit", "-qam", "rehearsal: the upcoming template", "--no-gpg-sign"]
        procs.run(commit, crate, env, GIT_TIMEOUT)
        before = procs.run(["git", "rev-parse", "HEAD"], crate, env, GIT_TIMEOUT).stdout.strip()
        env["CRATE_DIR"] = str(crate)
        script = crate / "scripts" / "template_update.py"
        if script.is_file():
            cmd = [sys.executable, str(script), "--to", version, "--no-gates"]
        else:  # older than the script: the command its README gives
            cmd = [env["COPIER"], "update", "--trust", "--defaults", "--skip-answered", "--conflict", "inline",
                   "--vcs-ref", version]  # fmt: skip
        updated = procs.run(cmd, crate, env, COPIER_TIMEOUT)
        conflicts = release.crate_update.find_conflicts(crate)
        if conflicts:
            row.result, row.detail = "conflict", conflicts
            return row
        if updated.returncode != 0:
            row.result, row.detail = "update failed", first_lines(updated.stdout)
            return row
        for number, gate in enumerate(GATES, 1):
            completed = procs.run(["bash", "scripts/gates.sh", gate], crate, env, GATE_TIMEOUT)
            if completed.returncode != 0:
                row.result = f"gate {number} red"
                row.detail = [f"scripts/gates.sh {gate}", *first_lines(completed.stdout)]
                return row
        row.result = "clean"
        if benches:
            # one crate's gate 5 at a time in a shared target dir (SharedTarget.bench_lock)
            with targets.bench_lock if targets.path else contextlib.nullcontext():
                row.result, row.detail, row.benches = release_cost(crate, before, env, procs, workdir / "gate-5.json")
        return row
    finally:
        row.seconds = round(time.monotonic() - started, 1)


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM handler: stop a rehearsal the way Ctrl-C does."""
    raise KeyboardInterrupt


def rehearse(
    entries: list[Entry],
    ref: str | None,
    jobs: int,
    target_dir: Path | None,
    keep: Path | None,
    benches: bool = False,
) -> tuple[list[Rehearsal], str, str]:
    """Rehearse the release on every entry; return the rows (fleet order), the version and the
    template tree rehearsed. ``target_dir`` None: one cargo target dir per crate. ``benches``:
    each clean crate's gate 5 against itself before the update, too.

    Raises:
        FleetError: bad ``ref``.
        KeyboardInterrupt: stopped; every command started was killed first.
    """
    procs = Processes()
    root = Path(tempfile.mkdtemp(prefix="fleet-rehearsal-")) if keep is None else keep
    root.mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        template, version, tree = upcoming_template(root / "template", ref)
        targets = SharedTarget(target_dir)

        def one(index: int, entry: Entry) -> Rehearsal:
            workdir = root / f"crate-{index:03d}"
            workdir.mkdir()
            return rehearse_one(entry, template, version, workdir, targets, procs, benches)

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = [pool.submit(one, index, entry) for index, entry in enumerate(entries)]
            rows = [future.result() for future in futures]
        except KeyboardInterrupt:
            procs.stop()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
        return rows, version, tree
    finally:
        signal.signal(signal.SIGTERM, previous)
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def rehearsal_table(rows: list[Rehearsal], version: str) -> str:
    """Return the rows as a Markdown table; after it, with gate 5's rows (``--benches``), what
    the release changes in each crate's benchmarks."""
    lines = [f"| crate | from | to {version} | details | time |", "|---|---|---|---|---:|"]
    for row in rows:
        detail = "<br>".join(f"`{line}`" for line in row.detail)
        lines.append(f"| {row.crate} | {row.version or '-'} | {row.result} | {detail} | {row.seconds:.0f} s |")
    return "\n".join(lines + bench_table(rows, version))


def bench_table(rows: list[Rehearsal], version: str) -> list[str]:
    """The lines of the release's cost: every benchmark metric it changed, per crate (those above
    the crate's threshold in bold), and how many it left unchanged."""
    measured = [(row.crate, bench) for row in rows for bench in row.benches]
    if not measured:
        return []
    lines = [
        "",
        f"What {version} does to the benchmarks (gate 5: the crate after the update against itself before it):",
        "",
        "| crate | benchmark | metric | before | after | change | threshold |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    changed = [(crate, bench) for crate, bench in measured if bench.get("change_pct") != 0]
    for crate, bench in changed:
        change = "new" if bench.get("change_pct") is None else f"{bench['change_pct']:+.2f} %"
        if bench.get("verdict") == "REGRESSION":
            change = f"**{change}**"
        before = "-" if bench.get("base") is None else f"{bench['base']:,}"
        threshold = "-" if bench.get("threshold_pct") is None else f"{bench['threshold_pct']:g} %"
        cells = [crate, f"`{bench['benchmark']}`", bench["metric"], before, f"{bench['head']:,}", change, threshold]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"{len(measured) - len(changed)} of {len(measured)} benchmark metrics unchanged."]
    return lines


def record(path: Path, fleet: Path, version: str, tree: str, rows: list[Rehearsal]) -> None:
    """Write the rehearsal's outcome to ``path`` (what ``release.py tag`` checks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "fleet": str(fleet.resolve()),
        "fleet_sha256": release.fleet_digest(fleet),
        "version": version,
        "tree": tree,
        "clean": all(row.result == "clean" for row in rows),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "crates": [asdict(row) for row in rows],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


#: The most jobs `list` spreads a fleet over: GitHub caps a matrix at 256 jobs.
MAX_JOBS = 128


def shards(lines: list[str], max_jobs: int = MAX_JOBS) -> list[dict[str, Any]]:
    """Split a fleet's entries (``Entry.name`` each, a fleet-file line) into at most ``max_jobs`` shards of consecutive
    entries, each at most one entry longer than another: ``[{"shard": 1, "crates": "line\\nline"}]``,
    the ``include`` list of a CI matrix. Every entry lands in exactly one shard.

    Raises:
        FleetError: ``max_jobs`` below 1.
    """
    if max_jobs < 1:
        raise FleetError(f"--max-jobs {max_jobs}: at least 1")
    count = min(len(lines), max_jobs)
    bounds = [len(lines) * index // count for index in range(count + 1)] if count else [0]
    return [
        {"shard": index + 1, "crates": "\n".join(lines[bounds[index] : bounds[index + 1]])} for index in range(count)
    ]


def load_rows(path: Path) -> list[Rehearsal]:
    """The rows a ``rehearse --json`` wrote to ``path``.

    Raises:
        FleetError: ``path`` cannot be read, is no JSON, or holds anything but a list of rows
            with a rehearsal's fields (``crate``, ``source``, ``result``, ...).
    """
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FleetError(f"{path}: {error}") from error
    names = {column.name for column in fields(Rehearsal)}
    if not isinstance(rows, list):
        raise FleetError(f"{path}: expected a JSON list of rows (rehearse --json), got {type(rows).__name__}")
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not {"crate", "source"} <= row.keys() <= names:
            raise FleetError(f"{path}: row {number} is not a rehearsal row: {json.dumps(row)[:120]}")
    return [Rehearsal(**row) for row in rows]


def join_records(records: list[dict[str, Any]], fleet: Path) -> dict[str, Any]:
    """Join the records of rehearsals of parts of ``fleet`` (one per CI shard) into one record of
    the whole fleet, as ``release.py tag`` reads it: clean only when every part rehearsed the same
    version and template tree and every entry of the fleet has exactly one clean row. An entry no
    part rehearsed (its job failed or timed out) gets the row ``not rehearsed``.

    Raises:
        FleetError: no records, or records of different versions or template trees, or an
            entry rehearsed twice.
    """
    if not records:
        raise FleetError("no rehearsal records to join")
    runs = {(record.get("version"), record.get("tree")) for record in records}
    if len(runs) != 1:
        raise FleetError(f"the records rehearsed different releases: {sorted(map(str, runs))}")
    ((version, tree),) = runs
    rows = [row for record in records for row in record.get("crates", [])]
    by_source: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["source"] in by_source:
            raise FleetError(f"{row['source']} was rehearsed twice")
        by_source[row["source"]] = row
    joined = [
        by_source.pop(name) if name in by_source else asdict(Rehearsal(name, name, "not rehearsed"))
        for name in (entry.name for entry in read_fleet(fleet))
    ]
    joined += [{**row, "result": f"{row['result']} (not in {fleet.name})"} for row in by_source.values()]
    return {
        "fleet": str(fleet),
        "fleet_sha256": release.fleet_digest(fleet),
        "version": version,
        "tree": tree,
        "clean": all(row["result"] == "clean" for row in joined),
        "finished": max(str(record.get("finished", "")) for record in records),
        "crates": joined,
    }


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Turn Ctrl-C into exit status 130 with one line."""
    try:
        yield
    except KeyboardInterrupt:
        print("fleet.py: stopped; every command it started was killed", file=sys.stderr)
        sys.exit(130)


def main(argv: list[str] | None = None) -> int:
    """Run ``status``, ``rehearse``, ``list``, ``table`` or ``join``; return the exit code."""
    parser = argparse.ArgumentParser(prog="fleet.py", description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    status_parser = commands.add_parser("status", help="version, lag, drift and update branch of every crate")
    rehearse_parser = commands.add_parser("rehearse", help="the upcoming release on every crate, gates 1-4")
    list_parser = commands.add_parser("list", help="the fleet's entries in shards, as JSON (a CI matrix)")
    list_parser.add_argument("fleet", type=Path)
    list_parser.add_argument(
        "--max-jobs", type=int, default=MAX_JOBS, help=f"at most this many shards (default {MAX_JOBS})"
    )
    join_parser = commands.add_parser("join", help="join the records of shards into the fleet's record")
    join_parser.add_argument("records", type=Path, nargs="+", help="files written by `rehearse --record`")
    join_parser.add_argument("--fleet", type=Path, required=True, help="the whole fleet file the shards came from")
    join_parser.add_argument("--record", type=Path, default=RECORD, help=f"where to write it (default {RECORD})")
    table_parser = commands.add_parser("table", help="join rehearsal rows (rehearse --json) into one table")
    table_parser.add_argument("rows", type=Path, nargs="+", help="files written by `rehearse --json`")
    for sub in (status_parser, rehearse_parser):
        sub.add_argument("fleet", type=Path, help="the fleet file: a git URL or path (and folder) per line")
        sub.add_argument("--json", action="store_true", help="print JSON instead of the table")
        sub.add_argument("--jobs", type=int, default=2, help="crates handled at a time (default 2)")
    rehearse_parser.add_argument("--to", metavar="REF", help="a release or commit (default: this work tree)")
    rehearse_parser.add_argument(
        "--target-dir",
        type=Path,
        help="the cargo target dir the crates share (default: fleet-rehearsal-target in the temp folder)",
    )
    rehearse_parser.add_argument("--own-target-dirs", action="store_true", help="one cargo target dir per crate")
    rehearse_parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the clones here (default: removed)")
    rehearse_parser.add_argument("--record", type=Path, default=RECORD, help=f"where to record it (default {RECORD})")
    rehearse_parser.add_argument(
        "--benches",
        action="store_true",
        help="gate 5 too: each clean crate's instruction counts and cycles against itself before the update "
        "(needs valgrind and gungraun-runner on PATH)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "table":
            joined = [row for path in args.rows for row in load_rows(path)]
            version = os.environ.get("FLEET_VERSION", "the upcoming release")
            print(rehearsal_table(joined, version))
            return 0 if joined and all(row.result == "clean" for row in joined) else 1
        if args.command == "list":
            print(json.dumps(shards([entry.name for entry in read_fleet(args.fleet)], args.max_jobs)))
            return 0
        if args.command == "join":
            document = join_records([json.loads(path.read_text(encoding="utf-8")) for path in args.records], args.fleet)
            args.record.parent.mkdir(parents=True, exist_ok=True)
            args.record.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
            print(rehearsal_table([Rehearsal(**row) for row in document["crates"]], document["version"]))
            return 0 if document["clean"] else 1
        if args.jobs < 1:
            raise FleetError(f"--jobs {args.jobs}: at least 1")
        entries = read_fleet(args.fleet)
        if not entries:
            raise FleetError(f"{args.fleet}: no crates listed")
        if args.command == "status":
            rows = status(entries, args.jobs)
            print(json.dumps([asdict(row) for row in rows], indent=2) if args.json else status_table(rows))
            return 1 if any(row.error for row in rows) else 0
        if args.benches and (missing := [tool for tool in BENCH_TOOLS if shutil.which(tool) is None]):
            raise FleetError(f"--benches needs {' and '.join(missing)} on PATH (gate 5's instruction counts)")
        with _interruptible():
            shared = args.target_dir or Path(tempfile.gettempdir()) / "fleet-rehearsal-target"
            target = None if args.own_target_dirs else shared
            results, version, tree = rehearse(entries, args.to, args.jobs, target, args.keep, args.benches)
        record(args.record, args.fleet, version, tree, results)
        rows_json = json.dumps([asdict(row) for row in results], indent=2)
        print(rows_json if args.json else rehearsal_table(results, version))
        return 0 if all(row.result == "clean" for row in results) else 1
    except FleetError as error:
        print(f"fleet.py: {error}", file=sys.stderr)
        return 2
    except subprocess.TimeoutExpired as error:
        print(f"fleet.py: {' '.join(map(str, error.cmd))[:200]}: stopped after {error.timeout:g} s", file=sys.stderr)
        return 1
    except (OSError, ValueError, subprocess.CalledProcessError) as error:
        detail = last_line(error) if isinstance(error, subprocess.CalledProcessError) else str(error)
        print(f"fleet.py: {detail}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
