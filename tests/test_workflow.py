"""Fast tests of the generated CI: GitHub's schema, zizmor, least privilege, SHA pins, and one
definition of the five gates shared by CI and the crate's script."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, session_crate

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


#: Crates whose workflows are checked: the two crate shapes, and a lib with Python bindings (which
#: adds the python job to ci.yml and generates release.yml).
WORKFLOW_CRATES = {
    "lib": {"crate_kind": "lib"},
    "cli": {"crate_kind": "cli"},
    "lib-python": {"crate_kind": "lib", "python_bindings": True},
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
    completed = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


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
    # clippy and the tests build the `python` feature (--all-features): CPython must be there
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
    """Weekly and on demand; write access on the one job only; the version input reaches the
    script through the environment (no template injection); a pull request when the update
    merged or conflicted, a draft when a gate failed or a conflict waits for a person (the
    script commits it with its markers); the run fails on conflicts or red gates."""
    text = workflow_text(crate, "template-update.yml")
    workflow = yaml.safe_load(text)
    assert_pinned_and_credential_free(text)
    assert workflow["permissions"] == {"contents": "read"}
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert triggers["schedule"] == [{"cron": "23 5 * * 1"}]
    assert triggers["workflow_dispatch"]["inputs"]["version"]["required"] is False
    ((name, job),) = workflow["jobs"].items()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert job["timeout-minutes"] == 60
    update = next(step for step in job["steps"] if step.get("id") == "update")
    assert update["env"]["VERSION"] == "${{ inputs.version }}"
    assert "${{" not in update["run"]
    assert (
        'python3 scripts/template_update.py ${VERSION:+--to "$VERSION"} --body "$RUNNER_TEMP/pr-body.md" '
        "--commit-conflicts" in update["run"]
    )
    install = next(step for step in job["steps"] if step.get("name") == "Install copier (pinned)")
    assert "-r .github/template-update-requirements.txt" in install["run"]
    pull_request = next(
        step for step in job["steps"] if step.get("uses", "").startswith("peter-evans/create-pull-request@")
    )
    assert pull_request["if"] == (
        "steps.update.outputs.result == 'updated' || steps.update.outputs.result == 'conflicts'"
    )
    assert pull_request["with"]["body-path"] == "${{ runner.temp }}/pr-body.md"
    assert pull_request["with"]["draft"] == (
        "${{ steps.update.outputs.gates == 'fail' || steps.update.outputs.result == 'conflicts' }}"
    )
    assert pull_request["with"]["branch"] == "template-update"  # one pull request, updated by each run
    assert update["env"]["TEMPLATE_READ_TOKEN"] == "${{ secrets.TEMPLATE_READ_TOKEN }}"
    assert pull_request["with"]["token"] == "${{ secrets.TEMPLATE_UPDATE_TOKEN || github.token }}"
    assert job["steps"][-1]["if"] == "steps.update.outputs.status != '0'"
    assert "TEMPLATE_UPDATE_TOKEN" in text.split("name:", 1)[0]  # the header comment explains the token
    setup_python = any(step.get("uses", "").startswith("actions/setup-python@") for step in job["steps"])
    assert setup_python == answered_python(crate)


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


def update_step_script(crate: Path) -> str:
    workflow = yaml.safe_load(workflow_text(crate, "template-update.yml"))
    ((_, job),) = workflow["jobs"].items()
    return next(step for step in job["steps"] if step.get("id") == "update")["run"]


@pytest.mark.parametrize(("author", "runs_update"), [("jane", False), ("github-actions[bot]", True), ("", True)])
def test_the_update_step_leaves_a_branch_a_person_pushed_to_alone(crate, tmp_path, author, runs_update):
    """The step's own shell, with ``gh`` answering who last committed to ``template-update`` and
    a stand-in update script that records that it ran."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!/bin/sh\n[ -n '{author}' ] && echo '{author}' || exit 1\n", encoding="utf-8")
    gh.chmod(0o755)
    work = tmp_path / "crate"
    (work / "scripts").mkdir(parents=True)
    (work / "scripts" / "template_update.py").write_text("open('ran', 'w').close()\n", encoding="utf-8")
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "team/crate",
        "RUNNER_TEMP": str(tmp_path),
        "VERSION": "",
        "TEMPLATE_READ_TOKEN": "",
    }
    completed = subprocess.run(
        ["bash", "-e", "-c", update_step_script(crate)], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert (work / "ran").exists() == runs_update
    assert output.read_text(encoding="utf-8") == "status=0\n"
    if not runs_update:
        assert summary.read_text(encoding="utf-8") == (
            "template-update has commits by jane: leaving the branch and its pull request alone\n"
        )


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
    lint = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
