"""Slow: the generated MCP server, compiled, driven by a real MCP client (the Python SDK).

Initializes, lists the tools (names and input schemas), calls every tool with valid arguments
and checks the results, calls with invalid arguments and an unknown tool (errors, server still
alive), then closes the session and checks the server exited cleanly.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import mcp
import pytest
from conftest import CARGO_TARGET_DIR, FULL_STACK, cargo_env, run, shared_crate
from mcp import ClientSession, StdioServerParameters, stdio_client

pytestmark = [pytest.mark.slow, pytest.mark.builds("samples")]

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


async def exercise(binary: Path, stack: list[str]) -> dict[str, object]:
    """Drive one whole session; return what it saw."""
    seen: dict[str, object] = {}
    params = StdioServerParameters(command=str(binary), args=["--log-level", "debug"], env={"PATH": "/usr/bin:/bin"})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
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
    seen = asyncio.run(asyncio.wait_for(exercise(binary, stack), timeout=60))
    assert seen["server_name"] == binary.name
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
    assert seen["alive_after_errors"] == binary.name
