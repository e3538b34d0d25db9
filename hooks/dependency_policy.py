"""Read the org's policy data (``policy/dependencies.toml``, ``policy/components.toml``) and work
out what a crate gets: its dependencies, where each goes in Cargo.toml, its MSRV, its components.

The Jinja extension (``hooks/context.py``) exposes these to the templates, so Cargo.toml,
CONTRIBUTING.md, AGENTS.md and the agent profile all render from one reading of the data files.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The data files, relative to the template root.
POLICY_DIR = Path(__file__).resolve().parent.parent / "policy"
POLICY_FILE = POLICY_DIR / "dependencies.toml"
COMPONENTS_FILE = POLICY_DIR / "components.toml"

#: Edition 2024 needs Rust 1.85: the floor of every generated crate's MSRV.
EDITION_2024_MSRV = "1.85"

#: The answers of the ``crate_kind`` question; every kind but ``lib`` adds a binary package.
CRATE_KINDS = ("lib", "cli", "mcp-server")
BINARY_KINDS = ("cli", "mcp-server")

#: Where the library package can use a crate.
LIB_TABLES = ("dependencies", "dev-dependencies")


class PolicyError(ValueError):
    """A policy data file breaks its own schema (a template bug, not a user error)."""


@dataclass(frozen=True)
class Component:
    """One component of the org stack, as written in ``policy/components.toml``.

    Attributes:
        name: the ``stack`` answer, e.g. ``"tantivy"``.
        choice: the prompt's line for it.
        module: the Rust module (``src/<module>.rs``) and the stem of the component's files.
        summary: what the module does (docs, README, AGENTS.md).
        error: the module's error enum; ``variant`` is its variant of the crate's ``Error``.
        variant: see ``error``.
        public_crates: crates whose types the module's public API exposes.
        mcp_tools: the MCP tools the component serves.
        mcp_state: whether those tools keep state (a ``State`` built at start-up).
        mcp_caps: the server's shared caps and checks its tools use beyond the text cap:
            ``"items"`` (list arguments), ``"results"`` (``limit``/``top``), ``"documents"``
            (document arguments).
        benches: whether it has benchmark files.
        readme: a paragraph of the crate's CONTRIBUTING.md, or ``""``.
        agents: its line among AGENTS.md's rules, or ``""``.
        python_stub: the typing stub of its Python classes, or ``""`` (no bindings).
        keyword: its crates.io keyword in the manifest's ``keywords``.
        category: its crates.io category slug in the manifest's ``categories``.
    """

    name: str
    choice: str
    module: str
    summary: str
    error: str
    variant: str
    public_crates: tuple[str, ...]
    mcp_tools: tuple[str, ...]
    benches: bool
    mcp_state: bool = True
    mcp_caps: tuple[str, ...] = ()
    readme: str = ""
    agents: str = ""
    python_stub: str = ""
    keyword: str = ""
    category: str = ""


@dataclass(frozen=True)
class Dependency:
    """One crate of the policy, as written in ``policy/dependencies.toml``.

    Attributes:
        name: the crates.io package name.
        version: cargo version requirement, e.g. ``"1.54"``.
        rust_version: the crate's own declared MSRV, e.g. ``"1.85"``.
        why: one-line reason.
        lib: the library package's table using it (``dependencies``/``dev-dependencies``), or
            ``None``.
        bin: the crate kinds whose binary package uses it.
        bin_dev: the crate kinds whose binary package uses it in tests only.
        optional: the binary package's cargo feature that turns it on (an optional dependency
            there), or ``None`` (always on).
        python: whether the Python package (``python/``, ``python_bindings``) depends on it.
        features: the (sorted) feature list every package gets, in ``[workspace.dependencies]``;
            empty for none (or when ``package_features`` splits them).
        default_features: ``False`` to trim the crate to its features.
        component: the ``stack`` answer that selects the crate, or ``None`` (always).
        package_features: what each package's code uses, when packages differ (``features`` as a
            table): key ``lib`` (the library), ``lib-dev`` (its tests and benchmarks), a crate
            kind (the binary package), ``python`` (the bindings package) or a component (the
            library, when that ``stack`` answer is selected); each a sorted tuple.
    """

    name: str
    version: str
    rust_version: str
    why: str
    lib: str | None = None
    bin: tuple[str, ...] = ()
    bin_dev: tuple[str, ...] = ()
    optional: str | None = None
    python: bool = False
    features: tuple[str, ...] = ()
    default_features: bool = True
    component: str | None = None
    package_features: dict[str, tuple[str, ...]] | None = field(default=None, hash=False)

    def features_of(self, package: str, table: str, crate_kind: str, stack: list[str]) -> tuple[str, ...]:
        """Return the features package ``package`` (``lib``, ``bin`` or ``python``) asks for on
        its ``table`` line (``dependencies``/``dev-dependencies``): beyond the workspace entry's,
        only when ``package_features`` splits them; sorted."""
        if self.package_features is None:
            return ()
        by_key = self.package_features
        if package == "bin":
            keys = [crate_kind]
        elif package == "python":
            keys = ["python"]
        elif table == "dev-dependencies" and self.lib == "dependencies":
            keys = ["lib-dev"]
        else:
            keys = ["lib", *stack]
        return tuple(sorted({feature for key in keys for feature in by_key.get(key, ())}))

    def package_tables(self, crate_kind: str, stack: list[str], python: bool = False) -> list[tuple[str, str]]:
        """Return where this crate goes for these answers (``python`` = ``python_bindings``), as
        ``(package, table)`` pairs: package ``lib``, ``bin`` or ``python``, table ``dependencies``
        or ``dev-dependencies``; empty when the crate is not selected."""
        if self.component is not None and self.component not in stack:
            return []
        found = [("lib", self.lib)] if self.lib else []
        if self.lib == "dependencies" and self.package_features and self.package_features.get("lib-dev"):
            found.append(("lib", "dev-dependencies"))  # the tests' and benchmarks' features
        if crate_kind in self.bin:
            found.append(("bin", "dependencies"))
        elif crate_kind in self.bin_dev:
            found.append(("bin", "dev-dependencies"))
        if self.python and python:
            found.append(("python", "dependencies"))
        return found


def version_key(version: str) -> tuple[int, int, int]:
    """Turn ``"1.71.1"`` into ``(1, 71, 1)`` and ``"1.88"`` into ``(1, 88, 0)`` for comparison.

    Raises:
        PolicyError: when it is not one to three dot-separated numbers.
    """
    try:
        parts = [int(part) for part in version.split(".")]
    except ValueError as error:
        raise PolicyError(f"rust-version {version!r} is not a dotted number") from error
    if not 1 <= len(parts) <= 3:
        raise PolicyError(f"rust-version {version!r} is not major[.minor[.patch]]")
    major, minor, patch = (parts + [0, 0])[:3]
    return major, minor, patch


def _check_keys(name: str, raw: dict[str, Any], allowed: set[str], required: tuple[str, ...]) -> None:
    """Raise PolicyError for an unknown or a missing key of entry ``name``."""
    if unknown := set(raw) - allowed:
        raise PolicyError(f"{name}: unknown key(s) {sorted(unknown)}")
    if missing := [key for key in required if key not in raw]:
        raise PolicyError(f"{name}: missing {', '.join(missing)}")


#: The shared caps and checks of the MCP server a component's tools may use (``mcp-caps``).
MCP_CAPS = {"items", "results", "documents"}

#: What crates.io accepts as a keyword (lowercase here, so two spellings never differ by case).
_KEYWORD = re.compile(r"[a-z][a-z0-9_-]{0,19}")


def load_components(path: Path = COMPONENTS_FILE) -> list[Component]:
    """Read and validate the components registry, in file order.

    Raises:
        OSError: the file cannot be read.
        PolicyError: an entry breaks the schema.
    """
    components = []
    for name, raw in tomllib.loads(path.read_text(encoding="utf-8")).items():
        _check_keys(
            name,
            raw,
            {
                "choice",
                "module",
                "summary",
                "error",
                "variant",
                "public-crates",
                "mcp-tools",
                "mcp-state",
                "mcp-caps",
                "benches",
                "readme",
                "agents",
                "python-stub",
                "keyword",
                "category",
            },
            (
                "choice",
                "module",
                "summary",
                "error",
                "variant",
                "public-crates",
                "mcp-tools",
                "benches",
                "keyword",
                "category",
            ),
        )
        if unknown_caps := set(raw.get("mcp-caps", ())) - MCP_CAPS:
            raise PolicyError(f"{name}: unknown mcp-caps {sorted(unknown_caps)}, not one of {sorted(MCP_CAPS)}")
        if not _KEYWORD.fullmatch(raw["keyword"]):
            raise PolicyError(f"{name}: keyword must be a crates.io keyword (a letter, then up to 19 of a-z0-9_-)")
        if not raw["choice"].startswith(f"{name}: "):
            raise PolicyError(f"{name}: choice must start with '{name}: '")
        components.append(
            Component(
                name=name,
                choice=raw["choice"],
                module=raw["module"],
                summary=raw["summary"],
                error=raw["error"],
                variant=raw["variant"],
                public_crates=tuple(raw["public-crates"]),
                mcp_tools=tuple(raw["mcp-tools"]),
                mcp_state=bool(raw.get("mcp-state", True)),
                mcp_caps=tuple(raw.get("mcp-caps", ())),
                benches=bool(raw["benches"]),
                readme=raw.get("readme", "").strip(),
                agents=raw.get("agents", ""),
                python_stub=raw.get("python-stub", "").strip(),
                keyword=raw["keyword"],
                category=raw["category"],
            )
        )
    return components


#: The answers of the ``stack`` question, in the order the registry lists them.
STACK_COMPONENTS = tuple(component.name for component in load_components())


def _parse_entry(name: str, raw: dict[str, Any]) -> Dependency:
    """Validate one ``[crate]`` table of the dependency policy and build its :class:`Dependency`.

    Raises:
        PolicyError: on an unknown key, a missing key, or a value outside its choices.
    """
    _check_keys(
        name,
        raw,
        {
            "version",
            "rust-version",
            "why",
            "lib",
            "bin",
            "bin-dev",
            "features",
            "default-features",
            "component",
            "python",
            "optional",
        },
        ("version", "rust-version", "why"),
    )
    lib = raw.get("lib")
    if lib is not None and lib not in LIB_TABLES:
        raise PolicyError(f"{name}: lib must be one of {LIB_TABLES}")
    kinds = (*raw.get("bin", ()), *raw.get("bin-dev", ()))
    if any(kind not in BINARY_KINDS for kind in kinds):
        raise PolicyError(f"{name}: bin and bin-dev take kinds among {BINARY_KINDS}")
    python = raw.get("python", False)
    if not isinstance(python, bool):
        raise PolicyError(f"{name}: python must be true or false")
    if lib is None and not kinds and not python:
        raise PolicyError(f"{name}: used by no package (set lib, bin, bin-dev or python)")
    optional = raw.get("optional")
    if optional is not None and (not isinstance(optional, str) or not raw.get("bin") or lib or python):
        raise PolicyError(f"{name}: optional names a feature of the binary package, which alone uses it (bin)")
    component = raw.get("component")
    if component is not None and component not in STACK_COMPONENTS:
        raise PolicyError(f"{name}: component must be one of {STACK_COMPONENTS}")
    version_key(raw["rust-version"])
    features = raw.get("features", [])
    package_features = None
    if isinstance(features, dict):
        keys = {"lib", "lib-dev", "python", *BINARY_KINDS, *STACK_COMPONENTS}
        if unknown := set(features) - keys:
            raise PolicyError(f"{name}: features keys must be among {sorted(keys)}, not {sorted(unknown)}")
        package_features = {key: tuple(sorted(value)) for key, value in features.items()}
        features = []
    return Dependency(
        name=name,
        version=str(raw["version"]),
        rust_version=str(raw["rust-version"]),
        why=str(raw["why"]),
        lib=lib,
        bin=tuple(raw.get("bin", ())),
        bin_dev=tuple(raw.get("bin-dev", ())),
        optional=optional,
        python=python,
        features=tuple(sorted(features)),
        default_features=bool(raw.get("default-features", True)),
        component=component,
        package_features=package_features,
    )


def load(path: Path = POLICY_FILE) -> list[Dependency]:
    """Read and validate the dependency policy, in file order.

    Raises:
        OSError: the file cannot be read.
        PolicyError: an entry breaks the schema.
    """
    return [_parse_entry(name, raw) for name, raw in tomllib.loads(path.read_text(encoding="utf-8")).items()]


def select(deps: list[Dependency], crate_kind: str, stack: list[str], python: bool = False) -> list[Dependency]:
    """Return the dependencies any package of a crate with these answers uses, in file order."""
    return [dep for dep in deps if dep.package_tables(crate_kind, stack, python)]


def toml_value(value: str | bool | list[str]) -> str:
    """Spell a string, bool or list of strings as a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def inline_table(items: dict[str, str | bool | list[str]]) -> str:
    """Spell ``items`` as a TOML inline table, tomlkit's way (``{key = value, ...}``): the lines
    crates generated before 0.3.0 have, so a team's edit of one merges with a policy bump."""
    return "{" + ", ".join(f"{key} = {toml_value(value)}" for key, value in items.items()) + "}"


def dependency_value(dep: Dependency) -> str:
    """Return the Cargo.toml value of ``dep`` with its version: a plain version string, or an
    inline table. The one spelling of a policy entry."""
    if dep.default_features and not dep.features:
        return toml_value(dep.version)
    items: dict[str, str | bool | list[str]] = {"version": dep.version}
    if not dep.default_features:
        items["default-features"] = False
    if dep.features:
        items["features"] = list(dep.features)
    return inline_table(items)


def msrv(deps: list[Dependency]) -> str:
    """Return the MSRV implied by ``deps``: the highest ``rust-version``, at least edition 2024's.

    Raises:
        PolicyError: when a ``rust-version`` is not a dotted number.
    """
    return max([EDITION_2024_MSRV, *(dep.rust_version for dep in deps)], key=version_key)
