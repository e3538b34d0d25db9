"""Who owns which rendered file: the team's files (the sample component code, its tests and
benchmarks, the binaries' code, the bindings, CHANGELOG) are written once by ``copier copy`` and
never rewritten by ``copier update``; the template keeps every other file current.

copier.yml's ``_skip_if_exists`` is the one list of the team's files. Each entry but
``/CHANGELOG.md`` (never merged: its first entry records the generation) is guarded by
``team_files_kept(_copier_conf)`` (``hooks/context.py``): true during the update of a crate
generated from 0.4.0 or later (its committed answers file says so, read through :func:`kept`). A
crate made before 0.4.0 had these files from the template, and its update to 0.4.0 still merges
them, once, so the crate arrives in one consistent state (its edits kept, as in every earlier
update); from then on they are the team's. A team's file that the team deleted stays deleted
(``hooks/carry_edits.py``: copier itself would render it again).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: The first release whose crates own their team files from the start.
HANDOVER = (0, 4, 0)

COPIER_YML = Path(__file__).resolve().parent.parent / "copier.yml"


def release_of(commit: str) -> tuple[int, int, int] | None:
    """Return the release an answers file's ``_commit`` names or follows (``"0.3.0"``,
    ``"0.3.0-12-gabc1234"``: both ``(0, 3, 0)``), or None for a bare commit hash."""
    found = re.match(r"v?(\d+)\.(\d+)\.(\d+)", commit.strip())
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def kept(commit: str) -> bool:
    """Whether a crate at template version ``commit`` owns its team files (see the module
    docstring); a bare hash counts as a recent template."""
    release = release_of(commit)
    return release is None or release >= HANDOVER


def team_patterns(copier_yml: Path = COPIER_YML) -> list[str]:
    """Return the team's files as gitignore-style patterns relative to the crate: copier.yml's
    ``_skip_if_exists`` entries with their guard true.

    Raises:
        OSError: copier.yml cannot be read.
        KeyError: it has no ``_skip_if_exists``.
    """
    import jinja2
    import yaml

    entries = yaml.safe_load(copier_yml.read_text(encoding="utf-8"))["_skip_if_exists"]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.globals["team_files_kept"] = lambda conf: True
    return [environment.from_string(entry).render(_copier_conf={}) for entry in entries]


def team_files_of(crate_kind: str, python_bindings: bool, copier_yml: Path = COPIER_YML) -> str:
    """Return the team's files of a crate with these answers as one Markdown phrase, e.g.
    ``"`/CHANGELOG.md`, `/src/*.rs` (not `/src/lib.rs`)"``: the patterns of packages it lacks left
    out, each exception in brackets after the pattern it narrows.

    Raises:
        OSError: copier.yml cannot be read.
    """
    absent = [f"/{kind}/" for kind in ("cli", "mcp-server") if kind != crate_kind]
    if not python_bindings:
        absent += ["/python/", "/tests/python/"]
    phrases: list[list[str]] = []
    for pattern in team_patterns(copier_yml):
        if any(pattern.lstrip("!").startswith(prefix) for prefix in absent):
            continue
        if pattern.startswith("!") and phrases:
            phrases[-1].append(f"`{pattern[1:]}`")
        else:
            phrases.append([f"`{pattern}`"])
    return ", ".join(phrase[0] + (f" (not {', '.join(phrase[1:])})" if len(phrase) > 1 else "") for phrase in phrases)


def path_spec(patterns: list[str]) -> Any:
    """Return a ``pathspec.PathSpec`` of gitignore-style ``patterns``, parsed the way copier
    parses ``_skip_if_exists`` (``gitignore`` from pathspec 1.0 on, ``gitwildmatch`` before)."""
    import pathspec

    style = "gitignore" if int(pathspec.__version__.split(".")[0]) >= 1 else "gitwildmatch"
    return pathspec.PathSpec.from_lines(style, patterns)


def team_spec(copier_yml: Path = COPIER_YML) -> Any:
    """Return the team's files as a ``pathspec.PathSpec``: ``spec.match_file(path)`` (relative to
    the crate, ``/``-separated) is whether ``path`` is one of them.

    Raises:
        OSError: copier.yml cannot be read.
    """
    return path_spec(team_patterns(copier_yml))
