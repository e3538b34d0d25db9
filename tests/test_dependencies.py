"""Slow (cargo resolves the sample crates' graphs; nothing is compiled): dependencies where they
belong, shown with ``cargo tree``.

- A crate that depends on a sample's library compiles none of the binary's crates (clap, anyhow,
  tracing-subscriber, rmcp, schemars) and none of the benchmarks' (criterion, gungraun).
- Such a crate gets from the library only the features the library's code uses: no runtime,
  signal or macro feature of tokio, no serde ``rc`` or serde_json ``alloc`` (``cargo tree -e
  features -i``, the library's own edges).
- What ships carries no feature that only a dev-dependency asks for: each package's features
  without dev-dependencies (``cargo tree -e no-dev``) are exactly those of the same crate with
  its dev-dependencies deleted. (Under ``resolver = "1"``, which 0.2.0 used, they differ.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tomlkit
from conftest import REPO, SAMPLES, cargo_env, run

pytestmark = pytest.mark.slow

BINARY_ONLY = {"clap", "anyhow", "tracing-subscriber", "rmcp", "schemars"}
BENCH_ONLY = {"criterion", "gungraun"}
#: What a component's own crates may bring (qdrant-client uses anyhow): checked as direct
#: dependencies of the library only.
TRANSITIVE_ALLOWED = {"anyhow"}


def packages_of(tree: str) -> set[str]:
    """Package names of ``cargo tree --prefix none --format {p}`` output."""
    return {line.split()[0] for line in tree.splitlines() if line.strip()}


def dependent_of(sample: str, tmp_path: Path) -> tuple[Path, Path, str]:
    """Copy ``sample`` under ``tmp_path`` and write a crate ``dependent`` that depends on its
    library; return (the sample crate, the dependent, the library's package name)."""
    shutil.copytree(REPO / "examples" / sample, tmp_path / sample)
    crate = tmp_path / sample / SAMPLES[sample]
    name = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))["package"]["name"]
    dependent = tmp_path / "dependent"
    (dependent / "src").mkdir(parents=True)
    (dependent / "src" / "lib.rs").write_text("")
    (dependent / "Cargo.toml").write_text(
        f'[package]\nname = "dependent"\nversion = "0.1.0"\nedition = "2024"\n\n'
        f'[dependencies]\n{name} = {{ path = "{crate}" }}\n\n[workspace]\n',
        encoding="utf-8",
    )
    return crate, dependent, str(name)


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_a_crate_depending_on_the_library_compiles_no_binary_or_bench_crate(sample, tmp_path):
    crate, dependent, name = dependent_of(sample, tmp_path)
    tree = run(
        ["cargo", "tree", "-e", "normal", "--prefix", "none", "--format", "{p}"], dependent, env=cargo_env()
    ).stdout
    compiled = packages_of(tree)
    assert name in compiled
    leaked = compiled & (BINARY_ONLY | BENCH_ONLY) - TRANSITIVE_ALLOWED
    assert not leaked, leaked
    direct = run(
        ["cargo", "tree", "-e", "normal", "--depth", "2", "--prefix", "depth", "--format", "{p}"],
        dependent,
        env=cargo_env(),
    ).stdout
    library_deps = {line[1:].split()[0] for line in direct.splitlines() if line.startswith("2")}
    assert "thiserror" in library_deps and not library_deps & BINARY_ONLY, library_deps
    for kind in ("cli", "mcp-server"):  # the binary package, where there is one, does use them
        if (crate / kind).is_dir():
            binary = run(
                ["cargo", "tree", "-e", "normal", "--prefix", "none", "--format", "{p}", "--package", f"{name}-{kind}"],
                crate,
                env=cargo_env(),
            ).stdout
            assert {"clap", "anyhow", "tracing-subscriber"} <= packages_of(binary)


def features_without_dev(workspace: Path, package: str) -> set[str]:
    """`package v1.2.3 feature,feature` lines of the no-dev graph (what `cargo build` compiles)."""
    tree = subprocess.run(
        [
            "cargo",
            "tree",
            "-e",
            "no-dev",
            "--no-dedupe",
            "--prefix",
            "none",
            "--format",
            "{p} {f}",
            "--package",
            package,
        ],
        cwd=workspace,
        env=cargo_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {re.sub(r" \(.*?\)", "", line) for line in tree.splitlines() if line.strip()}


def drop_dev_dependencies(manifest: Path) -> None:
    """Delete every dev-dependency and bench target of a package's manifest (tomlkit)."""
    document = tomlkit.parse(manifest.read_text(encoding="utf-8"))
    document.pop("dev-dependencies", None)
    document.pop("bench", None)
    manifest.write_text(tomlkit.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_what_ships_carries_no_feature_only_a_dev_dependency_asks_for(sample, tmp_path):
    shutil.copytree(REPO / "examples" / sample, tmp_path / "real")
    shutil.copytree(REPO / "examples" / sample, tmp_path / "no-dev")
    crate = Path(SAMPLES[sample])
    manifests = [
        crate / "Cargo.toml",
        *(path.relative_to(tmp_path / "real") for path in (tmp_path / "real" / crate).glob("*/Cargo.toml")),
    ]
    packages = [tomlkit.parse((tmp_path / "real" / path).read_text())["package"]["name"] for path in manifests]
    for path in manifests:
        drop_dev_dependencies(tmp_path / "no-dev" / path)
    for package in packages:
        real = features_without_dev(tmp_path / "real" / crate, package)
        assert real, package
        assert real == features_without_dev(tmp_path / "no-dev" / crate, package), package


#: Features of the policy's crates that only the binaries (a runtime, signals) or the library's
#: tests and benchmarks (`#[tokio::test]`) use, or that only rmcp wanted: a crate depending on the
#: library must not get them from the library.
NOT_THE_LIBRARYS = {
    "tokio": {"macros", "rt", "rt-multi-thread", "signal", "io-std", "io-util", "time"},
    "serde": {"rc"},
    "serde_json": {"alloc"},
}


def features_enabled_by(dependent: Path, crates: list[str], package: str) -> dict[str, set[str]]:
    """The features of each of ``crates`` that ``package`` itself turns on in ``dependent``'s
    graph, read from one ``cargo tree -e features -i <crate>...``: a ``<crate> feature "x"`` node
    with ``package`` (or one of its features) right under it."""
    inverted = [argument for crate in crates for argument in ("-i", crate)]
    tree = run(
        ["cargo", "tree", "-e", "features", *inverted, "--no-dedupe", "--prefix", "depth", "--format", "{p}"],
        dependent,
        env=cargo_env(),
    ).stdout
    enabled: dict[str, set[str]] = {crate: set() for crate in crates}
    root, feature = "", None
    for line in tree.splitlines():
        if not line.strip():
            continue
        depth, node = int(re.match(r"\d+", line)[0]), re.sub(r"^\d+", "", line)
        if depth == 0:
            root = node.split()[0]
        elif depth == 1:
            found = re.fullmatch(rf'{re.escape(root)} feature "([^"]+)"', node)
            feature = found and found[1]
        elif depth == 2 and feature and node.split()[0] == package:
            enabled[root].add(feature)
    return enabled


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_a_crate_depending_on_the_library_gets_only_the_features_the_library_uses(sample, tmp_path):
    _, dependent, name = dependent_of(sample, tmp_path)
    from_library = features_enabled_by(dependent, list(NOT_THE_LIBRARYS), name)
    assert from_library["tokio"], f"{name} turns on no tokio feature: the parser read nothing"
    for crate, not_the_librarys in NOT_THE_LIBRARYS.items():
        assert not from_library[crate] & not_the_librarys, (crate, sorted(from_library[crate]))
