"""Fast tests of the dependency policy data file and its reader."""

from __future__ import annotations

import tomllib

import dependency_policy as policy
import pytest
from conftest import REPO


def test_the_data_file_is_valid_and_covers_the_stack():
    deps = policy.load()
    names = {dep.name for dep in deps}
    assert {
        "tokio",
        "serde",
        "serde_json",
        "thiserror",
        "tracing",
        "tracing-subscriber",
        "anyhow",
        "clap",
        "criterion",
        "gungraun",
        "qdrant-client",
        "tantivy",
        "rayon",
        "moka",
        "simd-json",
    } <= names
    assert {dep.component for dep in deps if dep.component} == set(policy.STACK_COMPONENTS)
    assert all(dep.why and "\n" not in dep.why for dep in deps)


def test_versions_compare_numerically_and_pad_missing_parts():
    assert policy.version_key("1.88") == policy.version_key("1.88.0") == (1, 88, 0)
    assert policy.version_key("1.71.1") > policy.version_key("1.71")
    assert policy.version_key("1.100") > policy.version_key("1.99.9")
    with pytest.raises(policy.PolicyError):
        policy.version_key("1.x")


def test_msrv_is_the_highest_selected_rust_version_and_at_least_edition_2024():
    deps = policy.load()
    by_name = {dep.name: dep for dep in deps}
    skeleton = policy.select(deps, "lib", [])
    assert policy.msrv(skeleton) == max((dep.rust_version for dep in skeleton), key=policy.version_key)
    assert policy.msrv([by_name["criterion"], by_name["serde"]]) == "1.86"  # criterion's, not serde's
    assert policy.msrv([by_name["serde"]]) == "1.85"  # edition 2024's floor
    assert policy.msrv([]) == "1.85"


def test_gungraun_is_pinned_exactly_because_its_runner_must_match():
    gungraun = next(dep for dep in policy.load() if dep.name == "gungraun")
    assert gungraun.version.startswith("=") and gungraun.lib == "dev-dependencies"
    assert policy.version_key(gungraun.version.lstrip("=")) >= (0, 20, 0)


def test_a_malformed_entry_is_a_policy_error(tmp_path):
    path = tmp_path / "dependencies.toml"
    path.write_text('[x]\nversion = "1"\nlib = "dependencies"\nrust-version = "1.70"\nwhy = "y"\ncolour = "red"\n')
    with pytest.raises(policy.PolicyError, match="unknown key"):
        policy.load(path)
    path.write_text('[x]\nversion = "1"\nlib = "build"\nrust-version = "1.70"\nwhy = "y"\n')
    with pytest.raises(policy.PolicyError, match="lib must be one of"):
        policy.load(path)
    path.write_text('[x]\nversion = "1"\nrust-version = "1.70"\nwhy = "y"\n')
    with pytest.raises(policy.PolicyError, match="used by no package"):
        policy.load(path)
    path.write_text('[x]\nversion = "1"\nbin = ["daemon"]\nrust-version = "1.70"\nwhy = "y"\n')
    with pytest.raises(policy.PolicyError, match="bin and bin-dev take kinds among"):
        policy.load(path)
    path.write_text('[x]\nversion = "1"\nlib = "dependencies"\nrust-version = "1.70"\nwhy = "y"\ncomponent = "redis"\n')
    with pytest.raises(policy.PolicyError, match="component must be one of"):
        policy.load(path)
    path.write_text(
        '[x]\nversion = "1"\nlib = "dependencies"\nrust-version = "1.70"\nwhy = "y"\nfeatures = {daemon = ["a"]}\n'
    )
    with pytest.raises(policy.PolicyError, match="features keys must be among"):
        policy.load(path)
    # optional: a feature of the binary package, which alone may use the crate
    for uses in ('lib = "dependencies"\nbin = ["cli"]', 'bin = ["cli"]\npython = true', 'bin-dev = ["cli"]'):
        path.write_text(f'[x]\nversion = "1"\n{uses}\nrust-version = "1.70"\nwhy = "y"\noptional = "http"\n')
        with pytest.raises(policy.PolicyError, match="optional names a feature of the binary package"):
            policy.load(path)


def test_a_features_table_gives_each_package_its_own_and_the_workspace_entry_none(tmp_path):
    path = tmp_path / "dependencies.toml"
    path.write_text(
        '[rt]\nversion = "1"\nlib = "dependencies"\nbin = ["cli", "mcp-server"]\nrust-version = "1.70"\nwhy = "y"\n'
        '[rt.features]\nlib = ["fs"]\nrayon = ["sync"]\nlib-dev = ["macros"]\ncli = ["rt"]\npython = ["x"]\n'
    )
    (rt,) = policy.load(path)
    assert policy.dependency_value(rt) == '"1"'  # no features in [workspace.dependencies]
    assert rt.package_tables("cli", []) == [
        ("lib", "dependencies"),
        ("lib", "dev-dependencies"),
        ("bin", "dependencies"),
    ]
    assert rt.features_of("lib", "dependencies", "cli", []) == ("fs",)
    assert rt.features_of("lib", "dependencies", "cli", ["rayon", "moka"]) == ("fs", "sync")
    assert rt.features_of("lib", "dev-dependencies", "cli", ["rayon"]) == ("macros",)
    assert rt.features_of("bin", "dependencies", "cli", ["rayon"]) == ("rt",)
    assert rt.features_of("bin", "dependencies", "mcp-server", []) == ()
    assert rt.features_of("python", "dependencies", "lib", []) == ("x",)
    path.write_text('[rt]\nversion = "1"\nlib = "dependencies"\nrust-version = "1.70"\nwhy = "y"\nfeatures = ["fs"]\n')
    (listed,) = policy.load(path)
    assert policy.dependency_value(listed) == '{version = "1", features = ["fs"]}'
    assert listed.package_tables("lib", []) == [("lib", "dependencies")]
    assert listed.features_of("lib", "dependencies", "lib", []) == ()  # the workspace entry has them


def test_the_mcp_benchmarks_rust_client_uses_the_policys_rmcp_and_tokio():
    """benchmarks/mcp_client (bench_mcp.py's rmcp client) asks for the policy's rmcp and tokio
    versions, and its Cargo.lock holds an rmcp the policy's range admits."""
    client = REPO / "benchmarks" / "mcp_client"
    manifest = tomllib.loads((client / "Cargo.toml").read_text(encoding="utf-8"))
    deps = {dep.name: dep for dep in policy.load()}
    for name in ("rmcp", "tokio"):
        assert manifest["dependencies"][name]["version"] == deps[name].version, name
    lock = tomllib.loads((client / "Cargo.lock").read_text(encoding="utf-8"))
    (rmcp,) = [package["version"] for package in lock["package"] if package["name"] == "rmcp"]
    pinned = deps["rmcp"].version
    assert pinned.startswith("~") and rmcp.startswith(pinned.removeprefix("~") + "."), (pinned, rmcp)
