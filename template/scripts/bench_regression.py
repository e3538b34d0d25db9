#!/usr/bin/env python3
"""Gate 5's check: fail when a benchmark got slower than allowed, or breaks the hot-path budget.

Reads what criterion wrote during this `cargo bench` run (results older than `--since`, in
seconds since the epoch, are ignored, so removed or skipped benchmarks cannot decide the gate):

* Regression: with `cargo bench -- --baseline-lenient NAME`, `<id>/change/estimates.json` holds
  the relative change of the median against baseline NAME (0.05 = 5 % slower) with its 95 %
  confidence interval. A benchmark regresses when even the interval's lower bound is above
  `--threshold` percent: criterion is 95 % confident it is that much slower. The point estimate
  alone fails on noise: on a busy 2-core machine an unchanged microbenchmark measured +6.3 %
  (interval +2.3 .. +9.1 %).
* Budget: the org's policy wants every hot path under 5 ms. A benchmark breaks the budget when
  the lower bound of its median's interval is above `--budget-ms` (0 turns the check off).

Standard library only. Exit codes: 0 pass, 1 regression or budget broken, 2 no results found.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def load_json(path: Path) -> dict:
    """Read one JSON file written by criterion."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def bench_name(bench_dir: Path, criterion_dir: Path) -> str:
    """Return the benchmark's full id (from new/benchmark.json), else its directory path."""
    try:
        return load_json(bench_dir / "new" / "benchmark.json")["full_id"]
    except (OSError, KeyError, ValueError):
        return str(bench_dir.relative_to(criterion_dir))


def main() -> int:
    """Check every benchmark of this run, print one line each, and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criterion-dir", type=Path, default=Path("target/criterion"))
    parser.add_argument("--baseline", default="main", help="baseline name (criterion --baseline)")
    parser.add_argument("--threshold", type=float, default=5.0, help="largest allowed slowdown, percent")
    parser.add_argument("--budget-ms", type=float, default=5.0, help="hot-path budget per iteration, ms; 0 = off")
    parser.add_argument("--since", type=float, default=0.0, help="ignore results older than this epoch")
    args = parser.parse_args()

    failures: list[str] = []
    checked = compared = 0
    for new_file in sorted(args.criterion_dir.rglob("new/estimates.json")):
        if new_file.stat().st_mtime < args.since:
            continue
        bench_dir = new_file.parent.parent
        name = bench_name(bench_dir, args.criterion_dir)
        median = load_json(new_file)["median"]
        new_ns = median["point_estimate"]
        line = f"{name}: median {new_ns:,.0f} ns"
        problems = []
        if args.budget_ms > 0 and median["confidence_interval"]["lower_bound"] > args.budget_ms * 1e6:
            problems.append(f"over the {args.budget_ms:g} ms hot-path budget")
        base_file = bench_dir / args.baseline / "estimates.json"
        change_file = bench_dir / "change" / "estimates.json"
        if base_file.exists() and change_file.exists() and change_file.stat().st_mtime >= args.since:
            change = load_json(change_file)["median"]
            point, interval = change["point_estimate"] * 100, change["confidence_interval"]
            lower, upper = interval["lower_bound"] * 100, interval["upper_bound"] * 100
            base_ns = load_json(base_file)["median"]["point_estimate"]
            line = (f"{name}: median {base_ns:,.0f} ns -> {new_ns:,.0f} ns "
                    f"({point:+.2f} %, 95 % CI {lower:+.2f} .. {upper:+.2f} %)")
            compared += 1
            if lower > args.threshold:
                problems.append(f"more than {args.threshold:g} % slower than baseline '{args.baseline}'")
        else:
            line += f" (no baseline '{args.baseline}' to compare with)"
        checked += 1
        verdict = "REGRESSION" if problems else "ok"
        print(f"{verdict:10} {line}" + "".join(f"; {problem}" for problem in problems))
        failures.extend(f"{name} ({problem})" for problem in problems)

    if checked == 0:
        print(f"no benchmark results from this run in {args.criterion_dir}", file=sys.stderr)
        return 2
    if failures:
        print(f"gate 5 failed: {'; '.join(failures)}", file=sys.stderr)
        return 1
    print(f"{checked} benchmark(s) within the {args.budget_ms:g} ms budget; "
          f"{compared} compared with baseline '{args.baseline}', none more than {args.threshold:g} % slower")
    return 0


if __name__ == "__main__":
    sys.exit(main())
