"""The Backstage scaffolder module (issue 19): `backstage/scaffolder-backend-module-copier`'s own
TypeScript suite, run for real: its actions' handlers under Backstage's `createMockActionContext`
run copier on a tagged clone of this template (copy, then clippy on every target of the crate;
update from the previous release with the crate's own script), and its fact retriever reads an
in-memory catalog of crates at three releases against the clone's tags.

Slow: `npm ci` (about 1.5 min cold), then `tsc --noEmit` and jest."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import GIT_IDENTITY, cargo_env, npm, released_template, upcoming_release
from release import load_releases

pytestmark = [pytest.mark.slow, pytest.mark.builds("own")]


def test_the_modules_typescript_suite_passes_against_real_copier(backstage_module, tmp_path):
    template = released_template(tmp_path / "template")
    releases = sorted(load_releases(), key=lambda v: tuple(int(p) for p in v.split(".")))
    report = tmp_path / "jest.json"
    env = cargo_env(
        **GIT_IDENTITY,
        COPIER_TEMPLATE=str(template),
        COPIER_UPCOMING=upcoming_release(),
        COPIER_PREVIOUS=releases[-1],
        COPIER_PYTHON=sys.executable,
    )
    started = time.monotonic()
    completed = subprocess.run(
        [npm(), "test", "--", "--json", f"--outputFile={report}"],
        cwd=backstage_module,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    print(f"npm test (tsc + jest): {time.monotonic() - started:.1f} s", file=sys.stderr)
    assert completed.returncode == 0, f"{completed.stdout[-8000:]}\n{completed.stderr[-8000:]}"
    results = json.loads(report.read_text(encoding="utf-8"))
    # Every test ran and passed: none skipped, none left out.
    assert results["numTotalTests"] >= 24
    assert results["numPassedTests"] == results["numTotalTests"]
    assert results["numPendingTests"] == results["numTodoTests"] == 0
    suites = {Path(suite["name"]).relative_to(backstage_module / "src").as_posix() for suite in results["testResults"]}
    assert {
        "actions/copy.test.ts",
        "actions/update.test.ts",
        "techInsights/templateFactRetriever.test.ts",
        "templates.test.ts",
    } <= suites
