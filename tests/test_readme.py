"""Fast tests that keep the README true: its two commands, its question table."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ASKED, QUESTIONS, REPO, fresh_clone

README = (REPO / "README.md").read_text(encoding="utf-8")
FIRST_BLOCK = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
COMMANDS = [line for line in FIRST_BLOCK.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_starts_with_two_commands_generate_then_test():
    assert len(COMMANDS) == 2, COMMANDS
    assert "copier copy --trust" in COMMANDS[0]
    assert COMMANDS[1].endswith("-m pytest")


def test_ci_runs_the_readmes_test_command_verbatim():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert COMMANDS[1] in script.splitlines()


def test_ci_runs_the_named_tests_again_under_the_oldest_copier():
    """The README's claim about `.ci/run`'s second pass, against the script: the version comes
    from copier.yml's `_min_copier_version` and the modules are the ones the README names."""
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    section = " ".join(README.split("## Tests", 1)[1].split("\n## ", 1)[0].split())
    named = re.search(r"then (.*?) again under the oldest copier", section)
    assert named, "the README no longer describes the oldest-copier pass"
    modules = re.findall(r"`(tests/test_\w+\.py)`", named.group(1))
    assert len(modules) >= 4
    lines = script.replace("\\\n", " ").splitlines()  # continuation lines joined
    oldest_run = next(line for line in lines if "-m pytest" in line and "oldest" in line)
    assert sorted(modules) == sorted(re.findall(r"tests/test_\w+\.py", oldest_run))
    assert "sed -n 's/^_min_copier_version:" in script and '"copier==$oldest"' in script


def test_the_generate_command_installs_the_generate_dependency_group():
    group = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]["generate"]
    pip_install = shlex.split(COMMANDS[0].split("&&")[1])
    installed = [arg for arg in pip_install if re.match(r"[a-z][a-z0-9-]*[<>=]", arg)]
    assert sorted(installed) == sorted(group)


def test_the_local_checkout_commands_generate_the_newest_release(tmp_path):
    """The README's two lines for a local checkout, run as written in a fresh clone (no tags):
    the first recreates the release tags, so the second renders the newest release."""
    import release

    clone = tmp_path / "checkout"
    fresh_clone(clone)
    block = README.split("From a local checkout instead", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert lines[0].startswith(".copier-venv/bin/python scripts/release.py tag")
    assert lines[1].startswith('.copier-venv/bin/copier copy --trust "$PWD"')
    venv = Path(sys.executable).parent
    for line in lines:
        command = line.replace(".copier-venv/bin/", f"{venv}/").replace(
            "../vector-cache", str(tmp_path / "vector-cache")
        )
        if "copier copy" in command:
            command += " --defaults --quiet"
        completed = subprocess.run(
            ["bash", "-c", command],
            cwd=clone,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ),
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
    manifest = tomllib.loads((tmp_path / "vector-cache" / "Cargo.toml").read_text(encoding="utf-8"))
    assert manifest["package"]["name"] == "vector-cache"
    answers = (tmp_path / "vector-cache" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert f"_src_path: {clone}" in answers  # absolute: `copier update` can find the template
    assert f"_commit: {list(release.load_releases())[-1]}\n" in answers  # the newest release


def test_every_question_is_in_the_readme_table_in_prompt_order():
    table = [
        line.split("`")[1]
        for line in README.split("## Questions", 1)[1].split("\n## ", 1)[0].splitlines()
        if line.startswith("| `")
    ]
    assert table == [name for name in QUESTIONS if name in ASKED]


def test_every_copier_update_example_answers_with_defaults(copie):
    """The READMEs and the after-copy message never show a `copier update` that would ask all the
    questions again (and fail without a terminal)."""
    import yaml

    crate = (copie.copy(extra_answers={"project_name": "readme-update", "stack": []})).project_dir
    message = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))["_message_after_copy"]
    texts = {
        "README.md": README,
        "generated CONTRIBUTING.md": (crate / "CONTRIBUTING.md").read_text(encoding="utf-8"),
        "_message_after_copy": message,
    }
    for name, text in texts.items():
        # `copier update …`, or `{{ copier_command(...) }} update …` in the after-copy message
        examples = re.findall(r"(?:copier|\}\}) update[^`\n]*", text)
        assert examples, name
        for example in examples:
            if "--trust" in example:  # a command, not prose about the tool
                assert "--defaults" in example, f"{name}: {example}"


def test_the_rollout_section_matches_the_update_workflow(copie):
    import yaml

    crate = (copie.copy(extra_answers={"project_name": "readme-rollout", "stack": []})).project_dir
    workflow = yaml.safe_load((crate / ".github/workflows/template-update.yml").read_text(encoding="utf-8"))
    assert workflow[True]["schedule"] == [{"cron": "23 5 * * 1"}]
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = contributing.split("## Rolling out a policy change", 1)[1].split("\n## ", 1)[0]
    assert "weekly, Monday 05:23 UTC" in section
    assert "copier update --trust --defaults --skip-answered --conflict inline --vcs-ref" in " ".join(section.split())
    script = (crate / "scripts/template_update.py").read_text(encoding="utf-8")
    assert '"update", "--trust", "--defaults", "--skip-answered", "--conflict", "inline",' in script
    assert "exits 3" in section and "return 3" in script


def _floor(requires_python: str) -> tuple[int, int]:
    """``">=3.11"`` -> ``(3, 11)``."""
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)(\.\d+)?", requires_python.strip())
    assert match, requires_python
    return int(match[1]), int(match[2])


def test_the_stated_python_floor_is_what_the_generate_tools_require():
    """The README's generate command and the crates' update requirements name the Python the
    installed tools need (their own `Requires-Python`): a floor below it fails at `pip install`."""
    from importlib.metadata import metadata

    group = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]["generate"]
    names = [re.match(r"[A-Za-z0-9_.-]+", requirement)[0] for requirement in group]
    floor = max(_floor(metadata(name)["Requires-Python"]) for name in names)
    stated = re.search(r"# Generate a crate \(Python >= (\d+)\.(\d+)", FIRST_BLOCK)
    assert stated and (int(stated[1]), int(stated[2])) == floor
    requirements = (REPO / "template" / ".github" / "template-update-requirements.txt").read_text(encoding="utf-8")
    pinned = re.search(r"Needs Python >= (\d+)\.(\d+)", requirements)
    assert pinned and (int(pinned[1]), int(pinned[2])) == floor


def test_the_test_commands_prerequisites_name_every_tool_the_suite_runs():
    """Each external program a test runs (found in the tests' own command lists and `which`
    look-ups) is named in the README's comment above the test command: a fresh machine missing
    one fails those tests. Valgrind runs under gate 5 (`scripts/gates.sh bench`)."""
    prerequisites = next(
        line for line in FIRST_BLOCK.splitlines() if line.startswith("# Run the template's test suite")
    )
    sources = "".join(path.read_text(encoding="utf-8") for path in (REPO / "tests").glob("*.py"))
    tools = set(re.findall(r'(?:which\(|\[)\s*"(shellcheck|npm|cargo|rustfmt|git|clippy)"', sources))
    tools |= {"clippy"} if '"clippy"' in sources else set()
    assert {"shellcheck", "npm", "cargo", "rustfmt", "git", "clippy"} <= tools
    for tool in tools | {"valgrind"}:
        assert tool in prerequisites.lower(), tool


def test_the_tests_section_names_each_program_and_a_missing_one_fails_in_one_line(monkeypatch, tmp_path):
    """The README's Tests section names every program a test may require (conftest.PROGRAMS),
    and a test that requires one missing from PATH fails with one line naming it and its install."""
    import conftest

    section = README.split("\n## Tests\n", 1)[1].split("\n## ", 1)[0]
    words = " ".join(section.split()).lower()
    for program in conftest.PROGRAMS:
        assert program in words or {"node": "node.js"}.get(program, program) in words, program
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no program at all
    with pytest.raises(pytest.fail.Exception) as failed:
        conftest.require("shellcheck")
    assert str(failed.value) == "shellcheck is not on PATH: apt-get install shellcheck"
    assert not failed.value.pytrace


MAINTAINER_DOCS = ["CONTRIBUTING.md", "docs/architecture.md"]


@pytest.mark.parametrize("document", MAINTAINER_DOCS)
def test_every_path_the_maintainer_docs_name_exists(document):
    """Each repository path in backticks (``hooks/context.py``, ``template/src/``,
    ``tests/test_render.py::test_x``) is in this repository, a path of a generated crate
    (``python/src/lib.rs``, ``template/tests/integration/``) is in a sample of ``examples/``, and
    a file the tools write (``.rehearsal/last.json``) is one git ignores. Commands in backticks are
    the next test's."""
    text = (REPO / document).read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`\s]*/[^`\s]*|[^`]*\{%[^`]*/[^`]*)`", text))
    paths = {
        name.split("::", 1)[0] for name in named if "<" not in name and not name.startswith(("/", "http", "refs/"))
    }
    assert len(paths) >= 10, paths
    samples = [path.parent for path in (REPO / "examples").glob("**/.copier-answers.yml")]

    def found(path: str) -> bool:
        crate_path = path.removeprefix("template/")
        places = [REPO / path, REPO / f"{path}.jinja", *(sample / crate_path for sample in samples)]
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False).returncode == 0
        return ignored or any(place.exists() for place in places)

    assert [path for path in sorted(paths) if not found(path)] == []


@pytest.mark.parametrize("document", MAINTAINER_DOCS)
def test_every_script_command_the_maintainer_docs_give_exists(document):
    """``scripts/<name>.py <subcommand>`` in the docs: the script has that subcommand."""
    text = " ".join((REPO / document).read_text(encoding="utf-8").split())
    for script, subcommand in set(re.findall(r"scripts/(\w+)\.py (\w+)", text)):
        if not (REPO / "scripts" / f"{script}.py").exists():
            continue  # a crate's script (template_update.py), named with its arguments
        helped = subprocess.run(
            [sys.executable, str(REPO / "scripts" / f"{script}.py"), "--help"], capture_output=True, text=True
        )
        subcommands = re.search(r"\{([\w,]+)\}", helped.stdout)
        assert subcommands and subcommand in subcommands.group(1).split(","), (script, subcommand)
