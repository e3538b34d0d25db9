"""The update automation of every crate (``scripts/template_update.py``, run by
``.github/workflows/template-update.yml``) and Renovate's copier command, for real against a
tagged clone of this template: crates generated at the previous release update to the upcoming
one; up to date is a no-op; a conflict is named and never committed; bad versions are one line.
Gates 1-4 are left to the slow rollout test (``--no-gates`` here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import tomlkit
import tools
from conftest import (
    GIT_IDENTITY,
    REPO,
    assert_no_conflicts,
    commit_all,
    copy_work_tree,
    fresh_clone,
    git,
    release,
    released_template,
    require,
    upcoming_release,
)

COPIER = str(Path(sys.executable).with_name("copier"))
PREVIOUS = list(release.load_releases())[-1]
UPCOMING = upcoming_release()
SCRIPT = Path("template") / "scripts" / "template_update.py"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """This template with its releases tagged and the work tree tagged as the upcoming release."""
    return released_template(tmp_path_factory.mktemp("released") / "template")


def generate_at(template: Path, dest: Path, version: str, data: dict) -> Path:
    """Generate a crate from ``template`` at ``version``, git-initialise and commit it."""
    copier.run_copy(str(template), dest, data=data, defaults=True, unsafe=True, vcs_ref=version, quiet=True)
    git(dest.parent, "init", "-q", "-b", "main", str(dest))
    commit_all(dest, f"generated at {version}")
    return dest


def run_script(
    script: Path, crate: Path, *args: str, tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Run the update script on ``crate`` as the workflow does (in ``env``, default this
    process's); return the process and its ``$GITHUB_OUTPUT`` entries."""
    output = tmp_path / f"github-output-{len(list(tmp_path.glob('github-output-*')))}"
    env = {
        **(env or os.environ),
        **GIT_IDENTITY,
        "COPIER": COPIER,
        "CRATE_DIR": str(crate),
        "GITHUB_OUTPUT": str(output),
    }
    completed = subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )
    entries = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return completed, entries


def answers_commit(crate: Path) -> str:
    """The answers file's ``_commit`` as a string (YAML quotes a short hash made of digits only)."""
    import yaml

    return str(yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"])


def test_renovates_copier_command_updates_a_crate_from_the_previous_release(template, tmp_path):
    """The command Renovate's copier manager runs, verbatim, in the answers file's folder."""
    crate = generate_at(template, tmp_path / "renovated", PREVIOUS, {"project_name": "renovated"})
    completed = subprocess.run(
        [
            COPIER,
            "update",
            "--skip-answered",
            "--defaults",
            "--trust",
            "--answers-file",
            ".copier-answers.yml",
            "--vcs-ref",
            UPCOMING,
        ],
        cwd=crate,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **GIT_IDENTITY},
    )
    assert completed.returncode == 0, completed.stderr
    assert answers_commit(crate) == UPCOMING
    assert_no_conflicts(crate)
    assert (crate / ".github" / "workflows" / "template-update.yml").is_file()
    assert "No git tags found" not in completed.stderr


def test_the_script_updates_commits_and_writes_the_pull_request_body(template, tmp_path):
    crate = generate_at(template, tmp_path / "updated", PREVIOUS, {"project_name": "updated", "stack": ["moka"]})
    with (crate / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\n## Team notes\n\nOur on-call rota lives in the wiki.\n")
    commit_all(crate, "team edits")
    body = tmp_path / "pr-body.md"
    # a crate made before the script existed runs the new template's script once
    completed, outputs = run_script(template / SCRIPT, crate, "--no-gates", "--body", str(body), tmp_path=tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert outputs == {"result": "updated", "from": PREVIOUS, "to": UPCOMING, "gates": "skipped", "api": "unchecked"}
    assert git(crate, "log", "-1", "--format=%s").strip() == f"chore: update from template {PREVIOUS} to {UPCOMING}"
    assert git(crate, "status", "--porcelain") == ""
    assert answers_commit(crate) == UPCOMING
    assert_no_conflicts(crate)
    assert "Our on-call rota lives in the wiki." in (crate / "README.md").read_text(encoding="utf-8")
    text = body.read_text(encoding="utf-8")
    assert text.startswith(f"Updates this crate from template version **{PREVIOUS}** to **{UPCOMING}**")
    assert f"\n### {UPCOMING} - " in text
    assert f"\n### {PREVIOUS} - " not in text  # only the releases after the crate's old version
    assert "## Gates" not in text  # --no-gates

    # up to date: nothing to do, nothing written, exit 0 (the crate's own copy of the script now)
    head = git(crate, "rev-parse", "HEAD")
    body.unlink()
    completed, outputs = run_script(
        crate / "scripts" / "template_update.py", crate, "--body", str(body), tmp_path=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"template-update: already on template version {UPCOMING}; nothing to do"
    assert outputs["result"] == "up-to-date"
    assert git(crate, "rev-parse", "HEAD") == head and not body.exists()
    assert git(crate, "status", "--porcelain") == ""


def test_the_body_quotes_each_release_once_under_one_heading():
    """From the first release to the upcoming one: one ``##`` heading for the changes, then one
    ``###`` per release, newest first, each with only its part written for crate maintainers."""
    module = release.crate_update
    versions = list(release.load_releases())
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    report = module.Report("updated", versions[0], UPCOMING, "https://example.org/template")
    report.changelog = module.sections_between(module.changelog_sections(changelog), versions[0], UPCOMING)
    text = module.render_body(report)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    newer = [UPCOMING, *reversed(versions[1:])]
    assert [heading.split(" - ")[0] for heading in headings] == [
        "## What changes in your crate",
        *[f"### {version}" for version in newer],
    ]
    assert "### Template" not in text and "#### " not in text
    # every bullet a crate maintainer was promised is there: the first line of each
    for version, section in module.changelog_sections(changelog):
        if version in newer:
            part = section.split("### What changes in your crate", 1)[1].split("\n### ", 1)[0]
            for bullet in (line for line in part.splitlines() if line.startswith("- ")):
                assert bullet in text, (version, bullet)


@pytest.mark.slow
def test_an_update_that_breaks_the_library_api_says_so_in_its_first_line(template, tmp_path, monkeypatch):
    """0.2.0 -> 0.3.0 took ``Error::Json``, ``Error::InvalidArgument`` and the ``telemetry`` module
    out of every crate's library: with ``--api-check`` (the workflow's), cargo-semver-checks at the
    version the crates' workflow installs finds them, and the body's first line names them and the
    release the crate needs. A public function the team adds afterwards is no breaking change."""
    crate = generate_at(template, tmp_path / "api-break", "0.2.0", {"project_name": "api-break", "stack": []})
    assert "pub mod telemetry;" in (crate / "src" / "lib.rs").read_text(encoding="utf-8")
    assert "InvalidArgument(String)" in (crate / "src" / "error.rs").read_text(encoding="utf-8")
    assert tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))["package"]["version"] == "0.1.0"
    # the crate's own target dir: the shared one belongs to the worker that runs the builds
    monkeypatch.delenv("CARGO_TARGET_DIR", raising=False)
    monkeypatch.setenv("PATH", f"{tools.cargo_semver_checks()}{os.pathsep}{os.environ['PATH']}")
    body = tmp_path / "pr-body.md"

    completed, outputs = run_script(
        template / SCRIPT, crate, "--to", "0.3.0", "--no-gates", "--api-check", "--body", str(body), tmp_path=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    assert outputs["result"] == "updated" and outputs["api"] == "breaking"
    assert git(crate, "status", "--porcelain") == ""
    first, rest = body.read_text(encoding="utf-8").split("\n", 1)
    assert first.startswith("**Breaking change of this crate's public API:** ")
    assert "`Error::Json`" in first and "`Error::InvalidArgument`" in first
    assert "Release the crate next as **0.2.0**, not a compatible bump of 0.1.0" in first
    assert "- `module_missing` (pub module removed or renamed): mod `api_break::telemetry`" in rest
    assert "function `api_break::telemetry::init`" in rest
    assert rest.count("## Public API of the library") == 1

    (crate / "src" / "added.rs").write_text(
        "//! The team's own addition.\n\n/// Doubles `x`.\n#[must_use]\npub fn double(x: u32) -> u32 {\n    x * 2\n}\n",
        encoding="utf-8",
    )
    with (crate / "src" / "lib.rs").open("a", encoding="utf-8") as lib:
        lib.write("pub mod added;\n")
    commit_all(crate, "team: a public function")
    api = release.crate_update.check_api(crate, "HEAD~1")
    assert api.state == "compatible", api
    assert api.note == f"cargo-semver-checks {tools.semver_checks_version()}"


def test_without_cargo_semver_checks_the_api_is_unchecked_and_said_so(tmp_path, monkeypatch):
    """No tool: no banner, and the body's API section says what to install (the check never fails
    an update)."""
    require("cargo")
    module = release.crate_update
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cargo").symlink_to(shutil.which("cargo") or "cargo")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("CARGO_HOME", str(tmp_path / "empty-cargo-home"))  # where cargo also looks for subcommands
    api = module.check_api(tmp_path, "HEAD")
    assert api.state == "unchecked"
    text = module.render_body(module.Report("updated", PREVIOUS, UPCOMING, "template", api=api))
    assert text.startswith(f"Updates this crate from template version **{PREVIOUS}**")
    install = "`cargo install cargo-semver-checks --locked`"
    assert f"## Public API of the library\n\nNot checked: cargo-semver-checks is not installed ({install}).\n" in text


def test_cargo_semver_checks_report_is_read_item_by_item():
    """Its real report of a 0.2.0 -> 0.3.0 update (tests/data): each failed lint with its items,
    each item once (the report lists an enum's variants twice, once per path to the enum) and
    without the file it was in."""
    report = (REPO / "tests" / "data" / "semver-checks-0.2.0-to-0.3.0.txt").read_text(encoding="utf-8")
    lints = release.crate_update.semver_lints(report)
    assert [lint for lint, _, _ in lints] == [
        "enum_variant_missing",
        "function_missing",
        "method_requires_different_generic_type_params",
        "module_missing",
    ]
    variants = lints[0][2]
    assert len(variants) == 10 and variants[0] == "variant Error::Io" and "variant Error::InvalidArgument" in variants
    assert lints[1][2] == ["function api_demo::telemetry::init"]
    assert lints[2][2] == ["api_demo::cache::DocumentCache::get_or_load takes 2 generic types instead of 1"]
    assert lints[3] == ("module_missing", "pub module removed or renamed", ["mod api_demo::telemetry"])


@pytest.mark.parametrize(
    ("version", "breaking"), [("1.4.2", "2.0.0"), ("0.1.0", "0.2.0"), ("0.3.7", "0.4.0"), ("0.0.3", "0.0.4")]
)
def test_a_breaking_change_needs_the_next_major_or_below_1_0_the_next_minor(version, breaking):
    """Cargo's semver rules (the Cargo book, "SemVer Compatibility")."""
    assert release.crate_update.next_breaking(version) == breaking


@pytest.mark.parametrize(
    ("args", "dirty", "message"),
    [
        (["--to", "9.9.9"], False, "template-update: --to 9.9.9: no such release of the template (releases: "),
        (["--to", "latest"], False, "template-update: --to latest: no such release of the template"),
        (["--to", PREVIOUS], False, f"template-update: --to {PREVIOUS}: older than this crate's template version"),
        ([], True, "template-update: the work tree has uncommitted changes: commit or stash them first"),
    ],
)
def test_bad_requests_are_one_line_and_change_nothing(template, tmp_path, args, dirty, message):
    crate = generate_at(template, tmp_path / "crate", UPCOMING, {"project_name": "bad-input", "stack": []})
    if dirty:
        (crate / "notes.txt").write_text("work in progress\n")
    head = git(crate, "rev-parse", "HEAD")
    completed, _ = run_script(crate / "scripts" / "template_update.py", crate, *args, tmp_path=tmp_path)
    assert completed.returncode == 2
    assert len(completed.stderr.splitlines()) == 1 and completed.stderr.startswith(message), completed.stderr
    assert git(crate, "rev-parse", "HEAD") == head
    assert git(crate, "status", "--porcelain") == ("?? notes.txt\n" if dirty else "")


def next_patch(version: str) -> str:
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"


def release_a_tokio_bump(template: Path) -> str:
    """In ``template``, bump tokio in the policy (a one-line change) and tag the next patch
    release; return its version."""
    path = template / "policy" / "dependencies.toml"
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    document["tokio"]["version"] = "1.99"
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    commit_all(template, "policy: tokio 1.99")
    version = next_patch(UPCOMING)
    git(template, "tag", version)
    return version


def conflicting_crate(tmp_path: Path) -> tuple[Path, str]:
    """A crate at the upcoming release whose team moved the policy's own version of tokio, and a
    newer release that moves it too: a real conflict, not one of adjacent lines
    (hooks/carry_edits.py merges those by key). Return the crate and the newer version."""
    template = released_template(tmp_path / "template")
    crate = generate_at(template, tmp_path / "crate", UPCOMING, {"project_name": "conflicted", "stack": []})
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    manifest["workspace"]["dependencies"]["tokio"]["version"] = "1.50"
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    commit_all(crate, "tokio 1.50, in the policy's table")
    return crate, release_a_tokio_bump(template)


def test_a_conflict_is_named_and_never_committed(tmp_path):
    crate, newer = conflicting_crate(tmp_path)
    head = git(crate, "rev-parse", "HEAD")
    body = tmp_path / "pr-body.md"

    completed, outputs = run_script(
        crate / "scripts" / "template_update.py", crate, "--body", str(body), tmp_path=tmp_path
    )
    assert completed.returncode == 3, completed.stderr
    assert "template-update: conflict in Cargo.toml\n" in completed.stderr
    assert "1 conflicted file(s), nothing committed" in completed.stderr
    assert outputs == {"result": "conflicts", "from": UPCOMING, "to": newer, "gates": "skipped", "api": "unchecked"}
    assert git(crate, "rev-parse", "HEAD") == head  # nothing committed
    assert "Cargo.toml" in git(crate, "ls-files", "--unmerged")
    assert "<<<<<<< before updating" in (crate / "Cargo.toml").read_text(encoding="utf-8")
    text = body.read_text(encoding="utf-8")
    assert "## Conflicts" in text and "- `Cargo.toml`" in text


def test_the_recommended_place_for_a_feature_merges_with_a_policy_bump(tmp_path):
    """The Cargo.toml comment's advice, proven: a feature on the [dependencies] line survives a
    bump of the same crate's version in the policy."""
    template = released_template(tmp_path / "template")
    crate = generate_at(template, tmp_path / "crate", UPCOMING, {"project_name": "merged", "stack": []})
    text = (crate / "Cargo.toml").read_text(encoding="utf-8")
    manifest = tomlkit.parse(text)
    manifest["dependencies"]["tokio"]["features"] = ["net"]
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    commit_all(crate, "tokio net, the recommended way")
    newer = release_a_tokio_bump(template)

    completed, _ = run_script(crate / "scripts" / "template_update.py", crate, "--no-gates", tmp_path=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert_no_conflicts(crate)
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert manifest["workspace"]["dependencies"]["tokio"]["version"] == "1.99"
    assert manifest["dependencies"]["tokio"]["features"] == ["net"]
    assert answers_commit(crate) == newer


def test_a_crate_generated_from_a_local_checkout_updates_later(tmp_path):
    """The README's local-checkout commands: the copier venv inside the checkout is ignored, so
    the checkout stays clean and the crate records the release tag, not a temporary commit."""
    template = released_template(tmp_path / "template")
    venv_bin = template / ".copier-venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "copier").write_text("#!/bin/sh\n")
    assert git(template, "status", "--porcelain") == ""
    crate = tmp_path / "local-crate"
    completed = subprocess.run(
        [COPIER, "copy", "--trust", "--defaults", "--data", "stack=[]", str(template), str(crate)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **GIT_IDENTITY},
    )
    assert completed.returncode == 0, completed.stderr
    assert "DirtyLocalWarning" not in completed.stderr and "No git tags found" not in completed.stderr
    assert answers_commit(crate) == UPCOMING
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated")
    newer = release_a_tokio_bump(template)
    completed, outputs = run_script(crate / "scripts" / "template_update.py", crate, "--no-gates", tmp_path=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert outputs["result"] == "updated" and answers_commit(crate) == newer


def test_the_readme_keeps_the_copier_venv_out_of_the_checkout():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert '.copier-venv/bin/copier copy --trust "$PWD"' in readme
    ignored = subprocess.run(["git", "check-ignore", "-q", ".copier-venv/bin/copier"], cwd=REPO, check=False)
    assert ignored.returncode == 0, ".copier-venv/ is not ignored: a local checkout would be dirty"


def test_a_crate_from_a_clone_without_tags_updates_to_the_next_release(tmp_path):
    """The README's local flow from a fresh clone: no tags, so copier renders HEAD and records a
    bare commit (the catalog says "unreleased"). Once the releases are tagged and a newer one is
    out, the crate's own script updates it from the release its commit descends from, and no file
    nobody edited conflicts (the catalog's template-version line above all)."""
    import yaml

    clone = tmp_path / "template"
    fresh_clone(clone)
    git(clone, "rm", "-rq", "--ignore-unmatch", ".")
    copy_work_tree(clone)
    commit_all(clone, "main between releases")
    crate = tmp_path / "crate"
    copier.run_copy(
        str(clone), crate, data={"project_name": "untagged", "stack": []}, defaults=True, unsafe=True, quiet=True
    )
    recorded = answers_commit(crate)
    assert git(clone, "rev-parse", "HEAD").startswith(recorded)  # a bare commit, not a version
    catalog = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert catalog["metadata"]["annotations"]["backstage.io/template-version"] == "unreleased"
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated from a clone without tags")

    release.tag_releases(clone, release.load_releases())  # what the README says to run first
    with (clone / "docs" / "benchmarks.md").open("a", encoding="utf-8") as docs:
        docs.write("\nThe next release.\n")
    commit_all(clone, "the next release")
    git(clone, "tag", UPCOMING)

    completed, outputs = run_script(crate / SCRIPT.relative_to("template"), crate, "--no-gates", tmp_path=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert outputs == {"result": "updated", "from": PREVIOUS, "to": UPCOMING, "gates": "skipped", "api": "unchecked"}
    assert_no_conflicts(crate)
    assert git(crate, "log", "-1", "--format=%s").strip() == (
        f"chore: update from template {recorded} (after {PREVIOUS}) to {UPCOMING}"
    )
    catalog = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert catalog["metadata"]["annotations"]["backstage.io/template-version"] == UPCOMING


def test_a_conflict_committed_for_a_draft_pull_request(tmp_path):
    """What the update workflow runs (``--commit-conflicts``): the conflicted update is one commit
    holding the markers, the tree is clean, and the body names the files and how to finish."""
    crate, newer = conflicting_crate(tmp_path)
    head = git(crate, "rev-parse", "HEAD").strip()
    body = tmp_path / "pr-body.md"

    completed, outputs = run_script(
        crate / "scripts" / "template_update.py", crate, "--body", str(body), "--commit-conflicts", tmp_path=tmp_path
    )
    assert completed.returncode == 3, completed.stderr
    assert "1 conflicted file(s), committed with their markers" in completed.stderr
    assert outputs == {"result": "conflicts", "from": UPCOMING, "to": newer, "gates": "skipped", "api": "unchecked"}
    assert git(crate, "rev-parse", "HEAD~1").strip() == head
    assert git(crate, "log", "-1", "--format=%s").strip() == (
        f"chore: update from template {UPCOMING} to {newer}: conflicts to resolve"
    )
    assert git(crate, "status", "--porcelain") == ""
    committed = git(crate, "show", "HEAD:Cargo.toml")
    assert "<<<<<<< before updating" in committed and ">>>>>>> after updating" in committed
    text = body.read_text(encoding="utf-8")
    assert "## Conflicts: this pull request needs a person" in text and "- `Cargo.toml`" in text
    assert "git switch template-update" in text and "mark this pull request ready for review" in text


def test_a_library_with_python_bindings_is_checked_as_a_library(tmp_path, monkeypatch):
    """A library generated before 0.4.0 with Python bindings is ``["cdylib", "rlib"]``: its rlib
    is the API the check compares, so the check gets past the library test to the tool (absent
    here: a fake that fails without a summary, which the check reports as its own failure, not as
    "no library target")."""
    require("cargo")
    crate = tmp_path / "crate"
    (crate / "src").mkdir(parents=True)
    (crate / "src" / "lib.rs").write_text("//! A library.\n", encoding="utf-8")
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "old-py"\nversion = "0.1.0"\nedition = "2024"\n\n[lib]\ncrate-type = ["cdylib", "rlib"]\n',
        encoding="utf-8",
    )
    module = release.crate_update
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "cargo-semver-checks"
    fake.write_text('#!/bin/sh\n[ "$2" = --version ] && echo "cargo-semver-checks 0.0.0" && exit 0\nexit 9\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    api = module.check_api(crate, "HEAD")
    assert (api.state, api.note) == ("unchecked", "cargo-semver-checks 0.0.0 exited 9: no output")
