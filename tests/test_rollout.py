"""Slow: a release rehearsed on a fleet of crates in the field, for real, with
``scripts/fleet.py rehearse``. Crates generated at the two releases before the upcoming one
(checked out of git history) get the edits a team makes; one more team pinned a policy-owned line that the
upcoming release (this work tree plus a one-line policy bump) changes too. The rehearsal updates
each with the crate's own update path (``scripts/template_update.py`` where the crate has it,
the plain copier command before that) and runs gates 1-4. Checked: the table names exactly the
conflicting crate and file, every other crate is clean, and in the kept clones every team edit
is kept (a moved file's edits in its new place) and the release arrived. A second rehearsal,
``--benches``, runs gate 5 too: a candidate release that sets ``opt-level = 1`` in the generated
``[profile.release]`` is reported with every benchmark it slows (instructions and estimated
cycles, before and after the update), red where the crate's threshold is passed.

``build_fleet`` is shared with the fast ``status`` tests (tests/test_fleet.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import copier
import pytest
import tomlkit
from conftest import (
    CARGO_TARGET_DIR,
    FULL_STACK,
    GIT_IDENTITY,
    REPO,
    assert_no_conflicts,
    cargo_env,
    check_answer_keys,
    commit_all,
    copy_work_tree,
    git,
    release,
    released_template,
)
from packaging.version import Version
from test_template_update import PREVIOUS, UPCOMING, answers_commit

pytestmark = [pytest.mark.slow, pytest.mark.builds("own")]

#: The release before the previous one (0.2.0 while 0.3.0 is the newest).
FIRST = list(release.load_releases())[-2]

#: One crate per kind, each from the two releases before the upcoming one. The library has no
#: component: the MCP server already brings every component through the update, and a whole-stack
#: library builds its dependencies in a feature set of its own.
KINDS = {
    "lib": {"project_name": "rollout-lib", "stack": []},
    "cli": {"project_name": "rollout-cli", "crate_kind": "cli", "stack": ["tantivy", "moka"]},
    "mcp-python": {
        "project_name": "rollout-mcp",
        "crate_kind": "mcp-server",
        "python_bindings": True,
        "stack": FULL_STACK,
    },
    "member": {"project_name": "rollout-member", "crate_kind": "cli", "stack": ["rayon"]},
}
CASES = [(kind, version) for kind in KINDS for version in (FIRST, PREVIOUS)]

TEAM_CODE = """
/// `count` in decimal digits (the team's own code).
#[must_use]
pub fn decimal(count: u64) -> String {
    itoa::Buffer::new().format(count).to_owned()
}
"""
TEAM_BINARY_TEST = """
#[cfg(test)]
mod team_tests {
    #[test]
    fn the_teams_own_binary_test() {
        assert_eq!(super::log_level(0, 0), tracing_subscriber::filter::LevelFilter::WARN);
    }
}
"""
#: How tests/integration.rs (0.3.0 on) declares the search component's test module.
SEARCH_MODULE = '#[path = "integration/search.rs"]\nmod search;\n'
TEAM_README = "\n## Team notes\n\nOur on-call rota lives in the wiki.\n"
TEAM_STEP = "      - name: Team check\n        run: echo the team's own step\n"
WORKSPACE_ROOT = '[workspace]\nresolver = "3"\nmembers = ["crates/*"]\n'


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return released_template(tmp_path_factory.mktemp("rollout") / "template")


#: The team of this crate pinned a policy-owned line ([workspace.dependencies]) that the upcoming
#: release bumps too (BUMP): the one crate of the fleet headed for a conflict.
DRIFTED = {"project_name": "drifted-lib"}
TEAM_PIN = "2.0.18"
#: The upcoming release of the rehearsal: this work tree plus this one-line policy bump.
BUMP = ("thiserror", "2.0.21")


def generate(template: Path, where: Path, kind: str, version: str) -> Path:
    """Generate the ``kind`` crate at ``version`` under ``where`` (into a team's workspace for
    ``member``), git-initialised and committed; return the crate's folder. The package name
    carries the version: the crates of a fleet have names of their own."""
    data = {**KINDS[kind], "project_name": f"{KINDS[kind]['project_name']}-{version.replace('.', '')}"}
    check_answer_keys(data)
    if kind == "member":
        (where / "crates").mkdir(parents=True)
        (where / "Cargo.toml").write_text(WORKSPACE_ROOT, encoding="utf-8")
        crate = where / "crates" / data["project_name"]
    else:
        crate = where / data["project_name"]
    copier.run_copy(str(template), crate, data=data, defaults=True, unsafe=True, vcs_ref=version, quiet=True)
    git(where.parent, "init", "-q", "-b", "main", str(where if kind == "member" else crate))
    commit_all(where if kind == "member" else crate, f"generated at {version}")
    return crate


def make_team_edits(crate: Path, kind: str) -> None:
    """The edits a team makes after generating: a dependency of its own (`cargo add`), a feature
    of a policy crate where the README says, code in lib.rs using the new dependency, a README
    paragraph, a step of its own in ci.yml; a cli team also tests its binary (src/main.rs, moved
    by 0.3.0) and deleted the search module's integration test."""
    package = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))["package"]["name"]
    subprocess.run(  # the library package (from 0.3.0 a binary is a package of its own beside it)
        ["cargo", "add", "--quiet", "--package", package, "itoa@1"], cwd=crate, check=True, env=cargo_env()
    )
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    tokio = tomlkit.inline_table()
    if kind == "member":
        tokio.update({"version": "1", "features": ["net"]})
    else:
        tokio.update({"workspace": True, "features": ["net"]})
    manifest["dependencies"]["tokio"] = tokio
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    with (crate / "src" / "lib.rs").open("a", encoding="utf-8") as lib:
        lib.write(TEAM_CODE)
    with (crate / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(TEAM_README)
    if kind != "member":
        ci = crate / ".github" / "workflows" / "ci.yml"
        anchor = "        run: scripts/gates.sh test\n"
        text = ci.read_text(encoding="utf-8")
        assert anchor in text
        ci.write_text(text.replace(anchor, anchor + TEAM_STEP, 1), encoding="utf-8")
    if kind == "cli":
        main_rs = crate / "cli" / "src" / "main.rs"  # from 0.3.0; before, src/main.rs
        with (main_rs if main_rs.exists() else crate / "src" / "main.rs").open("a", encoding="utf-8") as main:
            main.write(TEAM_BINARY_TEST)
        tests = crate / "tests" / "integration.rs"
        text = tests.read_text(encoding="utf-8")
        module = crate / "tests" / "integration" / "search.rs"
        if module.exists():  # from 0.3.0: a module file per component
            module.unlink()
            assert SEARCH_MODULE in text
            text = text.replace(SEARCH_MODULE, "")
        else:
            start = text.index("#[tokio::test]\nasync fn indexes_and_searches_a_loaded_corpus")
            end = text.index("\n}\n", start) + 3
            text = text[:start].rstrip("\n") + "\n" + text[end:]
        tests.write_text(text, encoding="utf-8")
    commit_all(crate, "team edits")


def pin_policy_line(crate: Path) -> None:
    """The drifted team's edit: its own version of a policy crate in [workspace.dependencies]."""
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    entry = manifest["workspace"]["dependencies"][BUMP[0]]
    if isinstance(entry, str):
        manifest["workspace"]["dependencies"][BUMP[0]] = TEAM_PIN
    else:
        entry["version"] = TEAM_PIN
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    commit_all(crate, "team pins thiserror")


def build_fleet(template: Path, where: Path) -> tuple[Path, list[tuple[str, str, Path]]]:
    """Generate the fleet under ``where``: one crate per ``CASES`` entry with its team's edits,
    the drifted crate, and three entries nobody can read (a missing path, a folder that is no git
    repository, a repository without an answers file). Return the fleet file and, per readable
    entry in file order, ``(kind, version, crate folder)`` (kind ``drifted`` for the drifted one).
    """
    crates = []
    lines = ["# synthetic fleet: crates made from the template at two releases", ""]
    for kind, version in CASES:
        team = where / f"{kind}-{version}"
        crate = generate(template, team, kind, version)
        make_team_edits(crate, kind)
        crates.append((kind, version, crate))
        lines.append(f"{team} crates/{crate.name}  # a workspace member" if kind == "member" else str(crate))
    drifted = where / "drifted" / DRIFTED["project_name"]
    check_answer_keys(DRIFTED)
    copier.run_copy(str(template), drifted, data=DRIFTED, defaults=True, unsafe=True, vcs_ref=PREVIOUS, quiet=True)
    git(drifted.parent, "init", "-q", "-b", "main", str(drifted))
    commit_all(drifted, f"generated at {PREVIOUS}")
    pin_policy_line(drifted)
    crates.append(("drifted", PREVIOUS, drifted))
    lines.append(str(drifted))
    (where / "plain-folder").mkdir()
    no_answers = where / "no-answers"
    git(where, "init", "-q", "-b", "main", str(no_answers))
    (no_answers / "README.md").write_text("not a generated crate\n", encoding="utf-8")
    commit_all(no_answers, "a repository of another kind")
    lines += [str(where / "missing"), str(where / "plain-folder"), str(no_answers)]
    fleet = where / "fleet.txt"
    fleet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return fleet, crates


def upcoming_checkout(dest: Path) -> Path:
    """A checkout of this repository holding this work tree plus the one-line policy bump
    ``BUMP``, committed: the upcoming release the rehearsal runs from (its own scripts/fleet.py)."""
    git(dest.parent, "clone", "--quiet", str(REPO), str(dest))
    git(dest, "rm", "-rq", "--ignore-unmatch", ".")
    copy_work_tree(dest)
    path = dest / "policy" / "dependencies.toml"
    policy = tomlkit.parse(path.read_text(encoding="utf-8"))
    policy[BUMP[0]]["version"] = BUMP[1]
    path.write_text(tomlkit.dumps(policy), encoding="utf-8")
    commit_all(dest, f"the work tree, and the policy bump {BUMP[0]} {BUMP[1]}")
    return dest


def test_the_upcoming_release_rehearsed_on_a_fleet(template, tmp_path):
    fleet, crates = build_fleet(template, tmp_path / "fleet")
    checkout = upcoming_checkout(tmp_path / "upcoming")
    keep, record = tmp_path / "rehearsal", tmp_path / "last.json"
    completed = subprocess.run(
        [sys.executable, str(checkout / "scripts" / "fleet.py"), "rehearse", str(fleet), "--json", "--jobs", "2"]
        + ["--target-dir", str(CARGO_TARGET_DIR), "--keep", str(keep), "--record", str(record)],
        env=cargo_env(**GIT_IDENTITY),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    assert completed.returncode == 1, completed.stderr[-3000:]  # one crate is not clean
    rows = json.loads(completed.stdout)
    for row in rows:  # the table, in the log
        print(f"{row['crate']}: {row['version'] or '-'} -> {row['result']} {row['detail']} ({row['seconds']} s)")
    assert len(rows) == len(crates) + 3
    results = {row["crate"]: (row["result"], row["detail"]) for row in rows[: len(crates)]}
    assert results.pop(DRIFTED["project_name"]) == ("conflict", ["Cargo.toml"])
    not_clean = {name: result for name, result in results.items() if result[0] != "clean"}
    assert not_clean == {}, not_clean
    assert [row["result"] for row in rows[len(crates) :]] == ["skipped"] * 3
    assert json.loads(record.read_text(encoding="utf-8"))["clean"] is False
    # The record is what each shard of rehearse.yml uploads: joined, it stands for the whole fleet.
    joined = tmp_path / "joined.json"
    completed = subprocess.run(
        [sys.executable, str(checkout / "scripts" / "fleet.py"), "join", str(record)]
        + ["--fleet", str(fleet), "--record", str(joined)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr  # the drifted crate's conflict
    document = json.loads(joined.read_text(encoding="utf-8"))
    assert [(row["crate"], row["result"]) for row in document["crates"]] == [(r["crate"], r["result"]) for r in rows]
    assert document["clean"] is False

    for index, (kind, version, crate) in enumerate(crates):
        clone = keep / f"crate-{index:03d}" / "clone"
        updated = clone / "crates" / crate.name if kind == "member" else clone
        if kind == "drifted":
            text = (updated / "Cargo.toml").read_text(encoding="utf-8")
            assert "<<<<<<< " in text and TEAM_PIN in text and BUMP[1] in text
            continue
        assert answers_commit(updated) == UPCOMING, (kind, version)
        assert_no_conflicts(updated)
        assert_team_edits_kept(updated, kind, version)


def assert_team_edits_kept(crate: Path, kind: str, version: str) -> None:
    """Every edit of ``make_team_edits`` to the crate generated at ``version`` is in the updated
    crate, and the release arrived."""
    cargo = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["dependencies"]["itoa"] == "1"
    # the team's feature and the library's own (a member: the team's own tokio line and the
    # policy's, one line since 0.4.0)
    tokio = cargo["dependencies"]["tokio"]
    assert tokio["workspace"] is True and "net" in tokio["features"] and "fs" in tokio["features"], tokio
    assert TEAM_CODE in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    assert (crate / "README.md").read_text(encoding="utf-8").endswith(TEAM_README)
    if kind != "member":
        assert TEAM_STEP in (crate / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    if kind == "cli":
        assert TEAM_BINARY_TEST.strip() in (crate / "cli" / "src" / "main.rs").read_text(encoding="utf-8")
        assert "indexes_and_searches_a_loaded_corpus" not in (crate / "tests" / "integration.rs").read_text()
        if Version(version) >= Version("0.3.0"):  # the team deleted the module file; it stays deleted
            assert not (crate / "tests" / "integration" / "search.rs").exists()
            assert "mod search;" not in (crate / "tests" / "integration.rs").read_text()
    # the release arrived: the binary is a package of its own, the library carries none of its
    # dependencies, no task rewrote the manifest, the policy bump is in
    assert not (crate / "src" / "main.rs").exists() and not (crate / ".cargo").exists()
    binary_only = {"clap", "anyhow", "tracing-subscriber", "rmcp", "schemars"}
    assert not binary_only & set(cargo.get("dependencies", {}))
    if KINDS[kind].get("crate_kind", "lib") != "lib":
        assert (crate / KINDS[kind]["crate_kind"] / "Cargo.toml").is_file()
    if kind == "member":  # since 0.4.0 in the workspace's [workspace.dependencies]
        policy = tomllib.loads((crate / ".." / ".." / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]
        policy = policy["dependencies"]
    else:
        policy = cargo["workspace"]["dependencies"]
    entry = policy[BUMP[0]]
    assert (entry if isinstance(entry, str) else entry["version"]) == BUMP[1]


def test_a_release_that_lowers_opt_level_is_reported_with_the_benches_it_slows(tmp_path):
    # The crate is made from this work tree (committed: "current"); the candidate release is
    # that plus `opt-level = 1` in the generated [profile.release], so the update brings that
    # line alone, and gate 5 (the crate after the update against itself before it) shows its cost.
    checkout = tmp_path / "candidate"
    git(tmp_path, "clone", "--quiet", str(REPO), str(checkout))
    git(checkout, "rm", "-rq", "--ignore-unmatch", ".")
    copy_work_tree(checkout)
    commit_all(checkout, "the work tree")
    current = git(checkout, "rev-parse", "HEAD").strip()
    manifest = checkout / "template" / "Cargo.toml.jinja"
    text = manifest.read_text(encoding="utf-8")
    assert text.count("\n[profile.release]\n") == 1
    manifest.write_text(text.replace("\n[profile.release]\n", "\n[profile.release]\nopt-level = 1\n"), encoding="utf-8")
    commit_all(checkout, "a smaller, slower release profile")
    candidate = git(checkout, "rev-parse", "HEAD").strip()

    crate = tmp_path / "team" / "rollout-cost"
    data = {**KINDS["lib"], "project_name": "rollout-cost"}
    check_answer_keys(data)
    copier.run_copy(str(checkout), crate, data=data, defaults=True, unsafe=True, vcs_ref=current, quiet=True)
    git(crate.parent, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated")
    fleet = tmp_path / "fleet.txt"
    fleet.write_text(f"{crate}\n", encoding="utf-8")
    rows_file = tmp_path / "rows.json"
    completed = subprocess.run(
        [sys.executable, str(checkout / "scripts" / "fleet.py"), "rehearse", str(fleet), "--to", candidate]
        + ["--benches", "--json", "--target-dir", str(CARGO_TARGET_DIR), "--record", str(tmp_path / "last.json")],
        env=cargo_env(gate_5=True, **GIT_IDENTITY),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    rows_file.write_text(completed.stdout, encoding="utf-8")
    (row,) = json.loads(completed.stdout)
    print(json.dumps(row, indent=1))
    assert row["result"] == "gate 5 red", row
    slower = [bench for bench in row["benches"] if bench["verdict"] == "REGRESSION"]
    assert slower, row["benches"]
    # every benchmark the crate has was measured before and after, on both metrics
    measured = {(bench["benchmark"], bench["metric"]) for bench in row["benches"]}
    names = {name for name, _ in measured}
    assert len(names) >= 2 and measured == {(name, metric) for name in names for metric in ("Ir", "EstimatedCycles")}
    assert all(bench["base"] and bench["change_pct"] is not None for bench in row["benches"]), row["benches"]
    for bench in slower:  # above the crate's threshold, and named in the row's detail
        assert bench["change_pct"] > bench["threshold_pct"] == 5, bench
        assert any(line.startswith(f"{bench['benchmark']}: {bench['metric']} ") for line in row["detail"]), row
    assert len(row["detail"]) == len(slower)

    table = subprocess.run(
        [sys.executable, str(checkout / "scripts" / "fleet.py"), "table", str(rows_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    print(table.stdout)
    for bench in slower:
        assert f"| rollout-cost | `{bench['benchmark']}` | {bench['metric']} | " in table.stdout
        assert f"**{bench['change_pct']:+.2f} %**" in table.stdout
