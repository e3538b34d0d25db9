"""A crate generated inside an existing Cargo workspace: find the workspace, register the member.

Why: every standalone crate of this template declares its own ``[workspace]``; generated into
``crates/new-crate`` of a workspace, cargo then stops with "multiple workspace roots found in the
same workspace". Like cargo-generate, the template detects the enclosing workspace from the
destination (``enclosing_workspace``, the default of the ``workspace_root`` question, which is not
asked but recorded, so ``copier update`` renders its temporary copies as a member too) and, on
``copier copy`` only, adds the new member to the root's ``[workspace] members`` with tomlkit when
no entry (or glob) already covers it (``register_member``, a copier task).

Usage (task): ``python workspace.py register --workspace-root ../..`` in the generated crate.
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


def main(argv: list[str] | None = None) -> int:
    """Run the ``register`` task; return the process exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    register = commands.add_parser("register", help="add the crate in the working folder to its workspace's members")
    register.add_argument("--workspace-root", required=True, help="path from the crate to the workspace root")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import tomlkit  # noqa: F401  (fail early, with one clear line)
    except ImportError:
        print("copier-reasonkit-rust: tomlkit is missing from copier's Python environment", file=sys.stderr)
        return 1
    try:
        added = register_member(Path.cwd(), args.workspace_root)
    except (WorkspaceError, OSError) as error:
        print(f"copier-reasonkit-rust: workspace_root: {error}", file=sys.stderr)
        return 3
    if added:
        print(
            f"copier-reasonkit-rust: added {added!r} to [workspace] members of "
            f"{Path(os.path.normpath(Path.cwd() / args.workspace_root)) / 'Cargo.toml'}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
