"""Fast tests: every rule refuses bad input with one clear line, and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import answer_rules
import pytest
from conftest import REPO, check_answer_keys

COPIER = str(Path(sys.executable).with_name("copier"))

# (question, bad answer, the exact rule message copier must show)
BAD_ANSWERS = [
    ("project_name", "", "must not be empty; use an ASCII letter, then letters, digits, '-' or '_' (e.g. vector-cache)"),
    ("project_name", "9lives", "must start with an ASCII letter (found '9'); e.g. lives"),
    ("project_name", "_private", "must start with an ASCII letter (found '_'); e.g. private"),
    ("project_name", "vector cache", "only ASCII letters, digits, '-' and '_' are allowed (found ' '); e.g. vector-cache"),
    ("project_name", "team/vector", "only ASCII letters, digits, '-' and '_' are allowed (found '/'); e.g. team-vector"),
    ("project_name", "team\\vector", "only ASCII letters, digits, '-' and '_' are allowed (found '\\\\'); e.g. team-vector"),
    ("project_name", "vector.cache", "only ASCII letters, digits, '-' and '_' are allowed (found '.'); e.g. vector-cache"),
    ("project_name", "café", "only ASCII letters, digits, '-' and '_' are allowed (found 'é'); e.g. caf"),
    ("project_name", "a" * 65, f"at most 64 characters (got 65); e.g. {'a' * 64}"),
    ("project_name", "fn", "'fn' is a Rust keyword; e.g. fn-rs"),
    ("project_name", "async", "'async' is a Rust keyword; e.g. async-rs"),
    ("project_name", "gen", "'gen' is a Rust keyword; e.g. gen-rs"),
    ("project_name", "std", "'std' shadows a standard crate or a name cargo reserves; e.g. std-rs"),
    ("project_name", "proc-macro", "'proc-macro' shadows a standard crate or a name cargo reserves; e.g. proc-macro-rs"),
    ("project_name", "core", "'core' shadows a standard crate or a name cargo reserves; e.g. core-rs"),
    ("project_name", "test", "'test' shadows a standard crate or a name cargo reserves; e.g. test-rs"),
    ("project_name", "nul", "'nul' shadows a standard crate or a name cargo reserves; e.g. nul-rs"),
    ("description", "", "must not be empty; one line saying what the crate does"),
    ("description", "two\nlines", "must be a single line (it becomes Cargo.toml's description)"),
    ("description", "x" * 201, "at most 200 characters (got 201); keep it to one sentence"),
    ("author_name", " ", "must not be empty; your name or your team's, e.g. Search Team"),
    ("author_name", "Ada <ada@example.org>", "must be one line without '<' or '>' (the email has its own question)"),
    ("author_email", "ada", "'ada' is not an email address; use name@example.org, or leave it empty"),
    ("author_email", "ada@localhost", "'ada@localhost' is not an email address; use name@example.org, or leave it empty"),
    ("author_email", "ada lovelace@example.org", "'ada lovelace@example.org' is not an email address; use name@example.org, or leave it empty"),
    ("repository_url", "http://github.com/reasonkit/x", "'http://github.com/reasonkit/x' is not an https URL with a path; e.g. https://github.com/reasonkit/vector-cache"),
    ("repository_url", "github.com/reasonkit/x", "'github.com/reasonkit/x' is not an https URL with a path; e.g. https://github.com/reasonkit/vector-cache"),
    ("repository_url", "https://github.com", "'https://github.com' is not an https URL with a path; e.g. https://github.com/reasonkit/vector-cache"),
    ("repository_url", "https://git hub.com/x", "'https://git hub.com/x' is not an https URL with a path; e.g. https://github.com/reasonkit/vector-cache"),
]

# python_package (asked only with python_bindings=true): (bad answer, the exact rule message)
BAD_PYTHON_PACKAGES = [
    ("", "must not be empty; use a Python identifier such as vector_cache"),
    ("vector-cache", "'vector-cache' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); e.g. vector_cache"),
    ("2fast", "'2fast' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); e.g. fast"),
    ("_private", "'_private' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); e.g. private"),
    ("café", "'café' is not a Python identifier in ASCII (letters, digits and '_', starting with a letter); e.g. caf"),
    ("class", "'class' is a Python keyword and cannot be imported; e.g. class_rs"),
    ("None", "'None' is a Python keyword and cannot be imported; e.g. None_rs"),
    ("fn", "'fn' is a Rust keyword, which PyO3's create_exception! cannot take as module; e.g. fn_rs"),
    ("json", "'json' is a Python standard-library module and would shadow it; e.g. json_rs"),
    ("os", "'os' is a Python standard-library module and would shadow it; e.g. os_rs"),
    ("typing", "'typing' is a Python standard-library module and would shadow it; e.g. typing_rs"),
]

# Rejected by copier's own `choices` check before our validators run.
BAD_CHOICES = [
    ("crate_kind", "binary", "Invalid choice for 'crate_kind': 'binary' is not in ['lib', 'cli', 'mcp-server']"),
    ("stack", ["mongo"], "Invalid choice for 'stack': 'mongo' is not in ['qdrant', 'tantivy', 'rayon', 'moka', 'simd-json']"),
    ("license", "GPL-3.0", "Invalid choice for 'license': 'GPL-3.0' is not in"),
]


def refusal(copie, question: str, value, **others) -> str:
    """Render with one bad answer; assert copier refused and wrote nothing; return its message."""
    answers = {"project_name": "fine-name", **others, question: value}
    check_answer_keys(answers)
    result = copie.copy(extra_answers=answers)
    assert result.exception is not None
    destination = copie.test_dir / f"copie{copie.counter - 1:03d}"
    assert list(destination.iterdir()) == [], "copier wrote files despite a bad answer"
    return str(result.exception)


@pytest.mark.parametrize(("question", "value", "message"), BAD_ANSWERS, ids=lambda v: repr(v)[:30])
def test_a_bad_answer_is_refused_and_nothing_is_written(copie, question, value, message):
    assert "\n" not in message
    assert refusal(copie, question, value) == f"Validation error for question '{question}': {message}"


@pytest.mark.parametrize(("value", "message"), BAD_PYTHON_PACKAGES, ids=lambda v: repr(v)[:30])
def test_a_bad_python_package_is_refused_and_nothing_is_written(copie, value, message):
    assert "\n" not in message
    refused = refusal(copie, "python_package", value, python_bindings=True)
    assert refused == f"Validation error for question 'python_package': {message}"


def test_the_python_package_suggestions_are_themselves_valid():
    for value, message in BAD_PYTHON_PACKAGES[1:]:
        suggestion = message.rsplit("e.g. ", 1)[-1]
        assert answer_rules.python_package_error(suggestion) == "", (value, suggestion)


def test_a_project_name_that_is_no_python_package_is_caught_by_the_default(copie):
    # The default import name derives from project_name ('json' -> 'json'): refused, re-asked.
    assert refusal(copie, "python_bindings", True, project_name="json").startswith(
        "Validation error for question 'python_package': 'json' is a Python standard-library module"
    )


def test_valid_python_packages_pass():
    for name in ("vector_cache", "VectorCache", "a", "x86_64", "typing_rs", "jsonx"):
        assert answer_rules.python_package_error(name) == "", name


@pytest.mark.parametrize(("question", "value", "message"), BAD_CHOICES, ids=lambda v: repr(v)[:30])
def test_a_value_outside_the_choices_is_refused(copie, question, value, message):
    assert refusal(copie, question, value).startswith(message)


@pytest.mark.parametrize(
    ("data", "last_line"),
    [
        ("project_name=fn", "ValueError: Validation error for question 'project_name': 'fn' is a Rust keyword; e.g. fn-rs"),
        ("author_email=nope", "ValueError: Validation error for question 'author_email': 'nope' is not an email address; use name@example.org, or leave it empty"),
        ("crate_kind=binary", "ValueError: Invalid choice for 'crate_kind': 'binary' is not in ['lib', 'cli', 'mcp-server']"),
        ("python_package=os", "ValueError: Validation error for question 'python_package': 'os' is a Python standard-library module and would shadow it; e.g. os_rs"),
    ],
)
def test_the_copier_cli_exits_non_zero_with_the_message_last(tmp_path, data, last_line):
    destination = tmp_path / "new-crate"
    completed = subprocess.run(
        [COPIER, "copy", "--trust", "--defaults", "--data", "python_bindings=true", "--data", data,
         str(REPO), str(destination)],
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )
    assert completed.returncode != 0
    assert completed.stderr.strip().splitlines()[-1] == last_line
    assert not destination.exists()


def test_stack_rules_outside_copier():
    # copier de-duplicates multiselect answers itself; the hook also guards its own arguments.
    assert answer_rules.stack_error(["moka", "moka"]) == "each component may be listed once"
    assert answer_rules.stack_error("moka").startswith("must be a list of components")
    assert answer_rules.stack_error([]) == ""


def test_a_valid_name_passes_every_rule():
    for name in ("vector-cache", "a", "x86_64-tools", "Rust2024", "a" * 64, "fn-rs", "stdx"):
        assert answer_rules.project_name_error(name) == "", name


@pytest.mark.parametrize("name", sorted(answer_rules.RUST_KEYWORDS))
def test_every_keyword_is_refused(name):
    assert "keyword" in answer_rules.project_name_error(name) or "must start" in answer_rules.project_name_error(name)


def test_the_suggested_names_are_themselves_valid():
    for _question, value, message in BAD_ANSWERS[:17]:
        suggestion = message.rsplit("e.g. ", 1)[-1].rstrip(")")
        assert answer_rules.project_name_error(suggestion) == "", (value, suggestion)
