"""Copier migration (after every ``copier update``): the team's edits survive what copier's line
merge cannot carry.

1. Files copier left conflicted are merged again from their unmerged index entries (base = the
   old template version, ours = the team's, theirs = the new version):
   - TOML files key by key: a team's dependency appended under a policy line the release removed
     conflicts as lines, not as keys;
   - any text file hunk by hunk, where a hunk of the team's either touches lines the template
     left alone, or deletes lines the template deleted too (a team that removed a sample test
     the release moves elsewhere).
   What both sides changed differently keeps copier's conflict markers.
2. Files the update deleted: copier deletes every file the old version rendered and the new one
   does not, edited or not, and a file the new version renders elsewhere arrives with the
   template's content only. For each, the team's last committed version is compared with what
   the old template version rendered (rendered again here, in a temporary folder). Unchanged:
   the deletion stands. Edited and moved by a release (``MOVES``): the edits are merged into the
   new path (conflict markers where both changed the same lines, which
   ``scripts/template_update.py`` reports). Edited and dropped: the team's file is restored.
3. The team's files (``hooks/ownership.py``) the team had deleted: copier renders such a file
   again; when the previous version had rendered it too, it is deleted again (a file of a
   component the update adds stays).

Every action prints one line. Usage (copier.yml ``_migrations``): ``python carry_edits.py
--template <src path>``, with copier's ``VERSION_FROM``/``VERSION_TO`` in the environment. Exit
codes: 0 done (also when there was nothing to do), 1 the old version could not be rendered (the
update itself stands; the message names the files to check by hand).
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from gitrun import git  # hooks/gitrun.py (this script's folder is on sys.path)

#: Files a release moved: release -> {old path: new path}; ``{kind}`` is the crate_kind answer.
MOVES: dict[str, dict[str, str]] = {
    "0.3.0": {
        "src/main.rs": "{kind}/src/main.rs",
        "src/mcp.rs": "mcp-server/src/server.rs",
        "tests/cli.rs": "cli/tests/cli.rs",
        "tests/mcp_stdio.rs": "mcp-server/tests/mcp_stdio.rs",
        "tests/qdrant_live.rs": "tests/integration/vector.rs",
    },
    "0.4.0": {
        "src/python.rs": "python/src/lib.rs",
        "src/python/parallel.rs": "python/src/parallel.rs",
        "src/python/search.rs": "python/src/search.rs",
    },
}

LABELS = ("-L", "before updating", "-L", "last update", "-L", "after updating")
PREFIX = "copier-reasonkit-rust:"


class KeyConflict(Exception):
    """The team and the template changed the same TOML key to different values."""


def say(line: str) -> None:
    """Print one line of what the migration did (stderr: copier shows it)."""
    print(f"{PREFIX} {line}", file=sys.stderr)


# --- merging again ---------------------------------------------------------------------------------


def _plain(item: Any) -> Any:
    """The plain Python value of a tomlkit item (``None`` stays ``None``)."""
    return item.unwrap() if hasattr(item, "unwrap") else item


def _team_features_of_an_inherited_crate(ours: Any, theirs: Any) -> bool:
    """Whether ``theirs`` is a dependency inherited from the workspace (``workspace = true``) and
    ``ours`` the same crate asked for with a version and features only (nothing a merge of the
    features would lose)."""
    if not (hasattr(theirs, "keys") and hasattr(ours, "keys")) or _plain(theirs).get("workspace") is not True:
        return False
    return set(_plain(ours)) <= {"version", "features"} and "features" in _plain(ours)


def _feature_lists(*items: Any) -> bool:
    """Whether every item is a list of strings or missing (``None``)."""
    return all(
        item is None or (isinstance(_plain(item), list) and all(isinstance(x, str) for x in _plain(item)))
        for item in items
    )


def merge_features(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Three-way merge of a dependency's ``features`` as sets: ``theirs`` without what the team
    removed from ``base``, then what the team added, in their orders."""
    merged = [feature for feature in theirs if feature in ours or feature not in base]
    return merged + [feature for feature in ours if feature not in base and feature not in merged]


def merge_tables(base: Any, ours: Any, theirs: Any) -> None:
    """Apply the team's changes (``base`` -> ``ours``) to ``theirs`` in place, key by key,
    recursing into tables; keys the team added go at the end of their table.

    Raises:
        KeyConflict: a key both sides changed differently.
    """
    for key in list(dict.fromkeys([*ours.keys(), *base.keys()])):
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        if _plain(o) == _plain(b) or _plain(o) == _plain(t):
            continue  # the team left it, or made the template's change
        if b is None and _team_features_of_an_inherited_crate(o, t):
            # Both added this dependency: the template's line inherits it from the workspace (a
            # member's policy crates moved there in 0.4.0), the team's only asked for features of
            # it (a member's advice before 0.4.0): one line, with both sides' features.
            theirs[key]["features"] = merge_features([], _plain(o)["features"], _plain(t).get("features", []))
            continue
        if key == "features" and _feature_lists(b, o, t):
            # Both changed a dependency's features (the team added one, the release split the
            # policy's per package): the release's, minus what the team removed, plus what it added.
            theirs[key] = merge_features(_plain(b) or [], _plain(o) or [], _plain(t) or [])
            continue
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


def merge_lines(base: list[str], ours: list[str], theirs: list[str]) -> list[str] | None:
    """Three-way merge of lines where neighbouring changes and deletions made on both sides do
    not conflict: each of the team's hunks lands on lines the template left as they were, or
    deletes lines the template deleted too. Return None when a hunk touches lines the template
    changed (a real conflict)."""
    kept: dict[int, int] = {}  # base line -> its line in theirs, for lines the template kept
    deleted: set[int] = set()  # base lines the template deleted (not replaced)
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, base, theirs, autojunk=False).get_opcodes():
        if tag == "equal":
            kept.update({i1 + k: j1 + k for k in range(i2 - i1)})
        elif tag == "delete":
            deleted.update(range(i1, i2))
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, lines) in theirs
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, ours, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        new = ours[j1:j2]
        lines = range(i1, i2)
        if lines and all(k in kept for k in lines) and kept[i2 - 1] - kept[i1] == i2 - i1 - 1:
            edits.append((kept[i1], kept[i2 - 1] + 1, new))
        elif lines and not new and all(k in kept or k in deleted for k in lines):
            edits.extend((kept[k], kept[k] + 1, []) for k in lines if k in kept)  # both deleted the rest
        elif not lines and (i1 - 1 in kept or i1 in kept or i1 == 0):
            at = kept[i1 - 1] + 1 if i1 - 1 in kept else kept.get(i1, 0)
            edits.append((at, at, new))
        else:
            return None
    merged = list(theirs)
    last = len(merged) + 1
    for start, end, new in sorted(edits, key=lambda edit: (edit[0], edit[1]), reverse=True):
        if end > last:
            return None  # two hunks on the same lines of theirs
        merged[start:end] = new
        last = start
    return merged


def stage(name: str, number: int) -> str:
    """The content of an unmerged index stage of ``name`` (1 base, 2 ours, 3 theirs)."""
    return git(None, "show", f":{number}:./{name}").stdout


def merge_again(name: str) -> bool:
    """Merge the conflicted file ``name`` again (TOML by key, else by lines), write and stage the
    result; return False (file untouched) when a real conflict remains."""
    base, ours, theirs = (stage(name, number) for number in (1, 2, 3))
    if name.endswith(".toml"):
        import tomlkit

        documents = [tomlkit.parse(text) for text in (base, ours, theirs)]
        try:
            merge_tables(*documents)
        except KeyConflict as conflict:
            say(f"{name}: you and the template both changed `{conflict}`; resolve the conflict markers by hand")
            return False
        result, how = tomlkit.dumps(documents[2]), "key by key"
    else:
        lines = merge_lines(*(text.splitlines(keepends=True) for text in (base, ours, theirs)))
        if lines is None:
            say(f"{name}: you and the template both changed the same lines; resolve the conflict markers by hand")
            return False
        result, how = "".join(lines), "hunk by hunk"
    Path(name).write_text(result, encoding="utf-8")
    git(None, "add", "--", name)
    say(f"{name}: merged your edits {how} (copier's line merge had conflicted)")
    return True


def conflicted_files() -> list[str]:
    """Files with unmerged index entries (relative to the crate)."""
    unmerged = git(None, "ls-files", "--unmerged").stdout.splitlines()
    return sorted({line.split("\t", 1)[1] for line in unmerged if "\t" in line})


# --- moved and dropped files -----------------------------------------------------------------------


def deleted_files() -> list[str]:
    """Tracked files the update removed from the work tree (paths relative to the crate)."""
    return [name for name in git(None, "ls-files", "--deleted").stdout.splitlines() if name]


def committed(name: str) -> str | None:
    """The team's last committed version of ``name`` (relative to the crate), or None."""
    shown = git(None, "show", f"HEAD:./{name}", check=False)
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


def render_old(template: str, answers: dict[str, Any], into: Path) -> None:
    """Render the crate's previous template version (``answers['_commit']``) into ``into``.

    Raises:
        Exception: whatever copier raises (the caller reports it).
    """
    import copier

    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    data["workspace_root"] = ""  # the files compared here do not depend on it; no workspace there
    copier.run_copy(
        template,
        into,
        data=data,
        vcs_ref=str(answers["_commit"]),
        defaults=True,
        unsafe=True,
        quiet=True,
        skip_tasks=True,
    )


def carry_deleted(old: Path, moved: dict[str, str], deleted: list[str]) -> None:
    """Keep the team's edits of files the update deleted (``old``: the previous version's render)."""
    for name in deleted:
        ours, base = committed(name), old / name
        if ours is None or not base.is_file() or ours == base.read_text(encoding="utf-8"):
            continue  # the template's own file, unedited: the deletion stands
        target = Path(moved[name]) if name in moved else None
        if target is not None and target.is_file():
            theirs = target.read_text(encoding="utf-8")
            lines = merge_lines(
                *(text.splitlines(keepends=True) for text in (base.read_text(encoding="utf-8"), ours, theirs))
            )
            if lines is not None:
                target.write_text("".join(lines), encoding="utf-8")
                say(f"{name} moved to {target}; your edits were merged into it")
                continue
            mine = old.parent / "ours"
            mine.write_text(ours, encoding="utf-8")
            merged = subprocess.run(
                ["git", "merge-file", "-p", *LABELS, str(mine), str(base), str(target)],
                capture_output=True,
                text=True,
                check=False,
            )
            target.write_text(merged.stdout, encoding="utf-8")
            say(f"{name} moved to {target}; your edits are in it, with conflict markers to resolve")
        else:
            git(None, "checkout", "HEAD", "--", name)
            say(f"kept {name}: the template no longer has it, but you had edited it")


def new_team_files(version_from: str) -> list[str]:
    """The team's files (``hooks/ownership.py``) the update created, when the crate owns them
    (its previous version is from the handover on): a new component's, or ones the team had
    deleted, which copier renders again."""
    import ownership

    if not ownership.kept(version_from):
        return []
    team = ownership.team_spec()
    untracked = git(None, "ls-files", "--others", "--exclude-standard").stdout.splitlines()
    return [name for name in untracked if name and team.match_file(name)]


def leave_out_deleted(old: Path, created: list[str]) -> None:
    """Delete again each of ``created`` that the previous version had rendered too (``old``):
    the team had deleted it, and it is theirs."""
    for name in created:
        if (old / name).is_file():
            Path(name).unlink()
            for parent in Path(name).parents:
                if parent == Path(".") or any(parent.iterdir()):
                    break
                parent.rmdir()
            say(f"left out {name}: you had deleted it, and it is your file (the template no longer writes it)")


def carry(template: str, version_from: str, version_to: str) -> int:
    """Run every step (see the module docstring); return the exit code."""
    import yaml

    for name in conflicted_files():
        merge_again(name)
    deleted, created = deleted_files(), new_team_files(version_from)
    if not deleted and not created:
        return 0
    answers = yaml.safe_load(committed(".copier-answers.yml") or "{}") or {}
    with tempfile.TemporaryDirectory(prefix="carry-edits-") as scratch:
        old = Path(scratch) / "old"
        try:
            render_old(template, answers, old)
        except Exception as error:  # noqa: BLE001 - any failure: say which files to check
            say(
                f"cannot render the previous template version ({error}); check by hand whether you had "
                f"edited or deleted: {', '.join([*deleted, *created])}"
            )
            return 1
        carry_deleted(old, moves(version_from, version_to, str(answers.get("crate_kind", ""))), deleted)
        leave_out_deleted(old, created)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run :func:`carry`; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--template", required=True, help="the template checkout copier updates from")
    args = parser.parse_args(argv)
    return carry(args.template, os.environ.get("VERSION_FROM", ""), os.environ.get("VERSION_TO", ""))


if __name__ == "__main__":
    sys.exit(main())
