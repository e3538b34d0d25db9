"""The root catalog-info.yaml's two Backstage Templates (scripts/backstage_templates.py), against
copier itself: the form asks what copier asks, offers copier's choices and defaults, its name
patterns accept and reject what copier's validators do, and every answer reaches copier:copy.

The oracle is copier itself, through its public API: a ``--defaults`` copy of this work tree
gives the questions copier records and the defaults it computes, and ``--data`` probes give its
verdict on an answer (its own choice and validator checks: the template's check of ``--data``
answers, which says the same in one line, is taken out of the oracle's copy and compared with
it). Fast: no npm (Backstage's validators run in tests/test_catalog.py); node, when installed,
checks the patterns under ECMAScript's rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from conftest import QUESTIONS, REPO, copy_work_tree, require
from copier.errors import UserMessageError

sys.path.insert(0, str(REPO / "scripts"))
import backstage_templates  # noqa: E402

DOCUMENTS = list(yaml.safe_load_all((REPO / "catalog-info.yaml").read_text(encoding="utf-8")))
COPY, UPDATE = DOCUMENTS
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


#: A refused answer to the last question with choices: a probe's --data stops copier there, after
#: every answer a test asks about has passed copier's checks.
STOP = ("catalog_lifecycle", "no-such-lifecycle")
#: Answers every probe gives, so no default comes from this machine's git config.
GIVEN = {"author_name": "Oracle", "author_email": "oracle@example.org"}


class Probe:
    """Copier's verdicts on ``--data`` answers to ``template``, through its public API: a
    ``--defaults`` copy (``pretend``: nothing written) whose first refusal names the question,
    that of the answer probed or ``STOP``."""

    def __init__(self, template: Path, tmp: Path) -> None:
        self.template, self.tmp = template, tmp
        #: (question, value) -> (the question refused first, or "", and the error that said so)
        self.verdicts: dict[tuple[str, str], tuple[str, Exception | None]] = {}

    def refusal(self, name: str, value: Any) -> str:
        """The question refused first with ``--data name=value`` (and ``STOP``, unless ``name`` is
        STOP's question), from copier's message or the template's own one-line refusal (a
        UserMessageError naming the question); ``""`` when nothing was refused."""
        key = (name, json.dumps(value))
        if key not in self.verdicts:
            self.verdicts[key] = self._probe(name, value)
        return self.verdicts[key][0]

    def error(self, name: str, value: Any) -> Exception | None:
        """The error of the refusal of ``--data name=value`` (``None``: nothing refused)."""
        self.refusal(name, value)
        return self.verdicts[(name, json.dumps(value))][1]

    def _probe(self, name: str, value: Any) -> tuple[str, Exception | None]:
        stop = {STOP[0]: STOP[1]} if name != STOP[0] else {}
        data = {**GIVEN, "python_bindings": True, name: value, **stop}  # in copier.yml's order
        try:
            copier.run_copy(
                str(self.template),
                self.tmp / f"probe-{len(self.verdicts)}",
                data=data,
                defaults=True,
                pretend=True,
                quiet=True,
                unsafe=True,
            )
        except (ValueError, TypeError, UserMessageError) as error:
            named = re.findall(r"(?:question|for) '(\w+)'", str(error))
            return (named[0] if named else f"{type(error).__name__}: {error}"), error
        assert name == STOP[0], f"copier took {STOP} with {name}={value!r}"
        return "", None  # STOP's own question, answered well: nothing refused

    def accepts(self, name: str, value: Any) -> bool:
        """Whether ``--data name=value`` passes."""
        refused = self.refusal(name, value)
        assert refused in (name, STOP[0], ""), f"{name}={value!r}: refused first: {refused}"
        return refused != name


class Copier(Probe):
    """This work tree's questionnaire as copier itself answers it, through its public API only
    (copier's documented ``--data`` and ``--defaults``, no prompt):

    - ``answers``: the answers file of a ``--defaults`` copy with ``answers`` (and ``GIVEN``):
      every question copier records, with the default it computed where no answer was given;
    - ``asked``: those copier asks (all but ``ask: false``);
    - ``accepts(name, value)``: copier's verdict on ``--data name=value`` (its choice and
      validator checks).

    Copier reads a copy of the template without ``answers_check`` (copier.yml's own check of
    ``--data`` answers, hooks/data_check.py), so every verdict is copier's; that the template's
    check says the same is tested below.
    """

    def __init__(self, template: Path, tmp: Path, **answers: Any) -> None:
        super().__init__(template, tmp)
        data = {**GIVEN, "project_name": "oracle-crate", **answers}
        crate = tmp / "crate"
        copier.run_copy(str(template), crate, data=data, defaults=True, quiet=True, unsafe=True)
        recorded = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
        self.answers = {name: value for name, value in recorded.items() if not name.startswith("_")}
        self.asked = [name for name in self.answers if QUESTIONS[name].get("ask", True) is not False]


def without_answers_check(template: Path) -> None:
    """Take the ``answers_check`` question out of ``template``'s copier.yml."""
    config = yaml.safe_load((template / "copier.yml").read_text(encoding="utf-8"))
    del config["answers_check"]
    (template / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory) -> Path:
    """This work tree without ``answers_check`` (a folder: copier reads it in place, no clone)."""
    template = tmp_path_factory.mktemp("oracle") / "template"
    copy_work_tree(template, skip="examples/")
    without_answers_check(template)
    return template


@pytest.fixture(scope="module")
def oracle(plain_template, tmp_path_factory) -> Copier:
    """copier's questionnaire with python_bindings answered yes (so python_package is asked)."""
    return Copier(plain_template, tmp_path_factory.mktemp("with-bindings"), python_bindings=True)


@pytest.fixture(scope="module")
def defaults(plain_template, tmp_path_factory) -> Copier:
    """copier's questionnaire with every default (python_bindings too)."""
    return Copier(plain_template, tmp_path_factory.mktemp("defaults"))


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
    assert "repository_url" in oracle.asked and "repository_url" not in form
    assert set(form) - {"repoUrl", "version"} == set(oracle.asked) - {"repository_url"}
    assert form["repoUrl"]["ui:field"] == "RepoUrlPicker"


def test_python_package_is_asked_only_with_python_bindings(defaults, oracle):
    assert defaults.answers["python_bindings"] is False
    assert set(oracle.asked) - set(defaults.asked) == {"python_package"}
    (page,) = [page for page in COPY["spec"]["parameters"] if "python_bindings" in page["properties"]]
    assert "python_package" not in page["properties"]
    branches = page["dependencies"]["python_bindings"]["oneOf"]
    asks = {
        branch["properties"]["python_bindings"]["const"]: "python_package" in branch["properties"]
        for branch in branches
    }
    assert asks == {True: True, False: False}


def test_the_form_offers_copiers_choices_types_and_defaults(oracle, defaults):
    """Each field's type is its answer's JSON type in copier's answers file; its choices are what
    copier takes (and a value outside them is refused); its default is the one copier computed
    (the answers given to every copy have none in the form)."""
    form = form_properties(COPY)
    kinds = {bool: "boolean", list: "array", str: "string"}
    for name in oracle.asked:
        if name not in form:
            continue
        field, answer = form[name], oracle.answers[name]
        assert field["type"] == kinds[type(answer)], name
        options = field["items"] if field["type"] == "array" else field
        if "enum" in options:
            offered = [*options["enum"], "no-such-choice"]
            taken = [v for v in offered if oracle.accepts(name, [v] if field["type"] == "array" else v)]
            assert taken == options["enum"], name
            assert len(options["enumNames"]) == len(options["enum"]), name
        else:
            assert "choices" not in QUESTIONS[name], name
        if "default" in field:
            assert name not in (*GIVEN, "project_name") and field["default"] == defaults.answers[name], name
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
    patterned = {name for name, field in form_properties(COPY).items() if "pattern" in field and name in oracle.asked}
    assert patterned == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_name_pattern_accepts_and_rejects_what_copier_does(name, oracle):
    pattern = form_properties(COPY)[name]["pattern"]
    verdicts = {value: (re.search(pattern, value) is not None, oracle.accepts(name, value)) for value in SAMPLES[name]}
    assert {value for value, (form, copier) in verdicts.items() if form != copier} == set()
    assert {True, False} <= {copier for _, copier in verdicts.values()}  # the samples test both ways
    for value in COPIER_ONLY.get(name, []):
        assert re.search(pattern, value) and not oracle.accepts(name, value), value


def test_the_templates_own_check_of_data_answers_says_what_copier_says(oracle, tmp_path):
    """answers_check (hooks/data_check.py) re-implements copier's reading of a --data answer to
    give one line instead of copier's traceback: on every sample, a choice and a multiselect
    list it refuses exactly what copier refuses, naming the same question; where copier does
    not name the question, or takes a yes/no it cannot read as yes, it is stricter."""
    template = tmp_path / "template"
    copy_work_tree(template, skip="examples/")
    checked = Probe(template, tmp_path)
    cases = [(name, value) for name in SAMPLES for value in SAMPLES[name]]
    cases += [("crate_kind", "cli"), ("crate_kind", "binary"), ("python_bindings", "no")]
    cases += [("stack", "[tantivy, moka]"), ("stack", "[tantivy, nope]"), ("stack", [])]
    for name, value in cases:
        assert checked.refusal(name, value) == oracle.refusal(name, value), (name, value)
        if checked.refusal(name, value) == name:  # refused in one line, before copier's own check
            assert isinstance(checked.error(name, value), UserMessageError), (name, value)
            assert not isinstance(oracle.error(name, value), UserMessageError), (name, value)
    # copier reads 'maybe' as yes and names no question for a stack that is no list; the check
    # refuses both, naming the question
    assert oracle.accepts("python_bindings", "maybe") and not checked.accepts("python_bindings", "maybe")
    assert oracle.refusal("stack", "tantivy") == "TypeError: Not a YAML list: 'tantivy'"
    assert checked.refusal("stack", "tantivy") == "stack"


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
    copy = step(COPY, "copier:copy")
    answers = copy["input"]["answers"]
    form = form_properties(COPY)
    for name in oracle.asked:
        if name == "repository_url":
            continue
        # An optional answer copier would default from the machine (git config) is sent empty.
        assert answers[name] in (f"${{{{ parameters.{name} }}}}", f"${{{{ parameters.{name} or '' }}}}"), name
        assert name in form, name
    # repository_url: https://github.com/<owner>/<repo> of the picked repository, which copier accepts
    assert "parameters.repoUrl | parseRepoUrl" in answers["repository_url"]
    assert oracle.accepts("repository_url", EXPRESSION.sub("some-org", answers["repository_url"]))
    # nothing else but workspace_root ('': a Backstage workspace is a fresh repository)
    questions = set(QUESTIONS)  # every question of copier.yml
    assert set(answers) - set(oracle.asked) == {"workspace_root"} and answers["workspace_root"] == ""
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
