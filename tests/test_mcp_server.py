"""Slow: the generated MCP server, compiled, driven by a real MCP client (the Python SDK), over
stdio and over streamable HTTP, and checked by the official MCP conformance suite.

Over each transport: initializes, lists the tools (names and input schemas), calls every tool
with valid arguments and checks the results, calls with invalid arguments and an unknown tool
(errors, server still alive), then closes the session and checks the server exited cleanly.
Over HTTP also: who may call (Host and Origin allow-lists), the crate's own conformance script
with its baseline, and shutdown while a call is in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tools  # tests/tools.py
import yaml
from conftest import CARGO_TARGET_DIR, FULL_STACK, cargo_env, run, shared_crate

try:
    import mcp
    from mcp import ClientSession, StdioServerParameters, stdio_client
    from mcp.client.streamable_http import streamable_http_client
except ImportError:  # every run collects this module: without the SDK its tests fail, one line each
    mcp = None

pytestmark = [pytest.mark.slow, pytest.mark.builds("samples")]


@pytest.fixture(scope="module", autouse=True)
def _mcp_sdk() -> None:
    """Fail each test with one line when the MCP Python SDK is missing (before any build)."""
    if mcp is None:
        pytest.fail("the MCP Python SDK (mcp) is not installed: pip install --group test", pytrace=False)


BASE_TOOLS = {"server_info", "tokenize", "parse_jsonl"}
STACK_TOOLS = {
    "tantivy": {"index_documents", "search"},
    "moka": {"cache_put", "cache_get"},
    "simd-json": {"parse_json"},
    "rayon": {"term_frequencies"},
    "qdrant": {"qdrant_health"},
}


@pytest.fixture(scope="module", params=["mcp-tools", "mcp-plain"])
def server(request, copie_session) -> tuple[Path, list[str]]:
    """The sample MCP server (every component) and one without components."""
    stack = FULL_STACK if request.param == "mcp-tools" else []
    crate = shared_crate(copie_session, request.param)  # the gate tests' crate: built once
    run(["cargo", "build", "--release"], cwd=crate, env=cargo_env())  # a no-op after gate 1
    binary = CARGO_TARGET_DIR / "release" / request.param
    assert binary.is_file()
    return binary, stack


def resolve(schema: dict, root: dict) -> dict:
    """`schema`, or the definition its `$ref` names in `root` (`#/$defs/<name>`)."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    *_, section, name = ref.split("/")
    return resolve(root[section][name], root)


def types(schema: dict) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def minimal(schema: dict, root: dict) -> object:
    """The smallest valid value of `schema`: what fills the arguments not under test."""
    schema = resolve(schema, root)
    kinds = types(schema)
    if "object" in kinds:
        return {name: minimal(schema["properties"][name], root) for name in schema.get("required", [])}
    if "array" in kinds:
        return []
    if "integer" in kinds:
        return 1
    return "x"


def uncapped(schema: dict, root: dict, path: str = "") -> list[str]:
    """The text, list and count arguments under `schema` whose schema states no cap."""
    schema = resolve(schema, root)
    kinds = types(schema)
    found: list[str] = []
    if "object" in kinds:
        for name, child in schema.get("properties", {}).items():
            found += uncapped(child, root, f"{path}.{name}" if path else name)
    if "array" in kinds:
        found += [] if "maxItems" in schema else [path]
        found += uncapped(schema["items"], root, f"{path}[]")
    if "string" in kinds and "maxLength" not in schema:
        found.append(path)
    if "integer" in kinds and "maximum" not in schema:
        found.append(path)
    return found


def over_caps(schema: dict, root: dict) -> list[tuple[str, object]]:
    """Every way to break one cap under `schema`: (the argument's name, a value over its cap), the
    rest of the value minimal."""
    schema = resolve(schema, root)
    kinds = types(schema)
    cases: list[tuple[str, object]] = []
    if "object" in kinds:
        base = minimal(schema, root)
        assert isinstance(base, dict)
        for name, child in schema.get("properties", {}).items():
            for argument, value in over_caps(child, root):
                cases.append((argument or name, {**base, name: value}))
    if "array" in kinds:
        if "maxItems" in schema:
            cases.append(("", [minimal(schema["items"], root)] * (schema["maxItems"] + 1)))
        cases += [(argument, [value]) for argument, value in over_caps(schema["items"], root)]
    if "string" in kinds and "maxLength" in schema:
        cases.append(("", "x" * (schema["maxLength"] + 1)))
    if "integer" in kinds and "maximum" in schema:
        cases.append(("", schema["maximum"] + 1))
    return cases


def structured(result) -> dict:
    assert result.is_error is False, result.content
    return result.structured_content


def over_stdio(binary: Path) -> contextlib.AbstractAsyncContextManager:
    """The client's streams to ``binary`` spawned over stdio."""
    params = StdioServerParameters(command=str(binary), args=["--log-level", "debug"], env={"PATH": "/usr/bin:/bin"})
    return stdio_client(params)


async def exercise(transport: contextlib.AbstractAsyncContextManager, stack: list[str]) -> dict[str, object]:
    """Drive one whole session over ``transport`` (its streams); return what it saw."""
    seen: dict[str, object] = {}
    async with transport as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        seen["server_name"] = init.server_info.name
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        seen["tools"] = set(tools)
        seen["schemas"] = {name: tool.input_schema for name, tool in tools.items()}

        info = structured(await session.call_tool("server_info", {}))
        assert info["components"] == stack
        tokens = structured(await session.call_tool("tokenize", {"text": "Rust, MCP and stdio!"}))
        assert tokens == {"tokens": ["rust", "mcp", "and", "stdio"]}
        parsed = structured(await session.call_tool("parse_jsonl", {"jsonl": '{"id": "a", "text": "x"}\n'}))
        assert parsed == {"documents": [{"id": "a", "text": "x"}]}
        bad_lines = await session.call_tool("parse_jsonl", {"jsonl": "{}\n"})
        assert bad_lines.is_error is True
        assert bad_lines.content[0].text == "invalid document on line 1: missing field `id` at line 1 column 2"
        if "tantivy" in stack:
            documents = [{"id": "a", "text": "fast vector search in rust"}, {"id": "b", "text": "slow python loops"}]
            assert structured(await session.call_tool("index_documents", {"documents": documents})) == {
                "added": 2,
                "total": 2,
            }
            hits = structured(await session.call_tool("search", {"query": "rust", "limit": 5}))["hits"]
            assert [hit["id"] for hit in hits] == ["a"] and hits[0]["score"] > 0
            bad_query = await session.call_tool("search", {"query": "text:("})
            assert bad_query.is_error is True and bad_query.content[0].text.startswith('invalid search query "text:("')
        if "moka" in stack:
            assert structured(await session.call_tool("cache_put", {"id": "k", "text": "cached"})) == {
                "id": "k",
                "text": "cached",
            }
            assert structured(await session.call_tool("cache_get", {"id": "k"})) == {"id": "k", "text": "cached"}
            miss = await session.call_tool("cache_get", {"id": "absent"})
            assert miss.is_error is True
            assert miss.content[0].text == 'no cached document with id "absent"'
        if "simd-json" in stack:
            payload = json.dumps([{"id": "x", "text": "1"}, {"id": "y", "text": "2"}])
            assert structured(await session.call_tool("parse_json", {"json": payload})) == {
                "count": 2,
                "ids": ["x", "y"],
            }
            broken = await session.call_tool("parse_json", {"json": "[{"})
            assert broken.is_error is True and broken.content[0].text.startswith("invalid JSON array of documents")
        if "rayon" in stack:
            terms = structured(await session.call_tool("term_frequencies", {"texts": ["a b a", "b a c"], "top": 2}))
            assert terms == {"terms": [{"term": "a", "count": 3}, {"term": "b", "count": 2}]}
            # The texts together hold at most what one may (one call's input: gate 5's size),
            # which no schema keyword states: two texts, each within its cap, over it in all.
            cap = tools["term_frequencies"].input_schema["properties"]["texts"]["items"]["maxLength"]
            halves = ["a" * (cap // 2 + 1)] * 2
            together = await session.call_tool("term_frequencies", {"texts": halves})
            assert together.is_error is True
            assert together.content[0].text == f"`texts` has {2 * (cap // 2 + 1)} characters in all; the cap is {cap}"
            within = await session.call_tool("term_frequencies", {"texts": ["a" * (cap // 2)] * 2})
            assert within.is_error is not True, within.content
        if "qdrant" in stack:
            unset = await session.call_tool("qdrant_health", {})
            assert unset.is_error is True
            assert unset.content[0].text.startswith("QDRANT_URL is not set")

        # Every cap a schema states is checked: one argument over it is a tool error naming it.
        seen["over_caps"] = 0
        for name, tool in tools.items():
            for argument, arguments in over_caps(tool.input_schema, tool.input_schema):
                over = await session.call_tool(name, arguments)
                assert over.is_error is True, (name, argument, over.content)
                assert over.content[0].text.startswith(f"`{argument}` "), (name, over.content[0].text)
                seen["over_caps"] += 1

        wrong_type = await session.call_tool("tokenize", {"text": 42})
        assert wrong_type.is_error is True
        assert "failed to deserialize parameters" in wrong_type.content[0].text
        missing = await session.call_tool("tokenize", {})
        assert missing.is_error is True and "missing field `text`" in missing.content[0].text
        with pytest.raises(mcp.MCPError) as unknown:
            await session.call_tool("no_such_tool", {})
        seen["unknown_tool_code"] = unknown.value.code
        seen["alive_after_errors"] = structured(await session.call_tool("server_info", {}))["name"]
    return seen


def test_a_real_mcp_client_uses_every_tool(server):
    binary, stack = server
    seen = asyncio.run(asyncio.wait_for(exercise(over_stdio(binary), stack), timeout=60))
    assert_every_tool_seen(seen, binary.name, stack)


def assert_every_tool_seen(seen: dict[str, object], name: str, stack: list[str]) -> None:
    """What ``exercise`` saw is the whole server: its name, every tool, every cap."""
    assert seen["server_name"] == name
    expected = set(BASE_TOOLS).union(*(STACK_TOOLS[component] for component in stack))
    assert seen["tools"] == expected
    schema = seen["schemas"]["tokenize"]
    assert schema["type"] == "object"
    assert schema["properties"]["text"]["type"] == "string"
    assert schema["required"] == ["text"]
    if "tantivy" in stack:
        search = seen["schemas"]["search"]
        assert search["required"] == ["query"]
        assert search["properties"]["limit"]["type"] == ["integer", "null"]
    uncapped_arguments = {name: uncapped(schema, schema) for name, schema in seen["schemas"].items()}
    assert {name: found for name, found in uncapped_arguments.items() if found} == {}
    # tokenize's text, parse_jsonl's jsonl; with the components, their texts, lists and counts.
    assert seen["over_caps"] == (2 if not stack else 14)
    assert seen["unknown_tool_code"] == -32602
    assert seen["alive_after_errors"] == name


# --- streamable HTTP (the `http` feature) -----------------------------------------------------

#: The conformance scenarios that apply to a server of tools only: they must pass, never be in
#: the baseline (the others call the suite's own test tools, or need resources, prompts, logging,
#: completions or sessions: the crate's baseline argues each).
MUST_PASS = {"server-initialize", "ping", "tools-list", "dns-rebinding-protection"}


#: Crate -> (the crate, its HTTP server binary, its stack), found once per session.
_http_builds: dict[str, tuple[Path, Path, list[str]]] = {}


def http_build(copie_session, key: str) -> tuple[Path, Path, list[str]]:
    """(the crate ``key``, its server binary built with the `http` feature, its stack): gate 4's
    build (`cargo test --all-features` builds the binary for the protocol test), found in cargo's
    report, once."""
    if key not in _http_builds:
        _http_builds[key] = _find_http_build(copie_session, key)
    return _http_builds[key]


def _find_http_build(copie_session, key: str) -> tuple[Path, Path, list[str]]:
    crate = shared_crate(copie_session, key)
    built = run(["cargo", "test", "--all-features", "--no-run", "--message-format=json"], cwd=crate, env=cargo_env())
    artifacts = [json.loads(line) for line in built.stdout.splitlines() if line.startswith("{")]
    (binary,) = {
        a["executable"]
        for a in artifacts
        if a.get("reason") == "compiler-artifact" and a["target"]["kind"] == ["bin"] and not a["profile"]["test"]
    }
    return crate, Path(binary), FULL_STACK if key == "mcp-tools" else []


@pytest.fixture(scope="module", params=["mcp-tools", "mcp-plain"])
def http_binary(request, copie_session) -> tuple[Path, Path, list[str]]:
    return http_build(copie_session, request.param)


@pytest.fixture(scope="module")
def every_component(copie_session) -> tuple[Path, Path, list[str]]:
    """The sample with every component (mcp-plain's baseline is the same file)."""
    return http_build(copie_session, "mcp-tools")


class HttpServer:
    """A server process serving streamable HTTP on a free loopback port; its stderr read as it
    comes (a full pipe would stall the server)."""

    def __init__(self, binary: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [str(binary), "--http", "0", "--log-level", "info", *args],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        assert self.ready.wait(timeout=30), self.log()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", self.log())
        assert found, self.log()
        self.url, self.port = found.group(0), int(found.group(1))

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if "serving MCP over streamable HTTP at" in line:
                self.ready.set()
        self.ready.set()  # exited before it served: the waiter reads the log

    def log(self) -> str:
        return "".join(self.lines)

    def stop(self) -> int:
        """SIGTERM; return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=30)
        self.reader.join(timeout=5)
        return status


@contextlib.contextmanager
def serving(binary: Path, *args: str) -> Iterator[HttpServer]:
    server = HttpServer(binary, *args)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def test_a_real_mcp_client_uses_every_tool_over_http(http_binary):
    """The same session as over stdio, each request answered on its own (stateless): the index
    and the cache a call fills are there for the next call, which a clone of the server answers."""
    _, binary, stack = http_binary
    with serving(binary) as server:
        seen = asyncio.run(asyncio.wait_for(exercise(streamable_http_client(server.url), stack), timeout=60))
        assert_every_tool_seen(seen, binary.name, stack)
        assert server.stop() == 0, server.log()
    assert "HTTP server stopped" in server.log()


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST ``body`` to /mcp with exactly these headers (``Host`` among them); (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("POST", "/mcp", skip_host=True, skip_accept_encoding=True)
        for name, value in {
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "Content-Length": str(len(body)),
            **headers,
        }.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
).encode()


def test_only_the_allowed_hosts_and_origins_may_call(http_binary):
    """DNS-rebinding protection: a Host that is neither loopback nor allowed gets 403, and so
    does a web page's request (it carries an Origin) from an origin not allowed; a client that
    sends no Origin (a CLI, an agent) is served."""
    _, binary, _ = http_binary
    allowed = ["--allow-host", "mcp.example.com", "--allow-origin", "https://app.example.com"]
    with serving(binary, *allowed) as server:
        port = server.port
        local = f"127.0.0.1:{port}"
        cases = {
            "loopback, no Origin": ({"Host": local}, 200),
            "localhost by name": ({"Host": f"localhost:{port}"}, 200),
            "an allowed host": ({"Host": "mcp.example.com"}, 200),
            "a rebinding host": ({"Host": "evil.example.com"}, 403),
            "the server's own origin": ({"Host": local, "Origin": f"http://{local}"}, 200),
            "an allowed origin": ({"Host": local, "Origin": "https://app.example.com"}, 200),
            "another origin": ({"Host": local, "Origin": "https://evil.example.com"}, 403),
        }
        seen = {case: post(port, INITIALIZE, headers)[0] for case, (headers, _) in cases.items()}
        assert seen == {case: status for case, (_, status) in cases.items()}
        status, body = post(port, INITIALIZE, {"Host": local})
        assert json.loads(body)["result"]["serverInfo"]["name"] == binary.name
        assert server.stop() == 0
    log = server.log()
    assert "disallowed Host header" in log and "disallowed Origin header" in log  # rmcp's, logged
    # the allow-lists are --http's: alone they are an error naming the flag
    alone = subprocess.run([str(binary), "--allow-origin", "https://x"], capture_output=True, text=True, check=False)
    assert alone.returncode == 2 and "--http" in alone.stderr


def read_by_the_server(port: int, timeout: float = 60) -> None:
    """Wait until the server at ``port`` has read all that was sent to it (the kernel's receive
    queue of each of its connections, in /proc/net/tcp, is empty): a request sent in part is then
    in its hands, however busy the machine is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [line.split() for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]]
        # local address, remote address, state (01: established), tx_queue:rx_queue
        queues = [
            int(row[4].split(":")[1], 16) for row in rows if int(row[1].split(":")[1], 16) == port and row[3] == "01"
        ]
        if queues and not any(queues):
            return
        time.sleep(0.02)
    raise AssertionError(f"the server on port {port} did not read its connection within {timeout} s")


def test_sigterm_answers_the_call_in_flight_then_stops(copie_session):
    """Graceful shutdown: a request already started gets its answer after SIGTERM (and then the
    server stops); one that never completes is dropped after the drain bound, and the log says so.
    The transport's code is the same whatever the components: the server without any is enough."""
    _, binary, _ = http_build(copie_session, "mcp-plain")
    with serving(binary) as server:
        head = (
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nContent-Length: {len(INITIALIZE)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(head + INITIALIZE[:20])
            read_by_the_server(server.port)
            server.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            while "SIGTERM received" not in server.log() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.process.poll() is None  # waiting for the call in flight
            sock.sendall(INITIALIZE[20:])
            answer = sock.recv(65536).decode()
        assert answer.startswith("HTTP/1.1 200 OK"), answer
        assert server.stop() == 0, server.log()
    assert "HTTP server stopped" in server.log() and "still in flight" not in server.log()

    with serving(binary) as server, socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head + INITIALIZE[:20])  # never finished
        read_by_the_server(server.port)
        started = time.monotonic()
        assert server.stop() == 0, server.log()
        waited = time.monotonic() - started
    assert "calls still in flight after 10s: stopping without them" in server.log()
    assert waited >= 9.5, waited  # the drain bound, 10 s, was waited (slowness only lengthens it)


def conformance(
    crate: Path, binary: Path | None, out: Path, baseline: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the crate's own ``scripts/mcp_conformance.sh`` (the suite from tests/tools.py, at the
    script's pinned version) on ``binary``, or on the one the script builds when ``None``; with
    ``baseline``, that text replaces the crate's baseline file for the run."""
    bin_dir = tools.conformance()
    baseline_file = crate / "mcp-server" / "conformance-baseline.yml"
    original = baseline_file.read_text(encoding="utf-8")
    env = {
        **cargo_env(),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        **({"MCP_SERVER_BIN": str(binary)} if binary else {}),
        "MCP_CONFORMANCE": str(bin_dir / "conformance"),
        "CONFORMANCE_OUT": str(out),
        "NO_COLOR": "1",
    }
    try:
        if baseline is not None:
            baseline_file.write_text(baseline, encoding="utf-8")
        return subprocess.run(
            ["bash", "scripts/mcp_conformance.sh"], cwd=crate, env=env, capture_output=True, text=True, check=False
        )
    finally:
        baseline_file.write_text(original, encoding="utf-8")


def scenario_results(out: Path) -> dict[str, set[str]]:
    """Scenario -> the statuses of its checks, from the suite's per-scenario checks.json files."""
    results: dict[str, set[str]] = {}
    for checks in out.glob("server-*/checks.json"):
        scenario = re.fullmatch(r"server-(.+)-\d{4}-\d{2}-\d{2}T.*", checks.parent.name)
        assert scenario, checks.parent.name
        results[scenario.group(1)] = {check["status"] for check in json.loads(checks.read_text(encoding="utf-8"))}
    return results


def test_the_official_conformance_suite_passes_with_an_argued_baseline(every_component, tmp_path):
    """`@modelcontextprotocol/conformance` (the crate's pinned version) through the crate's own
    script, as its CI runs it: every scenario that applies to a server of tools passes, each other
    one is in the baseline with a reason, and the baseline is strict both ways."""
    crate, binary, _ = every_component
    text = (crate / "mcp-server" / "conformance-baseline.yml").read_text(encoding="utf-8")
    listed = yaml.safe_load(text)["server"]
    assert len(listed) == len(set(listed)) and not MUST_PASS & set(listed), listed
    # each entry sits under a comment that argues it (a group's reason above its first entry)
    blocks = re.split(r"\n(?=  #)", text.split("\nserver:\n", 1)[1])
    assert all(re.match(r"  # \S", block) for block in blocks), blocks
    assert sum(len(re.findall(r"^  - ", block, re.M)) for block in blocks) == len(listed)

    completed = conformance(crate, binary, tmp_path / "run")
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    assert "Baseline check passed" in completed.stdout
    results = scenario_results(tmp_path / "run")
    assert {scenario: statuses for scenario, statuses in results.items() if scenario in MUST_PASS} == {
        scenario: {"SUCCESS"} for scenario in MUST_PASS
    }
    # every scenario of the suite ran, and all that are not listed passed: the suite's own rule
    assert set(listed) < set(results)
    assert all(statuses <= {"SUCCESS", "INFO"} for scenario, statuses in results.items() if scenario not in listed)

    # Strict both ways: a failure the baseline does not list fails the script, naming it, and so
    # does a listed scenario that passes.
    unlisted = conformance(crate, binary, tmp_path / "unlisted", text.replace("  - prompts-list\n", ""))
    assert unlisted.returncode != 0 and "prompts-list" in unlisted.stdout, unlisted.stdout[-3000:]
    stale = conformance(crate, binary, tmp_path / "stale", text.replace("server:\n", "server:\n  - ping\n"))
    assert stale.returncode != 0 and "ping" in stale.stdout, stale.stdout[-3000:]


def test_the_script_builds_the_server_it_checks(copie_session, tmp_path):
    """What the crate's CI runs, whole: the script builds the server with the `http` feature
    itself (the tests above hand it gate 4's binary), and it passes its baseline. On the server
    without components: the transport and the baseline are the same, its build the cheapest."""
    crate = shared_crate(copie_session, "mcp-plain")
    completed = conformance(crate, None, tmp_path / "run")
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    assert "Baseline check passed" in completed.stdout
    results = scenario_results(tmp_path / "run")
    assert {scenario: results.get(scenario) for scenario in MUST_PASS} == {
        scenario: {"SUCCESS"} for scenario in MUST_PASS
    }


#: A change to the server's tools that the reviewed surface does not have: a required argument of
#: `tokenize` (breaking) and an output field (additive).
ARGUMENT = (
    "    text: String,\n}\n\n/// Result of `tokenize`.",
    "    text: String,\n    /// The text's language.\n    language: String,\n}\n\n/// Result of `tokenize`.",
)
FIELD = (
    "    tokens: Vec<String>,\n}",
    "    tokens: Vec<String>,\n    /// How many there are.\n    count: Option<u32>,\n}",
)
BUILT = ("Ok(Json(Tokens { tokens }))", "Ok(Json(Tokens { tokens, count: None }))")


def test_the_surface_test_classifies_a_change_the_file_lacks_and_ci_reports_it(copie_session, tmp_path):
    """The crate's surface test (gate 4) fails on a change to a tool that mcp-surface.json lacks,
    each change classified; `MCP_SURFACE=overwrite` writes the file; then CI's pull-request step,
    run as ci.yml says (the base's file under `base/`, the summary file GitHub names), writes the
    same classification into the summary and passes."""
    crate = shared_crate(copie_session, "mcp-plain")
    server_rs, surface = crate / "mcp-server" / "src" / "server.rs", crate / "mcp-server" / "mcp-surface.json"
    code, reviewed = server_rs.read_text(encoding="utf-8"), surface.read_text(encoding="utf-8")
    changed = code
    for old, new in (ARGUMENT, FIELD, BUILT):
        assert changed.count(old) == 1, old
        changed = changed.replace(old, new)
    ci = yaml.safe_load((crate / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    step = next(step for step in ci["jobs"]["gates"]["steps"] if step.get("name", "").startswith("MCP surface"))
    base = crate / step["env"]["MCP_SURFACE_BASE"].removeprefix("${{ github.workspace }}/")
    base.parent.mkdir(parents=True)
    base.write_text(reviewed, encoding="utf-8")
    summary = tmp_path / "summary.md"
    test = ["cargo", "test", "--all-features", "--package", "mcp-plain-mcp-server", "--test", "mcp_surface"]
    classified = [
        "| breaking | `tokenize` argument `language` added, required |",
        "| additive | `tokenize` output field `count` added |",
    ]
    try:
        server_rs.write_text(changed, encoding="utf-8")
        failed = subprocess.run(test, cwd=crate, env=cargo_env(), capture_output=True, text=True, check=False)
        assert failed.returncode != 0, failed.stdout
        assert (
            "the MCP surface is not mcp-server/mcp-surface.json:\n\n1 breaking, 1 additive, 0 other\n" in failed.stdout
        )
        assert all(line in failed.stdout for line in classified), failed.stdout
        assert "MCP_SURFACE=overwrite cargo test --test mcp_surface" in failed.stdout

        run(test, cwd=crate, env=cargo_env(MCP_SURFACE="overwrite"))
        written = json.loads(surface.read_text(encoding="utf-8"))
        tokenize = next(tool for tool in written["tools"] if tool["name"] == "tokenize")
        assert tokenize["inputSchema"]["required"] == ["text", "language"]
        assert "count" in tokenize["outputSchema"]["properties"]

        # CI's step, its command and env as ci.yml has them (the workspace is the crate's folder)
        env = cargo_env(GITHUB_STEP_SUMMARY=str(summary), MCP_SURFACE_BASE=str(base.resolve()))
        run(["bash", "-c", step["run"]], cwd=crate, env=env)
        report = summary.read_text(encoding="utf-8")
        assert report.startswith("### MCP surface against the base\n\n1 breaking, 1 additive, 0 other\n"), report
        assert all(line in report for line in classified), report
    finally:
        server_rs.write_text(code, encoding="utf-8")
        surface.write_text(reviewed, encoding="utf-8")
        shutil.rmtree(crate / "base", ignore_errors=True)
