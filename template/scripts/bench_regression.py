#!/usr/bin/env python3
"""Gate 5's regression check: fail when a benchmark got slower than the threshold allows.

Reads what criterion wrote during `cargo bench -- --baseline-lenient NAME`: for every benchmark,
`<id>/change/estimates.json` holds the relative change of the median against baseline NAME
(0.05 = 5 % slower) with its 95 % confidence interval. A benchmark regresses when even the lower
bound of that interval is above the threshold: criterion is 95 % confident it is more than
THRESHOLD % slower. Comparing the point estimate alone fails on noise: on a busy 2-core machine an
unchanged microbenchmark measured +6.3 % (interval +2.3 .. +9.1 %).

Only results written after `--since` (seconds since the epoch) count, so benchmarks that were
removed or not run this time cannot fail or pass the gate with stale numbers.

Standard library only. Exit codes: 0 no regression, 1 regression, 2 nothing to compare.
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
    """Compare, print one line per benchmark, and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criterion-dir", type=Path, default=Path("target/criterion"))
    parser.add_argument("--baseline", default="main", help="baseline name (criterion --baseline)")
    parser.add_argument("--threshold", type=float, default=5.0, help="largest allowed slowdown, percent")
    parser.add_argument("--since", type=float, default=0.0, help="ignore results older than this epoch")
    args = parser.parse_args()

    regressions: list[str] = []
    compared = 0
    for change_file in sorted(args.criterion_dir.rglob("change/estimates.json")):
        if change_file.stat().st_mtime < args.since:
            continue
        bench_dir = change_file.parent.parent
        if not (bench_dir / args.baseline / "estimates.json").exists():
            continue
        median = load_json(change_file)["median"]
        change = median["point_estimate"] * 100
        lower = median["confidence_interval"]["lower_bound"] * 100
        upper = median["confidence_interval"]["upper_bound"] * 100
        base_ns = load_json(bench_dir / args.baseline / "estimates.json")["median"]["point_estimate"]
        new_ns = load_json(bench_dir / "new" / "estimates.json")["median"]["point_estimate"]
        name = bench_name(bench_dir, args.criterion_dir)
        regressed = lower > args.threshold
        verdict = "REGRESSION" if regressed else "ok"
        print(
            f"{verdict:10} {name}: median {base_ns:,.0f} ns -> {new_ns:,.0f} ns "
            f"({change:+.2f} %, 95 % CI {lower:+.2f} .. {upper:+.2f} %)"
        )
        compared += 1
        if regressed:
            regressions.append(name)

    if compared == 0:
        print(f"no benchmark was compared with baseline '{args.baseline}' in {args.criterion_dir}", file=sys.stderr)
        return 2
    if regressions:
        print(
            f"{len(regressions)} of {compared} benchmark(s) more than {args.threshold:g} % slower "
            f"than baseline '{args.baseline}': {', '.join(regressions)}",
            file=sys.stderr,
        )
        return 1
    print(f"{compared} benchmark(s) within {args.threshold:g} % of baseline '{args.baseline}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
