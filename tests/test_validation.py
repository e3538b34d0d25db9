"""Fast tests: every rule refuses bad input with one clear line, and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import answer_rules
import copier
import pytest
from conftest import REPO, check_answer_keys, generate

COPIER = str(Path(sys.executable).with_name("copier"))

# (question, bad answer, the exact rule message copier must show)
BAD_ANSWERS = [
    (
        "project_name",
        "",
        "must not be empty; use an ASCII letter, then letters, digits, '-' or '_' (e.g. vector-cache)",
    ),
    ("project_name", "9lives", "must start with an ASCII letter (found '9'); e.g. lives"),
    ("project_name", "_private", "must start with an ASCII letter (found '_'); e.g. private"),
    (
        "project_name",
        "vector cache",
        "only ASCII letters, digits, '-' and '_' are allowed (found ' '); e.g. vector-cache",
    ),
    (
        "project_name",
        "team/vector",
        "only ASCII letters, digits, '-' and '_' are allowed (found '/'); e.g. team-vector",
    ),
    (
        "project_name",
        "team\\vector",
        "only ASCII letters, digits, '-' and '_' are allowed (found '\\\\'); e.g. team-vector",
    ),
    (
        "project_name",
        "vector.cache",
        "only ASCII letters, digits, '-' and '_' are allowed (found '.'); e.g. vector-cache",
    ),
    ("project_name", "café", "only ASCII letters, digits, '-' and '_' are allowed (found 'é'); e.g. caf"),
    ("project_name", "a" * 65, f"at most 64 characters (got 65); e.g. {'a' * 64}"),
    ("project_name", "fn", "'fn' is a Rust keyword; e.g. fn-rs"),
    ("project_name", "async", "'async' is a Rust keyword; e.g. async-rs"),
    ("project_name", "gen", "'gen' is a Rust keyword; e.g. gen-rs"),
    ("project_name", "std", "'std' shadows a standard crate or a name cargo reserves; e.g. std-rs"),
    (
        "project_name",
        "proc-macro",
        "'proc-macro' shadows a standard crate or a name cargo reserves; e.g. proc-macro-rs",
    ),
    ("project_name", "core", "'core' shadows a standard crate or a name cargo reserves; e.g. core-rs"),
    ("project_name", "test", "'test' shadows a standard crate or a name cargo reserves; e.g. test-rs"),
    ("project_name", "nul", "'nul' shadows a standard crate or a name cargo reserves; e.g. nul-rs"),
    ("description", "", "must not be empty; one line saying what the crate does"),
    ("description", "two\nlines", "must be a single line (it becomes Cargo.toml's description)"),
    ("description", "x" * 201, "at most 200 characters (got 201); keep it to one sentence"),
    ("author_name", " ", "must not be empty; your name or your team's, e.g. Search Team"),
    ("author_name", "Ada <ada@example.org>", "must be one line without '<' or '>' (the email has its own question)"),
    ("author_email", "ada", "'ada' is not an email address; use name@example.org, or leave it empty"),
    (
        "author_email",
        "ada@localhost",
        "'ada@localhost' is not an email address; use name@example.org, or leave it empty",
    ),
    (
        "author_email",
        "ada lovelace@example.org",
        "'ada lovelace@example.org' is not an email address; use name@example.org, or leave it empty",
    ),
    (
        "repository_url",
        "http://github.com/reasonkit/x",
        "'http://github.com/reasonkit/x' is not an https URL with a path; e.g. https://github.com/reasonkit/x",
    ),
    (
        "repository_url",
        "github.com/reasonkit/x",
        "'github.com/reasonkit/x' is not an https URL with a path; e.g. https://github.com/reasonkit/x",
    ),
    (
        "repository_url",
        "git@github.com:me/my-crate.git",
        "'git@github.com:me/my-crate.git' is not an https URL with a path; e.g. https://github.com/me/my-crate",
    ),
    (
        "repository_url",
        "ssh://git@git.example.org/team/x.git",
        "'ssh://git@git.example.org/team/x.git' is not an https URL with a path; e.g. https://git.example.org/team/x",
    ),
    ("project_name", "My-Crate", "must be lowercase (cargo warns about uppercase package names); e.g. my-crate"),
    (
        "repository_url",
        "https://github.com",
        "'https://github.com' is not an https URL with a path; e.g. https://github.com/reasonkit/vector-cache",
    ),
    (
        "repository_url",
        "https://git hub.com/x",
        "'https://git hub.com/x' is not an https URL with a path; e.g. https://github.com/reasonkit/vector-cache",
    ),
]

# python_package (asked only with python_bindings=true): (bad answer, the exact rule message)
BAD_PYTHON_PACKAGES = [
    ("", "must not be empty; use a Python identifier such as vector_cache"),
    (
        "vector-cache",
        "'vector-cache' is not a Python identifier in ASCII (letters, digits and '_', starting with a "
        "letter); e.g. vector_cache",
    ),
    (
        "2fast",
        "'2fast' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); e.g. fast",
    ),
    (
        "_private",
        "'_private' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); "
        "e.g. private",
    ),
    ("café", "'café' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); e.g. caf"),
    ("class", "'class' is a Python keyword and cannot be imported; e.g. class_rs"),
    ("None", "'None' is a Python keyword and cannot be imported; e.g. None_rs"),
    ("fn", "'fn' is a Rust keyword, which PyO3's create_exception! cannot take as module; e.g. fn_rs"),
    ("json", "'json' is a Python standard-library module and would shadow it; e.g. json_rs"),
    ("os", "'os' is a Python standard-library module and would shadow it; e.g. os_rs"),
    ("typing", "'typing' is a Python standard-library module and would shadow it; e.g. typing_rs"),
]

#: The rule function behind each free-form question's validator in copier.yml.
RULES = {
    "project_name": answer_rules.project_name_error,
    "description": answer_rules.description_error,
    "author_name": answer_rules.author_name_error,
    "author_email": answer_rules.author_email_error,
    "repository_url": answer_rules.repository_url_error,
    "python_package": answer_rules.python_package_error,
}


def refusal(copie, question: str, value, **others) -> str:
    """Render with one bad answer; assert copier refused and wrote nothing; return its message."""
    answers = {"project_name": "fine-name", **others, question: value}
    check_answer_keys(answers)
    result = copie.copy(extra_answers=answers)
    assert result.exception is not None
    destination = copie.test_dir / f"copie{copie.counter - 1:03d}"
    assert list(destination.iterdir()) == [], "copier wrote files despite a bad answer"
    return str(result.exception)


def test_each_validator_in_copier_yml_calls_its_rule():
    """The rules tested below are the ones copier runs (the validator of each question)."""
    from conftest import QUESTIONS

    with_validator = {name for name, spec in QUESTIONS.items() if spec.get("validator")}
    assert set(RULES) <= with_validator
    for name, rule in RULES.items():
        assert f"{rule.__name__}({name})" in QUESTIONS[name]["validator"], name


@pytest.mark.parametrize(("question", "value", "message"), BAD_ANSWERS, ids=lambda v: repr(v)[:30])
def test_each_rule_says_what_is_wrong_and_what_would_do(question, value, message):
    assert "\n" not in message
    assert RULES[question](value) == message


@pytest.mark.parametrize(("value", "message"), BAD_PYTHON_PACKAGES, ids=lambda v: repr(v)[:30])
def test_each_python_package_rule_says_what_is_wrong_and_what_would_do(value, message):
    assert "\n" not in message
    assert answer_rules.python_package_error(value) == message


def test_a_bad_answer_through_copiers_api_is_refused_and_nothing_is_written(copie):
    """One render per mechanism: a validator's message, as copier's Python API raises it."""
    assert (
        refusal(copie, "project_name", "fn")
        == "Validation error for question 'project_name': 'fn' is a Rust keyword; e.g. fn-rs"
    )
    assert refusal(copie, "python_package", "os", python_bindings=True) == (
        "Validation error for question 'python_package': 'os' is a Python standard-library module and would shadow "
        "it; e.g. os_rs"
    )


def test_valid_python_packages_pass():
    for name in ("vector_cache", "VectorCache", "a", "x86_64", "typing_rs", "jsonx"):
        assert answer_rules.python_package_error(name) == "", name


def test_a_project_name_that_is_no_python_package_is_caught_by_the_default(copie):
    # The default import name derives from project_name ('json' -> 'json'): refused, re-asked.
    assert refusal(copie, "python_bindings", True, project_name="json").startswith(
        "Validation error for question 'python_package': 'json' is a Python standard-library module"
    )


def test_a_value_outside_the_choices_is_refused_by_copier(copie):
    assert refusal(copie, "crate_kind", "binary").startswith(
        "Invalid choice for 'crate_kind': 'binary' is not in ['lib', 'cli', 'mcp-server']"
    )


#: copier's own lines around a run from a local, untagged, dirty checkout (not ours to change).
COPIER_NOISE = ("No git tags found in template", "DirtyLocalWarning", "  warn(")


def copier_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COPIER, "copy", "--trust", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def our_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not any(noise in line for noise in COPIER_NOISE)]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("project_name=fn", "question 'project_name': 'fn' is a Rust keyword; e.g. fn-rs"),
        (
            "author_email=nope",
            "question 'author_email': 'nope' is not an email address; use name@example.org, or leave it empty",
        ),
        ("crate_kind=binary", "question 'crate_kind': 'binary' is not one of lib, cli, mcp-server"),
        ("stack=[foo]", "question 'stack': 'foo' is not one of qdrant, tantivy, rayon, moka, simd-json"),
        (
            "stack=foo",
            "question 'stack': 'foo' is not a list; write it as a YAML list, e.g. --data 'stack=[tantivy, "
            "moka]' (or 'stack=[]' for none)",
        ),
        (
            "python_package=os",
            "question 'python_package': 'os' is a Python standard-library module and would shadow it; e.g. os_rs",
        ),
        (
            "python_bindings=maybe",
            "question 'python_bindings': 'maybe' is not a yes/no answer; use --data python_bindings=true "
            "or --data python_bindings=false",
        ),
        (
            "workspace_root=crates",
            "question 'workspace_root': 'crates' is not a path up from the crate to its workspace root: "
            "only '..' segments, e.g. ../.. (or '' for a crate of its own)",
        ),
        (
            "workspace_root=../..",
            "question 'workspace_root': ../.. ({tmp}) holds no Cargo.toml with a [workspace] table; answer "
            "the path from the crate to its workspace root, or '' for a crate of its own; nothing was "
            "written.",
        ),
    ],
)
def test_the_copier_cli_prints_one_line_and_writes_nothing(tmp_path, data, line):
    """`copier copy --data` with a bad value: one line naming the question, the rule and a way
    out, no traceback, exit status 1, no destination."""
    destination = tmp_path / "new-crate"
    completed = copier_cli("--defaults", "--data", "python_bindings=true", "--data", data, str(REPO), str(destination))
    assert completed.returncode == 1
    assert our_lines(completed.stderr) == [f"copier-reasonkit-rust: {line.format(tmp=tmp_path.parent)}"], (
        completed.stderr
    )
    assert "Traceback" not in completed.stderr
    assert not destination.exists()


@pytest.mark.parametrize("existing", ["Cargo.toml", ".copier-answers.yml", "src/lib.rs", "README.md"])
def test_a_destination_holding_a_crate_or_clashing_files_is_refused_before_writing(tmp_path, existing):
    destination = tmp_path / "taken"
    (destination / existing).parent.mkdir(parents=True)
    content = "_src_path: https://example.org/another-template\n" if existing.endswith(".yml") else "the user's file\n"
    (destination / existing).write_text(content)
    before = sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*"))
    completed = copier_cli("--defaults", str(REPO), str(destination))
    assert completed.returncode == 1
    (line,) = our_lines(completed.stderr)
    assert line.startswith(f"copier-reasonkit-rust: the destination {destination} already holds ")
    assert f"({existing.split('/')[0]}); nothing was written." in line
    assert "copier update --trust --defaults" in line and "--overwrite" in line
    assert sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*")) == before
    assert (destination / existing).read_text() == content


def test_an_unrelated_file_in_the_destination_is_fine_and_overwrite_is_the_way_out(tmp_path):
    destination = tmp_path / "mine"
    destination.mkdir()
    (destination / "NOTES.txt").write_text("kept\n")
    assert copier_cli("--defaults", "--quiet", str(REPO), str(destination)).returncode == 0
    assert (destination / "Cargo.toml").is_file() and (destination / "NOTES.txt").read_text() == "kept\n"
    # the same folder again: refused, unless the user asks to overwrite
    assert copier_cli("--defaults", "--quiet", str(REPO), str(destination)).returncode == 1
    assert copier_cli("--defaults", "--quiet", "--overwrite", str(REPO), str(destination)).returncode == 0


def test_every_root_entry_of_a_generated_crate_counts_as_a_clash(copie):
    """GENERATED_ROOT_ENTRIES covers what the template writes at the crate root (python and MCP
    variants included), so no clash slips through."""
    import context

    for answers in (
        {"project_name": "roots"},
        {"project_name": "roots-py", "python_bindings": True, "crate_kind": "mcp-server", "license": "MIT"},
    ):
        crate = generate(copie, answers)
        assert {entry.name for entry in crate.iterdir()} - {".git"} <= set(context.GENERATED_ROOT_ENTRIES)


def test_a_valid_name_passes_every_rule():
    for name in ("vector-cache", "a", "x86_64-tools", "rust2024", "a" * 64, "fn-rs", "stdx"):
        assert answer_rules.project_name_error(name) == "", name


@pytest.mark.parametrize("name", sorted(answer_rules.RUST_KEYWORDS))
def test_every_keyword_is_refused(name):
    assert "keyword" in answer_rules.project_name_error(name) or "must start" in answer_rules.project_name_error(name)


def test_the_suggested_names_are_themselves_valid():
    for _question, value, message in BAD_ANSWERS[:17]:
        suggestion = message.rsplit("e.g. ", 1)[-1].rstrip(")")
        assert answer_rules.project_name_error(suggestion) == "", (value, suggestion)


def test_the_default_package_name_is_valid_for_any_folder(tmp_path):
    """`--defaults` validates nothing: the default derived from the folder must itself be valid."""
    destination = tmp_path / "MyCrate"
    completed = copier_cli("--defaults", "--quiet", "--data", "stack=[]", str(REPO), str(destination))
    assert completed.returncode == 0, completed.stderr
    assert 'name = "mycrate"' in (destination / "Cargo.toml").read_text(encoding="utf-8")
    for folder in ("MyCrate", "my.crate", "2fast", "vector-cache", "fn"):
        name = answer_rules.package_name_from(folder)
        assert answer_rules.project_name_error(name) == "", (folder, name)
    assert answer_rules.package_name_from("vector-cache") == "vector-cache"


@pytest.mark.parametrize(
    "name",
    [
        "Self",
        "self",
        "Std",
        "std",
        "Test",
        "con",
        "crate",
        "Crate",
        "proc-macro",
        "proc_macro",
        "build",
        "1abc",
        "my crate",
        "a" * 70,
        "Ünïcode",
        "-",
    ],
)
def test_every_suggested_package_name_is_itself_valid(name):
    error = answer_rules.project_name_error(name)
    assert error, name
    suggestion = error.rsplit("e.g. ", 1)[1]
    assert answer_rules.project_name_error(suggestion) == "", (name, suggestion)


@pytest.mark.parametrize("name", ["class", "json", "Self", "1x", "os", "crate", "my-pkg"])
def test_every_suggested_python_package_is_itself_valid(name):
    error = answer_rules.python_package_error(name)
    assert error, name
    suggestion = error.rsplit("e.g. ", 1)[1]
    assert answer_rules.python_package_error(suggestion) == "", (name, suggestion)


def test_generating_changes_nothing_process_wide(tmp_path):
    """The template's hooks keep to names of their own in sys.modules and leave sys.excepthook
    alone (a fresh interpreter: what an application calling copier's API sees)."""
    code = f"""
import sys, copier
hook = sys.excepthook
copier.run_copy({str(REPO)!r}, {str(tmp_path / "crate")!r}, data={{"stack": []}}, defaults=True, unsafe=True,
                vcs_ref="HEAD", quiet=True)
assert sys.excepthook is hook, "sys.excepthook replaced"
generic = {{"dependency_policy", "answer_rules", "workspace", "context"}} & set(sys.modules)
assert not generic, generic
print("ok")
"""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert completed.stdout.strip() == "ok", completed.stderr[-3000:]


# --- the copier behaviours hooks/data_check.py relies on ----------------------------------------
# answers_check re-implements copier's reading of --data answers only because of these; each test
# runs a throwaway template of two questions through copier's public API or CLI (on the oldest
# copier allowed too: .ci/run), and its failure names what hooks/data_check.py can drop.


def tiny_template(root: Path, questions: str, out: str) -> Path:
    """A template of ``questions`` (copier.yml text) and one file, ``out.txt``, rendered from ``out``."""
    root.mkdir()
    (root / "copier.yml").write_text(questions, encoding="utf-8")
    (root / "out.txt.jinja").write_text(out, encoding="utf-8")
    return root


def test_copier_still_ends_a_bad_data_answer_in_a_traceback(tmp_path):
    """Why answers_check exists: copier checks a --data answer against its validator, but its CLI
    stops with a traceback (a ValueError), not one line. When this fails, copier reports a bad
    --data answer in one line itself: answers_check's validator and choice checks can go."""
    template = tiny_template(
        tmp_path / "template",
        "name:\n  type: str\n  validator: \"{% if name == 'bad' %}no good{% endif %}\"\n",
        "{{ name }}",
    )
    completed = subprocess.run(
        [COPIER, "copy", "--defaults", "--data", "name=bad", str(template), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert "Traceback (most recent call last)" in completed.stderr, completed.stderr
    assert "ValueError: Validation error for question 'name': no good" in completed.stderr, completed.stderr


def test_copier_still_reads_any_unknown_word_as_yes(tmp_path):
    """Why answers_check refuses a yes/no answer outside YES_NO: copier would take it as yes."""
    template = tiny_template(tmp_path / "template", "flag:\n  type: bool\n  default: false\n", "{{ flag }}")
    copier.run_copy(str(template), tmp_path / "out", data={"flag": "maybe"}, defaults=True, quiet=True)
    assert (tmp_path / "out" / "out.txt").read_text(encoding="utf-8") == "True"


def test_copier_renders_a_validator_with_the_yes_no_answers_read_as_booleans(tmp_path):
    """answer_problem renders a validator as copier does: a yes/no answer given as text
    (``--data flag=no``) is a boolean there, not a (true) string."""
    template = tiny_template(
        tmp_path / "template",
        "flag:\n  type: bool\n  default: true\n"
        'name:\n  type: str\n  validator: "{% if flag %}refused while flag is on{% endif %}"\n',
        "{{ flag }} {{ name }}",
    )
    copier.run_copy(str(template), tmp_path / "out", data={"flag": "no", "name": "x"}, defaults=True, quiet=True)
    assert (tmp_path / "out" / "out.txt").read_text(encoding="utf-8") == "False x"


def test_copier_renders_a_hidden_questions_default_with_the_data_before_the_next_question(tmp_path):
    """answers_check runs as the first question's default (``when: false``), which copier renders
    with ``_copier_conf.data`` before it checks any later answer: an error raised there (the hook
    raises UserMessageError; here, a division by zero) stops copier before `name`'s validator."""
    template = tiny_template(
        tmp_path / "template",
        "check:\n  type: str\n  when: false\n"
        "  default: \"{{ (1 / 0) if _copier_conf.data['name'] == 'bad' else _copier_conf.data['name'] }}\"\n"
        "name:\n  type: str\n  validator: \"{% if name == 'bad' %}no good{% endif %}\"\n",
        "{{ check }}",
    )
    copier.run_copy(str(template), tmp_path / "out", data={"name": "given"}, defaults=True, quiet=True)
    assert (tmp_path / "out" / "out.txt").read_text(encoding="utf-8") == "given"
    with pytest.raises(ZeroDivisionError):
        copier.run_copy(str(template), tmp_path / "refused", data={"name": "bad"}, defaults=True, quiet=True)
    assert not (tmp_path / "refused").exists()
