#!/usr/bin/env python3
"""Benchmark ``scripts/fleet.py`` at fleet scale on this machine.

* ``rehearse``: wall time of a rehearsal of the upcoming release (this work tree) on a synthetic
  fleet of N crates (``--sizes``, default 6 and 12), once with one cargo target dir shared by
  every crate and once with one target dir per crate, each from an EMPTY target dir (the
  registry cache stays warm: downloads are not what is measured). The crates are generated at
  the previous release with its defaults except the name, cycling through ``lib``, ``cli`` and
  ``mcp-server`` with the ``moka`` component, and each is its own git repository.
* ``status``: wall time of ``fleet.py status`` on ``--status-crates`` crates (default 100):
  clones of the same three repositories under different paths (status reads each one, renders
  its recorded template version and compares the manifests, whatever the name).

Reports medians of ``--runs`` runs (default 1: a rehearsal of 12 crates takes minutes) and the
ratio shared / per-crate in the same run. Usage::

    python benchmarks/bench_fleet.py [--sizes 6 12] [--status-crates 100] [--jobs 2] [--json out.json]

Needs copier in this interpreter's environment (the test group), git and cargo.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import copier

REPO = Path(__file__).resolve().parent.parent
FLEET = REPO / "scripts" / "fleet.py"
sys.path.insert(0, str(REPO / "scripts"))
import release  # noqa: E402
from gitrun import git  # noqa: E402  (hooks/gitrun.py, on sys.path through release)

KINDS = ("lib", "cli", "mcp-server")
IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
}


def tagged_template(dest: Path) -> Path:
    """A clone of this repository with the releases of ``releases.toml`` tagged."""
    git(dest.parent, "clone", "--quiet", str(REPO), str(dest), env=IDENTITY)
    release.tag_releases(dest, release.load_releases())
    return dest


def make_crates(template: Path, where: Path, count: int) -> list[Path]:
    """Generate ``count`` crates at the previous release, each a git repository."""
    previous = list(release.load_releases())[-1]
    crates = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        crate = where / f"crate-{index:03d}"
        data = {"project_name": f"fleet-{kind}-{index}", "crate_kind": kind, "stack": ["moka"]}
        copier.run_copy(str(template), crate, data=data, defaults=True, unsafe=True, vcs_ref=previous, quiet=True)
        git(where, "init", "-q", "-b", "main", str(crate), env=IDENTITY)
        git(crate, "add", "-A", env=IDENTITY)
        git(crate, "commit", "-q", "--no-gpg-sign", "-m", f"generated at {previous}", env=IDENTITY)
        crates.append(crate)
    return crates


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; return (seconds, completed process)."""
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"}
    completed = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**env, **IDENTITY})
    return time.perf_counter() - started, completed


def bench_rehearse(template: Path, root: Path, size: int, jobs: int, runs: int) -> dict[str, object]:
    """Median wall time of rehearsing ``size`` crates, shared target dir and one per crate."""
    crates = make_crates(template, root / f"fleet-{size}", size)
    fleet = root / f"fleet-{size}.txt"
    fleet.write_text("\n".join(map(str, crates)) + "\n", encoding="utf-8")
    result: dict[str, object] = {"crates": size, "jobs": jobs}
    for mode in ("shared", "per-crate"):
        times = []
        for run in range(runs):
            target = root / f"target-{size}-{mode}-{run}"
            args = ["--target-dir", str(target)] if mode == "shared" else ["--own-target-dirs"]
            record = root / "record.json"
            cmd = [sys.executable, str(FLEET), "rehearse", str(fleet), "--jobs", str(jobs), "--json"]
            seconds, completed = timed([*cmd, *args, "--record", str(record)])
            rows = json.loads(completed.stdout or "[]")
            if completed.returncode != 0 or len(rows) != size:
                raise SystemExit(f"bench_fleet.py: rehearsal of {size} crates ({mode}) failed:\n{completed.stderr}")
            times.append(seconds)
            shutil.rmtree(target, ignore_errors=True)
        result[mode] = round(statistics.median(times), 1)
        print(f"rehearse {size} crates, {mode} target dir: {result[mode]} s", flush=True)
    result["ratio shared/per-crate"] = round(float(result["shared"]) / float(result["per-crate"]), 3)  # type: ignore[arg-type]
    return result


def bench_status(template: Path, root: Path, count: int, jobs: int, runs: int) -> dict[str, object]:
    """Median wall time of ``status`` on ``count`` crates (clones of three generated ones)."""
    originals = make_crates(template, root / "status-originals", len(KINDS))
    clones = []
    for index in range(count):
        clone = root / "status" / f"crate-{index:03d}"
        git(root, "clone", "--quiet", str(originals[index % len(originals)]), str(clone), env=IDENTITY)
        clones.append(clone)
    fleet = root / "status.txt"
    fleet.write_text("\n".join(map(str, clones)) + "\n", encoding="utf-8")
    times = []
    for _ in range(runs):
        seconds, completed = timed([sys.executable, str(FLEET), "status", str(fleet), "--jobs", str(jobs), "--json"])
        if completed.returncode != 0 or len(json.loads(completed.stdout)) != count:
            raise SystemExit(f"bench_fleet.py: status failed:\n{completed.stderr}")
        times.append(seconds)
    median = statistics.median(times)
    print(f"status {count} crates: {median:.1f} s ({median / count * 1000:.0f} ms a crate)", flush=True)
    return {"crates": count, "jobs": jobs, "seconds": round(median, 1), "per crate ms": round(median / count * 1000)}


def main() -> int:
    """Run the benchmarks and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[6, 12])
    parser.add_argument("--status-crates", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, object] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        root = Path(tmp)
        template = tagged_template(root / "template")
        if args.status_crates:
            results["status"] = bench_status(template, root, args.status_crates, args.jobs, max(args.runs, 3))
        results["rehearse"] = [bench_rehearse(template, root, size, args.jobs, args.runs) for size in args.sizes]
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
