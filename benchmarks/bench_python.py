#!/usr/bin/env python3
"""Benchmark the Python package option (python_bindings=true): build cost and call cost.

Measures, in one run, on a crate generated with the default stack and python_bindings=true:
  1. wheel build time, release profile (`pip wheel --no-deps <crate>`, maturin as the PEP 517
     backend): once cold (an empty target dir; the cargo registry is NOT cleared, so downloads are
     not counted) unless --no-cold, then --runs warm rebuilds after touching python/src/lib.rs
     (what a developer's edit-rebuild loop costs); medians reported;
  2. wheel size (bytes of the .whl) and the size of the extension module inside it;
  3. the cost of one call from Python (ns/call, median of --repeat timings of --calls calls each)
     of bound functions against the same work written in pure Python, as a ratio:
     tokenize (a 60-byte sentence and a 10 kB text), parse_jsonl (100 documents) and
     Parallel.term_frequencies (1,000 documents) against collections.Counter.
     The outputs are checked equal before timing.

Usage: python benchmarks/bench_python.py [--runs 3] [--calls 20000] [--repeat 15] [--no-cold] [--json out.json]
Needs copier (with copier-template-extensions and tomlkit) in this interpreter's environment,
cargo, and network access to PyPI (maturin, in pip's isolated build environment).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).with_name("copier"))

#: Runs inside the venv that has the wheel installed; prints one JSON object.
CALL_BENCH = r"""
import collections, json, re, statistics, sys, timeit
import vector_cache as vc

calls, repeat = int(sys.argv[1]), int(sys.argv[2])
SPLIT = re.compile(r"[\W_]+")  # Rust's !char::is_alphanumeric, for this ASCII text


def py_tokenize(text):
    return [token.lower() for token in SPLIT.split(text) if token]


def py_parse_jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def py_term_frequencies(texts):
    counts = collections.Counter()
    for text in texts:
        counts.update(py_tokenize(text))
    return counts


sentence = "The quick brown fox jumps over the lazy dog, 42 times!!"
long_text = " ".join(f"Document {i}: Rust keeps the hot loops, Python calls them." for i in range(180))
jsonl = "\n".join(json.dumps({"id": str(i), "text": f"document {i} about rust and python"}) for i in range(100))
documents = [vc.Document(str(i), f"alpha beta gamma {i % 7} delta {i % 13}") for i in range(1000)]
texts = [document.text for document in documents]
pool = vc.Parallel()

assert vc.tokenize(sentence) == py_tokenize(sentence)
assert vc.tokenize(long_text) == py_tokenize(long_text)
assert [(d.id, d.text) for d in vc.parse_jsonl(jsonl)] == [(d["id"], d["text"]) for d in py_parse_jsonl(jsonl)]
assert pool.term_frequencies(documents) == dict(py_term_frequencies(texts))

cases = {
    "tokenize, 56-byte sentence": (lambda: vc.tokenize(sentence), lambda: py_tokenize(sentence), 1),
    "tokenize, 10 kB text": (lambda: vc.tokenize(long_text), lambda: py_tokenize(long_text), 20),
    "parse_jsonl, 100 documents": (lambda: vc.parse_jsonl(jsonl), lambda: py_parse_jsonl(jsonl), 20),
    "term_frequencies, 1,000 documents": (
        lambda: pool.term_frequencies(documents), lambda: py_term_frequencies(texts), 200),
}
result = {}
for name, (rust, python, divisor) in cases.items():
    number = max(calls // divisor, 10)
    medians = []
    for function in (rust, python):
        timings = timeit.repeat(function, number=number, repeat=repeat)
        medians.append(statistics.median(timings) / number * 1e9)
    result[name] = {"rust_ns": medians[0], "python_ns": medians[1], "calls_per_timing": number}
print(json.dumps(result))
"""


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; raise CalledProcessError (with the output) on failure."""
    return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def build_wheel(python: str, crate: Path, out: Path, target: Path) -> tuple[float, Path]:
    """Build the crate's wheel into ``out`` (emptied first); return (seconds, wheel path)."""
    for old in out.glob("*.whl"):
        old.unlink()
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_TERM_COLOR="never")
    started = time.perf_counter()
    run([python, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(crate)], crate, env)
    seconds = time.perf_counter() - started
    (wheel,) = out.glob("*.whl")
    return seconds, wheel


def main() -> int:
    """Run the benchmark; print the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="warm rebuilds (median)")
    parser.add_argument("--calls", type=int, default=20000, help="calls per timing (cheap cases)")
    parser.add_argument("--repeat", type=int, default=15, help="timings per case (median)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold build")
    parser.add_argument("--target-dir", type=Path, help="target dir for the warm builds")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-python-") as tmp:
        work = Path(tmp)
        crate = work / "vector-cache"
        run(
            [
                COPIER,
                "copy",
                "--trust",
                "--defaults",
                "--quiet",
                "--data",
                "project_name=vector-cache",
                "--data",
                "python_bindings=true",
                str(REPO),
                str(crate),
            ],
            REPO,
        )
        venv = work / "venv"
        run([sys.executable, "-m", "venv", str(venv)], work)
        python = str(venv / "bin" / "python")
        run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], work)
        out = work / "wheelhouse"
        figures: dict[str, object] = {}

        if not args.no_cold:
            seconds, wheel = build_wheel(python, crate, out, work / "cold-target")
            figures["cold_build_s"] = round(seconds, 1)
            print(f"wheel build, cold (empty target dir): {seconds:.1f} s")
        target = args.target_dir or work / "cold-target"
        if args.no_cold or args.target_dir:
            build_wheel(python, crate, out, target)  # prime the target dir the rebuilds use
        warm = []
        for _ in range(args.runs):
            (crate / "python/src/lib.rs").touch()
            seconds, wheel = build_wheel(python, crate, out, target)
            warm.append(seconds)
        figures["warm_rebuild_s"] = [round(s, 1) for s in warm]
        figures["warm_rebuild_median_s"] = round(statistics.median(warm), 1)
        print(
            f"wheel rebuild after an edit of python/src/lib.rs: median {statistics.median(warm):.1f} s "
            f"({', '.join(f'{s:.1f}' for s in warm)})"
        )

        with zipfile.ZipFile(wheel) as archive:
            module = next(info for info in archive.infolist() if info.filename.endswith((".so", ".pyd")))
        figures.update(wheel=wheel.name, wheel_bytes=wheel.stat().st_size, module_bytes=module.file_size)
        print(
            f"wheel {wheel.name}: {wheel.stat().st_size / 1e6:.2f} MB "
            f"(extension module {module.file_size / 1e6:.2f} MB unpacked)"
        )

        run([python, "-m", "pip", "install", "-q", str(wheel)], work)
        calls = json.loads(run([python, "-c", CALL_BENCH, str(args.calls), str(args.repeat)], work).stdout)
        figures["calls"] = calls
        print(
            f"\n{'per call (median of ' + str(args.repeat) + ' timings)':<40} {'Rust':>12} {'Python':>12} {'ratio':>7}"
        )
        for name, row in calls.items():
            ratio = row["rust_ns"] / row["python_ns"]
            row["ratio"] = round(ratio, 3)
            print(f"{name:<40} {row['rust_ns']:>9.0f} ns {row['python_ns']:>9.0f} ns {ratio:>7.2f}")

    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
