#!/usr/bin/env python3
"""Benchmark gate 5's two rules on unchanged code (A/A runs) while another process loads a core.

Generates the default crate (lib, the whole stack), commits it, and checks out the same commit
a second time as the "base" (as CI does: ``BENCH_BASE_DIR``). Then, with a busy loop pinning
one of the machine's cores, runs ``scripts/gates.sh bench`` --runs times. Every run measures the
base and the head afresh, both under the same load, and reports both rules on the same data:

* the wall-clock rule (criterion, 3 s warm-up and 5 s measurement, the gate's rule when
  Valgrind is missing): a benchmark is flagged when the lower bound of the 95 % interval of its
  median's change is above the threshold;
* the instruction rule (Gungraun): flagged when the count rises more than the threshold.

Unchanged code should never be flagged; the false-positive rate is flagged runs / runs.

Usage: python benchmarks/bench_gate5_noise.py [--runs 10] [--threshold 5] [--json out.json]
Needs copier in this interpreter's environment, cargo, git, valgrind and gungraun-runner.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).with_name("copier"))
WALL = re.compile(
    r"^(?:ok|FAIL) +(\S+): median [\d,]+ ns -> [\d,]+ ns \(([+-][\d.]+) %, 95 % CI ([+-][\d.]+) \.\. ([+-][\d.]+) %\)",
    re.MULTILINE,
)
#: An Ir row of gate 5's table: benchmark, base, head, change (then threshold and noise floor).
COUNTS = re.compile(r"^(?:ok|REGRESSION) +(instructions::\S+) +Ir +([\d,]+) +([\d,]+) +([+-][\d.]+) % ", re.MULTILINE)
GIT_ID = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}


def main() -> int:
    """Run the A/A measurements and print the report; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threshold", type=float, default=5.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-gate5-noise-"))
    env = dict(
        os.environ,
        CARGO_TARGET_DIR=str(work / "target"),
        CARGO_TERM_COLOR="never",
        BENCH_THRESHOLD=f"{args.threshold:g}",
        BENCH_ARGS="--warm-up-time 3 --measurement-time 5",
        **GIT_ID,
    )
    env.pop("BENCH_BASE", None)
    runs = []
    load = None
    try:
        crate = work / "vector-cache"
        subprocess.run(
            [
                COPIER,
                "copy",
                "--trust",
                "--defaults",
                "--quiet",
                "--data",
                "project_name=vector-cache",
                str(REPO),
                str(crate),
            ],
            check=True,
        )
        for git_args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "generated"]):
            subprocess.run(["git", *git_args], cwd=crate, env=env, check=True)
        base = work / "base"
        subprocess.run(["git", "clone", "-q", str(crate), str(base)], check=True)
        env["BENCH_BASE_DIR"] = str(base)
        subprocess.run(["cargo", "build", "--release", "--benches", "--quiet"], cwd=crate, env=env, check=True)
        load = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for number in range(1, args.runs + 1):
            started = time.monotonic()
            completed = subprocess.run(
                ["bash", "scripts/gates.sh", "bench"], cwd=crate, env=env, capture_output=True, text=True, check=False
            )
            wall = {
                name: (float(point), float(low), float(high))
                for name, point, low, high in WALL.findall(completed.stdout)
            }
            counts = {name: float(pct) for name, _, _, pct in COUNTS.findall(completed.stdout)}
            if not wall or not counts:
                sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
                raise SystemExit(f"run {number}: the gate's report lacks results")
            run = {
                "seconds": round(time.monotonic() - started, 1),
                "exit": completed.returncode,
                "wall_clock_flagged": sorted(name for name, (_, low, _) in wall.items() if low > args.threshold),
                "instructions_flagged": sorted(name for name, pct in counts.items() if pct > args.threshold),
                "wall_clock_changes": wall,
                "instruction_changes": counts,
            }
            runs.append(run)
            print(
                f"run {number}: {run['seconds']} s, exit {run['exit']}; wall-clock flags {run['wall_clock_flagged']}; "
                f"instruction flags {run['instructions_flagged']}; largest wall-clock change "
                f"{max(point for point, _, _ in wall.values()):+.1f} %",
                file=sys.stderr,
            )
    finally:
        if load is not None:
            load.kill()
        shutil.rmtree(work, ignore_errors=True)

    wall_rate = sum(bool(run["wall_clock_flagged"]) for run in runs) / len(runs)
    count_rate = sum(bool(run["instructions_flagged"]) for run in runs) / len(runs)
    identical = all(run["instruction_changes"] == runs[0]["instruction_changes"] for run in runs)
    report = {
        "runs": runs,
        "threshold_pct": args.threshold,
        "cpus": os.cpu_count(),
        "false_positive_rate_wall_clock": wall_rate,
        "false_positive_rate_instructions": count_rate,
        "instruction_changes_identical_in_every_run": identical,
    }
    print(
        f"{len(runs)} A/A runs of unchanged code, one core loaded, {os.cpu_count()} CPUs, threshold "
        f"{args.threshold:g} %:"
    )
    print(
        f"  wall-clock rule (criterion 95 % CI lower bound):  {wall_rate:.0%} of runs flagged "
        f"({sum(len(run['wall_clock_flagged']) for run in runs)} benchmark flags)"
    )
    print(
        f"  instruction rule (Gungraun Ir):                  {count_rate:.0%} of runs flagged; "
        f"changes identical in every run: {identical}"
    )
    print(f"  gate 5 exit codes: {[run['exit'] for run in runs]}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
