"""A crate generated inside an existing Cargo workspace: find the workspace, register the member.

Why: every standalone crate of this template declares its own ``[workspace]``; generated into
``crates/new-crate`` of a workspace, cargo then stops with "multiple workspace roots found in the
same workspace". Like cargo-generate, the template detects the enclosing workspace from the
destination (``enclosing_workspace``, the default of the ``workspace_root`` question, which is not
asked but recorded, so ``copier update`` renders its temporary copies as a member too) and, on
``copier copy`` only, adds the new member to the root's ``[workspace] members`` with tomlkit when
no entry (or glob) already covers it (``register_member``, a copier task).

The crate's packages inherit the policy's crates from the root's ``[workspace.dependencies]``
(``tokio = {workspace = true}``, so ``cargo add`` in a member edits that line instead of adding a
second one): ``register_dependencies`` puts the policy's entries there, marked as the policy's,
on copy (a task) and after every update (a migration: a policy bump reaches the root), and
leaves the workspace's own entries alone.

Usage: ``python workspace.py join --workspace-root ../.. --crate-kind cli --stack rayon,moka
--python-bindings false`` (the copier task, in the generated crate: registers its packages, then
adds the policy's entries), ``python workspace.py register --workspace-root ../..`` (a migration,
in a package a release moved) and ``python workspace.py dependencies`` (the arguments of
``join``; a migration, after every update).
Exit codes: 0 done (or nothing to do), 1 tomlkit missing, 3 the root is not a workspace, cannot
be read or excludes the crate.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tomlkit import TOMLDocument


class WorkspaceError(ValueError):
    """The workspace root named by ``workspace_root`` cannot take the crate as a member."""


def _manifest(path: Path) -> TOMLDocument | None:
    """Parse ``path`` with tomlkit; ``None`` when it is missing or is not valid TOML (cargo
    could not use it either, so it never makes a workspace root)."""
    import tomlkit

    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.ParseError):
        return None


def _listed(patterns: object, root: Path, member: str) -> bool:
    """Whether ``member`` (a POSIX path relative to ``root``) is one of ``patterns`` (cargo's
    ``members``/``exclude`` entries: paths or globs, expanded against the folders on disk as
    cargo does)."""
    if not isinstance(patterns, list):
        return False
    wanted = PurePosixPath(member)
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        if PurePosixPath(pattern) == wanted:
            return True
        if glob.has_magic(pattern):
            # `*` never crosses a `/`, as in cargo (glob's root_dir needs Python 3.10)
            matches = glob.glob(os.path.join(glob.escape(str(root)), pattern))
            if any(PurePosixPath(Path(os.path.relpath(match, root)).as_posix()) == wanted for match in matches):
                return True
    return False


def _excluded(patterns: object, member: str) -> bool:
    """Whether cargo's ``exclude`` list keeps ``member`` out: an entry equal to it or to one of
    its parent folders (cargo's rule: excluded paths and everything below them)."""
    if not isinstance(patterns, list):
        return False
    path = PurePosixPath(member)
    return any(isinstance(p, str) and PurePosixPath(p) in (path, *path.parents) for p in patterns)


def enclosing_workspace(dst_path: PurePath | str) -> str:
    """Return the path from ``dst_path`` to the Cargo workspace root that would own a crate
    generated there (POSIX, relative, e.g. ``"../.."``), or ``""`` when the crate is its own
    workspace.

    Follows cargo's search: the nearest ancestor folder whose Cargo.toml has a ``[workspace]``
    table, unless its ``exclude`` list keeps the destination out. A destination that already
    holds a Cargo.toml with ``[workspace]`` (a standalone crate of this template being updated)
    is its own root. Manifests that cannot be parsed are passed over. Never raises.
    """
    destination = Path(os.path.abspath(dst_path))
    own = _manifest(destination / "Cargo.toml")
    if own is not None and "workspace" in own:
        return ""
    for folder in destination.parents:
        manifest = _manifest(folder / "Cargo.toml")
        if manifest is None or "workspace" not in manifest:
            continue
        member = destination.relative_to(folder).as_posix()
        if _excluded(manifest["workspace"].get("exclude"), member):
            return ""
        return Path(os.path.relpath(folder, destination)).as_posix()
    return ""


def workspace_check(dst_path: PurePath | str, workspace_root: str, overwrite: bool) -> str:
    """Refuse, before anything is written, a ``workspace_root`` answer that names no workspace.

    Rendered as a ``when: false`` default on ``copier copy`` (``overwrite`` is false); every
    ``copier update`` (``overwrite`` true) renders temporary copies where the root does not
    exist, so it checks nothing then. Returns ``""`` when the answer is usable.

    Raises:
        copier.errors.UserMessageError: no Cargo.toml with ``[workspace]`` at the answer's path,
            or its ``exclude`` list keeps the crate out.
    """
    if overwrite or not workspace_root:
        return ""
    from copier.errors import UserMessageError

    try:
        member_path(Path(dst_path), workspace_root)
    except WorkspaceError as error:
        raise UserMessageError(
            f"copier-reasonkit-rust: question 'workspace_root': {error}; nothing was written."
        ) from None
    return ""


def member_path(crate_dir: Path, workspace_root: str) -> tuple[Path, TOMLDocument, str]:
    """Return ``(root_manifest, document, member)``: the workspace's Cargo.toml, its parsed
    content, and the crate's path relative to the root (POSIX), as cargo's ``members`` writes it.

    Raises:
        WorkspaceError: no Cargo.toml with ``[workspace]`` there, or ``exclude`` keeps the
            crate out.
    """
    crate = Path(os.path.abspath(crate_dir))
    root = Path(os.path.normpath(crate / workspace_root))
    manifest = _manifest(root / "Cargo.toml")
    if manifest is None or "workspace" not in manifest:
        raise WorkspaceError(
            f"{workspace_root} ({root}) holds no Cargo.toml with a [workspace] table; "
            "answer the path from the crate to its workspace root, or '' for a crate of its own"
        )
    try:
        member = crate.relative_to(root).as_posix()
    except ValueError:
        raise WorkspaceError(f"{workspace_root} ({root}) is not a folder above the crate") from None
    if _excluded(manifest["workspace"].get("exclude"), member):
        raise WorkspaceError(
            f"the workspace at {root} excludes {member} ([workspace] exclude); "
            "answer '' to generate a crate of its own there"
        )
    return root / "Cargo.toml", manifest, member


def register_member(crate_dir: Path, workspace_root: str) -> str | None:
    """Add the crate to its workspace root's ``[workspace] members`` unless an entry (a path or
    a glob) already covers it; the root's other content and formatting are kept (tomlkit).
    Idempotent.

    Returns:
        The member path added, or ``None`` when it was already covered.

    Raises:
        WorkspaceError: see ``member_path``.
        OSError: the root manifest cannot be written.
    """
    import tomlkit

    manifest_path, document, member = member_path(crate_dir, workspace_root)
    workspace = document["workspace"]
    if _listed(workspace.get("members"), manifest_path.parent, member):
        return None
    if "members" not in workspace:
        workspace["members"] = tomlkit.array()
    members = workspace["members"]
    members.append(member)
    if len(members) > 1 and "\n" in members.as_string():
        members.multiline(True)  # keep a one-per-line list one-per-line
    manifest_path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return member


#: The trailing comment that marks a ``[workspace.dependencies]`` entry as the policy's: later
#: updates keep it current. Without it (the workspace's own entry, or the marker deleted), the
#: entry is the workspace team's and is left alone.
POLICY_MARK = "# policy (copier-reasonkit-rust)"


def _split(value: object) -> tuple[tuple[int, ...], dict[str, object]]:
    """A dependency's value as (the numeric parts of its version requirement, everything else):
    ``"=0.20.0"`` gives ``((0, 20, 0), {})``, an inline table its ``version`` and other keys."""
    rest = {key: item for key, item in value.items() if key != "version"} if isinstance(value, dict) else {}
    version = value.get("version", "") if isinstance(value, dict) else value
    digits = str(version).lstrip("=^~ ").split(".")
    return tuple(int(part) for part in digits if part.isdigit()), rest


def register_dependencies(crate_dir: Path, workspace_root: str, wanted: dict[str, str]) -> list[str]:
    """Put the policy's entries (``wanted``: crate -> its TOML value, as the policy spells it)
    into the workspace root's ``[workspace.dependencies]``, where the crate's packages inherit
    them (``{workspace = true}``). tomlkit keeps the root's comments and other entries.

    - absent: added, with ``POLICY_MARK`` as its trailing comment;
    - marked, and only its version older than the policy's: set to the policy's value (a policy
      bump); a newer version is left (another member, on a newer release, raised it);
    - anything else that differs (unmarked: the workspace team's own entry; marked but edited
      beyond its version): kept, and said (the crate's packages ask for the features they need
      on their own lines, so the entry only has to allow the version). An update never loses an
      edit of the root.

    Returns:
        At most three lines: what was added, what was set, what was kept (none when the root was
        already current).

    Raises:
        WorkspaceError: see ``member_path``.
        OSError: the root manifest cannot be written.
    """
    import tomlkit

    manifest_path, document, _ = member_path(crate_dir, workspace_root)
    workspace = document["workspace"]
    created = "dependencies" not in workspace
    if created:
        workspace["dependencies"] = tomlkit.table()
    table = workspace["dependencies"]
    added: list[str] = []
    updated: list[str] = []
    kept: list[str] = []
    for name, spelled in wanted.items():
        value = tomlkit.parse(f"x = {spelled}\n")["x"]
        current = table.get(name)
        if current is None:
            added.append(name)
        elif current.unwrap() != value.unwrap():
            (have, have_rest), (want, want_rest) = _split(current.unwrap()), _split(value.unwrap())
            marked = POLICY_MARK in current.trivia.comment
            if not (marked and have_rest == want_rest):
                kept.append(f"{name} = {current.as_string().strip()} (the policy's: {spelled})")
            if not (marked and have_rest == want_rest and have < want):
                continue
            updated.append(name)
        else:
            continue
        table[name] = value
        table[name].comment(POLICY_MARK)
    if created and added:
        table.add(tomlkit.nl())  # a blank line before the table that follows, as cargo writes it
    if added or updated:
        text = tomlkit.dumps(document)
        manifest_path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    said = [f"added the policy's {', '.join(added)}"] if added else []
    said += [f"moved {', '.join(updated)} to the policy's new versions"] if updated else []
    if kept:
        said.append(f"kept as the workspace has them: {'; '.join(kept)}")
    return said


def policy_entries(crate_kind: str, stack: list[str], python_bindings: bool) -> dict[str, str]:
    """The policy's ``[workspace.dependencies]`` entries of a crate with these answers: crate ->
    its TOML value."""
    import dependency_policy as policy

    chosen = policy.select(policy.load(), crate_kind, stack, python_bindings)
    return {dep.name: policy.dependency_value(dep) for dep in chosen}


def join(crate: Path, workspace_root: str, crate_kind: str, stack: list[str], python_bindings: bool) -> list[str]:
    """Make the new crate a member of its workspace: its packages (the library, the binary's, the
    Python bindings') registered in ``[workspace] members``, the policy's entries in
    ``[workspace.dependencies]``; return one line per change.

    Raises:
        WorkspaceError: the root is not a workspace or excludes the crate.
        OSError: the root's manifest cannot be read or written.
    """
    manifest = Path(os.path.normpath(crate / workspace_root)) / "Cargo.toml"
    packages = [crate]
    if crate_kind != "lib":
        packages.append(crate / crate_kind)
    if python_bindings:
        packages.append(crate / "python")
    lines = []
    for package in packages:
        up = os.path.relpath(manifest.parent, package)
        if added := register_member(package, up):
            lines.append(f"added {added!r} to [workspace] members of {manifest}")
    wanted = policy_entries(crate_kind, stack, python_bindings)
    lines += [
        f"[workspace.dependencies] of {manifest}: {line}"
        for line in register_dependencies(crate, workspace_root, wanted)
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; return the process exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    join_parser = commands.add_parser(
        "join", help="make the crate in the working folder a member: register its packages, add the policy's entries"
    )
    register = commands.add_parser("register", help="add the crate in the working folder to its workspace's members")
    register.add_argument("--workspace-root", required=True, help="path from the crate to the workspace root")
    dependencies = commands.add_parser(
        "dependencies", help="put the policy's entries into the workspace's [workspace.dependencies]"
    )
    for command in (join_parser, dependencies):
        command.add_argument("--workspace-root", required=True, help="path from the crate to the workspace root")
        command.add_argument("--crate-kind", required=True, help="the crate_kind answer")
        command.add_argument("--stack", default="", help="the stack answer, comma-separated")
        command.add_argument("--python-bindings", choices=("true", "false"), default="false", help="the answer")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import tomlkit  # noqa: F401  (fail early, with one clear line)
    except ImportError:
        print("copier-reasonkit-rust: tomlkit is missing from copier's Python environment", file=sys.stderr)
        return 1
    root = Path(os.path.normpath(Path.cwd() / args.workspace_root)) / "Cargo.toml"
    try:
        if args.command == "register":
            added = register_member(Path.cwd(), args.workspace_root)
            lines = [f"added {added!r} to [workspace] members of {root}"] if added else []
        else:
            stack = [name for name in args.stack.split(",") if name]
            bindings = args.python_bindings == "true"
            if args.command == "join":
                lines = join(Path.cwd(), args.workspace_root, args.crate_kind, stack, bindings)
            else:
                wanted = policy_entries(args.crate_kind, stack, bindings)
                changed = register_dependencies(Path.cwd(), args.workspace_root, wanted)
                lines = [f"[workspace.dependencies] of {root}: {line}" for line in changed]
    except (WorkspaceError, OSError) as error:
        print(f"copier-reasonkit-rust: workspace_root: {error}", file=sys.stderr)
        return 3
    for line in lines:
        print(f"copier-reasonkit-rust: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
