#!/usr/bin/env python3
"""Gate 5 of the org's Rust policy: benchmarks, with no regression above BENCH_THRESHOLD percent.

Run it through ``scripts/gates.sh bench``. It measures the base of a change and the head, both
built now by the same toolchain, and decides in two ways:

* Instruction counts and estimated cycles (``benches/instructions.rs``, Gungraun under Valgrind's
  Callgrind with its cache simulation) decide regressions: the gate fails when a benchmark's
  ``Ir`` or ``EstimatedCycles`` rises more than the threshold, BENCH_THRESHOLD or the one the
  benchmark declares above its ``#[library_benchmark]`` (``// gate 5: EstimatedCycles 8 %:
  <reason>``). Both are simulated, so unchanged code never fails, however busy the machine: the
  base is counted twice, and the table gives each benchmark's A/A change as its noise floor.
* Wall-clock times (``benches/hot_paths.rs``, criterion) keep the policy's hot-path budget: the
  gate fails when a benchmark's median is above ``BENCH_BUDGET_MS`` with 95 % confidence. They are
  read on the benches' own clock (``benches/clock/``: wall-clock time less the time the threads
  waited for a CPU that other processes held), so load cannot fail unchanged code. Their
  change against the base is reported for what instructions cannot see (parallel scaling, I/O,
  caches), as advice. Where Valgrind is missing (macOS), the wall-clock change decides instead,
  with the same threshold; CI (``CI=true``) never falls back.

A regression the team accepts passes only through a commit of the change (after the base) with
the trailer ``Bench-Accepted: <benchmark> <reason>`` (``git commit --trailer``): the gate prints
it, and in CI adds it to the job summary. A broken hot-path budget is never accepted.

The base is ``BENCH_BASE_DIR`` (a checkout of the base, as CI provides), else the git revision
``BENCH_BASE`` (default: where HEAD left ``main``; ``none`` compares nothing). A revision's
results are kept under the target dir, named after the commit and the toolchain, so the next run
against the same base measures only the head.

Environment: BENCH_BASE, BENCH_BASE_DIR, BENCH_THRESHOLD (5), BENCH_BUDGET_MS (5; 0 = off),
BENCH_ARGS (criterion flags), BENCH_REPORT (a path: the verdict as JSON), CI, GITHUB_STEP_SUMMARY.
Standard library only (Python >= 3.9).
Exit codes: 0 pass, 1 regression, budget broken or a run that failed, 2 bad set-up.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

#: Criterion flags when its change only advises (short: the 5 ms budget needs no precision);
#: when it decides (no Valgrind), criterion's own defaults (3 s warm-up, 5 s measurement) apply.
QUICK_CRITERION_ARGS = ["--sample-size", "20", "--warm-up-time", "0.3", "--measurement-time", "0.7"]
#: How many times a benchmark over the budget is measured again, alone, before it fails: a slow
#: moment of a shared machine (a neighbour's burst, the host's steal) passes, a slow path is over
#: the budget every time.
BUDGET_REMEASURES = 2
BUDGET_PROBLEM = "hot-path budget"
#: Criterion's flags that take no value (every other `--flag` takes the next argument).
CRITERION_SWITCHES = {"--noplot", "--list", "--exact", "--quick", "--discard-baseline", "--verbose", "-v", "--quiet"}


def without_filters(args: list[str]) -> list[str]:
    """``args`` (criterion's command line) without its benchmark filters (the arguments that are
    neither a flag nor a flag's value): a benchmark measured again names itself with ``--exact``."""
    kept: list[str] = []
    value_next = False
    for arg in args:
        if value_next or arg.startswith("-"):
            kept.append(arg)
            value_next = not value_next and arg.startswith("-") and arg not in CRITERION_SWITCHES and "=" not in arg
    return kept


#: The Gungraun benchmark target and the criterion one (Cargo.toml [[bench]] names).
COUNTS_BENCH = "instructions"
WALL_CLOCK_BENCH = "hot_paths"
#: Gungraun's exit code for "limits exceeded".
GUNGRAUN_REGRESSION_EXIT = 3


class GateError(Exception):
    """A set-up problem or a failed run: gate 5 cannot decide (exit 2 or 1), never a pass."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def say(message: str) -> None:
    """Print one line of the gate's report to stderr (stdout is left to the tools)."""
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Instruction counts (Gungraun): parsing and the decision
# ------------------------------------------------------------------------------------------------


#: The Callgrind metrics gate 5 judges: instructions, and the estimated cycles of Callgrind's cache
#: simulation (L1 hits + 5 LL hits + 35 RAM hits: what a change does to memory behaviour at the
#: same instruction count). A run without the cache simulation is judged on instructions alone.
METRICS = ("Ir", "EstimatedCycles")
#: A benchmark's own limit, on the line above its ``#[library_benchmark]``:
#: ``// gate 5: <metric> <percent> %: <reason>``.
LIMIT_PREFIX = "// gate 5:"
LIMIT_LINE = re.compile(r"^// gate 5: (?P<metric>\w+) (?P<percent>\d+(?:\.\d+)?) %(?:: *(?P<reason>.*))?$")


@dataclass(frozen=True)
class Count:
    """One benchmark's value of one metric from a Gungraun run.

    Attributes:
        name: ``file::group::function`` plus ``.id`` when the benchmark has one.
        metric: a :data:`METRICS` name (``Ir``: instructions; ``EstimatedCycles``).
        new: the value of this run.
        old: the value of the baseline compared with, or ``None`` when there was none.
        regressed: whether Gungraun itself recorded a regression of this metric (it does so only
            when it ran with limits).
    """

    name: str
    metric: str
    new: int
    old: int | None
    regressed: bool

    @property
    def key(self) -> tuple[str, str]:
        """``(name, metric)``: what a base measured and a limit or a noise floor is kept for."""
        return self.name, self.metric

    @property
    def function(self) -> str:
        """The benchmark's function (the name's last part, without its ``.id``)."""
        return self.name.split(".", 1)[0].rsplit("::", 1)[-1]

    @property
    def change_pct(self) -> float | None:
        """The change from ``old`` to ``new`` in percent (``+8.0`` = 8 % more)."""
        if self.old is None:
            return None
        if self.old == 0:
            return 0.0 if self.new == 0 else float("inf")
        return (self.new - self.old) / self.old * 100


def _summary_counts(summary: dict[str, Any], name: str) -> list[Count]:
    """The :class:`Count` of each metric in one benchmark's summary that this run measured.

    Raises:
        GateError: no Callgrind profile, or no instruction count in it.
    """
    callgrind = [profile for profile in summary.get("profiles", []) if profile.get("tool") == "Callgrind"]
    if not callgrind:
        raise GateError(f"{name}: no Callgrind profile in Gungraun's summary")
    total = callgrind[0]["data"]["total"]
    if "new" not in total["metrics"].get("Ir", {}).get("values", {}):
        raise GateError(f"{name}: no instruction count (Ir) in Gungraun's summary")
    counts = []
    for metric in METRICS:
        values = total["metrics"].get(metric, {}).get("values", {})
        if "new" not in values:  # the cache simulation was off for this run
            continue
        regressed = any(
            kind in entry and entry[kind].get("metric") == {"Callgrind": metric}
            for entry in total.get("regressions", [])
            for kind in ("Soft", "Hard")
        )
        old = int(values["old"]) if "old" in values else None
        counts.append(Count(name=name, metric=metric, new=int(values["new"]), old=old, regressed=regressed))
    return counts


def parse_summaries(text: str, baseline: str | None) -> list[Count]:
    """Read Gungraun's ``--output-format=json`` output: one summary object per line.

    Args:
        text: the bench binary's stdout (lines that are not JSON objects are ignored).
        baseline: the baseline name the run was asked to compare with (``--baseline=NAME``), or
            ``None`` for a run that compares nothing.

    Returns:
        One :class:`Count` per benchmark and measured metric, in run order.

    Raises:
        GateError: a summary of another schema, without Callgrind's ``Ir``, or compared with
            another baseline than ``baseline``.
    """
    counts = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        summary = json.loads(line)
        name = summary.get("module_path", "?") + (f".{summary['id']}" if summary.get("id") else "")
        if summary.get("version") != "7":
            raise GateError(f"{name}: Gungraun summary schema {summary.get('version')!r}, expected '7'")
        compared_with = (summary.get("baselines") or [None, None])[1]
        if compared_with != baseline:
            raise GateError(f"{name}: compared with baseline {compared_with!r}, expected {baseline!r}")
        counts += _summary_counts(summary, name)
    return counts


@dataclass(frozen=True)
class Limit:
    """A benchmark's own threshold for one metric, declared above it in the benches' code."""

    percent: float
    reason: str
    where: str


def read_limits(files: Iterable[Path], root: Path) -> dict[tuple[str, str], Limit]:
    """Read the benchmarks' own limits: a ``// gate 5: <metric> <percent> %: <reason>`` line
    above a ``#[library_benchmark]`` applies to the next ``fn`` (every id of that benchmark).

    Args:
        files: the instruction-count benchmarks' sources.
        root: the crate's root, for the places the report names (``benches/…rs:LINE``).

    Returns:
        ``(function, metric)`` -> its limit.

    Raises:
        GateError: a declaration without a reason, of an unknown metric or a non-positive
            percentage, not above a benchmark, or two declarations for one function and metric.
    """
    limits: dict[tuple[str, str], Limit] = {}
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip().startswith(LIMIT_PREFIX):
                continue
            where = f"{path.relative_to(root)}:{number}"
            metric, limit = _declared_limit(line.strip(), where)
            function = _benchmark_below(lines[number:], where)
            if (function, metric) in limits:
                raise GateError(f"{where}: a second gate 5 limit for {function}'s {metric}")
            limits[function, metric] = limit
    return limits


def _declared_limit(line: str, where: str) -> tuple[str, Limit]:
    """Parse one ``// gate 5:`` line found at ``where``.

    Raises:
        GateError: not of the form, an unknown metric, a zero percentage or no reason.
    """
    form = f"{LIMIT_PREFIX} <{'|'.join(METRICS)}> <percent> %: <reason>"
    match = LIMIT_LINE.match(line)
    if match is None or match["metric"] not in METRICS:
        raise GateError(f"{where}: a gate 5 limit reads `{form}`, found `{line}`")
    if not float(match["percent"]) > 0 or not (match["reason"] or "").strip():
        raise GateError(f"{where}: a gate 5 limit needs a positive percentage and a reason: `{form}`")
    return match["metric"], Limit(float(match["percent"]), match["reason"].strip(), where)


def _benchmark_below(lines: list[str], where: str) -> str:
    """The function of the ``#[library_benchmark]`` that ``lines`` (after a limit) start with.

    Raises:
        GateError: code comes before a ``#[library_benchmark]`` and its ``fn``.
    """
    benchmark = False
    for line in (line.strip() for line in lines):
        benchmark = benchmark or line.startswith("#[library_benchmark")
        match = re.match(r"(?:pub(?:\([^)]*\))? )?fn (\w+)", line)
        if match and benchmark:
            return match[1]
        if not benchmark and line and not line.startswith(("//", "#[")):
            break
    raise GateError(f"{where}: a gate 5 limit goes on the line above a benchmark's #[library_benchmark]")


def check_gungraun_agrees(counts: list[Count], threshold: float, gungraun_exit: int) -> None:
    """Gungraun ran with ``threshold`` for every metric: its verdicts must be the counts' own.

    Raises:
        GateError: a rise above ``threshold`` it did not flag (it ran without
            ``--callgrind-limits``), or an exit code that disagrees with the counts.
    """
    over = [count for count in counts if (count.change_pct or 0) > threshold]
    for count in over:
        if not count.regressed:
            raise GateError(
                f"{count.name}: {count.change_pct:+.2f} % more {count.metric}, but Gungraun flagged no "
                "regression: it ran without --callgrind-limits, so its verdict means nothing",
                1,
            )
    if (gungraun_exit == GUNGRAUN_REGRESSION_EXIT) != bool(over):
        raise GateError(
            f"Gungraun exited {gungraun_exit} but the counts show "
            f"{len(over)} rise(s) above {threshold:g} %: its limits differ from BENCH_THRESHOLD",
            1,
        )


@dataclass(frozen=True)
class Row:
    """One line of the counts' table: a benchmark's metric, judged."""

    verdict: str
    count: Count
    threshold: float | None
    noise: float | None
    compared: bool = True


def judge_count(
    count: Count, threshold: float, base_names: set[tuple[str, str]], limits: dict[tuple[str, str], Limit]
) -> tuple[Row, str | None]:
    """Judge one benchmark's metric against the base's value.

    Returns:
        ``(row, failure)``: its row in the table (noise floor not filled in), and its failure
        line when it rose above its threshold (else ``None``).

    Raises:
        GateError: the base measured it but has no value for it.
    """
    change = count.change_pct
    if change is None:
        if count.key in base_names:
            raise GateError(
                f"{count.name}: the base measured its {count.metric}, but its base value is missing "
                "(missing base baseline): refusing to pass without a comparison",
                1,
            )
        return Row("ok", count, None, None), None
    own = limits.get((count.function, count.metric))
    limit = own.percent if own else threshold
    if change <= limit:
        return Row("ok", count, limit, None), None
    more_than = f"more than {limit:g} %" + (f", its own, {own.where}: {own.reason}" if own else "")
    failure = f"{count.name}: {count.metric} {count.old:,} -> {count.new:,} ({change:+.2f} %, {more_than})"
    return Row("REGRESSION", count, limit, None), failure


def decide_counts(
    counts: list[Count],
    threshold: float,
    base_names: set[tuple[str, str]] | None,
    gungraun_exit: int = 0,
    limits: dict[tuple[str, str], Limit] | None = None,
) -> tuple[list[Row], list[str]]:
    """Judge instruction counts and estimated cycles against the base's: the deterministic rule.

    Args:
        counts: this run's values, compared with the base's baseline (:func:`parse_summaries`).
        threshold: largest allowed rise, percent (> 0), where a benchmark declares no limit.
        base_names: the ``(benchmark, metric)`` pairs the base run measured; ``None`` when
            nothing was compared (no base, or a base without instruction-count benchmarks): the
            values are only reported.
        gungraun_exit: the exit code of the Gungraun run (limits at ``threshold``), checked
            against the values.
        limits: the benchmarks' own limits (:func:`read_limits`), by ``(function, metric)``.

    Returns:
        ``(rows, failures)``: one row per benchmark and metric, and one line per regression.

    Raises:
        GateError: the two silent passes, and any disagreement: no results at all; no threshold;
            a value the base measured that has no base value (a missing baseline, which
            Gungraun itself treats as "nothing to compare"); a rise above the threshold that
            Gungraun did not flag (it ran without ``--callgrind-limits``); a failed run.
    """
    if not threshold > 0:
        raise GateError(f"BENCH_THRESHOLD must be a positive percentage, got {threshold!r}")
    if not counts:
        raise GateError("no instruction-count results: did benches/instructions.rs run?", 1)
    if gungraun_exit not in (0, GUNGRAUN_REGRESSION_EXIT) or (base_names is None and gungraun_exit != 0):
        raise GateError(f"the instruction-count run failed (exit {gungraun_exit})", 1)
    if base_names is not None and not base_names:
        raise GateError("the base run left no instruction counts (missing base baseline): nothing to compare with", 1)
    if base_names is None:
        # Gungraun compares with its previous run of the head; the gate, with no base, compares nothing.
        return [Row("ok", replace(count, old=None), None, None, compared=False) for count in counts], []
    check_gungraun_agrees(counts, threshold, gungraun_exit)
    rows: list[Row] = []
    failures: list[str] = []
    for count in counts:
        row, failure = judge_count(count, threshold, base_names, limits or {})
        rows.append(row)
        if failure:
            failures.append(failure)
    return rows, failures


def with_noise(rows: list[Row], noise: dict[tuple[str, str], float] | None) -> tuple[list[Row], list[str]]:
    """Fill in each row's noise floor (the base's A/A run; ``None``: not measured).

    Returns:
        ``(rows, notes)``: the rows, and a note for each threshold at or below its noise floor
        (a limit the gate cannot tell from noise).
    """
    if not noise:
        return rows, []
    filled = [replace(row, noise=noise.get(row.count.key)) for row in rows]
    notes = [
        f"{row.count.name}: {row.count.metric} threshold {row.threshold:g} % is within its noise floor "
        f"{row.noise:.3f} %: raise its limit"
        for row in filled
        if row.threshold is not None and row.noise is not None and row.threshold <= row.noise
    ]
    return filled, notes


TABLE_HEADER = ("verdict", "benchmark", "metric", "base", "head", "change", "threshold", "noise floor")


def table_cells(row: Row) -> tuple[str, ...]:
    """The row's cells, in :data:`TABLE_HEADER`'s order."""
    count = row.count
    change = f"{count.change_pct:+.2f} %" if count.old is not None else "new" if row.compared else "-"
    return (
        row.verdict,
        count.name,
        count.metric,
        "-" if count.old is None else f"{count.old:,}",
        f"{count.new:,}",
        change,
        "-" if row.threshold is None else f"{row.threshold:g} %",
        "-" if row.noise is None else f"{row.noise:.3f} %",
    )


def format_table(rows: list[Row]) -> list[str]:
    """The counts' table for the terminal: aligned columns, numbers to the right."""
    cells = [TABLE_HEADER, *(table_cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(len(TABLE_HEADER))]
    right = {3, 4, 5, 6, 7}
    return [
        "  ".join(
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    ]


# ------------------------------------------------------------------------------------------------
# Wall-clock (criterion): the hot-path budget, and the change report
# ------------------------------------------------------------------------------------------------


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def decide_wall_clock(
    criterion_dir: Path, baseline: str | None, threshold: float, budget_ms: float, since: float, deciding: bool
) -> tuple[list[str], list[str]]:
    """Judge criterion's results of this run: the budget always, the change when ``deciding``.

    Reads ``<bench>/new/estimates.json`` (medians in ns) and, with ``--baseline-lenient NAME``,
    ``<bench>/change/estimates.json`` (the median's relative change with its 95 % interval);
    results older than ``since`` (seconds since the epoch) are ignored. A benchmark breaks the
    budget when even the lower bound of its median's interval is above ``budget_ms`` (0 = off);
    it is slower than allowed when even the lower bound of the change is above ``threshold``.

    Returns:
        ``(lines, failures)``; a change above the threshold is a failure only when ``deciding``
        (no instruction counts), otherwise the line says "slower (advice)".

    Raises:
        GateError: no criterion result from this run.
    """
    lines: list[str] = []
    failures: list[str] = []
    for new_file in sorted(criterion_dir.rglob("new/estimates.json")):
        if new_file.stat().st_mtime < since:
            continue
        bench_dir = new_file.parent.parent
        try:
            name = _load_json(bench_dir / "new" / "benchmark.json")["full_id"]
        except (OSError, KeyError, ValueError):
            name = str(bench_dir.relative_to(criterion_dir))
        median = _load_json(new_file)["median"]
        new_ns = median["point_estimate"]
        problems, advice = [], ""
        if budget_ms > 0 and median["confidence_interval"]["lower_bound"] > budget_ms * 1e6:
            problems.append(f"over the {budget_ms:g} ms {BUDGET_PROBLEM}")
        line = f"{name}: median {new_ns:,.0f} ns"
        base_file = bench_dir / str(baseline) / "estimates.json"
        change_file = bench_dir / "change" / "estimates.json"
        if baseline and base_file.exists() and change_file.exists() and change_file.stat().st_mtime >= since:
            change = _load_json(change_file)["median"]
            point = change["point_estimate"] * 100
            lower = change["confidence_interval"]["lower_bound"] * 100
            upper = change["confidence_interval"]["upper_bound"] * 100
            base_ns = _load_json(base_file)["median"]["point_estimate"]
            line = (
                f"{name}: median {base_ns:,.0f} ns -> {new_ns:,.0f} ns "
                f"({point:+.2f} %, 95 % CI {lower:+.2f} .. {upper:+.2f} %)"
            )
            if lower > threshold:
                if deciding:
                    problems.append(f"more than {threshold:g} % slower than the base")
                else:
                    advice = f"; slower than the base by more than {threshold:g} % (advice: instruction counts decide)"
        elif baseline:
            line += " (not in the base)"
        verdict = "FAIL" if problems else "ok"
        lines.append(f"{verdict:10} {line}{advice}" + "".join(f"; {problem}" for problem in problems))
        failures.extend(f"{name}: {problem}" for problem in problems)
    if not lines:
        raise GateError(f"no criterion results from this run in {criterion_dir}", 1)
    return lines, failures


# ------------------------------------------------------------------------------------------------
# Accepted regressions: a reviewable decision, on record in the commits of the change
# ------------------------------------------------------------------------------------------------

#: The commit trailer that accepts a regression: ``Bench-Accepted: <benchmark> <reason>``.
ACCEPT_TRAILER = "Bench-Accepted"


@dataclass(frozen=True)
class Acceptance:
    """A regression the change accepts: the benchmark, why, and the commit that says so."""

    benchmark: str
    reason: str
    commit: str


def read_acceptances(root: Path, base_commit: str | None) -> tuple[dict[str, Acceptance], list[str]]:
    """Read the ``Bench-Accepted`` trailers of the commits after the base (``base..HEAD``).

    Returns:
        ``(acceptances, notes)``: benchmark -> its acceptance (the newest commit's, when several
        name it), and one line per trailer that accepts nothing (no reason) or per range that
        cannot be read (no base commit; a base outside this clone's history).
    """
    if base_commit is None:
        return {}, []
    separator = "\x1f"
    log = git(
        [
            "log",
            "--format=%H" + separator + f"%(trailers:key={ACCEPT_TRAILER},valueonly,separator=%x1e)",
            f"{base_commit}..HEAD",
        ],
        root,
    )
    if log is None:
        return {}, [
            f"{ACCEPT_TRAILER}: the commits after {base_commit[:12]} cannot be read (a shallow clone?): none accepted"
        ]
    acceptances: dict[str, Acceptance] = {}
    notes: list[str] = []
    for line in log.split("\n"):  # not splitlines(): it splits at the record separator too
        commit, _, values = line.partition(separator)
        for value in filter(None, (v.strip() for v in values.split("\x1e"))):
            benchmark, _, reason = value.partition(" ")
            if not reason.strip():
                notes.append(f"{ACCEPT_TRAILER}: {value} in {commit[:12]} gives no reason: it accepts nothing")
                continue
            acceptances.setdefault(benchmark, Acceptance(benchmark, reason.strip(), commit))
    return acceptances, notes


def accept(failures: list[str], acceptances: dict[str, Acceptance]) -> tuple[list[str], list[tuple[str, Acceptance]]]:
    """Split ``failures`` into those that still fail and the regressions ``acceptances`` accept.
    A hot-path budget broken is never accepted: the policy's 5 ms is no threshold a team moves.

    Returns:
        ``(failures, accepted)``: the failures left, and each accepted one with its acceptance.
    """
    left: list[str] = []
    accepted: list[tuple[str, Acceptance]] = []
    for failure in failures:
        acceptance = acceptances.get(failure.split(": ", 1)[0])
        if acceptance is None or failure.endswith(BUDGET_PROBLEM):
            left.append(failure)
        else:
            accepted.append((failure, acceptance))
    return left, accepted


def write_summary(path: str | None, accepted: list[tuple[str, Acceptance]], unused: list[str]) -> None:
    """Append the accepted regressions to ``path`` (GitHub's job summary, ``GITHUB_STEP_SUMMARY``)
    as a Markdown table, and the acceptances that found no regression."""
    if not path or not (accepted or unused):
        return
    lines = ["### Gate 5: accepted regressions", ""]
    if accepted:
        lines += ["| benchmark | change | reason | commit |", "|---|---|---|---|"]
        for failure, acceptance in accepted:
            change = failure.split(": ", 1)[1]
            lines.append(f"| `{acceptance.benchmark}` | {change} | {acceptance.reason} | {acceptance.commit[:12]} |")
    lines += [f"- `{name}`: accepted, but it did not regress" for name in unused]
    with open(path, "a", encoding="utf-8") as summary:
        summary.write("\n".join(lines) + "\n\n")


def settle_acceptances(
    root: Path, base_commit: str | None, failures: list[str], summary: str | None
) -> tuple[list[str], list[str], int]:
    """Apply the change's ``Bench-Accepted`` trailers to ``failures``, and write the accepted ones
    to the job summary (``summary``: ``GITHUB_STEP_SUMMARY``, if any).

    Returns:
        ``(failures, lines, accepted)``: the failures left, the report's lines (each accepted
        regression, each trailer that found none, each note), and how many were accepted.
    """
    acceptances, notes = read_acceptances(root, base_commit)
    failures, accepted = accept(failures, acceptances)
    still_failing = {failure.split(": ", 1)[0] for failure in failures}
    notes += [f"{name}: over the budget, which no trailer accepts" for name in sorted(set(acceptances) & still_failing)]
    unused = sorted(set(acceptances) - still_failing - {acceptance.benchmark for _, acceptance in accepted})
    write_summary(summary, accepted, unused)
    lines = [
        f"ACCEPTED   {failure}; in {acceptance.commit[:12]}: {acceptance.reason}" for failure, acceptance in accepted
    ]
    lines += [f"unused     {name}: accepted, but it did not regress" for name in unused]
    lines += [f"note       {note}" for note in notes]
    return failures, lines, len(accepted)


# ------------------------------------------------------------------------------------------------
# Running the benchmarks
# ------------------------------------------------------------------------------------------------


def run(cmd: list[str], cwd: Path, env: dict[str, str], capture: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` in ``cwd``; stdout is captured when ``capture``, stderr always passes through."""
    return subprocess.run(cmd, cwd=cwd, env=env, check=False, text=True, stdout=subprocess.PIPE if capture else None)


def git(args: list[str], cwd: Path) -> str | None:
    """Return the stripped stdout of ``git args`` in ``cwd``, or ``None`` when git fails."""
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


@dataclass
class Crate:
    """The crate under test: its directory, package name, target dir and resolved Gungraun."""

    root: Path
    package: str
    target_dir: Path
    workspace_root: Path
    gungraun: str | None
    bench_targets: set[str]

    @classmethod
    def read(cls, root: Path, env: dict[str, str]) -> Crate:
        """Read the crate at ``root`` through ``cargo metadata`` (resolves dependencies).

        Raises:
            GateError: cargo metadata failed.
        """
        completed = subprocess.run(
            ["cargo", "metadata", "--format-version", "1"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise GateError(f"cargo metadata failed in {root}:\n{completed.stderr.strip()}")
        meta = json.loads(completed.stdout)
        # The package whose manifest is in `root`: in a workspace of several members, cargo's
        # `resolve.root` is null and the first member may be another package.
        manifest = (root / "Cargo.toml").resolve()
        package = next(
            (
                p
                for p in meta["packages"]
                if p["id"] in meta["workspace_members"] and Path(p["manifest_path"]).resolve() == manifest
            ),
            None,
        )
        if package is None:
            raise GateError(f"cargo metadata in {root} lists no package with the manifest {manifest}")
        gungraun = next((p["version"] for p in meta["packages"] if p["name"] == "gungraun"), None)
        benches = {t["name"] for t in package["targets"] if "bench" in t["kind"]}
        return cls(
            root=root,
            package=package["name"],
            target_dir=Path(meta["target_directory"]),
            workspace_root=Path(meta["workspace_root"]),
            gungraun=gungraun,
            bench_targets=benches,
        )

    @property
    def state_dir(self) -> Path:
        """Where the gate keeps base sources and the record of measured bases."""
        return self.target_dir / "bench-gate" / self.package


def counts_available(crate: Crate) -> bool:
    """Whether instruction counts can be measured here: Valgrind and the matching runner.

    Returns ``False`` when Valgrind is missing (the wall-clock fallback; refused in CI).

    Raises:
        GateError: the crate lacks the Gungraun benchmark; Valgrind is there but
            gungraun-runner is missing or is another version than the crate's gungraun; or
            Valgrind is missing in CI.
    """
    if COUNTS_BENCH not in crate.bench_targets or crate.gungraun is None:
        raise GateError(f"the crate has no [[bench]] '{COUNTS_BENCH}' with gungraun: gate 5 needs both")
    install = f"cargo install gungraun-runner --version {crate.gungraun} --locked"
    if shutil.which("valgrind") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise GateError(
                "Valgrind is not installed, and CI never falls back to wall-clock time: "
                f"install valgrind and `{install}`"
            )
        say(
            "gate 5: Valgrind not found (e.g. macOS): falling back to the wall-clock comparison "
            "(criterion, noisier); CI decides by instruction counts"
        )
        return False
    runner = shutil.which("gungraun-runner")
    version = None
    if runner:
        completed = subprocess.run([runner, "--version"], capture_output=True, text=True, check=False)
        version = completed.stdout.split()[-1] if completed.stdout.split() else None
    if version != crate.gungraun:
        found = f"gungraun-runner {version} is on PATH" if runner else "gungraun-runner is not on PATH"
        raise GateError(
            f"{found}, and it must be the crate's gungraun version, {crate.gungraun}; install it with: {install}"
        )
    return True


def toolchain_key(env: dict[str, str]) -> str:
    """A short hash of what shapes instruction counts besides the code: rustc, its flags."""
    completed = subprocess.run(["rustc", "-vV"], env=env, capture_output=True, text=True, check=False)
    flags = "|".join(env.get(name, "") for name in ("RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"))
    return hashlib.sha256((completed.stdout + flags).encode()).hexdigest()[:8]


@dataclass
class Base:
    """The base the head is compared with.

    Attributes:
        root: its source directory.
        key: the baseline name (letters, digits, ``_``); for a revision it names the commit and
            the toolchain, so its results can be reused.
        label: how the report names it.
        reusable: whether results recorded under ``key`` may be reused (a git revision's are).
        commit: its git commit, when known (the commits after it may accept a regression).
    """

    root: Path
    key: str
    label: str
    reusable: bool
    commit: str | None = None


def base_commit(root: Path, wanted: str) -> tuple[str | None, str]:
    """Find the base's commit: ``wanted`` (``BENCH_BASE``) if given, else the merge base of HEAD
    with ``main`` (or ``origin/main``), else HEAD.

    Returns:
        ``(commit, label)``: the commit and how the report names it, or ``None`` and why there is
        none (a repository without commits).

    Raises:
        GateError: ``wanted`` given where git has no commits or knows no such commit.
    """
    if git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root) is None:
        if wanted:
            raise GateError(f"BENCH_BASE={wanted}: not a git repository with commits at {root}")
        return None, "no git commit yet"
    if wanted:
        commit = git(["rev-parse", "--verify", "--quiet", wanted + "^{commit}"], root)
        if commit is None:
            raise GateError(f"BENCH_BASE={wanted}: git knows no such commit")
        return commit, wanted
    for branch in ("main", "origin/main"):
        commit = git(["merge-base", "HEAD", branch], root)
        if commit:
            return commit, f"merge-base with {branch}"
    return git(["rev-parse", "HEAD"], root), "HEAD (no main branch)"


def extract_revision(workspace: Path, commit: str, extracted: Path) -> None:
    """Write the sources of ``workspace`` at ``commit`` into ``extracted`` (``git archive``),
    replacing older bases' sources (their results are recorded).

    Raises:
        GateError: git archive failed.
    """
    prefix = git(["rev-parse", "--show-prefix"], workspace) or ""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, *([prefix] if prefix else [])],
        cwd=workspace,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise GateError(f"git archive {commit[:12]} failed: {archive.stderr.decode().strip()}")
    shutil.rmtree(extracted.parent, ignore_errors=True)
    staging = extracted.with_name(extracted.name + ".partial")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        try:
            tar.extractall(staging, filter="data")
        except TypeError:  # Python < 3.9.17 / 3.10.12 / 3.11.4: no extraction filters
            tar.extractall(staging)  # noqa: S202 - this repository's own commit
    (staging / prefix).rename(extracted)  # the workspace's directory within the repository
    shutil.rmtree(staging, ignore_errors=True)


def resolve_base(crate: Crate, env: dict[str, str]) -> tuple[Base | None, str]:
    """Find the base from ``BENCH_BASE_DIR`` / ``BENCH_BASE``; extract a revision's sources.

    Returns:
        ``(base, reason)``: the base, or ``None`` and why there is none.

    Raises:
        GateError: ``BENCH_BASE_DIR`` without a Cargo.toml, or a ``BENCH_BASE`` git cannot find.
    """
    base_dir = env.get("BENCH_BASE_DIR")
    if base_dir:
        root = Path(base_dir).resolve()
        if not (root / "Cargo.toml").is_file():
            raise GateError(f"BENCH_BASE_DIR={base_dir}: no Cargo.toml there")
        commit = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
        return Base(root=root, key="base", label=f"the checkout in {base_dir}", reusable=False, commit=commit), ""
    wanted = env.get("BENCH_BASE", "").strip()
    if wanted.lower() == "none":
        return None, "BENCH_BASE=none"
    commit, wanted = base_commit(crate.root, wanted)
    if commit is None:
        return None, wanted
    key = f"b_{commit[:12]}_{toolchain_key(env)}"
    # The whole workspace at the base (a member crate builds only inside its workspace, with the
    # root's profiles and lock file); for a crate of its own that is the crate's folder.
    workspace = crate.workspace_root.resolve()
    member = crate.root.resolve().relative_to(workspace)
    extracted = crate.state_dir / "base-src" / commit[:12]
    source = extracted / member
    if not (source / "Cargo.toml").is_file():
        extract_revision(workspace, commit, extracted)
    if not (extracted / "Cargo.lock").exists() and (workspace / "Cargo.lock").exists():
        # The same dependency versions as the head, so the counts differ by the change alone.
        shutil.copy2(workspace / "Cargo.lock", extracted / "Cargo.lock")
    return Base(root=source, key=key, label=f"{commit[:12]} ({wanted})", reusable=True, commit=commit), ""


def criterion_env(crate: Crate, env: dict[str, str]) -> dict[str, str]:
    """``env`` with CRITERION_HOME = <target>/criterion/<package>: crates that share a target
    dir never compare with each other's results."""
    return {**env, "CRITERION_HOME": env.get("CRITERION_HOME") or str(crate.target_dir / "criterion" / crate.package)}


def forget_builds(root: Path, package: str, env: dict[str, str]) -> None:
    """Remove ``package``'s own release/bench build outputs (not its dependencies').

    Raises:
        GateError: cargo clean failed.
    """
    completed = subprocess.run(
        ["cargo", "clean", "--release", "--package", package, "--quiet"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise GateError(f"cargo clean --package {package} failed: {completed.stderr.strip()}")


@dataclass
class BaseCounts:
    """What the base's instruction-count runs left: its ``(benchmark, metric)`` pairs, and each
    one's noise floor, percent (``|A - A'| / A`` of two runs of the one base build)."""

    measured: set[tuple[str, str]]
    noise: dict[tuple[str, str], float]

    def to_json(self) -> dict[str, Any]:
        """The record's form (JSON has no tuples)."""
        return {"measured": sorted(self.measured), "noise": [[*key, pct] for key, pct in sorted(self.noise.items())]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BaseCounts:
        """Read :meth:`to_json`'s form."""
        return cls({(name, metric) for name, metric in data["measured"]}, {(n, m): pct for n, m, pct in data["noise"]})


def count_base(base: Base, env: dict[str, str]) -> BaseCounts:
    """Run the base's instruction-count benchmarks twice: the first run saves the baseline, the
    second (no build: the same binary) is compared with it, an A/A run whose changes are the noise
    floor of each benchmark and metric on this machine.

    Raises:
        GateError: a run failed.
    """
    saved: list[Count] = []
    runs = ((1, f"--save-baseline={base.key}", "baseline"), (2, f"--baseline={base.key}", "A/A run: the noise floor"))
    for attempt, flag, purpose in runs:
        say(f"gate 5: base {base.label}: instruction counts ({purpose})")
        completed = run(
            ["cargo", "bench", "--bench", COUNTS_BENCH, "--", flag, "--output-format=json"],
            base.root,
            env,
            capture=True,
        )
        if completed.returncode != 0:
            raise GateError(f"the base's instruction-count run {attempt} failed (exit {completed.returncode})", 1)
        saved = parse_summaries(completed.stdout, base.key)  # Gungraun names the saved one too
    noise = {count.key: abs(count.change_pct or 0.0) for count in saved}
    return BaseCounts({count.key for count in saved}, noise)


def measure_base(
    crate: Crate, base: Base, counts: bool, criterion_args: list[str], env: dict[str, str]
) -> BaseCounts | None:
    """Benchmark the base (into the head's target dir) and save its results as ``base.key``.

    Returns:
        What the base counted, with its noise floors, or ``None`` when the base has no
        instruction-count benchmark (it predates them) or counts are not measured.

    Raises:
        GateError: a base benchmark run failed.
    """
    record = crate.state_dir / f"{base.key}.json"
    if base.reusable and record.is_file():
        recorded = _load_json(record)
        counted = recorded.get("counts")
        saved = len(list((crate.target_dir / "gungraun" / crate.package).rglob(f"*.base@{base.key}")))
        if (
            recorded.get("criterion_args") == criterion_args
            and recorded.get("counts_measured") == counts
            and (counted is None or (isinstance(counted, dict) and saved >= len({n for n, _ in counted["measured"]})))
        ):
            say(f"gate 5: base {base.label}: results recorded earlier, reused")
            return BaseCounts.from_json(counted) if counted is not None and counts else None
    started = time.monotonic()
    base_crate = Crate.read(base.root, env)
    base_env = {**env, "CARGO_TARGET_DIR": str(crate.target_dir)}
    # Cargo names a local package's build outputs after its name and version only, and judges
    # them fresh by the sources they were last built from: without a clean, the base would run
    # the head's last build, and then the head the base's.
    forget_builds(base.root, base_crate.package, base_env)
    base_counts: BaseCounts | None = None
    if counts and COUNTS_BENCH in base_crate.bench_targets:
        base_counts = count_base(base, base_env)
    elif counts:
        say(f"gate 5: base {base.label} has no [[bench]] '{COUNTS_BENCH}': its counts cannot be compared")
    if WALL_CLOCK_BENCH in base_crate.bench_targets:
        say(f"gate 5: base {base.label}: wall-clock")
        completed = run(
            ["cargo", "bench", "--bench", WALL_CLOCK_BENCH, "--", "--save-baseline", base.key, *criterion_args],
            base.root,
            criterion_env(crate, base_env),
        )
        if completed.returncode != 0:
            raise GateError(f"the base's criterion run failed (exit {completed.returncode})", 1)
    forget_builds(crate.root, crate.package, env)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(
        json.dumps(
            {
                "base": base.label,
                "counts_measured": counts,
                "counts": base_counts.to_json() if base_counts else None,
                "criterion_args": criterion_args,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    say(f"gate 5: base measured in {time.monotonic() - started:.1f} s")
    return base_counts


def measure_wall_clock(
    crate: Crate,
    env: dict[str, str],
    baseline: str | None,
    criterion_args: list[str],
    limits: tuple[float, float],
    deciding: bool,
) -> tuple[list[str], list[str]]:
    """Run the head's criterion benchmarks, and measure a benchmark over the budget again, alone,
    up to :data:`BUDGET_REMEASURES` times (its last measurement is its verdict).

    Args:
        limits: ``(threshold, budget_ms)``: the change threshold (percent) and the budget.
        deciding: whether the change decides (no instruction counts).

    Returns:
        :func:`decide_wall_clock`'s ``(lines, failures)``.

    Raises:
        GateError: a criterion run failed.
    """
    root, env = crate.root, criterion_env(crate, env)
    threshold, budget_ms = limits
    flags = ["--baseline-lenient", baseline] if baseline else []
    criterion_dir = Path(env["CRITERION_HOME"])
    over: list[str] = []
    lines: list[str] = []
    failures: list[str] = []
    for attempt in range(BUDGET_REMEASURES + 1):
        if attempt:
            say(f"gate 5: over the budget, measured again alone ({attempt} of {BUDGET_REMEASURES}): {', '.join(over)}")
        started = time.time()
        filters = [["--exact", name] for name in over] if attempt else [[]]
        for chosen in filters:
            args = [*flags, *(without_filters(criterion_args) if chosen else criterion_args), *chosen]
            completed = run(["cargo", "bench", "--bench", WALL_CLOCK_BENCH, "--", *args], root, env)
            if completed.returncode != 0:
                raise GateError(f"the criterion run failed (exit {completed.returncode})", 1)
        again, again_failures = decide_wall_clock(criterion_dir, baseline, threshold, budget_ms, started - 1, deciding)
        named = {line.split()[1].rstrip(":"): line for line in again}
        lines = [named.get(line.split()[1].rstrip(":"), line) for line in lines] if attempt else again
        failures = [f for f in failures if f.split(": ", 1)[0] not in over] + again_failures
        over = [failure.split(": ", 1)[0] for failure in failures if failure.endswith(BUDGET_PROBLEM)]
        if not over:
            break
    return lines, failures


def benchmark_limits(root: Path) -> dict[tuple[str, str], Limit]:
    """The limits the crate at ``root`` declares in ``benches/instructions.rs`` and its modules
    (:func:`read_limits`); read before anything runs, so a malformed one stops the gate at once."""
    benches = root / "benches"
    sources = [benches / f"{COUNTS_BENCH}.rs", *sorted((benches / COUNTS_BENCH).glob("*.rs"))]
    return read_limits([path for path in sources if path.is_file()], root)


def measure_counts(
    crate: Crate,
    env: dict[str, str],
    baseline: str | None,
    base_counts: BaseCounts | None,
    limits: tuple[float, dict[tuple[str, str], Limit]],
) -> tuple[list[Row], list[str], list[str]]:
    """Run the head's instruction-count benchmarks (against the base's baseline, if any) and
    judge them: ``limits`` is BENCH_THRESHOLD and the benchmarks' own (:func:`benchmark_limits`).

    Returns:
        ``(rows, failures, notes)``: the table's rows, the regressions, and notes on thresholds
        within the noise floor.

    Raises:
        GateError: see :func:`decide_counts`.
    """
    threshold, own = limits
    say("gate 5: head: instruction counts and estimated cycles (Gungraun, Valgrind)")
    compared = baseline if base_counts is not None else None
    # Gungraun checks the default limit too; decide_counts checks that it did (no silent pass).
    limits_flag = "--callgrind-limits=" + ",".join(f"{metric}={threshold:g}%" for metric in METRICS)
    flags = [f"--baseline={compared}", limits_flag] if compared else []
    completed = run(
        ["cargo", "bench", "--bench", COUNTS_BENCH, "--", *flags, "--output-format=json"],
        crate.root,
        env,
        capture=True,
    )
    results = parse_summaries(completed.stdout, compared)
    rows, failures = decide_counts(
        results, threshold, base_counts.measured if base_counts else None, completed.returncode, own
    )
    rows, notes = with_noise(rows, base_counts.noise if base_counts else None)
    return rows, failures, notes


def mark_accepted(rows: list[Row], failures: list[str]) -> list[Row]:
    """``rows`` with each regression no longer among ``failures`` (a trailer accepted it) marked
    ``ACCEPTED``."""
    failing = {failure.split(": ", 1)[0] for failure in failures}
    return [
        replace(row, verdict="ACCEPTED") if row.verdict == "REGRESSION" and row.count.name not in failing else row
        for row in rows
    ]


def write_counts_summary(path: str | None, rows: list[Row]) -> None:
    """Append the counts' table to ``path`` (GitHub's job summary) as Markdown."""
    if not path or not rows:
        return
    lines = ["### Gate 5: instruction counts and estimated cycles", ""]
    lines += ["| " + " | ".join(TABLE_HEADER) + " |", "|" + "---|" * 2 + "---:|" * (len(TABLE_HEADER) - 2)]
    for row in rows:
        cells = list(table_cells(row))
        cells[1] = f"`{cells[1]}`"
        lines.append("| " + " | ".join(cells) + " |")
    with open(path, "a", encoding="utf-8") as summary:
        summary.write("\n".join(lines) + "\n\n")


def write_report(path: str | None, base: Base | None, rows: list[Row], failures: list[str], accepted: int) -> None:
    """Write the counts' verdict as JSON to ``path`` (``BENCH_REPORT``), for tools that read many
    crates' gates (the template's fleet rehearsal): the base, every row, the failures left after
    the acceptances, and how many were accepted."""
    if not path:
        return
    report = {
        "base": base.label if base else None,
        "rows": [
            {
                "benchmark": row.count.name,
                "metric": row.count.metric,
                "base": row.count.old,
                "head": row.count.new,
                "change_pct": row.count.change_pct,
                "threshold_pct": row.threshold,
                "noise_pct": row.noise,
                "verdict": row.verdict,
            }
            for row in rows
        ],
        "failures": failures,
        "accepted": accepted,
    }
    Path(path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def gate(root: Path, env: dict[str, str]) -> int:
    """Run gate 5 for the crate at ``root``; print the report; return the exit code."""
    threshold = float(env.get("BENCH_THRESHOLD") or 5)
    budget_ms = float(env.get("BENCH_BUDGET_MS") or 5)
    crate = Crate.read(root, env)
    counts = counts_available(crate)
    limits = benchmark_limits(root) if counts else {}
    criterion_args = (
        env["BENCH_ARGS"].split() if env.get("BENCH_ARGS") else ([] if not counts else QUICK_CRITERION_ARGS)
    )
    base, reason = resolve_base(crate, env)
    base_counts = measure_base(crate, base, counts, criterion_args, env) if base else None
    baseline = base.key if base else None

    say("gate 5: head: wall-clock (criterion)")
    wall_lines, failures = measure_wall_clock(crate, env, baseline, criterion_args, (threshold, budget_ms), not counts)
    rows: list[Row] = []
    notes: list[str] = []
    if counts:
        rows, count_failures, notes = measure_counts(crate, env, baseline, base_counts, (threshold, limits))
        failures += count_failures

    failures, accepted_lines, accepted = settle_acceptances(
        root, base.commit if base else None, failures, env.get("GITHUB_STEP_SUMMARY")
    )
    rows = mark_accepted(rows, failures)
    write_counts_summary(env.get("GITHUB_STEP_SUMMARY"), rows)
    write_report(env.get("BENCH_REPORT"), base, rows, failures, accepted)

    print("wall-clock (criterion): hot-path budget" + (", change as advice" if counts else ", change decides"))
    print("\n".join(wall_lines))
    if counts:
        print(
            "instruction counts and estimated cycles (Gungraun): fail above the threshold "
            f"(BENCH_THRESHOLD {threshold:g} %, or the benchmark's own); noise floor: the base's A/A run"
        )
        print("\n".join(format_table(rows)))
        for note in notes:
            print(f"note       {note}")
    if base is None:
        print(f"no base to compare with ({reason}): budget checked, changes not")
    if accepted_lines:
        print(f"accepted regressions ({ACCEPT_TRAILER} trailers after the base):")
        print("\n".join(accepted_lines))
    if failures:
        print("gate 5 failed:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    compared_with = f"compared with base {base.label}" if base else "nothing compared"
    print(
        f"gate 5 passed: {compared_with}; "
        + (f"no benchmark over the {budget_ms:g} ms budget" if budget_ms > 0 else "the hot-path budget off")
        + (", none more than its threshold slower" if base else "")
        + (f" but {accepted} accepted ({ACCEPT_TRAILER})" if accepted else "")
    )
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point: ``bench_gate.py [--crate-dir DIR]``; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--crate-dir", type=Path, default=Path.cwd())
    args = parser.parse_args(None if argv is None else list(argv))
    try:
        return gate(args.crate_dir.resolve(), dict(os.environ))
    except GateError as error:
        print(f"gate 5: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
