#!/usr/bin/env python3
"""Benchmark the hot-path budget's clock against plain wall-clock time, idle and under load.

Copies the ``mcp-tools`` sample (every component) twice: as generated (criterion reads
``benches/clock``'s ``UndelayedWallTime``) and with that clock's correction switched off (its
``end`` returns the elapsed wall-clock time: criterion's ``WallTime``, in the same binary layout).
Then, with 0, 1 and 2 CPU-bound processes beside it (busy loops), runs each copy's criterion
benchmarks ``--runs`` times with gate 5's own criterion flags and prints each median: the
budget's clock should read the same idle and busy; wall-clock time should not.

Usage: python benchmarks/bench_budget_clock.py [--runs 3] [--bench parallel] [--bench search/query]
Needs cargo; Linux (the clock reads /proc/self/task/*/schedstat).
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Gate 5's criterion flags when instruction counts decide (scripts/bench_gate.py).
GATE_FLAGS = ["--sample-size", "20", "--warm-up-time", "0.3", "--measurement-time", "0.7"]
TIME = re.compile(r"^(\S+)\s*\n?\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", re.MULTILINE)
CORRECTION = "        elapsed.mul_f64(ran / (ran + waited))\n"


def median_ms(output: str) -> dict[str, float]:
    """Benchmark -> criterion's median estimate in ms, from its console report."""
    scale = {"ns": 1e-6, "µs": 1e-3, "ms": 1.0, "s": 1e3}
    return {name: float(value) * scale[unit] for name, value, unit in TIME.findall(output)}


def prepare(work: Path, env: dict[str, str]) -> dict[str, Path]:
    """Copy the sample twice under ``work`` (the second copy's clock without its correction) and
    build both copies' criterion benchmarks; return clock label -> crate."""
    crates = {"budget clock": work / "undelayed", "wall clock": work / "wall"}
    for crate in crates.values():
        shutil.copytree(REPO / "examples" / "mcp-tools", crate)
    clock = crates["wall clock"] / "benches" / "clock" / "mod.rs"
    source = clock.read_text(encoding="utf-8")
    if source.count(CORRECTION) != 1:
        raise SystemExit("benches/clock/mod.rs changed: update CORRECTION in this script")
    clock.write_text(source.replace(CORRECTION, "        let _ = ran;\n        elapsed\n"), encoding="utf-8")
    for crate in crates.values():
        build = ["cargo", "bench", "--bench", "hot_paths", "--no-run", "--quiet"]
        subprocess.run(build, cwd=crate, env=env, check=True)
    return crates


def run_benches(crate: Path, filters: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``crate``'s criterion benchmarks (each filter in turn) once; return their medians in ms."""
    medians: dict[str, float] = {}
    for bench_filter in filters:
        completed = subprocess.run(
            ["cargo", "bench", "--quiet", "--bench", "hot_paths", "--", *GATE_FLAGS]
            + ([bench_filter] if bench_filter else []),
            cwd=crate,
            env={**env, "CRITERION_HOME": str(crate / "criterion")},
            capture_output=True,
            text=True,
            check=True,
        )
        medians.update(median_ms(completed.stdout))
    return medians


def print_table(results: dict[str, dict[int, list[dict[str, float]]]]) -> None:
    """Print one Markdown row per benchmark and clock: its medians in ms at each load."""
    names = sorted({name for label in results.values() for runs in label.values() for run in runs for name in run})
    print("| benchmark | clock | idle | 1 busy process | 2 busy processes |")
    print("|---|---|---|---|---|")
    for name in names:
        for label, loads in results.items():
            cells = []
            for load in (0, 1, 2):
                values = sorted(run[name] for run in loads[load] if name in run)
                cells.append(", ".join(f"{value:.4g}" for value in values) + " ms")
            print(f"| `{name}` | {label} | " + " | ".join(cells) + " |")


def main() -> int:
    """Measure and print the table; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bench", action="append", help="criterion filter (default: every benchmark)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-budget-clock-"))
    env = dict(os.environ, CARGO_TARGET_DIR=os.environ.get("CARGO_TARGET_DIR") or str(work / "target"))
    crates = prepare(work, env)
    results: dict[str, dict[int, list[dict[str, float]]]] = {label: {} for label in crates}
    for load in (0, 1, 2):
        burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)]
        try:
            for _ in range(args.runs):
                for label, crate in crates.items():
                    results[label].setdefault(load, []).append(run_benches(crate, args.bench or [""], env))
        finally:
            for burner in burners:
                burner.kill()
                burner.wait()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
