"""Read the org's dependency policy (``policy/dependencies.toml``) and select what a crate needs.

Shared by the Jinja extension (``hooks/context.py``, for the MSRV shown in templates) and the
manifest task (``hooks/compose_manifest.py``, which writes the dependency tables), so both agree
on one reading of the data file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The data file, relative to the template root.
POLICY_FILE = Path(__file__).resolve().parent.parent / "policy" / "dependencies.toml"

#: Edition 2024 needs Rust 1.85: the floor of every generated crate's MSRV.
EDITION_2024_MSRV = "1.85"

#: The answers of the ``stack`` question, in the order the template lists them.
STACK_COMPONENTS = ("qdrant", "tantivy", "rayon", "moka", "simd-json")

#: The answers of the ``crate_kind`` question.
CRATE_KINDS = ("lib", "cli", "mcp-server")

#: Optional cargo features a crate can be generated with (``python`` = ``python_bindings``).
OPTIONAL_FEATURES = ("python",)

SECTIONS = ("dependencies", "dev-dependencies", "binary")


class PolicyError(ValueError):
    """The policy data file breaks its own schema (a template bug, not a user error)."""


@dataclass(frozen=True)
class Dependency:
    """One crate of the policy, as written in ``policy/dependencies.toml``.

    Attributes:
        name: the crates.io package name.
        version: cargo version requirement, e.g. ``"1.54"``.
        section: ``dependencies``, ``dev-dependencies`` or ``binary``.
        rust_version: the crate's own declared MSRV, e.g. ``"1.85"``.
        why: one-line reason, written as a comment into Cargo.toml.
        features: the (sorted) feature list; empty for none.
        default_features: ``False`` to trim the crate to ``features``.
        component: the ``stack`` answer that selects the crate, or ``None`` (always).
        crate_kinds: the ``crate_kind`` answers that get the crate; empty means all.
        feature: the optional cargo feature that enables the crate (only crates generated with
            that feature get it, as an optional dependency), or ``None`` (a plain dependency).
    """

    name: str
    version: str
    section: str
    rust_version: str
    why: str
    features: tuple[str, ...] = ()
    default_features: bool = True
    component: str | None = None
    crate_kinds: tuple[str, ...] = field(default=())
    feature: str | None = None

    def selected(self, crate_kind: str, stack: list[str], features: tuple[str, ...] = ()) -> bool:
        """Return whether a crate of kind ``crate_kind`` with ``stack`` and the optional cargo
        ``features`` (e.g. ``("python",)``) gets this dependency."""
        if self.component is not None and self.component not in stack:
            return False
        if self.feature is not None and self.feature not in features:
            return False
        return not self.crate_kinds or crate_kind in self.crate_kinds

    def table(self, crate_kind: str) -> str:
        """Return the Cargo.toml table this dependency goes into for ``crate_kind``."""
        if self.section == "binary":
            return "dependencies" if crate_kind != "lib" else "dev-dependencies"
        return self.section


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


def _parse_entry(name: str, raw: dict[str, Any]) -> Dependency:
    """Validate one ``[crate]`` table of the data file and build its :class:`Dependency`.

    Raises:
        PolicyError: on an unknown key, a missing key, or a value outside its choices.
    """
    allowed = {"version", "section", "rust-version", "why", "features", "default-features",
               "component", "crate-kinds", "feature"}
    unknown = set(raw) - allowed
    if unknown:
        raise PolicyError(f"{name}: unknown key(s) {sorted(unknown)}")
    for key in ("version", "section", "rust-version", "why"):
        if key not in raw:
            raise PolicyError(f"{name}: missing {key!r}")
    if raw["section"] not in SECTIONS:
        raise PolicyError(f"{name}: section must be one of {SECTIONS}")
    component = raw.get("component")
    if component is not None and component not in STACK_COMPONENTS:
        raise PolicyError(f"{name}: component must be one of {STACK_COMPONENTS}")
    kinds = tuple(raw.get("crate-kinds", ()))
    if any(kind not in CRATE_KINDS for kind in kinds):
        raise PolicyError(f"{name}: crate-kinds must be among {CRATE_KINDS}")
    feature = raw.get("feature")
    if feature is not None and feature not in OPTIONAL_FEATURES:
        raise PolicyError(f"{name}: feature must be one of {OPTIONAL_FEATURES}")
    if feature is not None and raw["section"] != "dependencies":
        raise PolicyError(f"{name}: a feature-gated crate must be in section 'dependencies'")
    version_key(raw["rust-version"])
    return Dependency(
        name=name,
        version=str(raw["version"]),
        section=raw["section"],
        rust_version=str(raw["rust-version"]),
        why=str(raw["why"]),
        features=tuple(sorted(raw.get("features", ()))),
        default_features=bool(raw.get("default-features", True)),
        component=component,
        crate_kinds=kinds,
        feature=feature,
    )


def load(path: Path = POLICY_FILE) -> list[Dependency]:
    """Read and validate the policy data file.

    Args:
        path: the TOML file to read; defaults to the template's ``policy/dependencies.toml``.

    Returns:
        The dependencies in file order.

    Raises:
        OSError: when the file cannot be read.
        PolicyError: when an entry breaks the schema.
        ImportError: on Python < 3.11 (no tomllib) when tomlkit is not installed either.
    """
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib  # Python >= 3.11: reading needs no third-party package
    except ImportError:  # pragma: no cover - depends on copier's interpreter
        import tomlkit

        document: dict[str, Any] = tomlkit.parse(text).unwrap()
    else:
        document = tomllib.loads(text)
    return [_parse_entry(name, raw) for name, raw in document.items()]


def select(
    deps: list[Dependency], crate_kind: str, stack: list[str], features: tuple[str, ...] = ()
) -> list[Dependency]:
    """Return the dependencies a crate of kind ``crate_kind`` with ``stack`` and the optional
    cargo ``features`` gets, in file order."""
    return [dep for dep in deps if dep.selected(crate_kind, stack, features)]


def dependency_item(dep: Dependency, optional: bool = False):  # -> tomlkit item
    """Return the Cargo.toml value for ``dep``: a plain version string, or an inline table
    (always one when ``optional``, which adds ``optional = true``). The one spelling of a policy
    entry, shared by the manifest task and the documents that show the stack.

    Raises:
        ImportError: tomlkit missing from copier's environment.
    """
    import tomlkit

    if dep.default_features and not dep.features and not optional:
        return dep.version
    item = tomlkit.inline_table()
    item["version"] = dep.version
    if not dep.default_features:
        item["default-features"] = False
    if dep.features:
        item["features"] = list(dep.features)
    if optional:
        item["optional"] = True
    return item


def msrv(deps: list[Dependency]) -> str:
    """Return the MSRV implied by ``deps``: the highest ``rust-version``, at least edition 2024's.

    Raises:
        PolicyError: when a ``rust-version`` is not a dotted number.
    """
    versions = [EDITION_2024_MSRV, *(dep.rust_version for dep in deps)]
    return max(versions, key=version_key)
