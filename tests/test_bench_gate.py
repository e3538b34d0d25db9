"""Gate 5's decision code (the generated crate's scripts/bench_gate.py), fast.

Instruction counts: real Gungraun output recorded on this machine (tests/data/gungraun, see its
runs.json), including the two silent passes Gungraun itself allows. Wall-clock: criterion's
file layout, written here. Set-up: the base's resolution from git, the Valgrind fallback.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from conftest import REPO, git, require
from context import load_file  # hooks/context.py (on sys.path through conftest)

DATA = REPO / "tests" / "data" / "gungraun"
RUNS = json.loads((DATA / "runs.json").read_text(encoding="utf-8"))
BASE_KEY = "b_148f56abad52_69dc62b1"
PARSE = "instructions::document::parse_jsonl_100_docs"


def _load_gate():
    # dataclasses resolve annotations through sys.modules: load_file registers it there
    return load_file("bench_gate", REPO / "template" / "scripts" / "bench_gate.py")


gate = _load_gate()


def recorded(name: str, baseline: str | None = BASE_KEY):
    """The counts of one recorded run, and the exit code Gungraun gave it."""
    return gate.parse_summaries((DATA / name).read_text(encoding="utf-8"), baseline), RUNS[name]["exit"]


# ------------------------------------------------------------------------------------------------
# Instruction counts
# ------------------------------------------------------------------------------------------------


def test_the_recordings_are_what_runs_json_says():
    for name, run in RUNS.items():
        if name.startswith("_"):
            continue
        counts, _ = recorded(name, next((a.split("=", 1)[1] for a in run["args"] if a.startswith("--baseline=")), None))
        assert len(counts) == 6, name  # the default crate's six instruction benchmarks
        assert [count.name for count in counts][0] == "instructions::document::tokenize_60_words"


def test_unchanged_code_passes_with_identical_counts():
    counts, exit_code = recorded("unchanged.jsonl")
    lines, failures = gate.decide_counts(counts, 5.0, {count.name for count in counts}, exit_code)
    assert failures == []
    assert all(count.old == count.new for count in counts)
    assert f"ok         {PARSE}: 305,897 -> 305,897 instructions (+0.00 %)" in lines


def test_eight_percent_more_instructions_fails_naming_the_benchmark_the_counts_and_the_change():
    counts, exit_code = recorded("regression-8pct.jsonl")
    assert exit_code == gate.GUNGRAUN_REGRESSION_EXIT
    lines, failures = gate.decide_counts(counts, 5.0, {count.name for count in counts}, exit_code)
    assert failures == [f"{PARSE}: 305,897 -> 330,304 instructions (+7.98 %, more than 5 %)"]
    assert f"REGRESSION {PARSE}: 305,897 -> 330,304 instructions (+7.98 %)" in lines
    assert sum(line.startswith("REGRESSION") for line in lines) == 1


def test_two_percent_is_under_the_threshold_and_passes():
    counts, exit_code = recorded("threshold-2pct.jsonl")
    lines, failures = gate.decide_counts(counts, 5.0, {count.name for count in counts}, exit_code)
    assert failures == []
    assert f"ok         {PARSE}: 305,897 -> 311,998 instructions (+1.99 %)" in lines


def test_the_threshold_is_the_threshold():
    counts, _ = recorded("threshold-2pct.jsonl")
    names = {count.name for count in counts}
    # Gungraun ran with 5 %: a 1.5 % threshold sees a rise it did not flag, which is refused.
    with pytest.raises(gate.GateError, match="ran without --callgrind-limits"):
        gate.decide_counts(counts, 1.5, names, 0)
    # A higher threshold passes the 8 % run only if Gungraun agrees: it flagged it (exit 3).
    counts, exit_code = recorded("regression-8pct.jsonl")
    with pytest.raises(gate.GateError, match="its limits differ from BENCH_THRESHOLD"):
        gate.decide_counts(counts, 10.0, names, exit_code)


def test_silent_pass_1_a_missing_base_baseline_is_an_error():
    # Gungraun with --baseline=NAME and no saved NAME: exit 0, counts without a comparison.
    counts, exit_code = recorded("missing-baseline.jsonl", "b_000000000000_00000000")
    assert exit_code == 0 and all(count.old is None for count in counts)
    base_names = {count.name for count in counts}
    with pytest.raises(gate.GateError, match="missing base baseline"):
        gate.decide_counts(counts, 5.0, base_names, exit_code)
    with pytest.raises(gate.GateError, match="missing base baseline"):
        gate.decide_counts(counts, 5.0, set(), exit_code)  # the base run left nothing at all


def test_silent_pass_2_a_run_without_limits_is_an_error():
    # Gungraun without --callgrind-limits: exit 0 and no regression recorded for +7.98 %.
    counts, exit_code = recorded("no-limits-8pct.jsonl")
    assert exit_code == 0
    with pytest.raises(gate.GateError, match="ran without --callgrind-limits"):
        gate.decide_counts(counts, 5.0, {count.name for count in counts}, exit_code)


def test_a_benchmark_new_in_the_head_is_reported_not_failed():
    counts, exit_code = recorded("missing-baseline.jsonl", "b_000000000000_00000000")
    lines, failures = gate.decide_counts(counts, 5.0, {"instructions::other::bench"}, exit_code)
    assert failures == []
    assert f"ok         {PARSE}: 305,897 instructions (new: not in the base)" in lines


def test_without_a_base_counts_are_only_reported():
    counts, exit_code = recorded("no-base.jsonl", None)
    lines, failures = gate.decide_counts(counts, 5.0, None, exit_code)
    assert failures == []
    assert f"ok         {PARSE}: 305,897 instructions (nothing to compare with)" in lines


def test_summaries_of_another_baseline_or_none_at_all_are_refused():
    text = (DATA / "unchanged.jsonl").read_text(encoding="utf-8")
    with pytest.raises(gate.GateError, match="compared with baseline 'b_148f56abad52_69dc62b1', expected 'other'"):
        gate.parse_summaries(text, "other")
    with pytest.raises(gate.GateError, match="no instruction-count results"):
        gate.decide_counts([], 5.0, {"x"}, 0)
    with pytest.raises(gate.GateError, match="positive percentage"):
        gate.decide_counts(gate.parse_summaries(text, BASE_KEY), 0.0, {"x"}, 0)
    with pytest.raises(gate.GateError, match=r"run failed \(exit 1\)"):
        gate.decide_counts(gate.parse_summaries(text, BASE_KEY), 5.0, {"x"}, 1)


# ------------------------------------------------------------------------------------------------
# Wall-clock (criterion)
# ------------------------------------------------------------------------------------------------


def write_criterion(
    root: Path,
    bench_id: str,
    base_ns: float | None,
    new_ns: float,
    change: tuple[float, float, float] | None,
    baseline: str = "base",
) -> None:
    """Lay out one benchmark the way criterion 0.8 does (times in ns, change as fractions)."""
    bench = root / bench_id

    def estimate(value: float, low: float, high: float) -> dict:
        return {
            "point_estimate": value,
            "standard_error": 0.0,
            "confidence_interval": {"confidence_level": 0.95, "lower_bound": low, "upper_bound": high},
        }

    for name, ns in ((baseline, base_ns), ("new", new_ns)):
        if ns is None:
            continue
        (bench / name).mkdir(parents=True, exist_ok=True)
        (bench / name / "estimates.json").write_text(json.dumps({"median": estimate(ns, ns, ns)}))
    (bench / "new" / "benchmark.json").write_text(json.dumps({"full_id": bench_id}))
    if change is not None:
        (bench / "change").mkdir(exist_ok=True)
        low, point, high = change
        (bench / "change" / "estimates.json").write_text(json.dumps({"median": estimate(point, low, high)}))


def test_wall_clock_change_only_advises_when_counts_decide(tmp_path):
    write_criterion(tmp_path, "document/tokenize", 1000, 1300, (0.25, 0.30, 0.35))
    lines, failures = gate.decide_wall_clock(tmp_path, "base", 5.0, 5.0, 0.0, deciding=False)
    assert failures == []
    assert lines == [
        "ok         document/tokenize: median 1,000 ns -> 1,300 ns (+30.00 %, 95 % CI +25.00 .. +35.00 %)"
        "; slower than the base by more than 5 % (advice: instruction counts decide)"
    ]


def test_wall_clock_change_decides_without_valgrind(tmp_path):
    write_criterion(tmp_path, "document/tokenize", 1000, 1300, (0.25, 0.30, 0.35))
    # The noise measured here once: unchanged code, +6.3 % point estimate, interval +2.3 .. +9.1 %.
    write_criterion(tmp_path, "document/parse", 1292, 1374, (0.0233, 0.0632, 0.0913))
    lines, failures = gate.decide_wall_clock(tmp_path, "base", 5.0, 5.0, 0.0, deciding=True)
    assert failures == ["document/tokenize: more than 5 % slower than the base"]
    assert any(line.startswith("ok         document/parse") for line in lines)


def test_the_hot_path_budget_always_decides_and_can_be_turned_off(tmp_path):
    write_criterion(tmp_path, "batch/slow", 6_000_000, 6_000_000, (-0.01, 0.0, 0.01))
    for deciding in (False, True):
        _, failures = gate.decide_wall_clock(tmp_path, "base", 5.0, 5.0, 0.0, deciding=deciding)
        assert failures == ["batch/slow: over the 5 ms hot-path budget"]
    assert gate.decide_wall_clock(tmp_path, "base", 5.0, 10.0, 0.0, deciding=True)[1] == []
    assert gate.decide_wall_clock(tmp_path, "base", 5.0, 0.0, 0.0, deciding=True)[1] == []


def test_stale_results_and_an_empty_run_do_not_count(tmp_path):
    write_criterion(tmp_path, "old", 1000, 5000, (3.0, 4.0, 5.0))
    with pytest.raises(gate.GateError, match="no criterion results from this run"):
        gate.decide_wall_clock(tmp_path, "base", 5.0, 5.0, time.time() + 60, deciding=True)


def test_a_wall_clock_benchmark_not_in_the_base_is_held_to_the_budget_only(tmp_path):
    write_criterion(tmp_path, "new/bench", None, 1000, None)
    lines, failures = gate.decide_wall_clock(tmp_path, "base", 5.0, 5.0, 0.0, deciding=True)
    assert failures == []
    assert lines == ["ok         new/bench: median 1,000 ns (not in the base)"]


# ------------------------------------------------------------------------------------------------
# Set-up: Valgrind and the runner, the base
# ------------------------------------------------------------------------------------------------


def fake_tools(directory: Path, runner_version: str | None, valgrind: bool) -> dict[str, str]:
    """A PATH with stand-ins for valgrind and gungraun-runner (and python3/git/rustc beside)."""
    directory.mkdir()
    tools = {"valgrind": "echo valgrind-3.19.0"} if valgrind else {}
    if runner_version:
        tools["gungraun-runner"] = f"echo gungraun-runner {runner_version}"
    for name, body in tools.items():
        path = directory / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": str(directory)}


def crate(tmp_path: Path, gungraun: str | None = "0.20.0"):
    return gate.Crate(
        root=tmp_path,
        package="demo",
        target_dir=tmp_path / "target",
        workspace_root=tmp_path,
        gungraun=gungraun,
        bench_targets={"hot_paths", "instructions"},
    )


@pytest.mark.parametrize("ci", ["", "true"])
def test_without_valgrind_the_gate_falls_back_in_one_line_but_never_in_ci(tmp_path, monkeypatch, capsys, ci):
    env = fake_tools(tmp_path / "bin", "0.20.0", valgrind=False)
    monkeypatch.setenv("PATH", env["PATH"])
    monkeypatch.setenv("CI", ci)
    if ci:
        with pytest.raises(gate.GateError, match="CI never falls back"):
            gate.counts_available(crate(tmp_path))
        return
    assert gate.counts_available(crate(tmp_path)) is False
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Valgrind not found" in err and "falling back to the wall-clock" in err


def test_a_runner_of_another_version_is_refused_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_tools(tmp_path / "bin", "0.19.4", valgrind=True)["PATH"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(gate.GateError) as error:
        gate.counts_available(crate(tmp_path))
    assert "gungraun-runner 0.19.4 is on PATH" in str(error.value)
    assert str(error.value).endswith(": cargo install gungraun-runner --version 0.20.0 --locked")
    monkeypatch.setenv("PATH", fake_tools(tmp_path / "bin2", "0.20.0", valgrind=True)["PATH"])
    assert gate.counts_available(crate(tmp_path)) is True
    with pytest.raises(gate.GateError, match="no \\[\\[bench\\]\\] 'instructions' with gungraun"):
        gate.counts_available(crate(tmp_path, gungraun=None))


def test_a_missing_runner_stops_gate_5_with_one_line_naming_the_command(tmp_path, monkeypatch, capsys):
    """What a fresh crate's `scripts/gates.sh all` prints on a machine with Valgrind but no
    runner: one line, prefixed once, ending with the command to run; exit 2."""
    monkeypatch.setenv("PATH", fake_tools(tmp_path / "bin", None, valgrind=True)["PATH"])
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(gate.Crate, "read", classmethod(lambda cls, root, env: crate(tmp_path)))
    assert gate.main(["--crate-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gate 5: gungraun-runner is not on PATH, and it must be the crate's gungraun version, 0.20.0; "
        "install it with: cargo install gungraun-runner --version 0.20.0 --locked"
    ]


def test_the_base_is_where_head_left_main_extracted_with_the_heads_lockfile(tmp_path):
    require("cargo")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "Cargo.toml").write_text('[package]\nname = "demo"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    base_commit = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "-qc", "feature")
    (repo / "Cargo.toml").write_text('[package]\nname = "demo"\nversion = "0.2.0"\n')
    git(repo, "commit", "-qam", "head")
    (repo / "Cargo.lock").write_text("# the head's lockfile\n")  # not committed
    env = dict(os.environ)
    base, reason = gate.resolve_base(crate(repo), env)
    assert reason == "" and base is not None and base.reusable
    assert base.key.startswith(f"b_{base_commit[:12]}_") and len(base.key) == 2 + 12 + 1 + 8
    assert base.label == f"{base_commit[:12]} (merge-base with main)"
    assert (base.root / "Cargo.toml").read_text() == '[package]\nname = "demo"\n'
    assert (base.root / "Cargo.lock").read_text() == "# the head's lockfile\n"

    assert gate.resolve_base(crate(repo), {**env, "BENCH_BASE": "none"}) == (None, "BENCH_BASE=none")
    with pytest.raises(gate.GateError, match="git knows no such commit"):
        gate.resolve_base(crate(repo), {**env, "BENCH_BASE": "no-such-branch"})
    with pytest.raises(gate.GateError, match="no Cargo.toml there"):
        gate.resolve_base(crate(repo), {**env, "BENCH_BASE_DIR": str(tmp_path)})
    checkout = gate.resolve_base(crate(repo), {**env, "BENCH_BASE_DIR": str(repo)})[0]
    assert checkout is not None and checkout.key == "base" and not checkout.reusable


def test_a_repository_without_commits_has_no_base(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    assert gate.resolve_base(crate(tmp_path), dict(os.environ)) == (None, "no git commit yet")


def test_a_benchmark_measured_again_drops_the_runs_filters_keeps_its_flags():
    """Re-measuring an over-budget benchmark names it with `--exact`: criterion takes one filter,
    so the run's own (BENCH_ARGS) goes, and every flag with its value stays."""
    args = ["--sample-size", "10", "--noplot", "--measurement-time=0.3", "document/tokenize", "--warm-up-time", "0.1"]
    assert gate.without_filters(args) == [
        "--sample-size",
        "10",
        "--noplot",
        "--measurement-time=0.3",
        "--warm-up-time",
        "0.1",
    ]


# ------------------------------------------------------------------------------------------------
# Accepted regressions
# ------------------------------------------------------------------------------------------------


def commit(repo: Path, message: str, *trailers: str) -> str:
    """Commit everything in ``repo`` with ``trailers`` (``git commit --trailer``); its hash."""
    (repo / "change.txt").write_text(message, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, *(f"--trailer={trailer}" for trailer in trailers))
    return git(repo, "rev-parse", "HEAD").strip()


def test_a_regression_is_accepted_only_by_a_trailer_after_the_base_with_a_reason(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "old news", f"Bench-Accepted: {PARSE} accepted before the base")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "-qc", "feature")
    accepting = commit(
        repo,
        "validate every document",
        f"Bench-Accepted: {PARSE} validation is worth 8 % on this path",
        "Bench-Accepted: instructions::cache::lookup",  # no reason: accepts nothing
    )
    commit(repo, "unrelated")

    acceptances, notes = gate.read_acceptances(repo, base)
    assert list(acceptances) == [PARSE]
    assert acceptances[PARSE] == gate.Acceptance(PARSE, "validation is worth 8 % on this path", accepting)
    assert notes == [
        f"Bench-Accepted: instructions::cache::lookup in {accepting[:12]} gives no reason: it accepts nothing"
    ]
    # nothing after the base, no base at all, a base this clone lacks
    assert gate.read_acceptances(repo, git(repo, "rev-parse", "HEAD").strip()) == ({}, [])
    assert gate.read_acceptances(repo, None) == ({}, [])
    assert gate.read_acceptances(repo, "0" * 40)[1] == [
        f"Bench-Accepted: the commits after {'0' * 12} cannot be read (a shallow clone?): none accepted"
    ]


def test_an_accepted_regression_passes_and_a_broken_budget_never_does(tmp_path):
    counts, exit_code = recorded("regression-8pct.jsonl")
    _, failures = gate.decide_counts(counts, 5.0, {count.name for count in counts}, exit_code)
    budget = "document/parse_jsonl_256_kib: over the 5 ms hot-path budget"
    acceptances = {
        name: gate.Acceptance(name, "on purpose", "a" * 40) for name in (PARSE, "document/parse_jsonl_256_kib")
    }
    left, accepted = gate.accept([*failures, budget], acceptances)
    assert left == [budget]
    assert accepted == [(failures[0], acceptances[PARSE])]
    assert gate.accept(failures, {}) == (failures, [])  # without a trailer the gate fails as before

    summary = tmp_path / "summary.md"
    gate.write_summary(str(summary), accepted, ["instructions::json::parse"])
    assert summary.read_text(encoding="utf-8") == (
        "### Gate 5: accepted regressions\n\n"
        "| benchmark | change | reason | commit |\n|---|---|---|---|\n"
        f"| `{PARSE}` | 305,897 -> 330,304 instructions (+7.98 %, more than 5 %) | on purpose | aaaaaaaaaaaa |\n"
        "- `instructions::json::parse`: accepted, but it did not regress\n\n"
    )
    nothing = tmp_path / "nothing.md"
    gate.write_summary(str(nothing), [], [])  # nothing accepted: no section
    assert not nothing.exists()


def test_the_report_names_each_acceptance_and_what_came_of_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    base = commit(repo, "base")
    git(repo, "switch", "-qc", "feature")
    budget_bench = "document/parse_jsonl_256_kib"
    accepting = commit(
        repo,
        "slower",
        f"Bench-Accepted: {PARSE} worth it",
        f"Bench-Accepted: {budget_bench} also worth it",
        "Bench-Accepted: instructions::json::parse not needed after all",
    )
    regression = f"{PARSE}: 305,897 -> 330,304 instructions (+7.98 %, more than 5 %)"
    over = f"{budget_bench}: over the 5 ms hot-path budget"
    summary = tmp_path / "summary.md"
    left, lines, accepted = gate.settle_acceptances(repo, base, [regression, over], str(summary))
    assert (left, accepted) == ([over], 1)
    assert lines == [
        f"ACCEPTED   {regression}; in {accepting[:12]}: worth it",
        "unused     instructions::json::parse: accepted, but it did not regress",
        f"note       {budget_bench}: over the budget, which no trailer accepts",
    ]
    assert "| `" + PARSE + "` |" in summary.read_text(encoding="utf-8")
