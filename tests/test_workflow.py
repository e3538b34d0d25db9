"""Fast tests of the generated CI: GitHub's schema, zizmor, least privilege, SHA pins, and one
definition of the five gates shared by CI and the crate's script."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tools
import yaml
from conftest import GIT_IDENTITY, REPO, commit_all, git, require, session_crate

BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")

#: The seed's CONS-009 commands, verbatim.
SEED_GATES = [
    "cargo build --release",
    "cargo clippy --all-targets --all-features -- -D warnings",
    "cargo fmt --check",
    "cargo test --all-features --no-fail-fast",
]
#: Gate 5's `cargo bench`, one bench target at a time (scripts/bench_gate.py): each run's exit
#: code then means one thing (Gungraun's 3 = limits exceeded).
BENCH_RUNS = ['["cargo", "bench", "--bench", WALL_CLOCK_BENCH,', '["cargo", "bench", "--bench", COUNTS_BENCH,']


#: Crates whose workflows are checked: the crate kinds (an MCP server adds the conformance job and
#: the surface summary), and a lib with Python bindings (which adds the python job to ci.yml and
#: generates release.yml).
WORKFLOW_CRATES = {
    "lib": {"crate_kind": "lib"},
    "cli": {"crate_kind": "cli"},
    "lib-python": {"crate_kind": "lib", "python_bindings": True},
    "mcp-server": {"crate_kind": "mcp-server"},
}


def workflow_crate(copie_session, key: str) -> Path:
    """Return the crate ``WORKFLOW_CRATES[key]``, generated once per session."""
    return session_crate(copie_session, f"workflow:{key}", {"project_name": f"wf-{key}", **WORKFLOW_CRATES[key]})


@pytest.fixture(scope="module", params=sorted(WORKFLOW_CRATES))
def crate(request, copie_session) -> Path:
    return workflow_crate(copie_session, request.param)


@pytest.fixture(scope="module")
def python_crate(copie_session) -> Path:
    return workflow_crate(copie_session, "lib-python")


def workflow_text(crate: Path, name: str = "ci.yml") -> str:
    return (crate / ".github/workflows" / name).read_text(encoding="utf-8")


def answered_python(crate: Path) -> bool:
    """Whether the crate was generated with python_bindings=true (from its answers file)."""
    answers = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
    return answers.get("python_bindings", False) is True


def workflow_files(crate: Path) -> list[Path]:
    return sorted((crate / ".github/workflows").glob("*.yml"))


def zizmor_findings(path: Path) -> list[dict]:
    completed = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona", "pedantic", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(completed.stdout)


def assert_valid_workflows(*paths: Path) -> None:
    """The workflow files pass GitHub's workflow schema (check-jsonschema's vendored copy)."""
    completed = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def steps(workflow: dict):
    for job in workflow["jobs"].values():
        yield from job["steps"]


def assert_pinned_and_credential_free(text: str) -> None:
    """Every action is pinned by commit SHA with a version comment; every checkout drops its
    credentials (persist-credentials: false)."""
    lines = [
        line.strip().removeprefix("- ").removeprefix("uses: ")
        for line in text.splitlines()
        if re.match(r"\s*(- )?uses:", line)
    ]
    assert lines, "no actions found"
    for line in lines:
        assert SHA_PIN.match(line), f"not pinned by SHA with a version comment: {line}"
    checkouts = [step for step in steps(yaml.safe_load(text)) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_matches_githubs_workflow_schema(crate):
    files = workflow_files(crate)
    expected = (
        ["ci.yml", "release.yml", "template-update.yml"]
        if answered_python(crate)
        else ["ci.yml", "template-update.yml"]
    )
    assert [path.name for path in files] == expected
    assert_valid_workflows(*files)


@pytest.mark.parametrize("name", ["ci.yml", "template-update.yml"])
def test_zizmor_finds_nothing_of_low_severity_or_more(crate, name):
    findings = zizmor_findings(crate / ".github/workflows" / name)
    serious = [
        f"{f['ident']} ({f['determinations']['severity']})"
        for f in findings
        if f["determinations"]["severity"] not in ("Informational", "Unknown")
    ]
    assert serious == [], serious
    # The only informational notes: runners ship rustup and `gh pr create`; the actions are chosen.
    assert {f["ident"] for f in findings} <= {"superfluous-actions"}


def test_least_privilege_and_pinned_actions(crate):
    workflow = yaml.safe_load(workflow_text(crate))
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert "permissions" not in job, f"job {name} widens permissions"
        assert job.get("timeout-minutes"), f"job {name} has no timeout"
    assert_pinned_and_credential_free(workflow_text(crate))
    used = {step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step}
    assert {"dtolnay/rust-toolchain", "Swatinem/rust-cache", "actions/checkout"} <= used


def test_ci_runs_every_gate_through_the_crates_script(crate):
    workflow = yaml.safe_load(workflow_text(crate))
    runs = [step.get("run", "") for step in steps(workflow)]
    for gate in ("build", "lint", "fmt", "test"):
        assert f"scripts/gates.sh {gate}" in runs
    assert "cargo deny --all-features check" in runs
    bench = workflow["jobs"]["bench"]
    base_checkout = next(step for step in bench["steps"] if step.get("with", {}).get("path") == "base")
    assert base_checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    gate_5 = [step for step in bench["steps"] if step.get("run") == "scripts/gates.sh bench"]
    assert [(step["if"], step["env"]) for step in gate_5] == [
        ("github.event_name == 'pull_request'", {"BENCH_BASE_DIR": "base"}),
        ("github.event_name != 'pull_request'", {"BENCH_BASE": "none"}),
    ]


def test_an_mcp_servers_pull_requests_get_their_surface_changes_in_the_summary(crate):
    """After gate 4 (which holds the server to mcp-surface.json), on pull requests only: the
    base's surface file alone (a sparse checkout without credentials), then the surface test
    against it, writing into the job summary (tests/test_mcp_server.py runs the same command)."""
    workflow = yaml.safe_load(workflow_text(crate))
    gates = [step.get("name", "") for step in workflow["jobs"]["gates"]["steps"]]
    surface = [name for name in gates if "surface" in name]
    answers = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
    if answers["crate_kind"] != "mcp-server":
        assert surface == []
        return
    assert surface == ["Check out the base's MCP surface", "MCP surface: the pull request's changes (job summary)"]
    assert gates.index(surface[0]) == gates.index("Gate 4: test") + 1
    checkout, report = (step for step in workflow["jobs"]["gates"]["steps"] if step.get("name") in surface)
    assert checkout["if"] == report["if"] == "github.event_name == 'pull_request'"
    assert checkout["with"] == {
        "ref": "${{ github.event.pull_request.base.sha }}",
        "path": "base",
        "sparse-checkout": "mcp-server/mcp-surface.json",
        "sparse-checkout-cone-mode": False,
        "persist-credentials": False,
    }
    assert report["env"] == {"MCP_SURFACE_BASE": "${{ github.workspace }}/base/mcp-server/mcp-surface.json"}
    assert report["run"].startswith('MCP_SURFACE_REPORT="$GITHUB_STEP_SUMMARY" cargo test ')
    assert report["run"].endswith(" --test mcp_surface")


def test_the_bench_job_counts_instructions_with_one_toolchain_and_the_policys_runner(crate):
    """Valgrind from the runner's packages, gungraun-runner at the crate's gungraun version (read
    from the resolved graph, so a policy bump moves both), base and head on one toolchain."""
    bench = yaml.safe_load(workflow_text(crate))["jobs"]["bench"]
    assert bench["env"]["RUSTUP_TOOLCHAIN"] == "stable"
    assert bench["env"]["BENCH_THRESHOLD"] == "5"
    names = [step.get("name") or step["uses"].split("@")[0] for step in bench["steps"]]
    assert (
        names.index("Install Valgrind")
        < names.index("taiki-e/install-action")
        < names.index("Gate 5: base and head (pull request)")
    )
    install = next(step for step in bench["steps"] if step.get("uses", "").startswith("taiki-e/install-action@"))
    assert install["with"] == {
        "tool": "gungraun-runner@${{ steps.gungraun.outputs.version }}",
        "fallback": "cargo-install",
    }
    version_step = next(step for step in bench["steps"] if step.get("id") == "gungraun")
    assert '.packages[] | select(.name == "gungraun") | .version' in version_step["run"]
    assert "valgrind" in next(step for step in bench["steps"] if step.get("name") == "Install Valgrind")["run"]


def test_the_gate_script_holds_the_seeds_commands(crate):
    script = (crate / "scripts/gates.sh").read_text(encoding="utf-8")
    for command in SEED_GATES:
        assert command in script, command
    assert 'python3 "$script_dir/bench_gate.py"' in script
    gate_5 = (crate / "scripts/bench_gate.py").read_text(encoding="utf-8")
    for command in BENCH_RUNS:
        assert command in gate_5, command
    completed = subprocess.run(
        ["bash", "-n", str(crate / "scripts/gates.sh")], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_the_minimal_versions_job_resolves_on_nightly_and_checks_on_stable(crate):
    job = yaml.safe_load(workflow_text(crate))["jobs"]["minimal-versions"]
    order = [step.get("with", {}).get("toolchain") or step.get("run") for step in job["steps"]]
    resolve = order.index("cargo update -Z direct-minimal-versions")
    check = order.index("cargo check --workspace --all-targets --all-features --locked")
    assert order.index("nightly") < resolve < order.index("stable") < check


def test_deny_toml_covers_the_four_checks(crate):
    import tomllib

    deny = tomllib.loads((crate / "deny.toml").read_text(encoding="utf-8"))
    assert {"advisories", "licenses", "bans", "sources"} <= set(deny)
    assert deny["sources"]["unknown-git"] == "deny"


def test_the_python_job_builds_the_wheel_with_maturin_and_runs_pytest(crate):
    jobs = yaml.safe_load(workflow_text(crate))["jobs"]
    if not answered_python(crate):
        assert "python" not in jobs
        assert "setup-python" not in workflow_text(crate)
        return
    job = jobs["python"]
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert uses[:3] == ["actions/checkout", "actions/setup-python", "PyO3/maturin-action"]
    build = job["steps"][2]["with"]
    assert build["command"] == "build" and "--release" in build["args"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "--no-index --find-links dist wf-lib-python" in runs
    assert runs.rstrip().endswith("python -m pytest")
    assert job["strategy"]["matrix"]["python"] == ["3.10", "3.13"]  # oldest abi3 target (3.9 is EOL), current
    # every gate builds the bindings package (python/, a default member): CPython must be there
    for name in ("gates", "msrv"):
        assert "actions/setup-python" in str(jobs[name]["steps"]), name


def test_the_release_workflow_publishes_with_trusted_publishing_only(python_crate):
    path = python_crate / ".github/workflows/release.yml"
    assert zizmor_findings(path) == []
    text = workflow_text(python_crate, "release.yml")
    workflow = yaml.safe_load(text)
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # PyYAML reads the key `on` as True
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert set(jobs) == {"wheels", "sdist", "publish"}
    for name in ("wheels", "sdist"):
        assert jobs[name]["permissions"] == {"contents": "read"}, name
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["needs"] == ["wheels", "sdist"]
    assert jobs["publish"]["environment"]["name"] == "pypi"
    targets = {(row["os"], row["target"]) for row in jobs["wheels"]["strategy"]["matrix"]["include"]}
    assert targets == {
        ("ubuntu-latest", "x86_64"),
        ("ubuntu-latest", "aarch64"),
        ("macos-latest", "universal2-apple-darwin"),
        ("windows-latest", "x64"),
    }
    assert jobs["sdist"]["steps"][1]["with"]["command"] == "sdist"
    assert jobs["publish"]["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "password" not in text and "secrets." not in text  # no token: OIDC only
    assert_pinned_and_credential_free(text)
    assert sum(step.get("uses", "").startswith("actions/checkout@") for step in steps(workflow)) == 2


def test_the_update_workflow_runs_the_crates_script_with_least_privilege(crate):
    """Weekly and on demand. The job that runs copier and gates 1-4 (the template's and the
    crate's code) reads only, and holds no token but the template's read token; the job with
    write access runs nothing from the crate or the template: it applies the first job's commit
    from an artifact and opens the pull request (a draft on conflicts or a red gate). The
    version input reaches the script through the environment (no template injection)."""
    text = workflow_text(crate, "template-update.yml")
    workflow = yaml.safe_load(text)
    assert_pinned_and_credential_free(text)
    assert workflow["permissions"] == {"contents": "read"}
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert triggers["schedule"] == [{"cron": "23 5 * * 1"}]
    assert triggers["workflow_dispatch"]["inputs"]["version"]["required"] is False
    assert list(workflow["jobs"]) == ["update", "pull-request"]
    update_job, pr_job = workflow["jobs"]["update"], workflow["jobs"]["pull-request"]

    # the update job: read-only, no write token anywhere in it
    assert "permissions" not in update_job and update_job["timeout-minutes"] == 60
    update_text = yaml.safe_dump(update_job)
    assert "github.token" not in update_text and "GH_TOKEN" not in update_text and "GITHUB_TOKEN" not in update_text
    assert re.findall(r"secrets\.\w+", update_text) == ["secrets.TEMPLATE_READ_TOKEN"]
    update = next(step for step in update_job["steps"] if step.get("id") == "update")
    assert update["env"]["VERSION"] == "${{ inputs.version }}"
    assert "${{" not in update["run"]
    assert (
        'python3 scripts/template_update.py ${VERSION:+--to "$VERSION"} '
        '--body "$RUNNER_TEMP/template-update/pr-body.md" --commit-conflicts --api-check' in update["run"]
    )
    # the public-API check the update runs with --api-check: the version the suite tests, installed before
    names = [step.get("uses", step.get("name", "")) for step in update_job["steps"]]
    semver = next(step for step in update_job["steps"] if "cargo-semver-checks" in str(step.get("with", {})))
    assert semver["uses"].startswith("taiki-e/install-action@")
    assert semver["with"]["tool"] == f"cargo-semver-checks@{tools.semver_checks_version()}"
    assert names.index(semver["uses"]) < [step.get("id") for step in update_job["steps"]].index("update")
    install = next(step for step in update_job["steps"] if step.get("name") == "Install copier (pinned)")
    assert "-r .github/template-update-requirements.txt" in install["run"]
    upload = next(step for step in update_job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "template-update"
    setup_python = any(step.get("uses", "").startswith("actions/setup-python@") for step in update_job["steps"])
    assert setup_python == answered_python(crate)

    # the pull-request job: write access, and only git, gh (reads) and pinned actions
    assert pr_job["needs"] == "update"
    assert pr_job["if"] == "needs.update.outputs.result == 'updated' || needs.update.outputs.result == 'conflicts'"
    assert pr_job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert pr_job["environment"] == "template-update"
    runs = [step["run"] for step in pr_job["steps"] if "run" in step]
    commands = {
        line.split()[0]
        for run in runs
        for line in run.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "if ", "else", "fi", "echo "))
    }
    assert commands <= {"committers=$(gh", "people=$(printf", "git", "exit"}, commands
    code = [line for run in runs for line in run.splitlines() if not line.lstrip().startswith(("#", "echo "))]
    assert not any("scripts/" in line or "python" in line or "cargo" in line for line in code), code
    uses = [step["uses"].split("@")[0] for step in pr_job["steps"] if "uses" in step]
    assert uses == ["actions/checkout", "actions/download-artifact", "peter-evans/create-pull-request"]
    pull_request = next(
        step for step in pr_job["steps"] if step.get("uses", "").startswith("peter-evans/create-pull-request@")
    )
    assert pull_request["with"]["body-path"] == "${{ runner.temp }}/template-update/pr-body.md"
    assert pull_request["with"]["draft"] == (
        "${{ needs.update.outputs.gates == 'fail' || needs.update.outputs.result == 'conflicts' }}"
    )
    assert pull_request["with"]["branch"] == "template-update"  # one pull request, updated by each run
    assert pull_request["with"]["token"] == "${{ secrets.TEMPLATE_UPDATE_TOKEN || github.token }}"
    assert pr_job["steps"][-1]["if"] == "needs.update.outputs.status != '0'"
    assert "TEMPLATE_UPDATE_TOKEN" in text.split("name:", 1)[0]  # the header comment explains the token


def test_the_update_requirements_pin_what_the_template_supports(crate):
    """Exact pins of copier, copier-template-extensions and tomlkit, inside the ranges the
    template's own `generate` dependency group declares."""
    import tomllib

    from packaging.requirements import Requirement

    pins = [
        Requirement(line)
        for line in (crate / ".github/template-update-requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    groups = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]
    ranges = {Requirement(spec).name: Requirement(spec).specifier for spec in groups["generate"]}
    assert sorted(pin.name for pin in pins) == sorted(ranges)
    for pin in pins:
        (spec,) = pin.specifier
        assert spec.operator == "==", pin
        assert ranges[pin.name].contains(spec.version), f"{pin} outside {ranges[pin.name]}"


def test_the_renovate_config_covers_three_managers_and_says_what_copier_needs(crate):
    """Content checks here; Renovate's own validator runs in tests/test_renovate.py (slow)."""
    text = (crate / ".github/renovate.json5").read_text(encoding="utf-8")
    assert 'enabledManagers: ["cargo", "github-actions", "copier"],' in text
    assert "ignoreScripts: false," in text
    assert 'rangeStrategy: "update-lockfile"' in text  # the policy owns Cargo.toml's ranges
    assert "pinDigests: true" in text
    comments = " ".join(line.strip("/ ") for line in text.splitlines() if line.lstrip().startswith("//"))
    assert "allowScripts: true" in comments and "self-hosted" in comments and "hosted app never runs" in comments
    assert "copier update --skip-answered --defaults --trust --answers-file .copier-answers.yml" in comments.replace(
        "  ", " "
    )
    # the ci.yml header's promise is backed by this config
    assert "Renovate keeps the pins current" in workflow_text(crate)


def pull_request_job(crate: Path) -> dict:
    return yaml.safe_load(workflow_text(crate, "template-update.yml"))["jobs"]["pull-request"]


BOT = "41898282+github-actions[bot]@users.noreply.github.com"


@pytest.mark.parametrize(
    ("committers", "applies"),
    [
        (["jane@example.org"], False),  # a person whose e-mail no account is linked to (author.login "")
        ([BOT, "jane@example.org"], False),
        ([BOT], True),
        ([BOT, BOT], True),
        (None, True),  # no template-update branch yet
    ],
)
def test_the_pull_request_job_leaves_a_branch_a_person_committed_to_alone(crate, tmp_path, committers, applies):
    """The guard step's own shell, with ``gh`` answering the committers of ``template-update``'s
    commits (or failing, as for a branch that does not exist)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    answer = "exit 1" if committers is None else "printf '%s\\n' " + " ".join(f"'{email}'" for email in committers)
    gh.write_text(f"#!/bin/sh\n{answer}\n", encoding="utf-8")
    gh.chmod(0o755)
    guard = next(step for step in pull_request_job(crate)["steps"] if step.get("id") == "guard")
    assert guard["env"]["GH_TOKEN"] == "${{ github.token }}"
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "team/crate",
        "GITHUB_SHA": "0" * 40,
        "BOT_EMAIL": guard["env"]["BOT_EMAIL"],
    }
    completed = subprocess.run(
        ["bash", "-e", "-c", guard["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert output.read_text(encoding="utf-8") == f"apply={'true' if applies else 'false'}\n"
    if not applies:
        assert summary.read_text(encoding="utf-8") == (
            "template-update has commits by jane@example.org: leaving the branch and its pull request alone\n"
        )


def test_the_pull_request_job_applies_only_a_commit_on_top_of_the_run(crate, tmp_path):
    """The apply step's own shell on a bundle made as the update job makes it: the update commit
    fast-forwards the checked-out branch; a bundle whose commit does not descend from it fails."""
    apply = next(step for step in pull_request_job(crate)["steps"] if step.get("name") == "Apply the update commit")
    bundle_step = next(
        step
        for step in yaml.safe_load(workflow_text(crate, "template-update.yml"))["jobs"]["update"]["steps"]
        if step.get("name") == "Bundle the update commit"
    )
    origin = tmp_path / "origin"
    git(tmp_path, "init", "-q", "-b", "main", str(origin))
    (origin / "README.md").write_text("crate\n", encoding="utf-8")
    commit_all(origin, "the crate")
    base = git(origin, "rev-parse", "HEAD").strip()
    runner = tmp_path / "runner"
    (runner / "template-update").mkdir(parents=True)
    env = {**os.environ, **GIT_IDENTITY, "RUNNER_TEMP": str(runner), "GITHUB_SHA": base}

    def job_shell(run: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-c", run], cwd=cwd, env=env, capture_output=True, text=True, check=False)

    (origin / "README.md").write_text("crate, updated\n", encoding="utf-8")
    commit_all(origin, "chore: update from template")
    assert job_shell(bundle_step["run"], origin).returncode == 0
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--branch", "main", str(origin), str(checkout))
    git(checkout, "reset", "-q", "--hard", base)
    applied = job_shell(apply["run"], checkout)
    assert applied.returncode == 0, applied.stderr
    assert git(checkout, "log", "-1", "--format=%s").strip() == "chore: update from template"
    assert (checkout / "README.md").read_text(encoding="utf-8") == "crate, updated\n"

    # a commit that does not build on the checked-out one: nothing applied
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    git(other, "reset", "-q", "--hard", base)
    git(checkout, "reset", "-q", "--hard", base)
    (checkout / "README.md").write_text("main moved on\n", encoding="utf-8")
    commit_all(checkout, "main moved on")
    refused = job_shell(apply["run"], checkout)
    assert refused.returncode != 0
    assert git(checkout, "log", "-1", "--format=%s").strip() == "main moved on"


def test_a_private_template_is_read_with_its_token_sent_to_its_url_only(crate, tmp_path):
    """.github/template-auth.sh, sourced as the update step does: git then sends the token in an
    authorization header to the template's URL (with or without .git), and to no other."""
    work = tmp_path / "crate"
    work.mkdir()
    (work / ".copier-answers.yml").write_text(
        "_commit: 0.2.0\n_src_path: gh:reasonkit/copier-reasonkit-rust\n", encoding="utf-8"
    )
    script = crate / ".github" / "template-auth.sh"
    probe = (
        f". {script}\n"
        "for url in https://github.com/reasonkit/copier-reasonkit-rust "
        "https://github.com/reasonkit/copier-reasonkit-rust.git https://github.com/reasonkit/other; do\n"
        '  echo "$url=$(git config --get-urlmatch http.extraheader "$url" || true)"\n'
        "done\n"
    )
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "TEMPLATE_READ_TOKEN": "t0ken",
        "HOME": str(tmp_path),
    }
    completed = subprocess.run(["bash", "-c", probe], cwd=work, env=env, capture_output=True, text=True, check=True)
    header = "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:t0ken").decode()
    assert completed.stdout.splitlines() == [
        f"https://github.com/reasonkit/copier-reasonkit-rust={header}",
        f"https://github.com/reasonkit/copier-reasonkit-rust.git={header}",
        "https://github.com/reasonkit/other=",
    ]
    assert "t0ken" not in (work / ".copier-answers.yml").read_text() and not (tmp_path / ".gitconfig").exists()
    require("shellcheck")
    lint = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
