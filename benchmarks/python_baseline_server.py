"""The baseline of benchmarks/bench_mcp.py: the same `tokenize` tool served by the Python MCP
SDK's own server (MCPServer over stdio), measured by the same client in the same run."""

from __future__ import annotations

import re

from mcp.server.mcpserver import MCPServer

server = MCPServer("python-baseline")


@server.tool()
def tokenize(text: str) -> dict[str, list[str]]:
    """Split a text into lowercase alphanumeric tokens (what the Rust tool does)."""
    return {"tokens": [token.lower() for token in re.split(r"[^0-9A-Za-z]+", text) if token]}


@server.tool()
def server_info() -> dict[str, str]:
    """Name and version (the no-argument health tool)."""
    return {"name": "python-baseline", "version": "0"}


if __name__ == "__main__":
    server.run("stdio")
