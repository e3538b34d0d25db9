"""Copier migration (after every ``copier update``): the team's edits survive what a line merge
cannot carry.

TOML files (``Cargo.toml`` above all) that copier left conflicted are merged again key by key:
the team's own dependency appended right under a policy line the release removed is not a
conflict of meaning, only of adjacent lines. Base, team and template versions come from the
unmerged index entries copier leaves; where team and template changed the same key differently
the file keeps copier's markers.

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


class KeyConflict(Exception):
    """The team and the template changed the same TOML key to different values."""


def _plain(item):  # -> plain Python value of a tomlkit item (None when missing)
    return None if item is None else (item.unwrap() if hasattr(item, "unwrap") else item)


def merge_tables(base, ours, theirs) -> None:
    """Apply the team's changes (``base`` -> ``ours``) to ``theirs`` in place, key by key,
    recursing into tables; keys the team added go at the end of their table.

    Raises:
        KeyConflict: a key both sides changed differently.
    """
    for key in list(dict.fromkeys([*ours.keys(), *base.keys()])):
        b, o = base.get(key), ours.get(key)
        t = theirs.get(key)
        if _plain(o) == _plain(b) or _plain(o) == _plain(t):
            continue  # the team left it, or made the template's change
        if t is not None and b is not None and _plain(t) != _plain(b):
            if all(hasattr(item, "keys") for item in (b, o, t)):
                merge_tables(b, o, t)
                continue
            raise KeyConflict(key)
        if o is None:
            if t is not None:
                del theirs[key]  # the team deleted it; the template did not change it
        else:
            theirs[key] = o  # the team added or changed it; the template did not change it


def merge_toml(name: str) -> bool:
    """Merge the conflicted TOML file ``name`` key by key from its unmerged index entries and stage
    the result; return False (file untouched) when a key conflicts.

    Raises:
        subprocess.CalledProcessError: git failed.
    """
    import tomlkit

    base, ours, theirs = (tomlkit.parse(git("show", f":{stage}:./{name}").stdout) for stage in (1, 2, 3))
    try:
        merge_tables(base, ours, theirs)
    except KeyConflict as conflict:
        print(f"copier-reasonkit-rust: {name}: you and the template both changed `{conflict}`; "
              "resolve the conflict markers by hand", file=sys.stderr)
        return False
    Path(name).write_text(tomlkit.dumps(theirs), encoding="utf-8")
    git("add", "--", name)
    print(f"copier-reasonkit-rust: {name}: merged your edits key by key (the lines conflicted, their keys did not)",
          file=sys.stderr)
    return True


def conflicted_toml() -> list[str]:
    """TOML files with unmerged index entries (relative to the crate)."""
    unmerged = git("ls-files", "--unmerged").stdout.splitlines()
    return sorted({line.split("\t", 1)[1] for line in unmerged if line.endswith(".toml")})


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
    """Merge conflicted TOML files by key, carry the team's edits of deleted files (see the module
    docstring); return the exit code."""
    import yaml

    for name in conflicted_toml():
        merge_toml(name)
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
