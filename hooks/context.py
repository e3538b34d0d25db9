"""Jinja extension loaded by copier (``_jinja_extensions``): answer rules and git-config defaults.

Copier's validators and defaults are Jinja expressions; this extension gives them Python
functions, so the rules live in one tested module (``hooks/answer_rules.py``) instead of in regexes
spread over copier.yml.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from jinja2 import Environment
from jinja2.ext import Extension

HOOKS = Path(__file__).resolve().parent


def _load_fresh(name: str) -> ModuleType:
    """Execute ``hooks/<name>.py`` of THIS template checkout and return it.

    Not a plain ``import``: copier renders several template checkouts in one process (the old
    and the new version during ``copier update``), and a module cached in ``sys.modules`` would
    hand the new render the old checkout's policy. Registering the fresh module under its name
    makes ``answer_rules``' own ``from dependency_policy import ...`` see this checkout too.
    """
    spec = importlib.util.spec_from_file_location(name, HOOKS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {HOOKS / f'{name}.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


policy = _load_fresh("dependency_policy")
rules = _load_fresh("answer_rules")


def git_config(key: str) -> str:
    """Return ``git config --get key`` or ``""`` when git, the key or a config is missing.

    Used only for question defaults (author name and email), so failure is never an error.
    The call is bounded to 5 seconds.
    """
    try:
        completed = subprocess.run(
            ["git", "config", "--get", key],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def policy_msrv(crate_kind: str, stack: list[str], python_bindings: bool = False) -> str:
    """Return the generated crate's MSRV (``rust-version``) for these answers.

    Raises:
        ImportError: tomlkit missing from copier's environment.
        policy.PolicyError: the data file is malformed.
    """
    features = ("python",) if python_bindings else ()
    return policy.msrv(policy.select(policy.load(), crate_kind, list(stack), features))


def policy_version(crate: str) -> str:
    """Return the policy's version requirement of ``crate`` without an exact-match ``=``
    (``"=0.20.0"`` gives ``"0.20.0"``), for documents that name the version to install.

    Raises:
        KeyError: ``crate`` is not in the policy.
        policy.PolicyError: the data file is malformed.
    """
    for dep in policy.load():
        if dep.name == crate:
            return dep.version.lstrip("=")
    raise KeyError(f"{crate} is not in the dependency policy")


def toml_string(value: str) -> str:
    """Quote ``value`` as a TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


_WORD = re.compile(r"""([(\["']*)(.*?)([)\]"'.,;:!?]*)""")
_IDENTIFIER_LIKE = re.compile(r"[a-z][A-Z]|[A-Z]{2,}[a-z]|_|::|[A-Za-z][0-9]+[A-Za-z]")


def rustdoc_text(text: str) -> str:
    """Return ``text`` with identifier-like words in backticks, for a rustdoc comment.

    clippy's pedantic ``doc_markdown`` lint rejects words such as ``ReasonKit``, ``PyO3`` or
    ``snake_case`` outside backticks; user answers end up in doc comments, so they are quoted
    here (surrounding punctuation stays outside the backticks).
    """
    def quote(word: str) -> str:
        match = _WORD.fullmatch(word)
        if match is None or "`" in word:
            return word
        lead, core, trail = match.groups()
        return f"{lead}`{core}`{trail}" if _IDENTIFIER_LIKE.search(core) else word

    return " ".join(quote(word) for word in text.split(" "))


class ReasonKitContext(Extension):
    """Expose the answer rules, ``git_config``, ``policy_msrv`` and ``policy_version`` as Jinja
    globals, and the ``toml_string`` and ``rustdoc_text`` filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals.update(
            git_config=git_config,
            policy_msrv=policy_msrv,
            policy_version=policy_version,
            project_name_error=rules.project_name_error,
            description_error=rules.description_error,
            author_name_error=rules.author_name_error,
            author_email_error=rules.author_email_error,
            repository_url_error=rules.repository_url_error,
            crate_kind_error=rules.crate_kind_error,
            stack_error=rules.stack_error,
            python_package_error=rules.python_package_error,
        )
        environment.filters["toml_string"] = toml_string
        environment.filters["rustdoc_text"] = rustdoc_text
