"""Jinja extension loaded by copier (``_jinja_extensions``): answer rules and git-config defaults.

Copier's validators and defaults are Jinja expressions; this extension gives them Python
functions, so the rules live in one tested module (``hooks/answer_rules.py``) instead of in regexes
spread over copier.yml.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

HOOKS = Path(__file__).resolve().parent


#: This checkout's own prefix for its modules in ``sys.modules``: copier renders several template
#: checkouts in one process (the old and the new version during ``copier update``), and each must
#: use its own hooks; the prefix also keeps generic names (``workspace``) free for others.
MODULE_PREFIX = f"copier_reasonkit_rust_{hashlib.sha256(str(HOOKS).encode()).hexdigest()[:12]}_"


def load_file(name: str, path: Path) -> ModuleType:
    """Execute the Python file ``path`` and return it as a module, registered in ``sys.modules``
    under ``name`` (dataclasses need their module there): the one loader of the template's code
    that must not go through ``sys.path`` (this file's hooks; the crates' scripts, for the
    maintainer tools and tests that share them).

    Raises:
        ImportError: the file cannot be loaded.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load_fresh(name: str) -> ModuleType:
    """Load ``hooks/<name>.py`` of THIS template checkout under ``MODULE_PREFIX + name``.

    Raises:
        ImportError: the file cannot be loaded.
    """
    return load_file(MODULE_PREFIX + name, HOOKS / f"{name}.py")


policy = _load_fresh("dependency_policy")
rules = _load_fresh("answer_rules")
workspace = _load_fresh("workspace")
ownership = _load_fresh("ownership")
gitrun = _load_fresh("gitrun")
data_check = _load_fresh("data_check")


def _git_stdout(*args: str) -> str:
    """The stripped output of ``git *args`` in the current folder, bounded to 5 seconds, or ``""``
    when git failed, timed out or is missing."""
    try:
        completed = gitrun.git(None, *args, check=False, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def git_config(key: str) -> str:
    """Return ``git config --get key`` or ``""`` when git, the key or a config is missing.

    Used only for question defaults (author name and email), so failure is never an error.
    The call is bounded to 5 seconds.
    """
    return _git_stdout("config", "--get", key)


def git_toplevel(path: PurePath | str) -> str:
    """Return the top folder of the git work tree holding ``path``, or ``""`` when there is none
    (or git is missing). Used by the after-copy message: no `git init` inside a repository.
    The call is bounded to 5 seconds."""
    return _git_stdout("-C", str(path), "rev-parse", "--show-toplevel")


def git_other_changes(path: PurePath | str, workspace_root: str = "") -> bool:
    """Return whether the git repository holding ``path`` has uncommitted changes outside
    ``path`` (staged, unstaged or untracked), which a plain `git add . && git commit` after
    generating could sweep into the crate's commit. A member's workspace manifest and lock file
    (``workspace_root``, relative to ``path``) are the copy's own changes (the member's
    registration), committed with it. False without git or a repository; bounded to 5 seconds."""
    own = [f":!{workspace_root}/Cargo.toml", f":!{workspace_root}/Cargo.lock"] if workspace_root else []
    return bool(_git_stdout("-C", str(path), "status", "--porcelain", "--", ":/", ":!.", *own))


def nested_in_repository(path: PurePath | str) -> bool:
    """Return whether ``path`` is a folder below the top of the git work tree holding it (where
    GitHub never reads a ``.github/``). False without git or a repository; bounded to 5 seconds."""
    top = git_toplevel(path)
    return bool(top) and Path(top).resolve() != Path(path).resolve()


def team_files_kept(conf: Mapping[str, Any]) -> bool:
    """Whether the destination of this copier run (``_copier_conf``) is a crate whose team files
    an update must leave alone (``hooks/ownership.py``): its committed answers file (``git show
    HEAD:``, unchanged while copier updates) names a template version from the handover on.
    False for a new copy and for copier's temporary renders (no committed answers file there), so
    they render every file. Bounded to 5 seconds; False when git fails."""
    import yaml

    shown = _git_stdout("-C", str(conf["dst_path"]), "show", f"HEAD:./{conf['answers_file']}")
    answers = yaml.safe_load(shown) if shown else None
    return isinstance(answers, dict) and "_commit" in answers and ownership.kept(str(answers["_commit"]))


def copier_command(copier_python: PurePath | str) -> str:
    """Return the path of the `copier` script beside the interpreter running copier (its venv or
    pipx environment), or plain ``copier`` when there is none: what the user types to update."""
    beside = Path(copier_python).parent / "copier"
    return str(beside) if beside.is_file() else "copier"


def policy_msrv(crate_kind: str, stack: list[str], python_bindings: bool = False) -> str:
    """Return the generated crate's MSRV (``rust-version``) for these answers: what its library,
    binary and Python packages build with, their normal dependencies (dev-dependencies build the
    tests and benchmarks, on the current stable toolchain; a dependent never builds them).

    Raises:
        policy.PolicyError: the data file is malformed.
    """
    built = [
        dep
        for dep in policy.load()
        if any(table == "dependencies" for _, table in dep.package_tables(crate_kind, list(stack), python_bindings))
    ]
    return str(policy.msrv(built))


def policy_version(crate: str) -> str:
    """Return the policy's version requirement of ``crate`` without an exact-match ``=``
    (``"=0.20.0"`` gives ``"0.20.0"``), for documents that name the version to install.

    Raises:
        KeyError: ``crate`` is not in the policy.
        policy.PolicyError: the data file is malformed.
    """
    for dep in policy.load():
        if dep.name == crate:
            return str(dep.version).lstrip("=")
    raise KeyError(f"{crate} is not in the dependency policy")


#: The packages of a crate: the library, the binary (cli/ or mcp-server/), the Python bindings.
PACKAGES = ("lib", "bin", "python")


def policy_tables(crate_kind: str, stack: list[str], python_bindings: bool = False) -> dict[str, Any]:
    """Return the crate's policy dependencies laid out for Cargo.toml and the documents.

    ``all`` lists every selected crate (file order); ``lib``, ``bin`` and ``python`` map
    ``dependencies`` / ``dev-dependencies`` to the crates that package uses. Each crate is a
    dict: ``name``, ``why``, ``value`` (with the version: ``[workspace.dependencies]``),
    ``optional`` (the binary package's feature that turns it on, or ``None``), ``inherit`` (the
    package's line in a crate that is its own workspace: ``{workspace = true}`` with the features
    this package's code uses beyond the workspace entry's) and ``member`` (the
    same with every policy feature: a workspace member's line, which must not rely on the features
    of a root entry the workspace's team may own).

    Raises:
        policy.PolicyError: the data file is malformed.
    """
    tables: dict[str, Any] = {
        "all": [],
        **{package: {table: [] for table in policy.LIB_TABLES} for package in PACKAGES},
    }
    for dep in policy.select(policy.load(), crate_kind, list(stack), python_bindings):
        tables["all"].append({"name": dep.name, "why": dep.why, "value": policy.dependency_value(dep)})
        for package, table in dep.package_tables(crate_kind, list(stack), python_bindings):
            own = list(dep.features_of(package, table, crate_kind, list(stack)))
            shared = list(dep.features)
            optional: dict[str, bool] = {"optional": True} if dep.optional and package == "bin" else {}
            tables[package][table].append(
                {
                    "name": dep.name,
                    "why": dep.why,
                    "optional": dep.optional if optional else None,
                    "inherit": policy.inline_table(
                        {"workspace": True, **({"features": own} if own else {}), **optional}
                    ),
                    "member": policy.inline_table(
                        {"workspace": True, **({"features": shared + own} if shared + own else {}), **optional}
                    ),
                }
            )
    return tables


def components(stack: list[str]) -> list[Any]:
    """Return the registry entries (``policy/components.toml``) of the selected components, in
    the registry's order.

    Raises:
        policy.PolicyError: the registry is malformed.
    """
    return [component for component in policy.load_components() if component.name in stack]


def component_choices() -> list[list[str]]:
    """Return the ``stack`` question's choices, ``[prompt line, answer]`` pairs in the registry's
    order (a list: ``tojson`` would sort a dict's keys).

    Raises:
        policy.PolicyError: the registry is malformed.
    """
    return [[component.choice, component.name] for component in policy.load_components()]


def json_string(value: str) -> str:
    """Quote ``value`` as a JSON string, its characters kept as they are (Jinja's ``tojson``
    escapes quotes and ``<>&`` for HTML)."""
    return json.dumps(value, ensure_ascii=False)


def toml_string(value: str) -> str:
    """Quote ``value`` as a TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json_string(value)


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


#: What a generated crate holds at its root. Any of them in the destination of `copier copy`
#: means a clash: copier would stop at the first one with half a crate written (`--defaults`),
#: or mix two projects.
GENERATED_ROOT_ENTRIES = (
    "Cargo.toml",
    "Cargo.lock",
    ".copier-answers.yml",
    "src",
    "tests",
    "benches",
    "scripts",
    "README.md",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
    "LICENSE",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "pyproject.toml",
    "python",
    "deny.toml",
    "clippy.toml",
    "rustfmt.toml",
    ".github",
    ".gitignore",
    "AGENTS.md",
    "catalog-info.yaml",
    "cli",
    "mcp-server",
    "server.json",
)


def destination_check(dst_path: PurePath | str, overwrite: bool) -> str:
    """Refuse a `copier copy` into a folder that already holds what the crate would write.

    Rendered (``when: false`` question's default) before copier writes anything, also under
    ``--defaults``, which validates nothing. Returns ``""`` when the folder is new or empty of
    clashing entries, or when copier may overwrite (``--overwrite``, and every ``copier update``).

    Raises:
        copier.errors.UserMessageError: clashing entries exist; copier's CLI prints the one-line
            message and exits 1.
    """
    if overwrite:
        return ""
    destination = Path(dst_path)
    clashes = [name for name in GENERATED_ROOT_ENTRIES if (destination / name).exists()]
    if not clashes:
        return ""
    from copier.errors import UserMessageError

    what = (
        "a crate" if "Cargo.toml" in clashes or ".copier-answers.yml" in clashes else "files the crate would overwrite"
    )
    raise UserMessageError(
        f"copier-reasonkit-rust: the destination {destination} already holds {what} "
        f"({', '.join(clashes)}); nothing was written. Generate into a new or empty folder, update a "
        "crate made from this template with `copier update --trust --defaults`, or pass --overwrite "
        "to replace those files."
    )


class ReasonKitContext(Extension):
    """Expose the answer rules, ``git_config``, ``policy_msrv`` and ``policy_version`` as Jinja
    globals, and the ``toml_string``, ``json_string`` and ``rustdoc_text`` filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals.update(
            copier_command=copier_command,
            destination_check=destination_check,
            answers_check=lambda data: data_check.answers_check(environment, data, HOOKS.parent / "copier.yml"),
            enclosing_workspace=workspace.enclosing_workspace,
            workspace_check=workspace.workspace_check,
            workspace_root_error=rules.workspace_root_error,
            git_config=git_config,
            git_toplevel=git_toplevel,
            git_other_changes=git_other_changes,
            nested_in_repository=nested_in_repository,
            policy_msrv=policy_msrv,
            policy_version=policy_version,
            policy_tables=policy_tables,
            components=components,
            component_choices=component_choices,
            package_name_from=rules.package_name_from,
            project_name_error=rules.project_name_error,
            description_error=rules.description_error,
            author_name_error=rules.author_name_error,
            author_email_error=rules.author_email_error,
            repository_url_error=rules.repository_url_error,
            python_package_error=rules.python_package_error,
            catalog_owner_error=rules.catalog_owner_error,
            repository_owner=rules.repository_owner,
            project_slug=rules.project_slug,
            mcp_registry_name=rules.mcp_registry_name,
            registry_description=rules.registry_description,
            team_files_kept=team_files_kept,
            team_files_of=ownership.team_files_of,
        )
        environment.filters["toml_string"] = toml_string
        environment.filters["json_string"] = json_string
        environment.filters["rustdoc_text"] = rustdoc_text
        environment.filters["catalog_name"] = rules.catalog_name
