"""Fast tests of copier.yml itself: every question documented, defaulted and known to the tests."""

from __future__ import annotations

import context  # this checkout's hooks/context.py, bound at collection: see tests/test_workspace.py
import pytest
from conftest import ASKED, FULL_STACK, QUESTIONS, check_answer_keys

#: The public interface (issue #2): users and scripts pass these with --data.
PUBLIC_QUESTIONS = {
    "project_name",
    "description",
    "author_name",
    "author_email",
    "license",
    "repository_url",
    "crate_kind",
    "stack",
    "python_bindings",
    "python_package",  # issue #3
}


def test_the_public_questions_exist_with_their_names():
    assert PUBLIC_QUESTIONS <= ASKED


@pytest.mark.parametrize("name", sorted(ASKED))
def test_every_asked_question_has_help_and_a_default(name):
    spec = QUESTIONS[name]
    assert spec.get("help"), f"{name} has no help text"
    assert "default" in spec, f"{name} has no default: --defaults (and Renovate) would stop"


@pytest.mark.parametrize("name", sorted(ASKED))
def test_every_free_form_question_has_a_validator_and_no_other_does(name):
    """Copier itself holds a bool to yes/no and a choice question to its choices (before any
    validator runs, so one there could never fire): only free-form questions need a validator."""
    spec = QUESTIONS[name]
    constrained = spec.get("type") == "bool" or "choices" in spec
    assert bool(spec.get("validator")) != constrained, name


def test_the_default_stack_is_a_skeleton_and_the_choices_are_the_registry(copie):
    """No component by default; the prompt offers exactly policy/components.toml's components, in
    its order, each with its line (read here from the file itself)."""
    import tomllib

    from conftest import REPO

    assert QUESTIONS["stack"]["default"] == []
    registry = tomllib.loads((REPO / "policy" / "components.toml").read_text(encoding="utf-8"))
    assert list(registry) == FULL_STACK
    assert context.component_choices() == [[entry["choice"], name] for name, entry in registry.items()]
    # copier stores a multiselect answer in the order of its choices
    result = copie.copy(extra_answers={"project_name": "order", "stack": ["simd-json", "qdrant"]})
    assert result.exception is None and result.answers["stack"] == ["qdrant", "simd-json"]


def test_the_answer_key_check_catches_a_typo():
    with pytest.raises(AssertionError, match="crate_knd"):
        check_answer_keys({"crate_knd": "cli"})
    with pytest.raises(AssertionError, match="lib_name"):
        check_answer_keys({"lib_name": "x"})  # computed: not asked, so not settable


def test_python_bindings_is_off_by_default_and_python_package_follows_it():
    assert QUESTIONS["python_bindings"]["type"] == "bool"
    assert QUESTIONS["python_bindings"]["default"] is False
    assert QUESTIONS["python_package"]["when"] == "{{ python_bindings }}"
    assert QUESTIONS["python_package"]["default"] == "{{ lib_name }}"
