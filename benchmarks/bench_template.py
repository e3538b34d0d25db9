#!/usr/bin/env python3
"""Benchmark the template: what generating a crate and passing its gates costs.

Measures, in one run:
  1. `copier copy` wall time (median over --copies runs);
  2. the cold five-gate time of the default crate, per gate (`scripts/gates.sh <gate>` in an
     empty target dir; the cargo registry is NOT cleared, so downloads are not counted);
  3. the floor: `cargo build --release` + `cargo test --no-run` + `cargo clippy` of the same
     crate, cold, in another empty target dir;
and prints the ratio gates / floor. --runs repeats 2 and 3 and reports medians.

Usage: python benchmarks/bench_template.py [--runs 3] [--copies 5] [--bench-args "..."] [--json out.json]
Needs copier (with copier-template-extensions and tomlkit) in this interpreter's environment and cargo.
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

REPO = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).with_name("copier"))
GATES = ["build", "lint", "fmt", "test", "bench"]
FLOOR = [
    ["cargo", "build", "--release"],
    ["cargo", "test", "--all-features", "--no-run"],
    ["cargo", "clippy", "--all-targets", "--all-features"],
]


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run ``cmd``; return its wall time in seconds. Raises CalledProcessError on failure."""
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def copier_copy(destination: Path) -> float:
    """Generate the default crate into ``destination``; return the wall time in seconds."""
    cmd = [COPIER, "copy", "--trust", "--defaults", "--quiet", "--data", "project_name=vector-cache",
           str(REPO), str(destination)]
    return timed(cmd, REPO, dict(os.environ))


def cargo_env(target: Path, bench_args: str) -> dict[str, str]:
    """Environment for cargo with its own (empty) target dir."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_TERM_COLOR="never", BENCH_ARGS=bench_args)
    env.pop("CRITERION_HOME", None)
    return env


def main() -> int:
    """Run the measurements and print the report; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold gate/floor runs (median reported)")
    parser.add_argument("--copies", type=int, default=5, help="copier copy runs (median reported)")
    parser.add_argument("--bench-args", default="", help="criterion flags for gate 5 (default: criterion's own)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-template-"))
    try:
        copies = [copier_copy(work / f"copy-{i}" / "vector-cache") for i in range(args.copies)]
        crate = work / "copy-0" / "vector-cache"
        subprocess.run(["cargo", "fetch", "--quiet"], cwd=crate, check=True)  # downloads excluded

        gate_runs: dict[str, list[float]] = {gate: [] for gate in GATES}
        floor_runs: list[float] = []
        for run in range(args.runs):
            target = work / f"target-gates-{run}"
            env = cargo_env(target, args.bench_args)
            for gate in GATES:
                gate_runs[gate].append(timed(["bash", "scripts/gates.sh", gate], crate, env))
                print(f"run {run + 1}: gate {gate}: {gate_runs[gate][-1]:.1f} s", file=sys.stderr)
            shutil.rmtree(target)
            target = work / f"target-floor-{run}"
            env = cargo_env(target, args.bench_args)
            floor_runs.append(sum(timed(cmd, crate, env) for cmd in FLOOR))
            print(f"run {run + 1}: floor: {floor_runs[-1]:.1f} s", file=sys.stderr)
            shutil.rmtree(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    medians = {gate: statistics.median(times) for gate, times in gate_runs.items()}
    gates_total = statistics.median([sum(run) for run in zip(*gate_runs.values())])
    floor = statistics.median(floor_runs)
    report = {
        "copier_copy_s": {"median": statistics.median(copies), "runs": copies},
        "gates_s": {gate: {"median": medians[gate], "runs": gate_runs[gate]} for gate in GATES},
        "gates_total_s": gates_total,
        "floor_s": {"median": floor, "runs": floor_runs},
        "ratio_gates_to_floor": gates_total / floor,
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "bench_args": args.bench_args or "criterion defaults",
    }
    print(f"copier copy (default answers): median {report['copier_copy_s']['median']:.2f} s over {args.copies} runs")
    print(f"cold five gates of the default crate, median of {args.runs} run(s), {os.cpu_count()} CPUs:")
    for gate in GATES:
        print(f"  gate {gate:5}  {medians[gate]:7.1f} s")
    print(f"  total       {gates_total:7.1f} s")
    print(f"floor (build --release + test --no-run + clippy, cold): {floor:.1f} s")
    print(f"ratio gates / floor: {gates_total / floor:.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
