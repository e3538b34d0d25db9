"""The MCP server's registry entry (`server.json`): derived from the answers, valid against the
MCP registry's published schema, and matched by the README's visible `mcp-name:` line.

The schema is the registry's own file, vendored: `tests/data/mcp-registry-server.schema.json` is
modelcontextprotocol/static's `schemas/2025-12-11/server.schema.json` (blob 9f6469b7962e, commit
a9ba437d9fbb), the version the template's `$schema` names. The crate's own test
(`mcp-server/tests/registry.rs`, gate 4) holds the entry to `Cargo.toml` after generation.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, generate

SCHEMA = json.loads((REPO / "tests" / "data" / "mcp-registry-server.schema.json").read_text(encoding="utf-8"))


def entry(crate: Path) -> dict:
    """The crate's server.json, checked against the registry's schema."""
    data = json.loads((crate / "server.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def test_the_schema_named_is_the_schema_vendored():
    assert SCHEMA["$id"] == entry(REPO / "examples" / "mcp-tools")["$schema"]


def test_the_samples_entry_names_its_package_at_its_version():
    crate = REPO / "examples" / "mcp-tools"
    data = entry(crate)
    package = tomllib.loads((crate / "mcp-server" / "Cargo.toml").read_text(encoding="utf-8"))["package"]
    assert data["name"] == "io.github.reasonkit/mcp-tools"  # repository_url's owner and repository
    assert data["version"] == package["version"]
    assert data["packages"] == [
        {
            "registryType": "cargo",
            "identifier": package["name"],
            "version": package["version"],
            "transport": {"type": "stdio"},
        }
    ]
    assert data["repository"] == {"url": "https://github.com/reasonkit/mcp-tools", "source": "github"}
    readme = (crate / "README.md").read_text(encoding="utf-8")
    # visible text (crates.io drops HTML comments), the name ending at a boundary the registry accepts
    assert re.search(r"(?<!<!-- )`mcp-name: io\.github\.reasonkit/mcp-tools`", readme)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://gitlab.example.com/search-team/doc-tools.git", "com.example.gitlab/doc-tools"),
        ("https://github.com/Search-Team/doc.tools", "io.github.Search-Team/doc.tools"),
    ],
)
def test_another_host_or_a_long_description_still_makes_a_valid_entry(copie, url, name):
    description = "Serves the search team's documents to agents: " + "indexing, ranking and caching, " * 5
    crate = generate(
        copie,
        {
            "project_name": "doc-tools",
            "crate_kind": "mcp-server",
            "stack": [],
            "repository_url": url,
            "description": description.strip(),
        },
    )
    data = entry(crate)
    assert data["name"] == name
    assert len(data["description"]) <= 100 and data["description"].endswith("…")
    assert description.startswith(data["description"][:-1])
    assert ("repository" in data) == url.startswith("https://github.com/")
    assert f"`mcp-name: {name}`" in (crate / "README.md").read_text(encoding="utf-8")


def test_only_an_mcp_server_has_an_entry(copie):
    crate = generate(copie, {"project_name": "plain-lib", "stack": []})
    assert not (crate / "server.json").exists()
    assert "mcp-name:" not in (crate / "README.md").read_text(encoding="utf-8")
