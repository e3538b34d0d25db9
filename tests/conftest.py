"""Shared helpers for the template's test suite.

- ``QUESTIONS`` / ``ASKED``: the questions of copier.yml (``ASKED`` leaves out computed ones).
- ``generate``: render the template with pytest-copie, after checking that every answer key is
  a real question (pytest-copie silently drops unknown keys, which makes tests test nothing).
- ``cargo_env``: the environment for cargo commands, with ONE shared ``CARGO_TARGET_DIR`` so the
  dependencies of every generated crate compile once per run.
- ``no_leftover_processes`` (autouse): whatever a test started is killed when it ends, failed or
  not, so one test's leftovers cannot slow the next; ``cpu_burners`` loads the machine on purpose.
- the CPU seconds each test used (its own and its finished child processes': cargo, rustc, npm),
  summed up after the run: with two cores shared by the workers, CPU time is what a test costs the
  run, where its wall time also counts the other worker's load.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hooks"))
sys.path.insert(0, str(REPO / "scripts"))

import gitrun  # noqa: E402  (hooks/gitrun.py: how the template's Python runs git)
import release  # noqa: E402  (scripts/release.py: releases.toml and the CHANGELOG's versions)

QUESTIONS: dict[str, dict[str, Any]] = {
    key: value
    for key, value in yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8")).items()
    if not key.startswith("_")
}
ASKED = {key for key, spec in QUESTIONS.items() if spec.get("when") is not False}

#: The org's whole stack (the registry's order); the default answer of `stack` is none of it.
FULL_STACK = ["qdrant", "tantivy", "rayon", "moka", "simd-json"]

#: One target dir for every cargo command of the suite (override with CARGO_TARGET_DIR).
CARGO_TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / ".cargo-target")
# The suite builds each crate from scratch and edits none of them afterwards: incremental
# compilation's caches would cost time and disk and never be read (what CI setups do as well).
os.environ.setdefault("CARGO_INCREMENTAL", "0")


def check_answer_keys(answers: dict[str, Any]) -> None:
    """Fail the test when an answer key is not a question that copier asks."""
    unknown = set(answers) - ASKED
    assert not unknown, f"not questions of copier.yml (pytest-copie would drop them): {unknown}"


def generate(copie, answers: dict[str, Any]) -> Path:
    """Render the template with ``answers`` and return the generated crate's directory.

    Asserts the answer keys are real questions, that copier raised nothing, and that every
    answer given was recorded as given.
    """
    check_answer_keys(answers)
    result = copie.copy(extra_answers=answers)
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0
    for key, value in answers.items():
        assert result.answers[key] == value, key
    assert result.project_dir is not None
    assert_stack_blocks_match(Path(result.project_dir))
    return Path(result.project_dir)


def _versions(tables: list[dict]) -> dict[str, str]:
    return {
        name: spec if isinstance(spec, str) else spec["version"]
        for table in tables
        for name, spec in table.items()
        if isinstance(spec, str) or "path" not in spec
    }


def policy_crate_versions(crate: Path) -> dict[str, str]:
    """Crate name -> version requirement of every policy dependency of the crate: its
    ``[workspace.dependencies]``, or, for a workspace member, the root's entries that the crate's
    packages inherit (``workspace = true``); path dependencies left out."""
    manifests = [
        tomllib.loads(path.read_text(encoding="utf-8")) for path in [crate / "Cargo.toml", *crate.glob("*/Cargo.toml")]
    ]
    if "workspace" in manifests[0]:
        return _versions([manifests[0]["workspace"]["dependencies"]])
    answers = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
    root = tomllib.loads((crate / answers["workspace_root"] / "Cargo.toml").read_text(encoding="utf-8"))
    inherited = {
        name
        for manifest in manifests
        for table in ("dependencies", "dev-dependencies")
        for name, spec in manifest.get(table, {}).items()
        if isinstance(spec, dict) and spec.get("workspace")
    }
    shared = root["workspace"].get("dependencies", {})
    return _versions([{name: spec for name, spec in shared.items() if name in inherited}])


def stack_block_versions(text: str) -> dict[str, str]:
    """Crate name -> version of the ```toml blocks of a rendered document."""
    blocks = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    assert blocks, "expected a toml block"
    versions: dict[str, str] = {}
    for block in blocks:
        parsed = tomllib.loads(block)
        versions.update(_versions([parsed.get("workspace", {}).get("dependencies", {})]))
    return versions


def assert_stack_blocks_match(crate: Path) -> None:
    """Every crate the agent profile, AGENTS.md and CONTRIBUTING.md name has exactly the manifest's
    version, and they name every policy crate of the manifests (for every combination tests
    render)."""
    versions = policy_crate_versions(crate)
    documents = [crate / "AGENTS.md", crate / "CONTRIBUTING.md"]
    profile = crate / ".github" / "agents" / "rust-engineer.agent.md"
    if profile.exists():  # a workspace member has no .github/
        documents.append(profile)
    for path in documents:
        assert stack_block_versions(path.read_text(encoding="utf-8")) == versions, path.name


#: Crates the slow tests build once per session and share between test modules (same dir, same
#: target dir): the sample crates of examples/ (committed, kept current by tests/test_samples.py),
#: so the gates run on exactly what a reviewer reads, plus two variants no sample has.
SAMPLES = {"vector-cache": ".", "doc-search": ".", "mcp-tools": ".", "workspace": "crates/ws-tool"}
SLOW_CRATES: dict[str, dict[str, Any]] = {
    # an MCP server without stateful components (its McpServer::new cannot fail)
    "mcp-plain": {"project_name": "mcp-plain", "crate_kind": "mcp-server", "stack": []},
    # Python bindings without component classes
    "python-plain": {"project_name": "py-plain", "python_bindings": True, "stack": []},
}
#: The session's crates, set up once each (rendered, or a sample copied) and shared by test modules.
_session_crates: dict[str, Path] = {}


def session_crate(copie_session, key: str, answers: dict[str, Any]) -> Path:
    """Return the crate rendered from ``answers`` under ``key``, rendering it on first use."""
    if key not in _session_crates:
        _session_crates[key] = generate(copie_session, answers)
    return _session_crates[key]


def shared_crate(copie_session, key: str) -> Path:
    """Return the crate ``key`` (a sample of examples/, or ``SLOW_CRATES[key]`` rendered), in a
    git repository of its own, set up on first use."""
    cache_key = f"shared:{key}"
    if cache_key not in _session_crates:
        if key in SAMPLES:
            root = Path(copie_session.test_dir) / "samples" / key
            shutil.copytree(REPO / "examples" / key, root)
            path = root / SAMPLES[key]
        else:
            path = root = generate(copie_session, SLOW_CRATES[key])
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        _session_crates[cache_key] = path
    return _session_crates[cache_key]


import tools  # noqa: E402  (tests/tools.py: what the suite installs for itself, once, under a lock)

gungraun_runner_bin = functools.cache(tools.gungraun_runner)


def cargo_env(*, gate_5: bool = False, **extra: str) -> dict[str, str]:
    """Return ``os.environ`` plus the shared target dir and quiet, colourless cargo output; with
    ``gate_5``, gungraun-runner on ``PATH`` too (installed on first use)."""
    env = dict(os.environ)
    env.update(CARGO_TARGET_DIR=str(CARGO_TARGET_DIR), CARGO_TERM_COLOR="never")
    if gate_5:
        env["PATH"] = f"{gungraun_runner_bin()}{os.pathsep}{env.get('PATH', '')}"
    env.pop("RUSTFLAGS", None)  # identical flags keep the shared dependency artifacts reusable
    env.update(extra)
    return env


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 3600
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in ``cwd``; on failure, fail the test with the command's output tail."""
    completed = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if completed.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd)} exited {completed.returncode} in {cwd}\n"
            f"--- stdout (tail)\n{completed.stdout[-6000:]}\n--- stderr (tail)\n{completed.stderr[-6000:]}",
            pytrace=False,
        )
    return completed


#: Git identity for the commits the tests make (and copier makes during `copier update`).
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.org",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.org",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` (with the tests' identity) and return its stdout; fail on an error."""
    completed = gitrun.git(cwd, *args, check=False, env=GIT_IDENTITY)
    assert completed.returncode == 0, f"git {' '.join(args)} in {cwd}: {completed.stderr}"
    return completed.stdout


def commit_all(cwd: Path, message: str) -> None:
    """Stage everything in ``cwd`` and commit it."""
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-gpg-sign", "--allow-empty", "-m", message)


#: The version this checkout will be released as, and the copy of its work tree (scripts/release.py).
upcoming_release = release.upcoming_release
copy_work_tree = release.copy_work_tree


def fresh_clone(dest: Path) -> Path:
    """Clone this repository to ``dest`` as CI's fresh clone of ``main`` has it: the whole
    history and no tags (a maintainer's checkout may hold the release tags; tests make the tags
    they need). Return ``dest``."""
    git(dest.parent, "clone", "--quiet", "--no-hardlinks", str(REPO), str(dest))
    if tags := git(dest, "tag").split():
        git(dest, "tag", "-d", *tags)
    return dest


def released_template(dest: Path) -> Path:
    """Clone this repository to ``dest`` with its history, tag every release of ``releases.toml``
    at its commit, commit this work tree's state on top (uncommitted edits included) and tag it
    as the upcoming release; return ``dest``.

    This is what the template looks like to crates once the upcoming version is released: CI's
    fresh clone of ``main`` may carry no tags, and a work tree under test is not committed.
    """
    fresh_clone(dest)
    release.tag_releases(dest, release.load_releases())
    git(dest, "rm", "-rq", "--ignore-unmatch", ".")
    copy_work_tree(dest)
    commit_all(dest, "the work tree under test")
    git(dest, "tag", upcoming_release())
    return dest


def assert_no_conflicts(crate: Path) -> None:
    """No unmerged index entry, no `.rej` file, no line starting with a conflict marker."""
    assert git(crate, "ls-files", "--unmerged") == ""
    assert [p for p in crate.rglob("*.rej")] == []
    for path in crate.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()), path


#: The Backstage module: its TypeScript tests (tests/test_backstage_module.py) and the Backstage
#: validators of tests/test_catalog.py come from its one locked npm install.
BACKSTAGE_MODULE = tools.BACKSTAGE_MODULE


def npm() -> str:
    """Return the npm command; fail the test (not skip it) when npm is missing."""
    try:
        return tools.npm()
    except tools.ToolMissing as error:
        pytest.fail(f"{error}: the Backstage module cannot be installed", pytrace=False)


@pytest.fixture(scope="session")
def backstage_module() -> Path:
    """The Backstage module's folder, its locked npm dependencies installed (tests/tools.py)."""
    try:
        return tools.backstage_module()
    except tools.ToolMissing as error:
        pytest.fail(f"{error}: the Backstage module cannot be installed", pytrace=False)


# --- programs -------------------------------------------------------------------------------------

#: The programs tests run beyond the venv and git, and where each comes from (README, "Tests",
#: names which tier needs which): a test missing one fails with this one line, not a traceback.
PROGRAMS = {
    "cargo": "Rust's toolchain, https://rustup.rs",
    "rustfmt": "rustup component add rustfmt",
    "shellcheck": "apt-get install shellcheck",
    "node": "apt-get install nodejs npm (.ci/run installs them)",
    "npm": "apt-get install nodejs npm (.ci/run installs them)",
    "valgrind": "apt-get install valgrind",
}


def require(*programs: str) -> None:
    """Fail the calling test (or fixture) with one line naming the first of ``programs`` missing
    from ``PATH`` and how to install it (``PROGRAMS``)."""
    for program in programs:
        if shutil.which(program) is None:
            pytest.fail(f"{program} is not on PATH: {PROGRAMS[program]}", pytrace=False)


# --- processes ------------------------------------------------------------------------------------

# A suite started in the background by a non-interactive shell inherits SIGINT ignored, and so would
# every Python it starts (tests/test_fleet.py sends Ctrl-C to one): give them the default handler.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Linux: orphans of the processes the suite starts (a killed cargo's rustc, a daemon) are reparented
# to this process instead of init, so the cleanup below finds them too.
PR_SET_CHILD_SUBREAPER = 36
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (one that ended and awaits its parent's wait)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def descendants(pid: int | None = None) -> list[int]:
    """Return the pids of every descendant of ``pid`` (default: this process), parents first,
    zombies included; an empty list where procfs is missing."""
    found: list[int] = []
    queue = [pid or os.getpid()]
    while queue:
        parent = queue.pop(0)
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as children:
                    pids = [int(child) for child in children.read().split()]
            except OSError:
                continue
            found += pids
            queue += pids
    return found


def command_line(pid: int) -> str:
    """Return the command line of ``pid`` ('?' once it is gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip() or "?"
    except OSError:
        return "?"


def kill_all(pids: list[int]) -> None:
    """SIGKILL ``pids`` and reap those that are (or became) this process's children."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG) != (0, 0):
                    break
            except ChildProcessError:  # not our child: its own parent reaps it
                break
            time.sleep(0.01)


@pytest.fixture(autouse=True)
def no_leftover_processes(request) -> Iterator[None]:
    """Kill every process the test started that is still running when it ends (failed or not),
    with a warning naming them: a test's servers, burners or builds never slow the next one."""
    before = set(descendants())
    yield
    leftovers = [pid for pid in descendants() if pid not in before and running(pid)]
    if leftovers:
        names = [command_line(pid)[:120] for pid in leftovers]
        kill_all(leftovers)
        warnings.warn(f"{request.node.nodeid} left {len(leftovers)} process(es) running, killed: {names}", stacklevel=1)


@contextlib.contextmanager
def cpu_burners(count: int = 2) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` CPU-bound processes (a busy loop each) for the duration of the block: two are the
    load of a shared 2-core CI runner with a neighbour on each core."""
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True) for _ in range(count)
    ]
    try:
        yield burners
    finally:
        kill_all([burner.pid for burner in burners])
        for burner in burners:
            burner.wait()


#: The kinds of Rust-building tests (``builds(kind)``), in the order they run: the samples first
#: (later tests reuse their builds), then the tests that generate crates of their own.
BUILD_KINDS = ("samples", "own")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups off the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests for pytest-xdist (``-n auto --dist loadgroup``, pyproject.toml).

    Every test marked ``builds`` compiles Rust in the one shared CARGO_TARGET_DIR: they all run
    on one worker, in order (``builds("samples")`` first, whose crates later tests reuse, then
    ``builds("own")``), started first. Two workers building at once is not safe there: gate 5
    runs `cargo clean --release --package <crate>` before it builds a base, and cargo removes
    every ``hot_paths-*``/``instructions-*`` binary of the dir by those target names, another
    crate's included, between that crate's build and its run (a run of two groups failed so,
    "could not execute process …hot_paths-…: No such file"). Every other module's tests stay
    together (its module-scoped fixtures are built once) and run on the other workers."""
    for item in items:
        builds = item.get_closest_marker("builds")
        if builds:
            assert builds.args[0] in BUILD_KINDS, f"{item.nodeid}: builds({builds.args[0]!r}): 'samples' or 'own'"
            group = "builds"
        else:
            group = item.module.__name__ if item.module else item.nodeid
        item.add_marker(pytest.mark.xdist_group(group))
    rank = {kind: index for index, kind in enumerate(BUILD_KINDS)}

    def order(item: pytest.Item) -> int:
        builds = item.get_closest_marker("builds")
        return rank[builds.args[0]] if builds else len(rank)

    items.sort(key=order)  # stable: each group keeps the collection's order


def pytest_collection_finish(session: pytest.Session) -> None:
    """On a pytest-xdist worker, stop unless the groups above reached pytest-xdist (it reads them
    off the node ids): lost groups would build Rust on two workers at once, silently."""
    if session.config.getoption("loadgroup", default=False):
        lost = [item.nodeid for item in session.items if item.get_closest_marker("builds") and "@" not in item.nodeid]
        if lost:
            message = (
                f"pytest-xdist did not group {len(lost)} test(s) that build Rust, e.g. {lost[0]}: "
                "this pytest breaks --dist loadgroup (pytest-dev/pytest-xdist#1386); install pyproject.toml's pins"
            )
            print(f"\nconftest.py: {message}", file=sys.stderr, flush=True)  # the worker's error hides it
            raise pytest.UsageError(message)


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished (waited-for) child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_cpu_mark = [0.0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """Start counting the test's CPU time (its setup's module fixtures included)."""
    _cpu_mark[0] = _cpu_seconds()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Attach the CPU seconds of each phase (setup, call, teardown) to its report
    (``cpu_seconds``): pytest-xdist sends reports, user properties included, to the controller."""
    report = yield
    now = _cpu_seconds()
    report.user_properties.append(("cpu_seconds", round(now - _cpu_mark[0], 1)))
    _cpu_mark[0] = now
    return report


_cpu_by_test: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Sum each test's CPU seconds over its phases (on the controller, or the only process)."""
    for name, value in report.user_properties:
        if name == "cpu_seconds" and isinstance(value, (int, float)):
            _cpu_by_test[report.nodeid] = _cpu_by_test.get(report.nodeid, 0.0) + value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the CPU seconds the run's tests used: the total, the Rust-building group's share,
    and the costliest tests."""
    if not _cpu_by_test:
        return
    total = sum(_cpu_by_test.values())
    builds = sum(value for nodeid, value in _cpu_by_test.items() if nodeid.endswith("@builds"))
    terminalreporter.section("CPU seconds (the tests and their child processes)")
    terminalreporter.write_line(f"total {total:.0f} s, of which the Rust builds group {builds:.0f} s")
    for nodeid, value in sorted(_cpu_by_test.items(), key=lambda entry: -entry[1])[:40]:
        terminalreporter.write_line(f"{value:8.1f} s  {nodeid}")


@pytest.fixture
def git_identity(monkeypatch):
    """copier commits in temporary repositories during update; give git an identity."""
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def template_repo(tmp_path) -> Path:
    """The template as it is in this work tree, as a git repository tagged 1.0.0."""
    repo = tmp_path / "template"
    copy_work_tree(repo)
    git(repo.parent, "init", "-q", "-b", "main", str(repo))
    commit_all(repo, "template 1.0.0")
    git(repo, "tag", "1.0.0")
    return repo


def bump_policy(template: Path, crate: str, version: str) -> None:
    """Change one version in policy/dependencies.toml (the one-line policy bump), tag 1.1.0."""
    import tomlkit

    path = template / "policy" / "dependencies.toml"
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    document[crate]["version"] = version
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    assert git(template, "diff", "--numstat").split()[:2] == ["1", "1"], "not a one-line change"
    commit_all(template, f"policy: {crate} {version}")
    git(template, "tag", "1.1.0")
