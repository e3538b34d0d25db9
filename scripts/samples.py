#!/usr/bin/env python3
"""Sample crates rendered from this template into ``examples/``, so every change to
``template/`` shows up as a diff of real generated files.

    python scripts/samples.py render   # (re)write examples/ from this work tree
    python scripts/samples.py check    # exit 1 when examples/ differs from a fresh render

Each sample is rendered by copier from a throwaway git repository holding this work tree,
tagged as the upcoming release (CHANGELOG.md's top section), so the answers file records that
version. One line is normalised: ``_src_path`` names the published template instead of the
throwaway path. Exit codes: 0 fine, 1 stale samples (the differing files are listed), 2 usage.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import release  # noqa: E402  (this folder's release tooling: the upcoming version, the work tree)
from gitrun import git  # noqa: E402  (hooks/gitrun.py, on sys.path through release)

EXAMPLES = REPO / "examples"
PUBLISHED = "https://github.com/reasonkit/copier-reasonkit-rust"

#: Answers shared by every sample: no defaults that depend on the machine (git config).
COMMON: dict[str, Any] = {"author_name": "ReasonKit Rust Platform", "author_email": "rust-platform@reasonkit.dev"}

#: Folder under examples/ -> (answers, path of the crate inside that folder).
SAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    # The crate a team gets with every default.
    "vector-cache": ({"project_name": "vector-cache"}, "."),
    # A command-line tool with part of the org stack.
    "doc-search": ({"project_name": "doc-search", "crate_kind": "cli", "stack": ["tantivy", "moka"]}, "."),
    # An MCP server with every component and the Python package.
    "mcp-tools": (
        {
            "project_name": "mcp-tools",
            "crate_kind": "mcp-server",
            "python_bindings": True,
            "stack": ["qdrant", "tantivy", "rayon", "moka", "simd-json"],
        },
        ".",
    ),
    # A member of an existing Cargo workspace (the root below is the team's, not the template's).
    "workspace": ({"project_name": "ws-tool", "crate_kind": "cli", "stack": ["rayon"]}, "crates/ws-tool"),
}

#: The team's workspace root the workspace sample is generated into.
WORKSPACE_ROOT = """\
# The team's own workspace (written by scripts/samples.py, not by the template): the crate in
# crates/ws-tool was generated into it and joined it as a member.
[workspace]
resolver = "3"
members = ["crates/*"]
"""

#: What a local build leaves in a sample (ignored by its .gitignore): never compared.
BUILD_OUTPUTS = ["target", ".venv", "__pycache__", "Cargo.lock"]

#: Identity for the throwaway template repository's commit.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "samples",
    "GIT_AUTHOR_EMAIL": "samples@example.org",
    "GIT_COMMITTER_NAME": "samples",
    "GIT_COMMITTER_EMAIL": "samples@example.org",
}


def snapshot_template(dest: Path) -> Path:
    """Copy this work tree (tracked and untracked files, not ignored ones, not examples/) into a
    new git repository at ``dest``, commit it and tag it as the upcoming release; return ``dest``.

    Raises:
        subprocess.CalledProcessError: git failed.
    """
    release.copy_work_tree(dest, skip="examples/")
    git(dest, "init", "-q", "-b", "main", env=GIT_ENV)
    git(dest, "add", "-A", env=GIT_ENV)
    git(dest, "commit", "-q", "--no-gpg-sign", "-m", "samples", env=GIT_ENV)
    git(dest, "tag", release.upcoming_release(), env=GIT_ENV)
    return dest


def render_sample(template: Path, folder: Path, answers: dict[str, Any], crate_path: str) -> None:
    """Render one sample into ``folder`` (which must not exist) with copier's API.

    Raises:
        copier.errors.CopierError: copier refused the answers or failed.
    """
    import copier

    folder.mkdir(parents=True)
    if crate_path != ".":
        (folder / "Cargo.toml").write_text(WORKSPACE_ROOT, encoding="utf-8")
    crate = folder / crate_path
    copier.run_copy(
        str(template),
        crate,
        data={**COMMON, **answers},
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref=release.upcoming_release(),
    )
    answers_file = crate / ".copier-answers.yml"
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    answers_file.write_text(
        "".join(f"_src_path: {PUBLISHED}\n" if line.startswith("_src_path:") else line for line in lines),
        encoding="utf-8",
    )


def render_all(dest: Path) -> None:
    """Render every sample into ``dest/<folder>`` (``dest`` must not hold them yet).

    Raises:
        copier.errors.CopierError, subprocess.CalledProcessError: rendering failed.
    """
    with tempfile.TemporaryDirectory(prefix="samples-template-") as scratch:
        template = snapshot_template(Path(scratch) / "template")
        for folder, (answers, crate_path) in SAMPLES.items():
            render_sample(template, dest / folder, answers, crate_path)


def differences(left: Path, right: Path) -> list[str]:
    """Return the paths (relative to ``left``) that differ between two trees: changed, or in one
    tree only."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only)
        found.extend(
            prefix + name
            for name in comparison.common_files
            if not filecmp.cmp(Path(comparison.left) / name, Path(comparison.right) / name, shallow=False)
        )
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=BUILD_OUTPUTS), "")
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    """Run ``render`` or ``check``; return the exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("render", help="(re)write examples/ from this work tree")
    commands.add_parser("check", help="exit 1 when examples/ differs from a fresh render")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="samples-") as scratch:
        fresh = Path(scratch) / "examples"
        fresh.mkdir()
        render_all(fresh)
        shutil.copy2(EXAMPLES / "README.md", fresh / "README.md")
        if args.command == "render":
            for folder in SAMPLES:
                shutil.rmtree(EXAMPLES / folder, ignore_errors=True)
                shutil.copytree(fresh / folder, EXAMPLES / folder, symlinks=True)
            print(f"samples.py: rendered {', '.join(SAMPLES)} into {EXAMPLES.relative_to(REPO)}/")
            return 0
        stale = differences(EXAMPLES, fresh) if EXAMPLES.is_dir() else ["examples/"]
    if stale:
        print(
            "samples.py: examples/ is stale; run `python scripts/samples.py render` and commit. Differs: "
            + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    print(f"samples.py: examples/ matches the template ({len(SAMPLES)} samples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
