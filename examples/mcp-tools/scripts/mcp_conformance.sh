#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance, pinned below) against this
# crate's MCP server over streamable HTTP: mcp-server/conformance-baseline.yml lists the scenarios
# it may fail, each with the reason; any other failure, or a listed scenario that passes, fails
# this script. CI runs it on every pull request; it needs Node.js 22 or newer.
#
#   scripts/mcp_conformance.sh            build the server (debug, --features http), then check it
#
# Environment:
#   MCP_SERVER_BIN    a server binary built with the `http` feature, to check instead of building one
#   MCP_CONFORMANCE   the suite's command (default: npx --yes @modelcontextprotocol/conformance@<pin>)
#   CONFORMANCE_OUT   a directory for the suite's per-scenario results (checks.json)
#   CRATE_DIR         crate to check (default: the crate this script belongs to)
set -euo pipefail

suite="@modelcontextprotocol/conformance@0.1.16"
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "${CRATE_DIR:-$script_dir/..}"

binary=${MCP_SERVER_BIN:-}
if [[ -z "$binary" ]]; then
  cargo build --quiet --package mcp-tools-mcp-server --features http
  target_dir=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  binary="$target_dir/debug/mcp-tools"
fi
log=$(mktemp)
# Port 0: the system picks a free one, and the server logs its URL.
"$binary" --http 0 --log-level info 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/mcp' "$log" || true)
  [[ -n "$url" ]] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "mcp_conformance.sh: the server did not start:" >&2
  cat "$log" >&2
  exit 1
fi
read -r -a command <<<"${MCP_CONFORMANCE:-npx --yes $suite}"
"${command[@]}" server --url "$url" --expected-failures mcp-server/conformance-baseline.yml \
  ${CONFORMANCE_OUT:+--output-dir "$CONFORMANCE_OUT"}
