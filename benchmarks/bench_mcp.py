#!/usr/bin/env python3
"""Benchmark the generated MCP server from real MCP clients, over stdio and streamable HTTP.

Measures, in one run, the Rust server (crate_kind=mcp-server, default stack, release build with
its `http` feature) and, as the baseline, the Python SDK's own server with the same tools
(benchmarks/python_baseline_server.py; over HTTP both stateless with JSON responses, both
logging at warning level):
  * start-to-ready over stdio: spawn the process until the `initialize` response (median of
    --starts runs, the Python SDK client);
  * `tools/call` round trips of `server_info` (no arguments) and `tokenize` (one short text):
    median and p99 over --calls calls each, after --warmup calls, in one session, from two
    clients on each transport: the Python SDK's client (what an agent in Python sees) and
    rmcp's own client (benchmarks/mcp_client, a release build: the floor, where the client
    costs least and the server's own cost shows);
and prints the Rust/Python ratios per client and transport. Criterion benches of each tool's hot
path live in the generated crate (`cargo bench -- mcp/`).

Usage: python benchmarks/bench_mcp.py [--calls 2000] [--warmup 100] [--starts 20] [--json out.json]
Needs this interpreter to have copier (+ extensions, tomlkit) and mcp; cargo on PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

REPO = Path(__file__).resolve().parent.parent
COPIER = str(Path(sys.executable).with_name("copier"))
CLIENT = REPO / "benchmarks" / "mcp_client"
TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR", str(REPO / ".cargo-target")))
TEXT = "Rust MCP servers answer tool calls over stdio, well under the policy's five milliseconds."
TOOLS = (("server_info", {}), ("tokenize", {"text": TEXT}))


@dataclass(frozen=True)
class Server:
    """How to start one server: ``command`` serves stdio; ``http`` (with a port appended) serves
    streamable HTTP at ``http://127.0.0.1:<port>/mcp``."""

    command: list[str]
    http: list[str]


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``samples`` (fraction in 0..1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving_http(server: Server) -> Iterator[str]:
    """Start ``server`` over HTTP; yield its URL once it accepts connections; stop it after.

    Raises:
        RuntimeError: the server exited, or did not listen within 30 s.
    """
    port = free_port()
    process = subprocess.Popen([*server.http, str(port)], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{server.http[0]} exited {process.returncode} before listening")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server.http[0]} did not listen on port {port} within 30 s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.asynccontextmanager
async def python_session(server: Server, url: str | None) -> AsyncIterator[ClientSession]:
    """An initialised Python SDK client session: over stdio (``url`` None) or HTTP."""
    if url is None:
        transport = stdio_client(StdioServerParameters(command=server.command[0], args=server.command[1:], env={}))
    else:
        transport = streamable_http_client(url)
    async with transport as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


async def start_to_ready(server: Server) -> float:
    """Seconds from spawning the server to its `initialize` response (stdio)."""
    started = time.perf_counter()
    async with python_session(server, None):
        return time.perf_counter() - started


async def python_round_trips(server: Server, url: str | None, calls: int, warmup: int) -> dict[str, dict[str, float]]:
    """Median and p99 (ms) of `tools/call` round trips per tool from the Python SDK client."""
    figures: dict[str, dict[str, float]] = {}
    async with python_session(server, url) as session:
        for tool, arguments in TOOLS:
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


def rust_round_trips(client: Path, server: Server, url: str | None, calls: int, warmup: int) -> dict:
    """The same figures from rmcp's client (benchmarks/mcp_client).

    Raises:
        subprocess.CalledProcessError: the client failed (its error on stderr).
    """
    transport = ["stdio", *server.command] if url is None else ["http", url]
    completed = subprocess.run(
        [str(client), str(calls), str(warmup), TEXT, *transport], capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


def measure(server: Server, client: Path, calls: int, warmup: int, starts: int) -> dict:
    """All figures for one server: start-to-ready, and per client and transport the round trips."""
    ready = [asyncio.run(start_to_ready(server)) for _ in range(starts)]
    figures: dict = {"start_to_ready_ms": statistics.median(ready) * 1000}
    for transport in ("stdio", "http"):
        with contextlib.ExitStack() as stack:
            url = None if transport == "stdio" else stack.enter_context(serving_http(server))
            figures[f"python-client/{transport}"] = asyncio.run(python_round_trips(server, url, calls, warmup))
        with contextlib.ExitStack() as stack:
            url = None if transport == "stdio" else stack.enter_context(serving_http(server))
            figures[f"rmcp-client/{transport}"] = rust_round_trips(client, server, url, calls, warmup)
    return figures


def build_rust_server(work: Path) -> Path:
    """Generate the default mcp-server crate, build its server in release mode with the `http`
    feature; return the binary.

    Raises:
        subprocess.CalledProcessError: copier or cargo failed.
    """
    crate = work / "mcp-bench"
    subprocess.run(
        [COPIER, "copy", "--trust", "--defaults", "--quiet", "--data", "crate_kind=mcp-server"]
        + ["--data", "project_name=mcp-bench", str(REPO), str(crate)],
        check=True,
    )
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET_DIR))
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--package", "mcp-bench-mcp-server", "--features", "http"],
        cwd=crate,
        env=env,
        check=True,
    )
    return TARGET_DIR / "release" / "mcp-bench"


def build_rust_client() -> Path:
    """Build benchmarks/mcp_client (its Cargo.lock) in release mode; return the binary.

    Raises:
        subprocess.CalledProcessError: cargo failed.
    """
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--locked", "--manifest-path", str(CLIENT / "Cargo.toml")],
        env=dict(os.environ, CARGO_TARGET_DIR=str(TARGET_DIR)),
        check=True,
    )
    return TARGET_DIR / "release" / "mcp-bench-client"


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as work:
        binary, client = build_rust_server(Path(work)), build_rust_client()
        baseline = [sys.executable, str(REPO / "benchmarks" / "python_baseline_server.py")]
        servers = {
            "rust": Server([str(binary), "--log-level", "warn"], [str(binary), "--log-level", "warn", "--http"]),
            "python": Server(baseline, [*baseline, "--http"]),
        }
        report = {
            name: measure(server, client, args.calls, args.warmup, args.starts) for name, server in servers.items()
        }
    rust, python = report["rust"], report["python"]
    print(f"MCP tools/call round trips, {args.calls} calls per tool after {args.warmup}, {os.cpu_count()} CPUs")
    print(f"{'':40}{'rust':>12}{'python SDK':>14}{'ratio':>8}")
    r, p = rust["start_to_ready_ms"], python["start_to_ready_ms"]
    print(f"{'start to ready (stdio), median':40}{r:10.1f}ms{p:12.1f}ms{r / p:8.2f}")
    for key in ("python-client/stdio", "python-client/http", "rmcp-client/stdio", "rmcp-client/http"):
        for tool, _ in TOOLS:
            for stat in ("median_ms", "p99_ms"):
                r, p = rust[key][tool][stat], python[key][tool][stat]
                label = f"{key} {tool} {stat.split('_')[0]}"
                print(f"{label:40}{r:10.3f}ms{p:12.3f}ms{r / p:8.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
