"""The tools the template's test suite installs for itself, each once and under a file lock (two
pytest-xdist workers may ask at the same moment). Standard library only: `.ci/run` starts their
installs with the machine's Python before the tests and lets them finish beside the main pass (a
test that needs a tool waits on its lock):

    python3 tests/tools.py gungraun-runner cargo-semver-checks renovate conformance backstage

- gungraun-runner at exactly the policy's gungraun version (gate 5's instruction counts), into
  ``.tools/bin``;
- cargo-semver-checks at the version the crates' template-update workflow installs (the update
  pull request's public-API check, tests/test_template_update.py), into ``.tools/bin``;
- Renovate with the Node.js it needs, into ``.tools/npm`` (tests/test_renovate.py);
- the official MCP conformance suite at the crates' pinned version, with that Node.js, into
  ``.tools/conformance`` (tests/test_mcp_server.py);
- the Backstage module's locked npm dependencies (tests/test_backstage_module.py, and Backstage's
  validators in tests/test_catalog.py).

``$TEMPLATE_TOOLS`` puts ``.tools`` elsewhere (not ``$GUNGRAUN_TOOLS``: Gungraun reads that one as
its ``--tools`` option).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hooks"))

import dependency_policy  # noqa: E402  (stdlib only: policy/dependencies.toml)

TOOLS_DIR = Path(os.environ.get("TEMPLATE_TOOLS") or REPO / ".tools")
BACKSTAGE_MODULE = REPO / "backstage" / "scaffolder-backend-module-copier"
#: Renovate, and the Node.js its `engines` asks for (npm's `node` package brings it).
RENOVATE = "renovate@44.121.2"
NODE = "node@24.21.0"
NPM_DIR = TOOLS_DIR / "npm"
#: The workflow that installs cargo-semver-checks in every crate: the suite tests that version.
TEMPLATE_UPDATE_WORKFLOW = REPO / "template" / ".github" / "workflows" / "template-update.yml.jinja"


class ToolMissing(RuntimeError):
    """A program an install needs (npm) is not on PATH."""


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``.tools/.<name>.lock`` for the block."""
    TOOLS_DIR.mkdir(parents=True, exist_ok=True)
    with open(TOOLS_DIR / f".{name}.lock", "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def npm() -> str:
    """Return the npm command.

    Raises:
        ToolMissing: npm is not installed.
    """
    found = shutil.which("npm")
    if found is None:
        raise ToolMissing("npm is not installed")
    return found


def gungraun_version() -> str:
    """The policy's gungraun version (its requirement without the exact-match ``=``)."""
    (dep,) = [dep for dep in dependency_policy.load() if dep.name == "gungraun"]
    return str(dep.version).lstrip("=")


def gungraun_runner() -> Path:
    """Return the directory holding gungraun-runner at the policy's version, installing it first
    if needed (``cargo install --locked --debug``, about a minute once, in a target dir of its own).

    Raises:
        subprocess.CalledProcessError: the install failed.
    """
    version = gungraun_version()
    runner = TOOLS_DIR / "bin" / "gungraun-runner"
    with locked("gungraun-runner"):
        if runner.exists():
            installed = subprocess.run([str(runner), "--version"], capture_output=True, text=True, check=False).stdout
            if installed.split()[-1:] == [version]:
                return runner.parent
        # --debug: 61 s to build instead of 110 s on 2 cores; the runner only starts Valgrind and
        # reads its output files, and a whole gate-5 run measured the same either way (3.6 s).
        subprocess.run(
            ["cargo", "install", "--locked", "--quiet", "--debug", "--root", str(TOOLS_DIR)]
            + ["--version", version, "gungraun-runner"],
            check=True,
            # No debug info: nobody debugs the runner here, and it compiles and links faster.
            env={k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"} | {"CARGO_PROFILE_DEV_DEBUG": "0"},
        )
    return runner.parent


def semver_checks_version() -> str:
    """The cargo-semver-checks version the crates' template-update workflow installs
    (``tool: cargo-semver-checks@X.Y.Z``).

    Raises:
        LookupError: the workflow names no version.
    """
    found = re.search(
        r"tool: cargo-semver-checks@(\d+\.\d+\.\d+)", TEMPLATE_UPDATE_WORKFLOW.read_text(encoding="utf-8")
    )
    if found is None:
        raise LookupError(f"{TEMPLATE_UPDATE_WORKFLOW.name} installs no cargo-semver-checks@X.Y.Z")
    return found.group(1)


#: Cargo profile overrides for building cargo-semver-checks (see ``cargo_semver_checks``).
SEMVER_CHECKS_BUILD = {
    "CARGO_PROFILE_RELEASE_LTO": "off",
    "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "16",
    "CARGO_PROFILE_RELEASE_OPT_LEVEL": "0",
}


def cargo_semver_checks() -> Path:
    """Return the directory holding cargo-semver-checks at the workflow's version, installing it
    first if needed (``cargo install --locked``, in a target dir of its own).

    Built with the release profile minus what makes it slow to build: the crate asks for fat LTO
    in one codegen unit (a serial link of its whole graph, minutes on two cores) for speed the
    suite does not need (it checks one small crate). ``SEMVER_CHECKS_BUILD`` holds the overrides:
    no LTO, 16 codegen units, no optimisation (on 2 idle cores 246 CPU-seconds, 138 s, against
    546 CPU-seconds, 290 s, at opt-level 1: the suite's largest single build, beside its tests).

    Raises:
        subprocess.CalledProcessError: the install failed.
    """
    version = semver_checks_version()
    tool = TOOLS_DIR / "bin" / "cargo-semver-checks"
    with locked("cargo-semver-checks"):
        if tool.exists():
            installed = subprocess.run(
                [str(tool), "semver-checks", "--version"], capture_output=True, text=True, check=False
            ).stdout
            if installed.split()[-1:] == [version]:
                return tool.parent
        subprocess.run(
            ["cargo", "install", "--locked", "--quiet", "--root", str(TOOLS_DIR)]
            + ["--version", version, "cargo-semver-checks"],
            check=True,
            env={k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"} | SEMVER_CHECKS_BUILD,
        )
    return tool.parent


def npm_prefix(name: str, prefix: Path, packages: list[str]) -> Path:
    """Return ``prefix``'s ``node_modules/.bin``, first installing ``packages`` (``name@version``,
    scoped names too) there with npm unless each is there at its version, under the lock ``name``.

    Raises:
        ToolMissing: npm is not installed.
        subprocess.CalledProcessError: the install failed.
    """

    def installed(package: str) -> str | None:
        manifest = prefix / "node_modules" / package / "package.json"
        return json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.exists() else None

    with locked(name):
        if any(installed(package.rsplit("@", 1)[0]) != package.rsplit("@", 1)[1] for package in packages):
            prefix.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [npm(), "install", "--prefix", str(prefix), "--no-save", "--no-audit", "--no-fund"]
                + ["--loglevel=error", *packages],
                check=True,
                timeout=900,
            )
    return prefix / "node_modules" / ".bin"


def renovate() -> Path:
    """Return the ``node_modules/.bin`` folder holding Renovate's commands, installing Renovate
    and its Node.js first unless both are there at the pinned versions.

    Raises:
        ToolMissing: npm is not installed.
        subprocess.CalledProcessError: the install failed.
    """
    return npm_prefix("renovate", NPM_DIR, [NODE, RENOVATE])


#: The MCP servers' conformance script: the suite's pinned version is read from it.
CONFORMANCE_SCRIPT = (
    REPO / "template" / "scripts" / "{% if crate_kind == 'mcp-server' %}mcp_conformance.sh{% endif %}.jinja"
)
CONFORMANCE_DIR = TOOLS_DIR / "conformance"


def conformance_version() -> str:
    """The ``@modelcontextprotocol/conformance`` version the crates' conformance script pins.

    Raises:
        LookupError: the script pins no version.
    """
    found = re.search(
        r'^suite="@modelcontextprotocol/conformance@([^"]+)"$', CONFORMANCE_SCRIPT.read_text("utf-8"), re.M
    )
    if found is None:
        raise LookupError(f"{CONFORMANCE_SCRIPT.name} pins no @modelcontextprotocol/conformance version")
    return found.group(1)


def conformance() -> Path:
    """Return the ``node_modules/.bin`` folder holding the official MCP conformance suite
    (``conformance``, at the crates' pinned version) and the Node.js it needs (22 or newer:
    Renovate's, ``NODE``), installing both first unless they are there.

    Raises:
        ToolMissing: npm is not installed.
        subprocess.CalledProcessError: the install failed.
    """
    return npm_prefix(
        "conformance", CONFORMANCE_DIR, [NODE, f"@modelcontextprotocol/conformance@{conformance_version()}"]
    )


def backstage_module() -> Path:
    """Install the Backstage module's locked dependencies (``npm ci --ignore-scripts``) unless
    node_modules already matches package-lock.json; return the module's folder.

    No dependency's install script runs: the tests load no native module, and the scripts would
    compile three from C (better-sqlite3, cpu-features, keytar: their prebuilt binaries come from
    GitHub, out of reach here), 140 of the install's 180 CPU seconds on a fresh machine.

    Raises:
        ToolMissing: npm is not installed.
        subprocess.CalledProcessError: ``npm ci`` failed.
    """
    stamp = BACKSTAGE_MODULE / "node_modules" / ".package-lock.json"
    with locked("backstage"):
        if not stamp.exists() or stamp.stat().st_mtime < (BACKSTAGE_MODULE / "package-lock.json").stat().st_mtime:
            subprocess.run(
                [npm(), "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=BACKSTAGE_MODULE,
                check=True,
                timeout=1200,
            )
    return BACKSTAGE_MODULE


INSTALLERS = {
    "gungraun-runner": gungraun_runner,
    "cargo-semver-checks": cargo_semver_checks,
    "renovate": renovate,
    "conformance": conformance,
    "backstage": backstage_module,
}


def main(argv: list[str]) -> int:
    """Install the tools named in ``argv`` (all without names); return the exit status."""
    unknown = set(argv) - set(INSTALLERS)
    if unknown:
        print(f"tools.py: unknown tool(s) {sorted(unknown)}; known: {sorted(INSTALLERS)}", file=sys.stderr)
        return 2
    for name in argv or INSTALLERS:
        try:
            print(f"tools.py: {name}: {INSTALLERS[name]()}")
        except (ToolMissing, subprocess.CalledProcessError) as error:
            print(f"tools.py: {name}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
