"""The root catalog-info.yaml's two Backstage Templates (scripts/backstage_templates.py), against
copier itself: the form asks what copier asks, offers copier's choices and defaults, its name
patterns accept and reject what copier's validators do, and every answer reaches copier:copy.

The oracle is copier's own questionnaire: an interactive ``copier copy`` of this work tree (a
tagged throwaway clone) whose prompt is replaced by a recorder, so each question copier would
show, with its choices, default and validation function, is captured as copier built it. Fast:
no npm (Backstage's validators run in tests/test_catalog.py); node, when installed, checks the
patterns under ECMAScript's rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, commit_all, copy_work_tree, git, require

sys.path.insert(0, str(REPO / "scripts"))
import backstage_templates  # noqa: E402

DOCUMENTS = list(yaml.safe_load_all((REPO / "catalog-info.yaml").read_text(encoding="utf-8")))
COPY, UPDATE = DOCUMENTS
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


class Asked:
    """One question as copier's prompt received it."""

    def __init__(self, structure: dict[str, Any], default: Any) -> None:
        self.type: str = structure["type"]
        self.choices = [(str(choice.title), choice.value) for choice in structure.get("choices", [])]
        self.default = default
        self._validate = structure.get("validate")

    def accepts(self, text: str) -> bool:
        """Whether copier's prompt takes ``text`` (its parser and the question's validator)."""
        return self._validate is None or self._validate(text) is True


def ask_copier(tmp: Path, python_bindings: bool) -> dict[str, Asked]:
    """Run an interactive ``copier copy`` of this work tree with a recording prompt; return the
    questions copier showed, in order. The recorder answers with each default (a valid package
    name for project_name, ``python_bindings`` as given)."""
    import copier._main

    template = tmp / "template"
    copy_work_tree(template)
    git(template.parent, "init", "-q", "-b", "main", str(template))
    commit_all(template, "template 1.0.0")
    git(template, "tag", "1.0.0")
    asked: dict[str, Asked] = {}
    chosen = {"project_name": "oracle-crate", "python_bindings": python_bindings}

    def prompt(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
        (structure,) = questions
        name = structure["name"]
        if not structure["when"](answers):
            return dict(answers)
        asked[name] = Asked(structure, answers[name])
        return {name: chosen.get(name, answers[name])}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(copier._main, "unsafe_prompt", prompt)
        copier.run_copy(str(template), tmp / "crate", unsafe=True, quiet=True, defaults=False)
    return asked


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> dict[str, Asked]:
    """copier's questions with python_bindings answered yes (so python_package is asked)."""
    return ask_copier(tmp_path_factory.mktemp("oracle"), python_bindings=True)


def form_properties(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every parameter of a Template's form pages, conditional ones (``dependencies``) included."""
    found: dict[str, dict[str, Any]] = {}
    for page in template["spec"]["parameters"]:
        found.update(page["properties"])
        for dependency in page.get("dependencies", {}).values():
            for branch in dependency["oneOf"]:
                found.update({k: v for k, v in branch["properties"].items() if k not in page["properties"]})
    return found


def step(template: dict[str, Any], action: str) -> dict[str, Any]:
    (found,) = [each for each in template["spec"]["steps"] if each["action"] == action]
    return found


# --- render / check --------------------------------------------------------------------------------


def test_the_committed_file_is_what_render_writes(capsys):
    assert backstage_templates.main(["check"]) == 0, capsys.readouterr().err


def test_check_names_the_difference_when_copier_yml_changes(tmp_path, capsys):
    shutil.copy2(REPO / "catalog-info.yaml", tmp_path / "catalog-info.yaml")
    text = (REPO / "copier.yml").read_text(encoding="utf-8")
    old = "help: What the crate builds\n"
    assert text.count(old) == 1
    (tmp_path / "copier.yml").write_text(text.replace(old, "help: What kind of crate to build\n"), encoding="utf-8")
    assert backstage_templates.main(["check", "--template", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "is stale" in err
    assert "-        description: What the crate builds\n" in err
    assert "+        description: What kind of crate to build\n" in err
    assert backstage_templates.main(["render", "--template", str(tmp_path)]) == 0
    assert backstage_templates.main(["check", "--template", str(tmp_path)]) == 0


def test_the_file_is_two_templates_and_the_crates_reference_the_first():
    kinds = [(doc["apiVersion"], doc["kind"]) for doc in DOCUMENTS]
    assert kinds == [("scaffolder.backstage.io/v1beta3", "Template")] * 2
    catalog = (REPO / "template" / "catalog-info.yaml.jinja").read_text(encoding="utf-8")
    assert f"backstage.io/source-template: template:default/{COPY['metadata']['name']}\n" in catalog
    assert COPY["metadata"]["name"] == "copier-reasonkit-rust"
    picker = form_properties(UPDATE)["component"]
    (entity_filter,) = picker["ui:options"]["catalogFilter"]
    source = entity_filter["metadata.annotations.backstage.io/source-template"]
    assert source == "template:default/copier-reasonkit-rust"


# --- the copy Template's form, against copier --------------------------------------------------------


def test_the_form_asks_every_question_copier_asks(oracle):
    form = form_properties(COPY)
    # repository_url is not typed in: it derives from the repository picker
    assert "repository_url" in oracle and "repository_url" not in form
    assert set(form) - {"repoUrl", "version"} == set(oracle) - {"repository_url"}
    assert form["repoUrl"]["ui:field"] == "RepoUrlPicker"


def test_python_package_is_asked_only_with_python_bindings(tmp_path, oracle):
    without = ask_copier(tmp_path, python_bindings=False)
    assert set(oracle) - set(without) == {"python_package"}
    (page,) = [page for page in COPY["spec"]["parameters"] if "python_bindings" in page["properties"]]
    assert "python_package" not in page["properties"]
    branches = page["dependencies"]["python_bindings"]["oneOf"]
    asks = {
        branch["properties"]["python_bindings"]["const"]: "python_package" in branch["properties"]
        for branch in branches
    }
    assert asks == {True: True, False: False}


def test_the_form_offers_copiers_choices_types_and_defaults(oracle):
    form = form_properties(COPY)
    for name, asked in oracle.items():
        if name not in form:
            continue
        field = form[name]
        kind = {"confirm": "boolean", "checkbox": "array", "select": "string", "input": "string"}[asked.type]
        assert field["type"] == kind, name
        options = field["items"] if kind == "array" else field
        if asked.choices:
            assert list(zip(options["enumNames"], options["enum"], strict=True)) == asked.choices, name
        else:
            assert "enum" not in options, name
        if "default" in field:
            assert field["default"] == asked.default, name
    assert form["stack"]["uniqueItems"] and form["stack"]["ui:widget"] == "checkboxes"


SAMPLES = {
    "project_name": [
        "vector-cache", "a", "a1", "my_crate", "ab-", "a--b", "x" * 64, "x" * 65, "", "1abc", "-a", "a b",
        "MyCrate", "vector.cache", "é", "crate", "self", "Self", "gen", "async", "std", "core", "proc-macro",
        "proc_macro", "test", "con", "com1", "std-x", "crates", "selfie", "tests",
    ],
    "python_package": [
        "vector_cache", "VectorCache", "v2", "a", "_x", "1x", "x-y", "x.y", "", "é", "class", "None", "none",
        "async", "match", "type", "Self", "self", "crate", "classy", "matches",
    ],
    "catalog_owner": [
        "group:default/rust-platform", "group:rust-platform", "user:jane", "rust-platform", "GROUP:default/x",
        "User:x", "group:default/a--b", "group:default/a.b_c", "group:default/" + "x" * 63,
        "group:default/" + "x" * 64, "component:default/x", "group:Bad_NS/x", "group:default/-x", "group:default/x-",
        "", " ", "team x", "group:", "group:default/", "a:b:c", "group:a/b/c", ":x", "/x", ":/x", "group:/x",
    ],
}  # fmt: skip

#: Names copier refuses by a rule the form's pattern leaves out: a standard-library module depends
#: on the Python copier runs under (python_package_error); copier refuses them when generating.
COPIER_ONLY = {"python_package": ["json", "JSON", "os", "typing"]}


def test_every_name_pattern_is_checked_here(oracle):
    patterned = {name for name, field in form_properties(COPY).items() if "pattern" in field and name in oracle}
    assert patterned == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_name_pattern_accepts_and_rejects_what_copier_does(name, oracle):
    pattern = form_properties(COPY)[name]["pattern"]
    asked = oracle[name]
    verdicts = {value: (re.search(pattern, value) is not None, asked.accepts(value)) for value in SAMPLES[name]}
    assert {value for value, (form, copier) in verdicts.items() if form != copier} == set()
    assert {True, False} <= {copier for _, copier in verdicts.values()}  # the samples test both ways
    for value in COPIER_ONLY.get(name, []):
        assert re.search(pattern, value) and not asked.accepts(value), value


def test_the_name_patterns_are_ecmascript_with_the_same_verdicts():
    """Backstage's form checks `pattern` as a JavaScript RegExp with the `u` flag."""
    require("node")
    form = form_properties(COPY)
    cases = {name: {"pattern": form[name]["pattern"], "values": SAMPLES[name]} for name in SAMPLES}
    cases["version"] = {"pattern": form["version"]["pattern"], "values": ["", "1.2.3", "10.0.11", "1.2", "v1.2.3"]}
    script = (
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = {};"
        "for (const [name, c] of Object.entries(cases)) {"
        "  const re = new RegExp(c.pattern, 'u'); out[name] = c.values.map(v => re.test(v)); }"
        "console.log(JSON.stringify(out));"
    )
    completed = subprocess.run(
        ["node", "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True, timeout=60
    )
    verdicts = json.loads(completed.stdout)
    for name, case in cases.items():
        assert verdicts[name] == [re.search(case["pattern"], value) is not None for value in case["values"]], name
    assert verdicts["version"] == [True, True, True, False, False]


# --- the copy Template's steps ---------------------------------------------------------------------


def test_every_answer_reaches_copier_copy(oracle):
    from copier._template import Template

    copy = step(COPY, "copier:copy")
    answers = copy["input"]["answers"]
    form = form_properties(COPY)
    for name in oracle:
        if name == "repository_url":
            continue
        # An optional answer copier would default from the machine (git config) is sent empty.
        assert answers[name] in (f"${{{{ parameters.{name} }}}}", f"${{{{ parameters.{name} or '' }}}}"), name
        assert name in form, name
    # repository_url: https://github.com/<owner>/<repo> of the picked repository, which copier accepts
    assert "parameters.repoUrl | parseRepoUrl" in answers["repository_url"]
    assert oracle["repository_url"].accepts(EXPRESSION.sub("some-org", answers["repository_url"]))
    # nothing else but workspace_root ('': a Backstage workspace is a fresh repository)
    questions = set(Template(str(REPO)).questions_data)
    assert set(answers) - set(oracle) == {"workspace_root"} and answers["workspace_root"] == ""
    assert set(answers) <= questions
    assert copy["input"]["url"] == "https://github.com/reasonkit/copier-reasonkit-rust"
    assert copy["input"]["version"] == "${{ parameters.version }}"


def test_the_copy_template_publishes_then_registers():
    actions = [each["action"] for each in COPY["spec"]["steps"]]
    assert actions == ["copier:copy", "publish:github", "catalog:register"]
    publish = step(COPY, "publish:github")
    assert publish["input"]["repoUrl"] == "${{ parameters.repoUrl }}"
    assert step(COPY, "catalog:register")["input"]["repoContentsUrl"] == (
        f"${{{{ steps.{publish['id']}.output.repoContentsUrl }}}}"
    )


# --- the update Template ---------------------------------------------------------------------------


def test_the_update_template_opens_a_pull_request_unless_up_to_date():
    steps = UPDATE["spec"]["steps"]
    assert [each["action"] for each in steps] == [
        "catalog:fetch",
        "fetch:plain",
        "copier:update",
        "publish:github:pull-request",
    ]
    fetch, _, update, pull_request = steps
    assert fetch["input"]["entityRef"] == "${{ parameters.component }}"
    assert update["input"]["failOnConflict"] is False
    assert pull_request["if"] == f"${{{{ steps.{update['id']}.output.result != 'up-to-date' }}}}"
    for key in ("branchName", "title", "description", "draft", "repoUrl", "filesToDelete"):
        assert pull_request["input"][key] == f"${{{{ steps.{update['id']}.output.{key} }}}}"
    # Every output the Template reads is one the action writes (the module's source).
    action = (REPO / "backstage" / "scaffolder-backend-module-copier" / "src" / "actions" / "update.ts").read_text()
    written = set(re.findall(r"ctx\.output\('(\w+)'", action))
    read = set(re.findall(rf"steps\.{update['id']}\.output\.(\w+)", yaml.safe_dump(UPDATE)))
    assert read and read <= written, read - written
    catalog = (REPO / "template" / "catalog-info.yaml.jinja").read_text(encoding="utf-8")
    assert "github.com/project-slug:" in catalog
