#!/usr/bin/env python3
"""Benchmark the noise floor of Gungraun's metrics on unchanged code: instructions (``Ir``) and
estimated cycles (``EstimatedCycles``, Callgrind's cache simulation), per benchmark.

Copies a sample crate (``examples/<sample>``) to two folders with paths of different lengths, as
gate 5 builds a base and a head in two directories, builds the instruction-count benchmarks of
both (``benches/instructions.rs``), and runs Gungraun with the cache simulation on
(``GUNGRAUN_CALLGRIND_ARGS=--cache-sim=yes``, as the crate configures it since gate 5 reads cycles) under
three conditions, ``--runs`` times each:

* ``idle``: the first copy's build, nothing else running;
* ``busy``: the same build while two CPU-bound processes keep both cores busy (a shared runner);
* ``other build``: the second copy's build, idle (what a base against a head compares).

The noise floor of a benchmark and metric is the spread of its values over every run of the three
conditions, ``(max - min) / median`` in percent: a threshold under it would flag unchanged code.
It also times one Gungraun run with the cache simulation on and off (the gate's cost of cycles).

Usage: python benchmarks/bench_cycles_noise.py [--sample mcp-tools] [--runs 5] [--json out.json]
Needs cargo, Valgrind and gungraun-runner (installed as the tests install it, tests/tools.py).
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
sys.path.insert(0, str(REPO / "tests"))
import tools  # noqa: E402  (tests/tools.py: gungraun-runner at the crates' pinned version)

METRICS = ("Ir", "EstimatedCycles")
CONDITIONS = ("idle", "busy", "other build")


def gungraun_run(crate: Path, env: dict[str, str], cache_sim: bool) -> tuple[dict[str, dict[str, int]], float]:
    """Run the crate's instruction-count benchmarks once under Gungraun.

    Args:
        crate: the crate's folder (its benchmarks already built).
        env: the environment (CARGO_TARGET_DIR, PATH with gungraun-runner).
        cache_sim: run Callgrind with its cache simulation (estimated cycles) or without.

    Returns:
        ``({benchmark: {metric: value}}, wall seconds)``; without the cache simulation only ``Ir``.

    Raises:
        SystemExit: the run failed, or its summaries lack a metric asked for.
    """
    run_env = dict(env, GUNGRAUN_CALLGRIND_ARGS="--cache-sim=yes" if cache_sim else "--cache-sim=no")
    started = time.monotonic()
    completed = subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "instructions", "--", "--output-format=json"],
        cwd=crate,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit(f"the Gungraun run failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
    wanted = METRICS if cache_sim else METRICS[:1]
    found: dict[str, dict[str, int]] = {}
    for line in completed.stdout.splitlines():
        if not line.startswith("{"):
            continue
        summary = json.loads(line)
        name = summary["module_path"] + (f".{summary['id']}" if summary.get("id") else "")
        (profile,) = [p for p in summary["profiles"] if p["tool"] == "Callgrind"]
        metrics = profile["data"]["total"]["metrics"]
        missing = [metric for metric in wanted if "new" not in metrics.get(metric, {}).get("values", {})]
        if missing:
            raise SystemExit(f"{name}: no {', '.join(missing)} in Gungraun's summary (keys: {sorted(metrics)})")
        found[name] = {metric: int(metrics[metric]["values"]["new"]) for metric in wanted}
    if not found:
        raise SystemExit("the Gungraun run printed no summary")
    return found, seconds


def floors(runs: dict[str, list[dict[str, dict[str, int]]]]) -> list[dict[str, object]]:
    """Per benchmark and metric: median, min, max over every run, and the noise floor in percent
    (``(max - min) / median``), with the spread within each condition."""
    rows = []
    first = runs[CONDITIONS[0]][0]
    for name in first:
        for metric in METRICS:
            per_condition = {c: [run[name][metric] for run in runs[c]] for c in CONDITIONS}
            values = [value for condition in CONDITIONS for value in per_condition[condition]]
            median = statistics.median(values)
            rows.append(
                {
                    "benchmark": name,
                    "metric": metric,
                    "median": median,
                    "min": min(values),
                    "max": max(values),
                    "noise_floor_pct": (max(values) - min(values)) / median * 100 if median else 0.0,
                    "spread_pct": {
                        c: (max(v) - min(v)) / median * 100 if median else 0.0 for c, v in per_condition.items()
                    },
                }
            )
    return rows


def measure(work: Path, sample: str, count: int) -> tuple[dict[str, list[dict[str, dict[str, int]]]], dict[str, float]]:
    """Build the two copies and run every condition ``count`` times; return the runs per
    condition and the median seconds of one run with the cache simulation off and on."""
    env = dict(
        os.environ,
        CARGO_TARGET_DIR=str(work / "target"),
        CARGO_TERM_COLOR="never",
        PATH=f"{tools.gungraun_runner()}{os.pathsep}{os.environ['PATH']}",
    )
    first = work / "a"
    second = work / "a-second-copy-with-a-longer-path"
    for crate in (first, second):
        shutil.copytree(REPO / "examples" / sample, crate)
        subprocess.run(
            ["cargo", "bench", "--quiet", "--bench", "instructions", "--no-run"], cwd=crate, env=env, check=True
        )
    runs: dict[str, list[dict[str, dict[str, int]]]] = {condition: [] for condition in CONDITIONS}
    seconds: dict[str, list[float]] = {"cache simulation off": [], "cache simulation on": []}
    for _ in range(count):
        found, took = gungraun_run(first, env, cache_sim=True)
        runs["idle"].append(found)
        seconds["cache simulation on"].append(took)
        seconds["cache simulation off"].append(gungraun_run(first, env, cache_sim=False)[1])
        runs["other build"].append(gungraun_run(second, env, cache_sim=True)[0])
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        for _ in range(count):
            runs["busy"].append(gungraun_run(first, env, cache_sim=True)[0])
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    return runs, {label: statistics.median(values) for label, values in seconds.items()}


def main() -> int:
    """Measure, print the table (Markdown) and write the JSON report; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sample", default="mcp-tools", help="a folder of examples/ (default mcp-tools)")
    parser.add_argument("--runs", type=int, default=5, help="runs per condition (default 5)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs: at least 2 (a spread needs two values)")
    work = Path(tempfile.mkdtemp(prefix="bench-cycles-noise-"))
    try:
        runs, seconds = measure(work, args.sample, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = floors(runs)
    print(f"`{args.sample}`, {args.runs} runs per condition, {os.cpu_count()} CPUs\n")
    print("| benchmark | metric | median | min .. max | noise floor | idle | busy | other build |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        spread = row["spread_pct"]
        assert isinstance(spread, dict)
        print(
            f"| `{row['benchmark']}` | {row['metric']} | {row['median']:,.0f} | {row['min']:,} .. {row['max']:,} | "
            f"{row['noise_floor_pct']:.3f} % | " + " | ".join(f"{spread[c]:.3f} %" for c in CONDITIONS) + " |"
        )
    print("\none Gungraun run (median): " + ", ".join(f"{label} {value:.1f} s" for label, value in seconds.items()))
    if args.json:
        report = {
            "sample": args.sample,
            "runs_per_condition": args.runs,
            "rows": rows,
            "seconds": seconds,
            "runs": runs,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
