"""The baseline of benchmarks/bench_mcp.py: the same `tokenize` and `server_info` tools served by
the Python MCP SDK's own server (MCPServer), measured by the same clients in the same run.

Usage: python_baseline_server.py            (stdio)
       python_baseline_server.py --http PORT (streamable HTTP at http://127.0.0.1:PORT/mcp,
                                              stateless with JSON responses, as the Rust server)
Logs at WARNING, as the Rust server runs with ``--log-level warn``."""

from __future__ import annotations

import re
import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("python-baseline", log_level="WARNING")


@server.tool()
def tokenize(text: str) -> dict[str, list[str]]:
    """Split a text into lowercase alphanumeric tokens (what the Rust tool does)."""
    return {"tokens": [token.lower() for token in re.split(r"[^0-9A-Za-z]+", text) if token]}


@server.tool()
def server_info() -> dict[str, str]:
    """Name and version (the no-argument health tool)."""
    return {"name": "python-baseline", "version": "0"}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        server.run("streamable-http", port=int(sys.argv[2]), stateless_http=True, json_response=True)
    else:
        server.run("stdio")
