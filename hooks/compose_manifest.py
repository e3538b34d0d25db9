"""Copier task: write the policy's dependency tables into the generated crate's Cargo.toml.

Why a task and not Jinja: the versions live in ONE data file (``policy/dependencies.toml``), and
TOML is edited with tomlkit (never with text substitution), so a policy bump is a one-line change
there and ``copier update`` carries it into every crate.

Idempotent and local: it rebuilds ``[dependencies]`` and ``[dev-dependencies]`` from the answers
and the data file, touching nothing else, needs neither git nor the network, and gives the same
file when run again (copier runs tasks three times during ``copier update``). User edits survive
updates because copier re-applies the user's diff on top of this freshly composed file.

Usage (from copier.yml): ``python compose_manifest.py --crate-kind=cli --stack=moka,rayon``.
Exit codes: 0 done, 1 tomlkit missing, 2 bad arguments, 3 inconsistent input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dependency_policy as policy  # noqa: E402
from answer_rules import crate_kind_error, stack_error  # noqa: E402

TOMLKIT_MISSING = (
    "copier-reasonkit-rust: tomlkit is missing from copier's Python environment; add it with "
    "`pipx inject copier tomlkit` (pipx), `uv tool install copier --with tomlkit` (uv) or "
    "`python -m pip install tomlkit` (pip, same environment as copier)"
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``--crate-kind``, ``--stack`` (comma-separated, may be empty) and ``--manifest``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crate-kind", required=True)
    parser.add_argument("--stack", default="", help="comma-separated stack components")
    parser.add_argument("--manifest", type=Path, default=Path("Cargo.toml"))
    return parser.parse_args(argv)


def dependency_item(dep: policy.Dependency):  # -> tomlkit item
    """Return the Cargo.toml value for ``dep``: a plain version string, or an inline table."""
    import tomlkit

    if dep.default_features and not dep.features:
        return dep.version
    item = tomlkit.inline_table()
    item["version"] = dep.version
    if not dep.default_features:
        item["default-features"] = False
    if dep.features:
        item["features"] = list(dep.features)
    return item


def compose(manifest_text: str, deps: list[policy.Dependency], crate_kind: str) -> str:
    """Return ``manifest_text`` with its dependency tables rebuilt from ``deps``.

    Both ``[dependencies]`` and ``[dev-dependencies]`` are replaced whole (they hold only what
    the policy puts there in a fresh render) and placed where the template put them, each entry
    preceded by its ``why`` comment.

    Raises:
        ValueError: the manifest lacks a ``[package]`` table or a dependency table to fill.
    """
    import tomlkit

    document = tomlkit.parse(manifest_text)
    if "package" not in document:
        raise ValueError("Cargo.toml has no [package] table")
    for table_name in ("dependencies", "dev-dependencies"):
        if table_name not in document:
            raise ValueError(f"Cargo.toml has no [{table_name}] table to fill")
        table = tomlkit.table()
        for dep in deps:
            if dep.table(crate_kind) != table_name:
                continue
            table.add(tomlkit.comment(dep.why))
            table.add(dep.name, dependency_item(dep))
        document[table_name] = table
    return tomlkit.dumps(document)


def main(argv: list[str] | None = None) -> int:
    """Run the task; return the process exit code (see the module docstring)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import tomlkit  # noqa: F401  (fail early, with one clear line)
    except ImportError:
        print(TOMLKIT_MISSING, file=sys.stderr)
        return 1
    stack = [item for item in args.stack.split(",") if item]
    problem = crate_kind_error(args.crate_kind) or stack_error(stack)
    if problem:
        print(f"copier-reasonkit-rust: {problem}", file=sys.stderr)
        return 2
    try:
        deps = policy.select(policy.load(), args.crate_kind, stack)
        manifest = args.manifest
        composed = compose(manifest.read_text(encoding="utf-8"), deps, args.crate_kind)
    except (OSError, ValueError) as error:  # PolicyError is a ValueError
        print(f"copier-reasonkit-rust: {error}", file=sys.stderr)
        return 3
    if composed != manifest.read_text(encoding="utf-8"):
        manifest.write_text(composed, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
