"""Copier task: write the policy's dependency tables into the generated crate's Cargo.toml.

Why a task and not Jinja: the versions live in ONE data file (``policy/dependencies.toml``), and
TOML is edited with tomlkit (never with text substitution), so a policy bump is a one-line change
there and ``copier update`` carries it into every crate.

Idempotent and local: it rebuilds ``[dependencies]`` and ``[dev-dependencies]`` from the answers
and the data file, touching nothing else, needs neither git nor the network, and gives the same
file when run again (copier runs tasks three times during ``copier update``). User edits survive
updates because copier re-applies the user's diff on top of this freshly composed file.

Usage (from copier.yml): ``python compose_manifest.py --crate-kind=cli --stack=moka,rayon
--features=python``.
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


INHERIT_COMMENT = (
    "The policy's crates are inherited from [workspace.dependencies]. Add your own as usual",
    "(`cargo add`); `copier update` keeps them. More features of a policy crate go on its line",
    'below, e.g. `tokio = {workspace = true, features = ["net"]}`: the policy owns',
    "[workspace.dependencies], and an edit there conflicts with the next policy bump.",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``--crate-kind``, ``--stack`` and ``--features`` (comma-separated, may be empty),
    ``--manifest`` and ``--workspace-member``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crate-kind", required=True)
    parser.add_argument("--stack", default="", help="comma-separated stack components")
    parser.add_argument("--features", default="", help="comma-separated optional cargo features")
    parser.add_argument("--manifest", type=Path, default=Path("Cargo.toml"))
    parser.add_argument("--workspace-member", choices=("yes", "no"), default="no",
                        help="yes: the crate is a member of a workspace it does not own (no [workspace] table)")
    return parser.parse_args(argv)


#: The always-true target of a member crate's policy tables (see ``compose``).
MEMBER_TARGET = "cfg(all())"


def compose(
    manifest_text: str,
    deps: list[policy.Dependency],
    crate_kind: str,
    features: tuple[str, ...] = (),
    member: bool = False,
) -> str:
    """Return ``manifest_text`` with the policy's dependency tables rebuilt from ``deps``.

    Versions and features go into ``[workspace.dependencies]``, one ``why`` comment each; the
    package's ``[dependencies]`` and ``[dev-dependencies]`` only say ``{ workspace = true }``.
    A policy bump therefore changes lines of ``[workspace.dependencies]`` alone, and the team's
    own entries (``cargo add`` appends them to ``[dependencies]``) never sit next to a changed
    line, so ``copier update``'s 3-way merge takes both without a conflict. The three tables are
    replaced whole (a fresh render holds only what the policy puts there) and stay where the
    template placed them.

    A dependency gated by an optional cargo feature (``dep.feature``, e.g. pyo3 behind
    ``python``) is ``optional = true`` and each of ``features`` becomes
    ``<feature> = ["dep:<crate>", ...]`` in ``[features]``; the table's other keys (the team's
    own features) are kept.

    A ``member`` of a workspace it does not own (``workspace_root``) has no
    ``[workspace.dependencies]`` of its own; the policy's versions and features then go into
    ``[target.'cfg(all())'.dependencies]`` and ``[target.'cfg(all())'.dev-dependencies]`` (a
    target that always matches; each entry with its ``why`` comment), and its plain
    ``[dependencies]`` and ``[dev-dependencies]``, where ``cargo add`` writes, are left to the
    team. A policy bump again changes only lines the team never writes next to, and the
    workspace root stays the team's.

    Raises:
        ValueError: the manifest lacks ``[package]`` or a table the template must provide, or
            has a ``[workspace]`` table although ``member``.
    """
    import tomlkit

    document = tomlkit.parse(manifest_text)
    if "package" not in document:
        raise ValueError("Cargo.toml has no [package] table")
    if member and "workspace" in document:
        raise ValueError("Cargo.toml of a workspace member has a [workspace] table")
    if not member and "dependencies" not in document.get("workspace", {}):
        raise ValueError("Cargo.toml has no [workspace.dependencies] table to fill")
    for table_name in ("dependencies", "dev-dependencies"):
        if table_name not in document and not member:
            raise ValueError(f"Cargo.toml has no [{table_name}] table to fill")
    if features and "features" not in document:
        raise ValueError("Cargo.toml has no [features] table to fill")

    ordered = sorted(deps, key=lambda dep: dep.feature is None)
    if member:
        _compose_member(document, ordered, crate_kind)
    else:
        _compose_own_workspace(document, deps, ordered, crate_kind)
    for feature in features:
        enables = [f"dep:{dep.name}" for dep in deps if dep.feature == feature]
        document["features"][feature] = enables
    return tomlkit.dumps(document)


def _compose_member(document, ordered: list[policy.Dependency], crate_kind: str) -> None:
    """Write the policy's entries, versions included, into a member's ``cfg(all())`` tables."""
    import tomlkit

    target = document.get("target", {}).get(MEMBER_TARGET)
    if target is None:
        raise ValueError(f"Cargo.toml has no [target.'{MEMBER_TARGET}'] tables to fill")
    for table_name in ("dependencies", "dev-dependencies"):
        if table_name not in target:
            raise ValueError(f"Cargo.toml has no [target.'{MEMBER_TARGET}'.{table_name}] table to fill")
        table = tomlkit.table()
        for dep in ordered:
            if dep.table(crate_kind) == table_name:
                table.add(tomlkit.comment(dep.why))
                table.add(dep.name, policy.dependency_item(dep, optional=dep.feature is not None))
        table.add(tomlkit.nl())
        target[table_name] = table


def _compose_own_workspace(document, deps: list[policy.Dependency], ordered: list[policy.Dependency],
                           crate_kind: str) -> None:
    """Versions into ``[workspace.dependencies]``, ``{ workspace = true }`` in the package's tables."""
    import tomlkit

    shared = tomlkit.table()
    for dep in deps:
        shared.add(tomlkit.comment(dep.why))
        shared.add(dep.name, policy.dependency_item(dep))
    # tomlkit keeps comments between tables with the table above: this one introduces the next.
    shared.add(tomlkit.nl())
    for line in INHERIT_COMMENT:
        shared.add(tomlkit.comment(line))
    document["workspace"]["dependencies"] = shared
    # Feature-gated (optional) crates go first (`ordered`): switching a feature on later (`copier
    # update --data python_bindings=true`) then inserts lines at the top of the table, away from
    # the team's own entries, which `cargo add` appends at the bottom, so the merge has no conflict.
    for table_name in ("dependencies", "dev-dependencies"):
        table = tomlkit.table()
        for dep in ordered:
            if dep.table(crate_kind) == table_name:
                inherit = tomlkit.inline_table()
                inherit["workspace"] = True
                if dep.feature is not None:
                    inherit["optional"] = True
                table.add(dep.name, inherit)
        document[table_name] = table


def main(argv: list[str] | None = None) -> int:
    """Run the task; return the process exit code (see the module docstring)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import tomlkit  # noqa: F401  (fail early, with one clear line)
    except ImportError:
        print(TOMLKIT_MISSING, file=sys.stderr)
        return 1
    stack = [item for item in args.stack.split(",") if item]
    features = tuple(item for item in args.features.split(",") if item)
    if error := crate_kind_error(args.crate_kind):
        print(f"copier-reasonkit-rust: --crate-kind: {error}", file=sys.stderr)
        return 2
    if error := stack_error(stack):
        print(f"copier-reasonkit-rust: --stack: {error}", file=sys.stderr)
        return 2
    unknown = sorted(set(features) - set(policy.OPTIONAL_FEATURES))
    if unknown:
        known = ", ".join(policy.OPTIONAL_FEATURES)
        print(f"copier-reasonkit-rust: --features: unknown {', '.join(unknown)}; known: {known}",
              file=sys.stderr)
        return 2
    try:
        deps = policy.select(policy.load(), args.crate_kind, stack, features)
        manifest = args.manifest
        composed = compose(manifest.read_text(encoding="utf-8"), deps, args.crate_kind, features,
                           member=args.workspace_member == "yes")
    except (OSError, ValueError) as error:  # PolicyError is a ValueError
        print(f"copier-reasonkit-rust: {error}", file=sys.stderr)
        return 3
    if composed != manifest.read_text(encoding="utf-8"):
        manifest.write_text(composed, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
