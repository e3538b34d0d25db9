#!/usr/bin/env python3
"""Benchmark a policy rollout: what `copier update` and the crate's update automation cost.

Tags a clone of this repository as the tests do (the releases of ``releases.toml``, and the work
tree as the upcoming release), generates the default crate (lib, the whole stack) at the previous
release, commits it, then measures in one run:
  1. `copier update --trust --defaults --skip-answered --vcs-ref <upcoming>` (the command of the
     update script and, with --answers-file, of Renovate), median of --updates runs, the crate
     reset to its generated commit before each; and, as the baseline, `copier copy` of the same
     crate at the upcoming release, median of as many runs;
  2. the update automation's whole local run, `scripts/template_update.py` (check-update,
     update, conflict check, gates 1-4, commit), --runs times, per phase. Before the first run the
     crate's own gates 1-4 ran at the previous release in the same target dir ("warm target dir":
     what a crate's CI cache holds); later runs find the updated state's artifacts too.

Usage: python benchmarks/bench_update.py [--updates 5] [--runs 2] [--json out.json]
Needs copier (with copier-template-extensions and tomlkit) in this interpreter's environment, git
and cargo.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "benchmarks"))

import release  # noqa: E402
from bench_template import timed  # noqa: E402  (the same wall-clock runner)
from conftest import GIT_IDENTITY, commit_all, git, released_template, upcoming_release  # noqa: E402

COPIER = str(Path(sys.executable).with_name("copier"))
GATE_ROW = re.compile(r"^\| `scripts/gates.sh (\w+)` \| (\w+|\*\*FAIL\*\*) \| (\d+) s \|$", re.MULTILINE)


def main() -> int:
    """Run the measurements, print the report; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--updates", type=int, default=5)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    previous, upcoming = list(release.load_releases())[-1], upcoming_release()
    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    env = {
        **os.environ,
        **GIT_IDENTITY,
        "CARGO_TARGET_DIR": str(work / "target"),
        "CARGO_TERM_COLOR": "never",
        "COPIER": COPIER,
    }
    env.pop("RUSTFLAGS", None)
    results: dict[str, object] = {"from": previous, "to": upcoming}
    try:
        template = released_template(work / "template")
        crate = work / "vector-cache"
        generate = [COPIER, "copy", "--trust", "--defaults", "--quiet", "--data", "project_name=vector-cache"]
        subprocess.run(
            [*generate, "--vcs-ref", previous, str(template), str(crate)], check=True, env=env, capture_output=True
        )
        git(work, "init", "-q", "-b", "main", str(crate))
        commit_all(crate, f"generated at {previous}")
        generated = git(crate, "rev-parse", "HEAD").strip()

        copies = []
        for index in range(args.updates):
            copies.append(
                timed([*generate, "--vcs-ref", upcoming, str(template), str(work / f"copy-{index}")], work, env)
            )
        updates = []
        for _ in range(args.updates):
            git(crate, "reset", "-q", "--hard", generated)
            git(crate, "clean", "-qfdx")
            updates.append(
                timed(
                    [COPIER, "update", "--trust", "--defaults", "--skip-answered", "--quiet", "--vcs-ref", upcoming],
                    crate,
                    env,
                )
            )
        results.update(copy_s=copies, update_s=updates)
        print(
            f"copier copy at {upcoming}: median {statistics.median(copies):.2f} s of {args.updates} "
            f"({', '.join(f'{t:.2f}' for t in copies)})"
        )
        print(
            f"copier update {previous} -> {upcoming}: median {statistics.median(updates):.2f} s of "
            f"{args.updates} ({', '.join(f'{t:.2f}' for t in updates)}); ratio to copy "
            f"{statistics.median(updates) / statistics.median(copies):.2f}"
        )

        git(crate, "reset", "-q", "--hard", generated)
        git(crate, "clean", "-qfdx")
        warm = {}
        for gate in ("build", "lint", "fmt", "test"):
            warm[gate] = timed(["bash", "scripts/gates.sh", gate], crate, env)
        results["warm_up_gates_at_previous_s"] = warm
        print(f"gates 1-4 at {previous} (warming the target dir): {sum(warm.values()):.1f} s")

        runs = []
        script = template / "template" / "scripts" / "template_update.py"
        for index in range(args.runs):
            git(crate, "reset", "-q", "--hard", generated)
            git(crate, "clean", "-qfdx")
            body = work / f"pr-body-{index}.md"
            total = timed([sys.executable, str(script), "--body", str(body)], work, {**env, "CRATE_DIR": str(crate)})
            gates = {gate: int(seconds) for gate, _, seconds in GATE_ROW.findall(body.read_text(encoding="utf-8"))}
            runs.append({"total_s": total, "gates_s": gates})
            print(
                f"update automation run {index + 1}: {total:.1f} s (gates 1-4: "
                + ", ".join(f"{gate} {seconds} s" for gate, seconds in gates.items())
                + ")"
            )
        results["automation_runs"] = runs
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
