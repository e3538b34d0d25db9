"""Fast: ``scripts/fleet.py status`` on the synthetic fleet of the rehearsal test (crates at two
releases, team edits, one drifted crate, unreadable entries), a rehearsal stopped with Ctrl-C,
and ``scripts/release.py tag`` refusing a release without a clean rehearsal on ``fleet.txt``.
The rehearsal itself, with the gates, is the slow tests/test_rollout.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import release
import tools  # tests/tools.py
import yaml
from conftest import (
    GIT_IDENTITY,
    REPO,
    commit_all,
    copy_work_tree,
    fresh_clone,
    git,
    released_template,
    require,
    running,
)
from packaging.version import Version
from test_rollout import CASES, DRIFTED, FIRST, build_fleet

FLEET_SCRIPT = REPO / "scripts" / "fleet.py"


def fleet(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FLEET_SCRIPT), *args],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def synthetic_fleet(tmp_path_factory):
    require("cargo")
    root = tmp_path_factory.mktemp("fleet")
    for key, value in GIT_IDENTITY.items():
        os.environ.setdefault(key, value)
    template = released_template(root / "template")
    fleet_file, crates = build_fleet(template, root / "crates")
    # one team has an update branch with a pull request (the ref GitHub publishes for it)
    _, _, with_branch = crates[1]
    git(with_branch, "branch", "template-update")
    git(with_branch, "update-ref", "refs/pull/7/head", "template-update")
    return fleet_file, crates


def test_status_names_each_crates_version_lag_and_drift(synthetic_fleet):
    fleet_file, crates = synthetic_fleet
    completed = fleet("status", str(fleet_file), "--json")
    assert completed.returncode == 1, completed.stderr  # unreadable rows
    rows = json.loads(completed.stdout)
    releases = [Version(version) for version in release.load_releases()]
    assert len(rows) == len(crates) + 3
    for row, (kind, version, crate) in zip(rows, crates, strict=False):
        assert row["error"] == "", row
        assert row["crate"] == (DRIFTED["project_name"] if kind == "drifted" else crate.name)
        assert row["version"] == version
        assert row["behind"] == sum(1 for other in releases if other > Version(version))
        expected_kind = "lib" if kind in ("lib", "drifted") else ("mcp-server" if kind == "mcp-python" else "cli")
        assert row["kind"] == expected_kind
        if kind == "drifted":
            assert row["drift"] == ["workspace.dependencies.thiserror"]
        else:
            assert row["drift"] == [], row  # team edits outside the policy's lines are no drift
    assert rows[1]["update_branch"] == "template-update (PR #7)"
    assert {row["update_branch"] for index, row in enumerate(rows) if index != 1} == {""}
    assert [row["version"] for row in rows].count(FIRST) == sum(version == FIRST for _, version in CASES)


def test_status_reports_unreadable_entries_as_rows(synthetic_fleet):
    fleet_file, crates = synthetic_fleet
    completed = fleet("status", str(fleet_file))
    table = completed.stdout.splitlines()
    unreadable = [line for line in table if "unreadable:" in line]
    assert len(unreadable) == 3, completed.stdout
    assert unreadable[0].endswith("| unreadable: no such folder | | | |")
    assert unreadable[1].endswith("| unreadable: not a git repository | | | |")
    assert "unreadable: no .copier-answers.yml: not generated from a copier template" in unreadable[2]
    assert "Traceback" not in completed.stderr


def test_status_rejects_a_malformed_fleet_file(tmp_path):
    bad = tmp_path / "fleet.txt"
    bad.write_text("https://example.org/a.git crates/a extra\n", encoding="utf-8")
    completed = fleet("status", str(bad))
    assert completed.returncode == 2
    assert completed.stderr.strip() == (
        f"fleet.py: {bad}:1: expected 'URL-or-path [folder]', got 'https://example.org/a.git crates/a extra'"
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    assert fleet("status", str(empty)).stderr.strip() == f"fleet.py: {empty}: no crates listed"


SLOW_UPDATE = """import os, subprocess, sys
child = subprocess.Popen(["sleep", "300"])
with open(os.environ["PID_FILE"], "w") as out:
    out.write(str(child.pid))
child.wait()
"""


def test_ctrl_c_stops_a_rehearsal_and_every_command_it_started(tmp_path):
    crate = tmp_path / "slow-crate"
    (crate / "scripts").mkdir(parents=True)
    (crate / ".copier-answers.yml").write_text("_commit: 0.1.0\n_src_path: https://example.org/t\n", encoding="utf-8")
    (crate / "scripts" / "template_update.py").write_text(SLOW_UPDATE, encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "a crate whose update hangs")
    fleet_file = tmp_path / "fleet.txt"
    fleet_file.write_text(f"{crate}\n", encoding="utf-8")
    pid_file = tmp_path / "sleep.pid"
    process = subprocess.Popen(
        [sys.executable, str(FLEET_SCRIPT), "rehearse", str(fleet_file), "--record", str(tmp_path / "r.json")],
        env={**os.environ, **GIT_IDENTITY, "PID_FILE": str(pid_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not pid_file.exists() or not pid_file.read_text():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the update never started"
        time.sleep(0.2)
    sleeper = int(pid_file.read_text())
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "fleet.py: stopped; every command it started was killed"
    # SIGKILL was sent before fleet.py exited; the kernel ends the process soon after, however busy
    deadline = time.monotonic() + 60
    while running(sleeper):
        assert time.monotonic() < deadline, f"the update's child {sleeper} survived Ctrl-C"
        time.sleep(0.1)
    assert not (tmp_path / "r.json").exists()


def release_checkout(tmp_path: Path) -> Path:
    """A clone of this repository without tags (as CI's) holding this work tree's files, whose
    release.py is under test."""
    clone = tmp_path / "template"
    fresh_clone(clone)
    origin = tmp_path / "origin.git"  # a remote without them either: no release published yet
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    git(clone, "remote", "set-url", "origin", str(origin))
    copy_work_tree(clone)
    return clone


def tag(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(clone / "scripts" / "release.py"), "tag", *args],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )


def test_release_tag_refuses_without_a_clean_rehearsal_on_the_recorded_fleet(tmp_path):
    clone = release_checkout(tmp_path)
    (clone / "fleet.txt").write_text("# the org's crates\nhttps://example.org/team/a.git\n", encoding="utf-8")
    latest, commit = list(release.load_releases().items())[-1]
    oldest = list(release.load_releases())[0]

    refused = tag(clone)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"release.py: {oldest}: no rehearsal on the recorded fleet; run "
        f"`python scripts/fleet.py rehearse fleet.txt --to {release.load_releases()[oldest][:12]}`"
    )
    assert git(clone, "tag") == ""

    # a clean rehearsal of each release's tree on this fleet (as fleet.py records one)
    record = clone / ".rehearsal" / "last.json"
    record.parent.mkdir()
    digest = release.fleet_digest(clone / "fleet.txt")
    for version, sha in release.load_releases().items():
        tree = git(clone, "rev-parse", f"{sha}^{{tree}}").strip()
        body = {"fleet": "fleet.txt", "fleet_sha256": digest, "version": version, "tree": tree, "clean": True}
        record.write_text(json.dumps(body), encoding="utf-8")
        if version != latest:
            git(clone, "tag", version, sha)  # released before: only the newest is checked here
    red = {**body, "clean": False, "crates": [{"crate": "a", "result": "gate 2 red"}]}
    record.write_text(json.dumps(red), encoding="utf-8")
    assert tag(clone).stderr.strip() == (
        f"release.py: {latest}: the last rehearsal left crates not clean: a (gate 2 red); fix them, accept a "
        "slower benchmark in the release's CHANGELOG section (Bench-Accepted: <crate> <benchmark> <reason>), "
        "or tag with --force"
    )
    # a crate the release slows is not clean either, while the release's notes do not accept it
    slower = {"benchmark": "instructions::document::parse_jsonl_100_docs", "verdict": "REGRESSION"}
    slowed = {**body, "clean": False, "crates": [{"crate": "a", "result": "gate 5 red", "benches": [slower]}]}
    record.write_text(json.dumps(slowed), encoding="utf-8")
    assert "crates not clean: a (gate 5 red)" in tag(clone).stderr
    record.write_text(json.dumps({**body, "fleet_sha256": "0" * 64}), encoding="utf-8")
    assert "ran on another fleet" in tag(clone).stderr
    record.write_text(json.dumps(body), encoding="utf-8")
    done = tag(clone)
    assert done.returncode == 0, done.stderr
    assert f"tagged {latest} at {commit[:12]}" in done.stdout


def test_a_release_costs_benchmarks_only_where_its_notes_accept_each_one(tmp_path):
    repo = tmp_path / "template"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [0.5.0] - unreleased\n\n- `opt-level = 2`: smaller binaries.\n"
        "- Bench-Accepted: indexer instructions::search::query_1000_docs the smaller binary is worth it\n"
        "- Bench-Accepted: * instructions::document::tokenize_60_words every crate pays 3 % for the new tokenizer\n"
        "- Bench-Accepted: indexer instructions::cache::get_hit\n"  # no reason: accepts nothing
        "\n## [0.4.0] - 2026-12-01\n\n- Bench-Accepted: indexer instructions::json::simd_parse_100_docs old news\n",
        encoding="utf-8",
    )
    commit_all(repo, "notes")
    commit = git(repo, "rev-parse", "HEAD").strip()
    accepted = release.accepted_costs(repo, "0.5.0", commit)
    assert accepted == {
        ("indexer", "instructions::search::query_1000_docs"),
        ("*", "instructions::document::tokenize_60_words"),
    }

    def row(crate: str, *slower: str, result: str = "gate 5 red") -> dict[str, object]:
        benches = [{"benchmark": name, "metric": "Ir", "verdict": "REGRESSION"} for name in slower]
        return {"crate": crate, "result": result, "benches": benches}

    query, tokenize = "instructions::search::query_1000_docs", "instructions::document::tokenize_60_words"
    assert not release.not_clean(row("indexer", query, tokenize), accepted)
    assert not release.not_clean(row("other", tokenize), accepted)  # `*`: every crate
    assert release.not_clean(row("other", query), accepted)  # accepted for the indexer only
    assert release.not_clean(row("indexer", "instructions::json::simd_parse_100_docs"), accepted)  # older notes
    assert release.not_clean(row("indexer", "instructions::cache::get_hit"), accepted)  # no reason given
    assert release.not_clean(row("indexer"), accepted)  # red without a slower benchmark: it failed otherwise
    assert release.not_clean(row("indexer", query, result="gate 2 red"), accepted)
    assert not release.not_clean({"crate": "indexer", "result": "clean"}, accepted)


def test_the_table_shows_what_a_release_does_to_each_crates_benchmarks(tmp_path):
    base = {"threshold_pct": 5.0, "noise_pct": 0.0}
    benches = [
        {**base, "benchmark": "instructions::document::parse_jsonl_100_docs", "metric": "Ir", "base": 303998,
         "head": 612873, "change_pct": 101.6, "verdict": "REGRESSION"},
        {**base, "benchmark": "instructions::document::parse_jsonl_100_docs", "metric": "EstimatedCycles",
         "base": 394605, "head": 398000, "change_pct": 0.86, "verdict": "ok"},
        {**base, "benchmark": "instructions::cache::get_hit", "metric": "Ir", "base": 2132, "head": 2132,
         "change_pct": 0.0, "verdict": "ok"},
    ]  # fmt: skip
    rows = [
        {"crate": "indexer", "source": "a", "version": "0.4.0", "seconds": 80.0, "result": "gate 5 red",
         "detail": ["instructions::document::parse_jsonl_100_docs: Ir 303,998 -> 612,873 (+101.60 %, more than 5 %)"],
         "benches": benches},
        {"crate": "tools", "source": "b", "version": "0.4.0", "seconds": 20.0, "result": "clean", "detail": []},
    ]  # fmt: skip
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    table = fleet("table", str(path))
    assert table.returncode == 1
    lines = table.stdout.splitlines()
    assert "| indexer | 0.4.0 | gate 5 red | `instructions::document::parse_jsonl_100_docs: Ir 303,998 -> 612,873" in (
        "\n".join(lines)
    )
    start = lines.index("| crate | benchmark | metric | before | after | change | threshold |")
    assert lines[start + 2 :] == [
        "| indexer | `instructions::document::parse_jsonl_100_docs` | Ir | 303,998 | 612,873 | **+101.60 %** | 5 % |",
        "| indexer | `instructions::document::parse_jsonl_100_docs` | EstimatedCycles | 394,605 | 398,000 | +0.86 % "
        "| 5 % |",
        "",
        "1 of 3 benchmark metrics unchanged.",
    ]


def test_rehearse_with_benches_needs_valgrind_and_the_runner_on_path(tmp_path):
    fleet_file = tmp_path / "fleet.txt"
    fleet_file.write_text(f"{tmp_path / 'a'}\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(FLEET_SCRIPT), "rehearse", str(fleet_file), "--benches"],
        env={**os.environ, "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr == (
        "fleet.py: --benches needs valgrind and gungraun-runner on PATH (gate 5's instruction counts)\n"
    )


def test_release_tag_force_and_no_fleet(tmp_path):
    clone = release_checkout(tmp_path)
    latest = list(release.load_releases())[-1]
    tagged = tag(clone)  # no fleet.txt: nothing to rehearse (the README's local flow)
    assert tagged.returncode == 0 and f"tagged {latest} at " in tagged.stdout
    assert f"push with: git push origin {latest}" in tagged.stdout
    git(clone, "push", "--quiet", "origin", latest)
    git(clone, "tag", "-d", *release.load_releases())
    again = tag(clone)
    assert f"{latest} at {release.load_releases()[latest][:12]}; origin has it already" in again.stdout
    assert f"git push origin {latest}" not in again.stdout
    git(clone, "tag", "-d", *release.load_releases())
    git(clone, "remote", "remove", "origin")  # a local-only checkout: nothing to push to
    local = tag(clone)
    assert local.returncode == 0 and "git push" not in local.stdout
    assert "local only (no remote 'origin')" in local.stdout
    git(clone, "tag", "-d", *release.load_releases())
    (clone / "fleet.txt").write_text("https://example.org/team/a.git\n", encoding="utf-8")
    assert tag(clone).returncode == 1
    forced = tag(clone, "--force")
    assert forced.returncode == 0 and git(clone, "tag").split() == list(release.load_releases())


REHEARSE_WORKFLOW = REPO / ".github" / "workflows" / "rehearse.yml"


def test_the_rehearsal_workflow_fans_out_over_shards_and_joins_their_records():
    from test_workflow import BIN, assert_pinned_and_credential_free, assert_valid_workflows

    text = REHEARSE_WORKFLOW.read_text(encoding="utf-8")
    assert_pinned_and_credential_free(text)
    assert_valid_workflows(REHEARSE_WORKFLOW)
    zizmor = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--min-severity", "medium", "--format", "plain", str(REHEARSE_WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    workflow = yaml.safe_load(text)
    triggers = workflow[True]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert all(job["permissions"] == {"contents": "read"} for job in jobs.values())
    strategy = jobs["rehearse"]["strategy"]
    assert strategy["fail-fast"] is False and strategy["max-parallel"] >= 1
    assert strategy["matrix"] == {"include": "${{ fromJSON(needs.fleet.outputs.shards) }}"}
    run = next(step for step in jobs["rehearse"]["steps"] if step.get("name") == "Rehearse")
    assert run["env"]["CRATES"] == "${{ matrix.crates }}" and "${{" not in run["run"]
    assert "scripts/fleet.py rehearse" in run["run"] and '--record "$RUNNER_TEMP/rehearsal/record.json"' in run["run"]
    assert run["env"]["FLEET_READ_TOKEN"] == "${{ secrets.FLEET_READ_TOKEN }}"
    # gate 5 too: Valgrind, and gungraun-runner at the policy's gungraun version, before the run
    assert "--benches" in run["run"]
    steps = jobs["rehearse"]["steps"]
    names = [step.get("name") for step in steps]
    assert names.index("Install Valgrind") < names.index("Rehearse")
    (runner,) = [step for step in steps if str(step.get("uses", "")).startswith("taiki-e/install-action@")]
    assert runner["with"]["tool"] == "gungraun-runner@${{ steps.gungraun.outputs.version }}"
    read = next(step for step in steps if step.get("id") == "gungraun")
    version = subprocess.run(
        ["bash", "-c", read["run"].replace('>> "$GITHUB_OUTPUT"', "")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == f"version={tools.gungraun_version()}"  # the policy's, read by tests/tools.py
    summary = jobs["summary"]
    assert summary["needs"] == ["fleet", "rehearse"] and "always()" in summary["if"]
    join = next(step for step in summary["steps"] if step.get("name") == "Join the records")
    assert "scripts/fleet.py join" in join["run"] and "--fleet fleet.txt" in join["run"]
    assert "GITHUB_STEP_SUMMARY" in join["run"] and "gh run download" in join["run"]
    upload = summary["steps"][-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["name"] == "rehearsal-record"


#: Reports which files of the template (argv[1]) a `copier copy` into argv[2] with the answers
#: argv[3] (JSON) opens, lists or runs, as paths relative to the template, into argv[4].
READS_PROBE = """
import json, os, sys
template, dest, answers, out = sys.argv[1:5]
root, seen, busy = os.path.realpath(template), set(), [False]
def note(path):
    real = os.path.realpath(os.fsdecode(path))
    if real.startswith(root + os.sep):
        seen.add(os.path.relpath(real, root))
def hook(event, args):
    if busy[0] or event not in ("open", "os.scandir", "os.listdir", "subprocess.Popen"):
        return
    busy[0] = True
    try:
        paths = args[1] if event == "subprocess.Popen" else args[:1]
        for path in paths or []:
            if isinstance(path, (str, bytes, os.PathLike)):
                note(path)
    finally:
        busy[0] = False
sys.addaudithook(hook)
import copier
copier.run_copy(template, dest, data=json.loads(answers), defaults=True, unsafe=True, quiet=True)
with open(out, "w") as file:
    json.dump(sorted(seen), file)
"""


def test_the_rehearsal_runs_on_every_path_a_render_reads(tmp_path):
    """The pull_request paths of rehearse.yml cover every file of this repository that rendering
    a crate reads (found by rendering the samples' answers under an audit hook) and every file
    copier.yml's migrations run: a change to any of them changes what crates receive."""
    sys.path.insert(0, str(REPO / "scripts"))
    import samples

    template = tmp_path / "template"
    copy_work_tree(template)  # a plain folder: copier reads it in place
    probe = tmp_path / "probe.py"
    probe.write_text(READS_PROBE, encoding="utf-8")
    read: set[str] = set()
    for name, (answers, _) in samples.SAMPLES.items():
        if name == "workspace":  # a member needs its team's workspace around it; its files are the cli's
            continue
        out = tmp_path / f"{name}.json"
        data = json.dumps({**samples.COMMON, **answers})
        subprocess.run(
            [sys.executable, str(probe), str(template), str(tmp_path / name), data, str(out)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        read |= set(json.loads(out.read_text(encoding="utf-8")))
    copier_yml = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    for step in copier_yml.get("_migrations", []) + copier_yml.get("_tasks", []):
        for arg in step["command"] if isinstance(step, dict) else []:
            if arg.startswith("{{ _copier_conf.src_path }}/"):
                read.add(arg.split("/", 1)[1])
    assert {"copier.yml", "includes", "policy", "template"} <= {path.split("/")[0] for path in read}, sorted(read)
    patterns = yaml.safe_load(REHEARSE_WORKFLOW.read_text(encoding="utf-8"))[True]["pull_request"]["paths"]

    def covered(path: str) -> bool:
        folders = [p.removesuffix("/**") for p in patterns if p.endswith("/**")]
        return path in patterns or any(path == f or path.startswith(f"{f}/") for f in folders)

    assert [path for path in sorted(read) if path != "." and not covered(path)] == []


def test_list_shards_and_table_are_what_the_workflow_joins(tmp_path):
    fleet_file = tmp_path / "fleet.txt"
    fleet_file.write_text(
        "# crates\nhttps://example.org/a.git\n\ngit@example.org:team/tools.git crates/b  # a member\n",
        encoding="utf-8",
    )
    listed = fleet("list", str(fleet_file))
    assert json.loads(listed.stdout) == [
        {"shard": 1, "crates": "https://example.org/a.git"},
        {"shard": 2, "crates": "git@example.org:team/tools.git crates/b"},
    ]
    assert json.loads(fleet("list", str(fleet_file), "--max-jobs", "1").stdout) == [
        {"shard": 1, "crates": "https://example.org/a.git\ngit@example.org:team/tools.git crates/b"}
    ]
    row = {"crate": "a", "source": "a", "version": "0.2.0", "seconds": 12.0}
    clean, red = tmp_path / "clean.json", tmp_path / "red.json"
    clean.write_text(json.dumps([{**row, "result": "clean", "detail": []}]), encoding="utf-8")
    red.write_text(json.dumps([{**row, "crate": "b", "result": "gate 2 red", "detail": ["x"]}]), encoding="utf-8")
    joined = fleet("table", str(clean), str(red))
    assert joined.returncode == 1
    assert joined.stdout.splitlines()[2:] == [
        "| a | 0.2.0 | clean |  | 12 s |",
        "| b | 0.2.0 | gate 2 red | `x` | 12 s |",
    ]
    assert fleet("table", str(clean)).returncode == 0


def test_a_fleet_of_a_thousand_crates_is_a_valid_matrix(tmp_path):
    """GitHub caps a matrix at 256 jobs: 1,000 crates become at most 128 shards of 7 or 8, every
    crate in exactly one, and the JSON stays far below a job output's 1 MB."""
    fleet_file = tmp_path / "fleet.txt"
    crates = [f"https://github.com/acme/crate-{number:04d}" for number in range(1000)]
    fleet_file.write_text("\n".join(crates[:500] + ["https://github.com/acme/tools crates/x"] + crates[500:]) + "\n")
    listed = fleet("list", str(fleet_file))
    assert listed.returncode == 0, listed.stderr
    matrix = json.loads(listed.stdout)
    assert 1 <= len(matrix) <= 128 < 256
    assert [shard["shard"] for shard in matrix] == list(range(1, len(matrix) + 1))
    lines = [line for shard in matrix for line in shard["crates"].split("\n")]
    assert sorted(lines) == sorted(release.fleet_entries(fleet_file)) and len(lines) == len(set(lines)) == 1001
    sizes = {len(shard["crates"].split("\n")) for shard in matrix}
    assert max(sizes) - min(sizes) <= 1
    assert len(listed.stdout.encode()) < 1_000_000
    assert fleet("list", str(fleet_file), "--max-jobs", "0").returncode == 2


def test_joined_shard_records_license_a_tag_only_when_every_crate_is_clean(tmp_path):
    """What rehearse.yml's last job does: the shards' records become one record of fleet.txt,
    which release.py tag accepts for that release's tree; a crate no shard rehearsed, or
    records of two trees, license nothing."""
    version, commit = list(release.load_releases().items())[-1]
    tree = git(REPO, "rev-parse", f"{commit}^{{tree}}").strip()
    fleet_file = tmp_path / "fleet.txt"
    entries = ["https://github.com/acme/a", "https://github.com/acme/b", "https://github.com/acme/tools crates/c"]
    fleet_file.write_text("# the org\n" + "\n".join(entries) + "\n", encoding="utf-8")

    def shard_record(name: str, sources: list[str], result: str = "clean", of: str = tree) -> Path:
        rows = [
            {"crate": s, "source": s, "result": result, "version": "0.2.0", "detail": [], "seconds": 1.0}
            for s in sources
        ]
        path = tmp_path / name
        document = {
            "fleet": "shard",
            "fleet_sha256": "x",
            "version": version,
            "tree": of,
            "clean": True,
            "crates": rows,
        }
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    one, two = shard_record("1.json", entries[:2]), shard_record("2.json", entries[2:])
    record = tmp_path / ".rehearsal" / "last.json"
    joined = fleet("join", str(one), str(two), "--fleet", str(fleet_file), "--record", str(record))
    assert joined.returncode == 0, joined.stderr
    assert release.rehearsal_problem(REPO, version, commit, fleet_file, record) is None

    # a shard's job failed: its crate was never rehearsed
    partial = fleet("join", str(one), "--fleet", str(fleet_file), "--record", str(record))
    assert partial.returncode == 1 and "| not rehearsed |" in partial.stdout
    problem = release.rehearsal_problem(REPO, version, commit, fleet_file, record)
    assert problem is not None and f"{entries[2]} (not rehearsed)" in problem
    # a red crate
    red = shard_record("red.json", entries[2:], result="gate 2 red")
    assert fleet("join", str(one), str(red), "--fleet", str(fleet_file), "--record", str(record)).returncode == 1
    assert "gate 2 red" in (release.rehearsal_problem(REPO, version, commit, fleet_file, record) or "")
    # shards of two trees, or a crate twice: no record at all
    other = shard_record("other.json", entries[2:], of="0" * 40)
    record.unlink()
    mixed = fleet("join", str(one), str(other), "--fleet", str(fleet_file), "--record", str(record))
    assert mixed.returncode == 2 and "different releases" in mixed.stderr and not record.exists()
    twice = fleet("join", str(one), str(one), str(two), "--fleet", str(fleet_file), "--record", str(record))
    assert twice.returncode == 2 and "rehearsed twice" in twice.stderr


def test_crates_of_one_name_never_share_a_target_dir(tmp_path):
    """Cargo names a path package's artifacts by name and version, not folder: a second crate of
    a name would take the first one's builds for its own."""
    sys.path.insert(0, str(REPO / "scripts"))
    import fleet as fleet_module

    shared = fleet_module.SharedTarget(tmp_path / "shared")
    assert shared.for_crate("a", tmp_path / "1") == tmp_path / "shared"
    assert shared.for_crate("b", tmp_path / "2") == tmp_path / "shared"
    assert shared.for_crate("a", tmp_path / "3") == tmp_path / "3" / "target"
    own = fleet_module.SharedTarget(None)
    assert own.for_crate("a", tmp_path / "1") == tmp_path / "1" / "target"


def test_table_on_rows_it_cannot_read_says_so_in_one_line(tmp_path):
    """Each malformed rows file: exit 2 and one line naming the file (and the row), no traceback."""
    cases = {
        "not-json.json": "[{",
        "object.json": json.dumps({"crate": "a"}),
        "unknown-field.json": json.dumps([{"crate": "a", "source": "a", "result": "clean", "colour": "red"}]),
        "no-source.json": json.dumps([{"crate": "a"}]),
        "not-a-row.json": json.dumps(["a"]),
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        completed = fleet("table", str(tmp_path / name))
        assert completed.returncode == 2, (name, completed.stderr)
        assert completed.stderr.startswith(f"fleet.py: {tmp_path / name}: ") and completed.stderr.count("\n") == 1, (
            name,
            completed.stderr,
        )
    assert fleet("table", str(tmp_path / "missing.json")).returncode == 2


def test_a_stop_while_a_command_starts_kills_it(monkeypatch):
    """``stop`` arrives after ``run`` saw no stop and before the command is registered (Popen is
    slowed down until the stopping thread has had its chance): the command is killed at once and
    ``run`` raises KeyboardInterrupt. With the check and the start apart, the stop found nothing
    to kill and the command ran its full 600 s."""
    import fleet as fleet_module

    procs = fleet_module.Processes()
    real_popen = subprocess.Popen
    started: list[subprocess.Popen[str]] = []

    def popen_after_a_stop(*args, **kwargs):
        stopper = threading.Thread(target=procs.stop)
        stopper.start()
        stopper.join(timeout=2)  # under the lock, stop() waits; without it, it has finished
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(fleet_module.subprocess, "Popen", popen_after_a_stop)
    outcome: list[BaseException] = []

    def rehearse_one_command() -> None:
        try:
            procs.run(["sleep", "600"], Path.cwd(), dict(os.environ), 900)
        except BaseException as error:  # noqa: BLE001  (KeyboardInterrupt is what is expected)
            outcome.append(error)

    worker = threading.Thread(target=rehearse_one_command)
    worker.start()
    worker.join(timeout=120)
    if worker.is_alive():
        started[0].kill()
        worker.join()
        pytest.fail("the command was not killed: the stop came between the check and its start")
    assert [type(error) for error in outcome] == [KeyboardInterrupt]
    assert started[0].returncode == -signal.SIGKILL


def test_a_command_over_its_time_is_stopped_and_says_so():
    import fleet as fleet_module

    completed = fleet_module.Processes().run(["sleep", "600"], Path.cwd(), dict(os.environ), 0.5)
    assert completed.returncode == -signal.SIGKILL
    assert completed.stdout.splitlines()[0] == "sleep: stopped after 0.5 s"


def test_rehearse_to_a_releases_commit_is_that_release(tmp_path):
    """``--to <the commit of 0.3.0>`` rehearses 0.3.0 (the tag's tree), not the upcoming release."""
    import fleet as fleet_module

    releases = release.load_releases()
    version, commit = list(releases.items())[-1]
    _, labelled, tree = fleet_module.upcoming_template(tmp_path / "template", commit)
    assert labelled == version
    assert tree == git(REPO, "rev-parse", f"{commit}^{{tree}}").strip()
    _, labelled, _ = fleet_module.upcoming_template(tmp_path / "short", commit[:12])
    assert labelled == version
