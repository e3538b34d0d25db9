"""The check of ``--data``/``--data-file`` answers, against copier.yml's own rules, before copier
reads any: what stays of re-implementing copier, in one module.

Copier 9 validates a ``--data`` answer itself, but a bad one ends in a traceback (a ``ValueError``
from its question loop), and its yes/no reading takes anything as yes (``maybe``). Until copier
reports a bad ``--data`` answer in one line, ``answers_check`` (the hidden first question's
default, ``when: false``) does, with copier's own reading of a yes/no, a choice, a multiselect
list and a validator. ``tests/test_validation.py`` holds one test per copier behaviour this
relies on, run on the oldest copier allowed and the newest: when one changes, it says what to
drop here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment

#: What copier reads as yes or no (its ``cast_to_bool`` also takes any number, and anything else
#: as true: ``--data python_bindings=maybe`` would silently mean yes).
YES = frozenset("y yes t true on 1".split())
YES_NO = YES | frozenset("n no f false off 0".split())


def _choice_values(environment: Environment, choices: Any) -> list[Any]:
    """The answers a question's ``choices`` allow (rendered first when they are a Jinja string)."""
    if isinstance(choices, str):
        import yaml

        choices = yaml.safe_load(environment.from_string(choices).render())
    if isinstance(choices, dict):
        return list(choices.values())
    return [choice[1] if isinstance(choice, list) else choice for choice in choices or []]


def answer_problem(
    environment: Environment, questions: dict[str, Any], data: dict[str, Any], name: str, value: object
) -> str:
    """Return what is wrong with the ``--data`` answer ``value`` to question ``name`` (one line,
    the rule and a way out), or ``""``: copier's own checks (a yes/no, the choices, a YAML list)
    and the question's validator from copier.yml, rendered as copier renders it."""
    spec = questions[name]
    if spec.get("type") == "bool":
        if isinstance(value, bool) or str(value).strip().lower() in YES_NO:
            return ""
        return f"{value!r} is not a yes/no answer; use --data {name}=true or --data {name}=false"
    allowed = _choice_values(environment, spec["choices"]) if "choices" in spec else None
    if spec.get("multiselect"):
        import yaml

        items = yaml.safe_load(value) if isinstance(value, str) else value
        if not isinstance(items, list):
            return (
                f"{value!r} is not a list; write it as a YAML list, e.g. --data '{name}=[tantivy, moka]' "
                f"(or '{name}=[]' for none)"
            )
        unknown = [item for item in items if allowed is not None and item not in allowed]
        return f"{unknown[0]!r} is not one of {', '.join(map(str, allowed or []))}" if unknown else ""
    if allowed is not None and value not in allowed:
        return f"{value!r} is not one of {', '.join(map(str, allowed))}"
    if spec.get("validator"):
        context = {
            key: (answer if isinstance(answer, bool) else str(answer).strip().lower() in YES)
            if questions.get(key, {}).get("type") == "bool"
            else answer
            for key, answer in data.items()
        }
        return environment.from_string(spec["validator"]).render(**{**context, name: value}).strip()
    return ""


def answers_check(environment: Environment, data: dict[str, Any], copier_yml: Path) -> str:
    """Refuse a bad ``--data``/``--data-file`` answer with one line before copier reads any.

    Rendered as the first question's default (``when: false``), on copy and update: copier turns
    a bad ``--data`` answer into a traceback of its own (a ``ValueError`` from its question
    loop), so the answers are checked here first, against copier.yml's own rules. Returns ``""``
    when every answer passes; an interactive answer is checked by the question's validator.

    Raises:
        copier.errors.UserMessageError: the first bad answer; copier's CLI prints the line and
            exits 1, nothing written.
    """
    import yaml

    questions = {
        name: spec
        for name, spec in yaml.safe_load(copier_yml.read_text(encoding="utf-8")).items()
        if not name.startswith("_") and isinstance(spec, dict)
    }
    for name, value in (data or {}).items():
        if name not in questions:
            continue
        if problem := answer_problem(environment, questions, data, name, value):
            from copier.errors import UserMessageError

            raise UserMessageError(f"copier-reasonkit-rust: question '{name}': {problem}")
    return ""
