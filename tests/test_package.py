"""Slow: what `cargo package` ships from every sample is the crate, none of the template's
machinery (issue 26, item 5): `cargo package --list` of each package, read against the files the
template renders around the crate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLES, cargo_env, run, shared_crate

pytestmark = [pytest.mark.slow, pytest.mark.builds("samples")]

#: What the template renders for its own machinery (CI, scripts, agent and catalog files, tool
#: configuration, the answers file): never part of a package.
MACHINERY = (
    ".copier-answers.yml",
    ".github/",
    "AGENTS.md",
    "catalog-info.yaml",
    "clippy.toml",
    "deny.toml",
    "pyproject.toml",
    "python/",
    "rustfmt.toml",
    "scripts/",
)
#: What Cargo adds to every package on its own.
CARGO_FILES = {"Cargo.toml", "Cargo.toml.orig", "Cargo.lock", ".cargo_vcs_info.json"}


def packages(crate: Path) -> list[dict]:
    """The packages whose manifests live in `crate` (the library, and a binary package beside it)."""
    metadata = json.loads(
        run(["cargo", "metadata", "--no-deps", "--format-version", "1"], cwd=crate, env=cargo_env()).stdout
    )
    return [package for package in metadata["packages"] if Path(package["manifest_path"]).is_relative_to(crate)]


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_the_package_is_the_crate(copie_session, sample):
    crate = shared_crate(copie_session, sample)
    found = packages(crate)
    assert found, f"no package under {crate}"
    for package in found:
        listed = run(
            ["cargo", "package", "--list", "--allow-dirty", "--package", package["name"]], cwd=crate, env=cargo_env()
        ).stdout.split()
        shipped = [path for path in listed if path not in CARGO_FILES]
        leaked = [path for path in shipped if path.startswith(MACHINERY)]
        assert leaked == [], f"{package['name']} ships the template's machinery: {leaked}"
        if Path(package["manifest_path"]).parent == crate / "python":
            # The Python bindings: never published to crates.io (the wheel ships), and all maturin's
            # sdist takes from this list is the extension's sources and the Python side beside them.
            assert package["publish"] == [], package["name"]
            answers = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
            python_side = f"{answers['python_package']}/"
            assert all(path.startswith(("src/", python_side)) for path in shipped), shipped
            assert f"{python_side}__init__.py" in shipped, shipped
            assert "src/lib.rs" in shipped, shipped
            continue
        library = any({"lib", "rlib"} & set(target["kind"]) for target in package["targets"])
        sources = "src/lib.rs" if library else "src/main.rs"
        assert {sources, "README.md"} <= set(shipped), (package["name"], shipped)
        assert any(path.startswith("LICENSE") for path in shipped), (package["name"], shipped)
        # Every file shipped is one the package builds, tests or documents with (an MCP server's
        # tests/mcp_surface.rs holds it to mcp-surface.json).
        assert all(
            path.startswith(("src/", "tests/", "benches/", "LICENSE"))
            or path in {"README.md", "CHANGELOG.md", "mcp-surface.json"}
            for path in shipped
        ), (package["name"], shipped)
        if "tests/mcp_surface.rs" in shipped:
            assert "mcp-surface.json" in shipped, (package["name"], shipped)
        # crates.io takes at most five of each; a library with no stack component has none to derive.
        assert len(package["keywords"]) <= 5 and len(package["categories"]) <= 5, package["name"]
        has_stack = "stack: []" not in (crate / ".copier-answers.yml").read_text(encoding="utf-8")
        assert bool(package["keywords"]) == bool(package["categories"]) == (has_stack or package["name"] != sample)
