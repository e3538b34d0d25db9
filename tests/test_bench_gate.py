"""Gate 5's decision code (the generated crate's scripts/bench_gate.py), fast.

Instruction counts: real Gungraun output recorded on this machine (tests/data/gungraun, see its
runs.json), including the two silent passes Gungraun itself allows. Wall-clock: criterion's
file layout, written here. Set-up: the base's resolution from git, the Valgrind fallback.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from pathlib import Path

import pytest
from conftest import REPO, git, require
from context import load_file  # hooks/context.py (on sys.path through conftest)

DATA = REPO / "tests" / "data" / "gungraun"
RUNS = json.loads((DATA / "runs.json").read_text(encoding="utf-8"))
BASE_KEY = "b_148f56abad52_69dc62b1"
CYCLES_KEY = "b_1ed304a4f0c1_69dc62b1"
PARSE = "instructions::document::parse_jsonl_100_docs"


def _load_gate():
    # dataclasses resolve annotations through sys.modules: load_file registers it there
    return load_file("bench_gate", REPO / "template" / "scripts" / "bench_gate.py")


gate = _load_gate()


def recorded(name: str, baseline: str | None = BASE_KEY):
    """The counts of one recorded run, and the exit code Gungraun gave it."""
    return gate.parse_summaries((DATA / name).read_text(encoding="utf-8"), baseline), RUNS[name]["exit"]


def measured(counts) -> set[tuple[str, str]]:
    """What a base that counted ``counts`` measured: every (benchmark, metric)."""
    return {count.key for count in counts}


def table(rows) -> str:
    """The gate's table of ``rows``, as printed."""
    return "\n".join(gate.format_table(rows))


def row(text: str, name: str, metric: str = "Ir") -> list[str]:
    """The cells of ``name``'s ``metric`` row in a printed table (split at runs of 2+ spaces)."""
    (found,) = [line for line in text.splitlines() if f" {name} " in line and f" {metric} " in line]
    return re.split(r" {2,}", found)


def limits_file(tmp_path: Path, source: str):
    """Write ``source`` as a crate's benches/instructions.rs and read its limits."""
    bench = tmp_path / "benches" / "instructions.rs"
    bench.parent.mkdir(parents=True, exist_ok=True)
    bench.write_text(source, encoding="utf-8")
    return gate.read_limits([bench], tmp_path)


PARSE_BENCH = """#[library_benchmark(setup = jsonl_100)]
fn parse_jsonl_100_docs(jsonl: String) -> Result<Vec<Document>, DocumentError> {
    parse_jsonl(black_box(&jsonl))
}
"""


# ------------------------------------------------------------------------------------------------
# Instruction counts (Ir only: a crate whose cache simulation is off)
# ------------------------------------------------------------------------------------------------


def test_the_recordings_are_what_runs_json_says():
    for name, run in RUNS.items():
        if name.startswith("_"):
            continue
        counts, _ = recorded(name, next((a.split("=", 1)[1] for a in run["args"] if a.startswith("--baseline=")), None))
        names = list(dict.fromkeys(count.name for count in counts))
        assert len(names) == 6, name  # every benched component's six instruction benchmarks
        assert names[0] == "instructions::document::tokenize_60_words"
        with_cycles = name.startswith("cycles-") and "without-cache-sim" not in name
        assert {count.metric for count in counts} == ({"Ir", "EstimatedCycles"} if with_cycles else {"Ir"}), name


def test_unchanged_code_passes_with_identical_counts():
    counts, exit_code = recorded("unchanged.jsonl")
    rows, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    assert failures == []
    assert all(count.old == count.new for count in counts)
    assert row(table(rows), PARSE) == ["ok", PARSE, "Ir", "305,897", "305,897", "+0.00 %", "5 %", "-"]


def test_eight_percent_more_instructions_fails_naming_the_benchmark_the_counts_and_the_change():
    counts, exit_code = recorded("regression-8pct.jsonl")
    assert exit_code == gate.GUNGRAUN_REGRESSION_EXIT
    rows, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    assert failures == [f"{PARSE}: Ir 305,897 -> 330,304 (+7.98 %, more than 5 %)"]
    assert row(table(rows), PARSE)[:6] == ["REGRESSION", PARSE, "Ir", "305,897", "330,304", "+7.98 %"]
    assert [r.verdict for r in rows].count("REGRESSION") == 1


def test_two_percent_is_under_the_threshold_and_passes():
    counts, exit_code = recorded("threshold-2pct.jsonl")
    rows, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    assert failures == []
    assert row(table(rows), PARSE)[:6] == ["ok", PARSE, "Ir", "305,897", "311,998", "+1.99 %"]


def test_the_threshold_is_the_threshold():
    counts, _ = recorded("threshold-2pct.jsonl")
    names = measured(counts)
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
    with pytest.raises(gate.GateError, match="missing base baseline"):
        gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    with pytest.raises(gate.GateError, match="missing base baseline"):
        gate.decide_counts(counts, 5.0, set(), exit_code)  # the base run left nothing at all


def test_silent_pass_2_a_run_without_limits_is_an_error():
    # Gungraun without --callgrind-limits: exit 0 and no regression recorded for +7.98 %.
    counts, exit_code = recorded("no-limits-8pct.jsonl")
    assert exit_code == 0
    with pytest.raises(gate.GateError, match="ran without --callgrind-limits"):
        gate.decide_counts(counts, 5.0, measured(counts), exit_code)


def test_a_benchmark_new_in_the_head_is_reported_not_failed():
    counts, exit_code = recorded("missing-baseline.jsonl", "b_000000000000_00000000")
    rows, failures = gate.decide_counts(counts, 5.0, {("instructions::other::bench", "Ir")}, exit_code)
    assert failures == []
    assert row(table(rows), PARSE) == ["ok", PARSE, "Ir", "-", "305,897", "new", "-", "-"]


def test_without_a_base_counts_are_only_reported():
    counts, exit_code = recorded("no-base.jsonl", None)
    rows, failures = gate.decide_counts(counts, 5.0, None, exit_code)
    assert failures == []
    assert row(table(rows), PARSE) == ["ok", PARSE, "Ir", "-", "305,897", "-", "-", "-"]


def test_summaries_of_another_baseline_or_none_at_all_are_refused():
    text = (DATA / "unchanged.jsonl").read_text(encoding="utf-8")
    with pytest.raises(gate.GateError, match="compared with baseline 'b_148f56abad52_69dc62b1', expected 'other'"):
        gate.parse_summaries(text, "other")
    with pytest.raises(gate.GateError, match="no instruction-count results"):
        gate.decide_counts([], 5.0, {("x", "Ir")}, 0)
    with pytest.raises(gate.GateError, match="positive percentage"):
        gate.decide_counts(gate.parse_summaries(text, BASE_KEY), 0.0, {("x", "Ir")}, 0)
    with pytest.raises(gate.GateError, match=r"run failed \(exit 1\)"):
        gate.decide_counts(gate.parse_summaries(text, BASE_KEY), 5.0, {("x", "Ir")}, 1)


# ------------------------------------------------------------------------------------------------
# Estimated cycles (the cache simulation), noise floors, a benchmark's own limit
# ------------------------------------------------------------------------------------------------


def test_unchanged_code_passes_on_both_metrics_and_the_table_has_every_column():
    counts, exit_code = recorded("cycles-unchanged.jsonl", CYCLES_KEY)
    rows, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    assert failures == [] and len(rows) == 12
    printed = table(rows)
    assert re.split(r" {2,}", printed.splitlines()[0]) == [
        "verdict", "benchmark", "metric", "base", "head", "change", "threshold", "noise floor"
    ]  # fmt: skip
    assert row(printed, PARSE, "EstimatedCycles") == [
        "ok", PARSE, "EstimatedCycles", "394,605", "394,605", "+0.00 %", "5 %", "-"
    ]  # fmt: skip
    # the tantivy query's cycles moved by 8 of 161,946 between two builds of unchanged code
    assert row(printed, "instructions::search::query_1000_docs", "EstimatedCycles")[5] == "-0.00 %"


def test_eight_percent_more_work_fails_on_both_metrics_of_that_benchmark_only():
    counts, exit_code = recorded("cycles-regression-8pct.jsonl", CYCLES_KEY)
    _, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    assert failures == [
        f"{PARSE}: Ir 303,998 -> 328,405 (+8.03 %, more than 5 %)",
        f"{PARSE}: EstimatedCycles 394,605 -> 427,125 (+8.24 %, more than 5 %)",
    ]


def test_a_benchmark_declares_its_own_limit_and_cycles_still_catch_fresh_memory(tmp_path):
    # The fresh-memory change: +7.59 % instructions, +16.65 % cycles (1,000 new cache lines).
    counts, exit_code = recorded("cycles-fresh-memory.jsonl", CYCLES_KEY)
    reason = "validation is worth up to 10 % more instructions"
    limits = limits_file(tmp_path, f"/// 100 documents.\n// gate 5: Ir 10 %: {reason}\n{PARSE_BENCH}")
    assert limits == {("parse_jsonl_100_docs", "Ir"): gate.Limit(10.0, reason, "benches/instructions.rs:2")}
    rows, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code, limits)
    assert failures == [
        f"{PARSE}: EstimatedCycles 394,605 -> 460,315 (+16.65 %, more than 5 %)"
    ]  # the instructions are within the benchmark's own 10 %, its cycles are not
    printed = table(rows)
    assert row(printed, PARSE, "Ir")[0::6] == ["ok", "10 %"]
    assert row(printed, PARSE, "EstimatedCycles")[0::6] == ["REGRESSION", "5 %"]
    # a limit for the cycles too passes it, and a tighter one than BENCH_THRESHOLD fails sooner
    both = limits_file(
        tmp_path, f"// gate 5: Ir 10 %: {reason}\n// gate 5: EstimatedCycles 20 %: fresh buffers\n{PARSE_BENCH}"
    )
    assert gate.decide_counts(counts, 5.0, measured(counts), exit_code, both)[1] == []
    counts, exit_code = recorded("threshold-2pct.jsonl")
    tight = limits_file(tmp_path, f"// gate 5: Ir 1 %: the hottest path\n{PARSE_BENCH}")
    _, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code, tight)
    assert failures == [
        f"{PARSE}: Ir 305,897 -> 311,998 (+1.99 %, more than 1 %, its own, benches/instructions.rs:1: the hottest path)"
    ]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (f"// gate 5: Ir 10 %\n{PARSE_BENCH}", "needs a positive percentage and a reason"),
        (f"// gate 5: Ir 0 %: free\n{PARSE_BENCH}", "needs a positive percentage and a reason"),
        (f"// gate 5: Cycles 10 %: typo\n{PARSE_BENCH}", "a gate 5 limit reads `// gate 5: <Ir|EstimatedCycles>"),
        (f"// gate 5: Ir ten percent: words\n{PARSE_BENCH}", "a gate 5 limit reads"),
        (f"// gate 5: Ir 10 %: far away\nconst N: usize = 3;\n{PARSE_BENCH}", "goes on the line above a benchmark"),
        (
            f"// gate 5: Ir 10 %: a\n// gate 5: Ir 12 %: b\n{PARSE_BENCH}",
            "a second gate 5 limit for parse_jsonl_100_docs's Ir",
        ),
    ],
)
def test_a_limit_not_of_the_form_stops_the_gate_naming_the_line(tmp_path, source, problem):
    # in a component's module of benches/instructions/ as in benches/instructions.rs
    module = tmp_path / "crate" / "benches" / "instructions" / "search.rs"
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    with pytest.raises(gate.GateError, match=re.escape(problem)) as raised:
        gate.benchmark_limits(tmp_path / "crate")
    assert str(raised.value).startswith("benches/instructions/search.rs:")
    with pytest.raises(gate.GateError, match=re.escape(problem)) as raised:
        limits_file(tmp_path, source)
    assert str(raised.value).startswith("benches/instructions.rs:")


def test_the_crates_benches_declare_no_limit_and_contributing_shows_one_the_gate_reads(tmp_path):
    for sample in ("mcp-tools", "vector-cache"):
        assert gate.benchmark_limits(REPO / "examples" / sample) == {}
        text = (REPO / "examples" / sample / "CONTRIBUTING.md").read_text(encoding="utf-8")
        (example,) = re.findall(r"```rust\n(// gate 5: .*?)```", text, re.DOTALL)
        (limit,) = limits_file(tmp_path, example + "}\n").items()
        assert limit[0] == ("parse_jsonl_100_docs", "EstimatedCycles") and limit[1].percent == 8


def test_the_noise_floor_is_the_bases_a_a_run_and_a_limit_inside_it_is_named(tmp_path):
    a_a, _ = recorded("cycles-a-a.jsonl", CYCLES_KEY)
    base = gate.BaseCounts(measured(a_a), {count.key: abs(count.change_pct) for count in a_a})
    assert set(base.noise.values()) == {0.0}  # the same build counted twice: no benchmark moved
    assert gate.BaseCounts.from_json(json.loads(json.dumps(base.to_json()))) == base
    counts, exit_code = recorded("cycles-unchanged.jsonl", CYCLES_KEY)
    rows, _ = gate.decide_counts(counts, 5.0, base.measured, exit_code)
    rows, notes = gate.with_noise(rows, base.noise)
    assert row(table(rows), PARSE, "EstimatedCycles")[6:] == ["5 %", "0.000 %"] and notes == []
    # Two builds of unchanged code as the floor: the query's cycles moved 0.005 %, so a limit of
    # 0.001 % cannot be told from noise, and the report says so.
    between_builds = {count.key: abs(count.change_pct) for count in counts}
    query = "instructions::search::query_1000_docs"
    limits = limits_file(
        tmp_path,
        "// gate 5: EstimatedCycles 0.001 %: exact\n#[library_benchmark]\nfn query_1000_docs() {}\n",
    )
    rows, _ = gate.decide_counts(counts, 5.0, base.measured, exit_code, limits)
    rows, notes = gate.with_noise(rows, between_builds)
    assert notes == [f"{query}: EstimatedCycles threshold 0.001 % is within its noise floor 0.005 %: raise its limit"]


def test_a_head_without_the_cache_simulation_is_judged_on_instructions_alone():
    counts, exit_code = recorded("cycles-head-without-cache-sim.jsonl", CYCLES_KEY)
    base = {(name, metric) for name in {count.name for count in counts} for metric in gate.METRICS}
    rows, failures = gate.decide_counts(counts, 5.0, base, exit_code)
    assert failures == [] and {r.count.metric for r in rows} == {"Ir"} and len(rows) == 6


def test_the_job_summary_gets_the_table(tmp_path):
    counts, exit_code = recorded("cycles-regression-8pct.jsonl", CYCLES_KEY)
    rows, _ = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    summary = tmp_path / "summary.md"
    gate.write_counts_summary(str(summary), rows)
    lines = summary.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "### Gate 5: instruction counts and estimated cycles"
    assert lines[2] == "| verdict | benchmark | metric | base | head | change | threshold | noise floor |"
    assert f"| REGRESSION | `{PARSE}` | EstimatedCycles | 394,605 | 427,125 | +8.24 % | 5 % | - |" in lines
    assert len(lines) == 4 + 12 + 1


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
    _, failures = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    budget = "document/parse_jsonl_256_kib: over the 5 ms hot-path budget"
    acceptances = {
        name: gate.Acceptance(name, "on purpose", "a" * 40) for name in (PARSE, "document/parse_jsonl_256_kib")
    }
    left, accepted = gate.accept([*failures, budget], acceptances)
    assert left == [budget]
    assert accepted == [(failures[0], acceptances[PARSE])]
    # the table marks it, and only it (a regression left failing stays one)
    rows, _ = gate.decide_counts(counts, 5.0, measured(counts), exit_code)
    verdicts = {row.count.name: row.verdict for row in gate.mark_accepted(rows, left)}
    assert verdicts[PARSE] == "ACCEPTED" and set(verdicts.values()) == {"ok", "ACCEPTED"}
    assert {row.count.name: row.verdict for row in gate.mark_accepted(rows, failures)}[PARSE] == "REGRESSION"
    assert gate.accept(failures, {}) == (failures, [])  # without a trailer the gate fails as before

    summary = tmp_path / "summary.md"
    gate.write_summary(str(summary), accepted, ["instructions::json::parse"])
    assert summary.read_text(encoding="utf-8") == (
        "### Gate 5: accepted regressions\n\n"
        "| benchmark | change | reason | commit |\n|---|---|---|---|\n"
        f"| `{PARSE}` | Ir 305,897 -> 330,304 (+7.98 %, more than 5 %) | on purpose | aaaaaaaaaaaa |\n"
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
    regression = f"{PARSE}: Ir 305,897 -> 330,304 (+7.98 %, more than 5 %)"
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
