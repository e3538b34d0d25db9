#!/usr/bin/env python3
"""Benchmark the template: what generating a crate and passing its gates costs, cold and warm.

Measures, in one run, for the default crate (a skeleton lib since 0.3.0; lib + the whole stack before):
  1. `copier copy` wall time (median over --copies runs);
  2. the cold five gates, per gate (`scripts/gates.sh <gate>` in an empty target dir, the crate
     not yet committed: what its first commit costs). The cargo registry is NOT cleared, so
     downloads are not counted;
  3. the inner loop: the crate committed, gate 5 run once (it measures the base), then a
     one-line change in the library (a doc comment in src/document.rs) and the five gates again,
     twice (two different changes), timed per gate; the ratio to the cold gates;
  4. the floor: the compiles the five gates cannot avoid, as plain cargo commands in another
     empty target dir: `cargo build --release` + `cargo test --no-run` + `cargo clippy` (gates
     1-4) + `cargo bench --no-run` (gate 5's benchmarks: with edition 2024's resolver they no
     longer reuse gate 1's dependency builds); and the ratio cold gates / floor. The floor
     without the bench build (this script's floor up to 0.2.0) is reported too.
--runs repeats 2-4 and reports medians. --ref generates from another template commit (e.g. the
release before gate 5 counted instructions) to compare.

Usage: python benchmarks/bench_template.py [--runs 3] [--copies 5] [--ref REV] [--json out.json]
Needs copier (with copier-template-extensions and tomlkit) in this interpreter's environment,
cargo, git, and for the current template valgrind and gungraun-runner on PATH.
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
BENCH_FLOOR = ["cargo", "bench", "--no-run"]
DOC_LINE = "/// A hot path: benchmarked in `benches/hot_paths.rs`.\n"
GIT_ID = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run ``cmd``; return its wall time in seconds. Raises CalledProcessError on failure."""
    started = time.perf_counter()
    completed = subprocess.run(cmd, cwd=cwd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr.decode(errors="replace")[-4000:])
        raise subprocess.CalledProcessError(completed.returncode, cmd)
    return time.perf_counter() - started


def copier_copy(destination: Path, ref: str | None) -> float:
    """Generate the default crate into ``destination``; return the wall time in seconds."""
    cmd = [COPIER, "copy", "--trust", "--defaults", "--quiet", "--data", "project_name=vector-cache"]
    if ref:
        cmd += ["--vcs-ref", ref]
    return timed([*cmd, str(REPO), str(destination)], REPO, dict(os.environ))


def cargo_env(target: Path) -> dict[str, str]:
    """Environment for cargo with its own (empty) target dir; gate 5 with its default settings."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_TERM_COLOR="never", **GIT_ID)
    for name in ("CRITERION_HOME", "BENCH_ARGS", "BENCH_BASE", "BENCH_BASE_DIR", "RUSTFLAGS"):
        env.pop(name, None)
    return env


def gates(crate: Path, env: dict[str, str], label: str) -> dict[str, float]:
    """Run the five gates one by one; return seconds per gate."""
    times = {}
    for gate in GATES:
        times[gate] = timed(["bash", "scripts/gates.sh", gate], crate, env)
        print(f"{label}: gate {gate}: {times[gate]:.1f} s", file=sys.stderr)
    return times


def one_line_change(crate: Path, number: int) -> None:
    """Edit one doc comment of the library (a change every gate sees, no behaviour change)."""
    path = crate / "src" / "document.rs"
    text = path.read_text(encoding="utf-8")
    marker = (
        DOC_LINE
        if DOC_LINE in text
        else text[text.index("/// A hot path") : text.index("\n", text.index("/// A hot path")) + 1]
    )
    path.write_text(text.replace(marker, marker.rstrip("\n") + f" Edit {number}.\n", 1), encoding="utf-8")


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per-gate medians and the median of the totals."""
    result = {gate: statistics.median(run[gate] for run in runs) for gate in GATES}
    result["total"] = statistics.median(sum(run.values()) for run in runs)
    return result


def main() -> int:
    """Run the measurements and print the report; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="cold/warm/floor runs (median reported)")
    parser.add_argument("--copies", type=int, default=5, help="copier copy runs (median reported)")
    parser.add_argument("--ref", help="template git revision to generate from (default: the working tree)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-template-"))
    cold_runs: list[dict[str, float]] = []
    first_base: list[float] = []
    warm_runs: list[dict[str, float]] = []
    warm2_runs: list[dict[str, float]] = []
    floor_runs: list[float] = []
    bench_floor_runs: list[float] = []
    try:
        copies = [copier_copy(work / f"copy-{i}" / "vector-cache", args.ref) for i in range(args.copies)]
        template = work / "copy-0" / "vector-cache"
        subprocess.run(["cargo", "fetch", "--quiet"], cwd=template, check=True)  # downloads excluded
        for run in range(args.runs):
            crate = work / f"run-{run}" / "vector-cache"
            shutil.copytree(template, crate)
            target = work / f"target-{run}"
            env = cargo_env(target)
            cold_runs.append(gates(crate, env, f"run {run + 1} cold"))
            for git_args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "generated"]):
                subprocess.run(["git", *git_args], cwd=crate, env=env, check=True)
            first_base.append(timed(["bash", "scripts/gates.sh", "bench"], crate, env))
            print(
                f"run {run + 1}: gate 5 on the committed crate (measures the base): {first_base[-1]:.1f} s",
                file=sys.stderr,
            )
            one_line_change(crate, 1)
            warm_runs.append(gates(crate, env, f"run {run + 1} after a one-line change"))
            one_line_change(crate, 2)
            warm2_runs.append(gates(crate, env, f"run {run + 1} after another one-line change"))
            shutil.rmtree(target)
            target = work / f"target-floor-{run}"
            floor_runs.append(sum(timed(cmd, crate, cargo_env(target)) for cmd in FLOOR))
            bench_floor_runs.append(timed(BENCH_FLOOR, crate, cargo_env(target)))
            print(
                f"run {run + 1}: floor: {floor_runs[-1]:.1f} s + bench build {bench_floor_runs[-1]:.1f} s",
                file=sys.stderr,
            )
            shutil.rmtree(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    cold, warm, warm2 = median_of(cold_runs), median_of(warm_runs), median_of(warm2_runs)
    floor_1_4 = statistics.median(floor_runs)
    floor = statistics.median([a + b for a, b in zip(floor_runs, bench_floor_runs, strict=True)])
    report = {
        "template_ref": args.ref or "working tree",
        "copier_copy_s": {"median": statistics.median(copies), "runs": copies},
        "cold_gates_s": {"median": cold, "runs": cold_runs},
        "gate5_measuring_the_base_s": {"median": statistics.median(first_base), "runs": first_base},
        "gates_after_one_line_change_s": {"median": warm, "runs": warm_runs},
        "gates_after_another_one_line_change_s": {"median": warm2, "runs": warm2_runs},
        "floor_s": {"median": floor, "gates_1_4_runs": floor_runs, "bench_build_runs": bench_floor_runs},
        "floor_gates_1_4_s": floor_1_4,
        "ratio_cold_gates_to_floor": cold["total"] / floor,
        "ratio_cold_gates_to_floor_gates_1_4": cold["total"] / floor_1_4,
        "ratio_one_line_change_to_cold": warm["total"] / cold["total"],
        "ratio_another_one_line_change_to_cold": warm2["total"] / cold["total"],
        "cpus": os.cpu_count(),
        "runs": args.runs,
    }
    print(f"template: {report['template_ref']}; {os.cpu_count()} CPUs; medians of {args.runs} run(s)")
    print(f"copier copy (default answers): {report['copier_copy_s']['median']:.2f} s over {args.copies} runs")
    print(f"{'gate':8} {'cold':>8} {'1-line':>8} {'1-line #2':>10}")
    for gate in [*GATES, "total"]:
        print(f"{gate:8} {cold[gate]:8.1f} {warm[gate]:8.1f} {warm2[gate]:10.1f}")
    print(f"gate 5 on the committed crate, measuring the base: {report['gate5_measuring_the_base_s']['median']:.1f} s")
    print(
        f"floor (build --release + test --no-run + clippy + bench --no-run, cold): {floor:.1f} s "
        f"(without the bench build: {floor_1_4:.1f} s)"
    )
    print(
        f"ratio cold gates / floor: {report['ratio_cold_gates_to_floor']:.2f} "
        f"(to the floor without the bench build: {report['ratio_cold_gates_to_floor_gates_1_4']:.2f})"
    )
    print(
        f"ratio gates after a one-line change / cold gates: {report['ratio_one_line_change_to_cold']:.3f} "
        f"(another change: {report['ratio_another_one_line_change_to_cold']:.3f})"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
