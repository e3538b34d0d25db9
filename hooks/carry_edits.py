"""Copier migration (after every ``copier update``): no edit of the team's is lost with a file the
new template version moved or dropped.

Copier's update deletes every file the old version rendered and the new one does not, edited or
not, and a file the new version renders elsewhere arrives with the template's content only. This
script runs after the update, in the crate: for each file the update deleted, it compares the
team's last committed version with what the old template version rendered (rendered again here,
in a temporary folder). Unchanged: the deletion stands. Edited and moved by this release
(``MOVES``): the edit is merged into the new path (``git merge-file``, conflict markers where
both changed the same lines, which ``scripts/template_update.py`` reports). Edited and dropped:
the team's file is restored, and a line says so.

Usage (copier.yml ``_migrations``): ``python carry_edits.py --template <src path>``, with
copier's ``VERSION_FROM``/``VERSION_TO`` in the environment. Exit codes: 0 done (also when
nothing was deleted), 1 the old version could not be rendered (the update itself stands; the
message names the files to check by hand).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: Files a release moved: release -> {old path: new path}; ``{kind}`` is the crate_kind answer.
MOVES: dict[str, dict[str, str]] = {
    "0.3.0": {
        "src/main.rs": "{kind}/src/main.rs",
        "src/mcp.rs": "mcp-server/src/server.rs",
        "tests/cli.rs": "cli/tests/cli.rs",
        "tests/mcp_stdio.rs": "mcp-server/tests/mcp_stdio.rs",
        "tests/qdrant_live.rs": "tests/integration/vector.rs",
    },
}

LABELS = ("-L", "before updating", "-L", "last update", "-L", "after updating")


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in the working folder (the crate).

    Raises:
        subprocess.CalledProcessError: git failed and ``check``.
    """
    return subprocess.run(["git", *args], capture_output=True, text=True, check=check)


def deleted_files() -> list[str]:
    """Tracked files the update removed from the work tree (paths relative to the crate)."""
    return [name for name in git("ls-files", "--deleted").stdout.splitlines() if name]


def committed(name: str) -> str | None:
    """The team's last committed version of ``name`` (relative to the crate), or None."""
    shown = git("show", f"HEAD:./{name}", check=False)
    return shown.stdout if shown.returncode == 0 else None


def moves(version_from: str, version_to: str, crate_kind: str) -> dict[str, str]:
    """The moves of every release after ``version_from`` up to ``version_to`` (PEP 440)."""
    from packaging.version import InvalidVersion, Version

    try:
        start, end = Version(version_from), Version(version_to)
    except InvalidVersion:
        return {}
    found: dict[str, str] = {}
    for release, table in MOVES.items():
        if start < Version(release) <= end:
            found.update({old: new.format(kind=crate_kind) for old, new in table.items()})
    return found


def render_old(template: str, answers: dict, into: Path) -> None:
    """Render the crate's previous template version (``answers['_commit']``) into ``into``.

    Raises:
        Exception: whatever copier raises (the caller reports it).
    """
    import copier

    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    data["workspace_root"] = ""  # the files compared here do not depend on it; no workspace there
    copier.run_copy(template, into, data=data, vcs_ref=str(answers["_commit"]), defaults=True, unsafe=True,
                    quiet=True, skip_tasks=True)


def carry(template: str, version_from: str, version_to: str) -> int:
    """Carry the team's edits of deleted files (see the module docstring); return the exit code."""
    import yaml

    deleted = deleted_files()
    if not deleted:
        return 0
    answers = yaml.safe_load(committed(".copier-answers.yml") or "{}") or {}
    moved = moves(version_from, version_to, str(answers.get("crate_kind", "")))
    with tempfile.TemporaryDirectory(prefix="carry-edits-") as scratch:
        old = Path(scratch) / "old"
        try:
            render_old(template, answers, old)
        except Exception as error:  # noqa: BLE001 - any failure: say which files to check
            print(f"copier-reasonkit-rust: cannot render the previous template version ({error}); "
                  f"check by hand whether you had edited: {', '.join(deleted)}", file=sys.stderr)
            return 1
        for name in deleted:
            ours, base = committed(name), old / name
            if ours is None or not base.is_file() or ours == base.read_text(encoding="utf-8"):
                continue  # the template's own file, unedited: the deletion stands
            target = Path(moved[name]) if name in moved else None
            if target is not None and target.is_file():
                mine = Path(scratch) / "ours"
                mine.write_text(ours, encoding="utf-8")
                merged = subprocess.run(["git", "merge-file", "-p", *LABELS, str(mine), str(base), str(target)],
                                        capture_output=True, text=True, check=False)
                target.write_text(merged.stdout, encoding="utf-8")
                state = "with conflicts to resolve" if merged.returncode else "cleanly"
                print(f"copier-reasonkit-rust: {name} moved to {target}; your edits were merged into it {state}",
                      file=sys.stderr)
            else:
                git("checkout", "HEAD", "--", name)
                print(f"copier-reasonkit-rust: kept {name}: the template no longer has it, but you had edited it",
                      file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run :func:`carry`; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="the template checkout copier updates from")
    args = parser.parse_args(argv)
    return carry(args.template, os.environ.get("VERSION_FROM", ""), os.environ.get("VERSION_TO", ""))


if __name__ == "__main__":
    sys.exit(main())
