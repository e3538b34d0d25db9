"""The sample crates in examples/ are what the template renders now (``scripts/samples.py``):
a change to ``template/`` without its regenerated samples fails here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import samples  # noqa: E402


def test_the_committed_samples_match_a_fresh_render():
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "samples.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr


def test_a_stale_sample_is_named(tmp_path: Path):
    """The comparison can fail: a changed, an added and a removed file are each reported."""
    left, right = tmp_path / "committed", tmp_path / "fresh"
    for tree in (left, right):
        (tree / "crate" / "src").mkdir(parents=True)
        (tree / "crate" / "src" / "lib.rs").write_text("//! same\n")
    (left / "crate" / "Cargo.toml").write_text("[package]\n")
    (right / "crate" / "Cargo.toml").write_text("[package]\nname = 'x'\n")
    (left / "crate" / "src" / "old.rs").write_text("")
    (right / "crate" / "src" / "new.rs").write_text("")
    (left / "crate" / "target").mkdir()  # a local build's output is never compared
    assert samples.differences(left, right) == ["crate/Cargo.toml", "crate/src/new.rs", "crate/src/old.rs"]


def test_every_public_module_of_every_sample_has_a_doctest():
    """Issue 26, item 2: each `pub mod` of a sample's library shows its use in a doc example that
    runs (a fenced block in its docs, not `ignore`/`no_run`/`text`); gate 4 runs them."""
    roots = sorted(REPO.glob("examples/*/src/lib.rs")) + sorted(REPO.glob("examples/*/crates/*/src/lib.rs"))
    assert len(roots) == 4
    without = []
    for lib in roots:
        modules = re.findall(r"^pub mod (\w+);", lib.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert "document" in modules and "error" in modules, lib
        for module in modules:
            source = (lib.parent / f"{module}.rs").read_text(encoding="utf-8")
            if not re.search(r"^\s*//[/!] ```(rust)?$", source, flags=re.MULTILINE):
                without.append(f"{lib.parent.parent.name}: {module}")
    assert without == []
