#!/usr/bin/env python3
"""Benchmark the generated MCP server from a real MCP client (the Python SDK) over stdio.

Measures, in one run, for the Rust server (crate_kind=mcp-server, default stack, release build)
and, as the baseline, the Python SDK's own server with the same tools
(benchmarks/python_baseline_server.py):
  * start-to-ready: spawn the process until the `initialize` response (median of --starts runs);
  * `tools/call` round trip of `server_info` (no arguments) and `tokenize` (one short text):
    median and p99 over --calls calls each, after --warmup calls;
and prints the Rust/Python ratios. Criterion benches of each tool's hot path live in the
generated crate (`cargo bench -- mcp/`).

Usage: python benchmarks/bench_mcp.py [--calls 2000] [--starts 20] [--json out.json]
Needs this interpreter to have copier (+ extensions, tomlkit) and mcp; cargo on PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mcp import ClientSession, StdioServerParameters, stdio_client

REPO = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).with_name("copier"))
TEXT = "Rust MCP servers answer tool calls over stdio, well under the policy's five milliseconds."


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``samples`` (fraction in 0..1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def start_to_ready(params: StdioServerParameters) -> float:
    """Seconds from spawning the server to its `initialize` response."""
    started = time.perf_counter()
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return time.perf_counter() - started


async def round_trips(params: StdioServerParameters, calls: int, warmup: int) -> dict[str, dict[str, float]]:
    """Median and p99 (ms) of `tools/call` round trips per tool, in one session."""
    figures: dict[str, dict[str, float]] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for tool, arguments in (("server_info", {}), ("tokenize", {"text": TEXT})):
            for _ in range(warmup):
                await session.call_tool(tool, arguments)
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                result = await session.call_tool(tool, arguments)
                samples.append((time.perf_counter() - started) * 1000)
                if result.is_error:
                    raise RuntimeError(f"{tool} failed: {result.content}")
            figures[tool] = {
                "median_ms": statistics.median(samples),
                "p99_ms": percentile(samples, 0.99),
                "calls": calls,
            }
    return figures


async def measure(params: StdioServerParameters, calls: int, warmup: int, starts: int) -> dict:
    """All figures for one server."""
    ready = [await start_to_ready(params) for _ in range(starts)]
    return {"start_to_ready_ms": statistics.median(ready) * 1000, "calls": await round_trips(params, calls, warmup)}


def build_rust_server(work: Path) -> Path:
    """Generate the default mcp-server crate, build it in release mode; return the binary."""
    crate = work / "mcp-bench"
    subprocess.run(
        [
            COPIER,
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--data",
            "crate_kind=mcp-server",
            "--data",
            "project_name=mcp-bench",
            str(REPO),
            str(crate),
        ],
        check=True,
    )
    env = dict(os.environ, CARGO_TARGET_DIR=os.environ.get("CARGO_TARGET_DIR", str(REPO / ".cargo-target")))
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=crate, env=env, check=True)
    return Path(env["CARGO_TARGET_DIR"]) / "release" / "mcp-bench"


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as work:
        binary = build_rust_server(Path(work))
        servers = {
            "rust": StdioServerParameters(command=str(binary), args=["--log-level", "warn"], env={}),
            "python": StdioServerParameters(
                command=sys.executable, args=[str(REPO / "benchmarks" / "python_baseline_server.py")], env={}
            ),
        }
        report = {
            name: asyncio.run(measure(params, args.calls, args.warmup, args.starts)) for name, params in servers.items()
        }
    rust, python = report["rust"], report["python"]
    print(f"MCP over stdio, Python SDK client, {args.calls} calls per tool, {os.cpu_count()} CPUs")
    print(f"{'':24}{'rust':>12}{'python SDK':>14}{'ratio':>8}")
    print(
        f"{'start to ready, median':24}{rust['start_to_ready_ms']:10.1f}ms{python['start_to_ready_ms']:12.1f}ms"
        f"{rust['start_to_ready_ms'] / python['start_to_ready_ms']:8.2f}"
    )
    for tool in ("server_info", "tokenize"):
        for stat in ("median_ms", "p99_ms"):
            r, p = rust["calls"][tool][stat], python["calls"][tool][stat]
            print(f"{tool + ' ' + stat.split('_')[0]:24}{r:10.3f}ms{p:12.3f}ms{r / p:8.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
