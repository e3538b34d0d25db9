#!/usr/bin/env python3
"""The root ``catalog-info.yaml``: this template's two Backstage scaffolder Templates, generated
from copier.yml so the form asks exactly what copier asks.

    python scripts/backstage_templates.py render   # (re)write catalog-info.yaml
    python scripts/backstage_templates.py check    # exit 1 when catalog-info.yaml is stale

``copier-reasonkit-rust`` asks every question copier asks a user (copier.yml's order, one form
page per copier.yml section), generates the crate with the ``copier:copy`` action, publishes it
to a new GitHub repository and registers it in the catalog. ``copier-reasonkit-rust-update`` runs
``copier:update`` on a crate of the catalog and opens a pull request with the result. Both
actions come from ``backstage/scaffolder-backend-module-copier``.

What comes from where: questions, help texts, types, literal defaults and choices from copier.yml
(Jinja choices rendered with hooks/context.py's own functions, e.g. ``component_choices()``);
name patterns built from hooks/answer_rules.py's rules (tests/test_backstage_templates.py checks
that each pattern accepts and rejects what copier's validator does). Exit codes: 0 fine, 1 stale
file (a diff is printed), 2 usage or an unsupported copier.yml construct.
"""

from __future__ import annotations

import argparse
import difflib
import keyword
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hooks"))
import answer_rules  # noqa: E402  (the answer rules copier's validators call)
import context  # noqa: E402  (copier's Jinja extension: component_choices() and the validators' globals)

#: Where the template is published (what copier:copy clones).
PUBLISHED = "https://github.com/reasonkit/copier-reasonkit-rust"
NAME = "copier-reasonkit-rust"
UPDATE_NAME = f"{NAME}-update"
OWNER = "group:default/reasonkit"
SLUG = "reasonkit/copier-reasonkit-rust"

#: The copy Template's own parameters (not copier questions): the repository picker, which
#: repository_url derives from, and the template release.
REPO_URL = "repoUrl"
VERSION = "version"

#: The answer to the question copier derives from the repository picker (not asked in the form).
DERIVED = {
    "repository_url": "https://github.com/${{ (parameters.repoUrl | parseRepoUrl).owner }}"
    "/${{ (parameters.repoUrl | parseRepoUrl).repo }}"
}

#: Answers passed without asking: ``ask: false`` questions whose detection is meaningless in a
#: Backstage workspace (a fresh repository: the crate is never a member of a Cargo workspace).
FIXED = {"workspace_root": ""}

#: A copier default that depends on the machine copier runs on (the destination folder, git
#: config): meaningless on the Backstage backend, so the form asks for the answer when empty is invalid.
MACHINE_DEFAULT = re.compile(r"_copier_conf\.dst_path|git_config\(")

#: A ``when`` the form can express: one yes/no question of the same page.
WHEN_BOOL = re.compile(r"\{\{\s*(\w+)\s*\}\}")

#: copier.yml's section banners (``# ---`` / ``# Title`` / ``# ---``), which become form pages.
SECTION = re.compile(r"^# -{10,}\n# (?P<title>[^\n]+)\n# -{10,}$", re.M)
TOP_LEVEL_KEY = re.compile(r"^(?P<key>[A-Za-z_]\w*):", re.M)

TYPES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number"}

VERSION_PARAMETER = {
    "title": "Template release",
    "description": f"The {NAME} release (X.Y.Z) to use; empty for the newest",
    "type": "string",
    "pattern": r"^(\d+\.\d+\.\d+)?$",
}

SLUG_EXPRESSION = "steps['fetch-component'].output.entity.metadata.annotations['github.com/project-slug']"


class TemplateError(Exception):
    """copier.yml uses something this generator cannot express as a form (a new question type,
    a ``when`` other than one yes/no question of the same section, a name clash)."""


def _words_pattern(words: set[str] | frozenset[str], *, lib_name: bool = False) -> str:
    """Return an alternation of ``words`` for a JSON Schema (ECMAScript, ``u`` flag) pattern.

    With ``lib_name``, ``_`` also matches ``-``: the word is refused as the name with ``-`` read
    as ``_`` (cargo's lib target name), as project_name's rule does.

    Raises:
        TemplateError: a word holds a character the pattern would have to escape.
    """
    parts = []
    for word in sorted(words):
        if not re.fullmatch(r"[A-Za-z0-9_-]+", word):
            raise TemplateError(f"cannot put {word!r} into a pattern")
        parts.append(word.replace("_", "[-_]") if lib_name else word)
    return "|".join(parts)


def _any_case(word: str) -> str:
    """``group`` -> ``[Gg][Rr][Oo][Uu][Pp]``: a case-insensitive word without a regex flag."""
    return "".join(f"[{char.upper()}{char}]" if char.isalpha() else char for char in word)


def name_patterns() -> dict[str, str]:
    """Return the JSON Schema ``pattern`` of each question whose validator a regular expression can
    express, built from hooks/answer_rules.py's constants: ECMAScript syntax valid with the ``u``
    flag (what Backstage's form validator uses), anchored, no lookbehind.

    python_package's pattern leaves out one rule, the standard-library module names: they depend
    on the Python copier runs under, so copier alone refuses them (at copy time).
    """
    lowercase_words = {word for word in answer_rules.RUST_KEYWORDS | answer_rules.RESERVED_NAMES if word.islower()}
    longest = answer_rules.MAX_NAME_LENGTH
    project_name = rf"^(?!(?:{_words_pattern(lowercase_words, lib_name=True)})$)[a-z][a-z0-9_-]{{0,{longest - 1}}}$"
    python_keywords = set(keyword.kwlist) | answer_rules.RUST_KEYWORDS
    python_package = rf"^(?!(?:{_words_pattern(python_keywords)})$){answer_rules._PYTHON_PACKAGE.pattern}$"
    kinds = "|".join(_any_case(kind) for kind in answer_rules.OWNER_KINDS)
    catalog_owner = (
        rf"^(?:(?:{kinds})?:)?(?:(?:{answer_rules._CATALOG_NAMESPACE.pattern})?/)?"
        rf"(?=.{{1,63}}$)(?:{answer_rules._CATALOG_NAME.pattern})$"
    )
    return {"project_name": project_name, "python_package": python_package, "catalog_owner": catalog_owner}


#: Backstage form fields for questions: the field replaces the plain text box.
UI_FIELDS: dict[str, dict[str, Any]] = {
    "catalog_owner": {"ui:field": "OwnerPicker", "ui:options": {"catalogFilter": [{"kind": ["Group", "User"]}]}},
}


def load_questions(copier_yml: Path) -> dict[str, dict[str, Any]]:
    """Return copier.yml's questions (its keys not starting with ``_``), in file order.

    Raises:
        OSError: the file cannot be read.
        yaml.YAMLError: it is not YAML.
    """
    data = yaml.safe_load(copier_yml.read_text(encoding="utf-8"))
    return {name: spec for name, spec in data.items() if not name.startswith("_") and isinstance(spec, dict)}


def sections(copier_yml: Path) -> dict[str, str]:
    """Return each top-level key of copier.yml mapped to the title of the section banner above it
    (``""`` before the first banner).

    Raises:
        OSError: the file cannot be read.
    """
    text = copier_yml.read_text(encoding="utf-8")
    banners = [(match.start(), match["title"].strip()) for match in SECTION.finditer(text)]
    found = {}
    for match in TOP_LEVEL_KEY.finditer(text):
        titles = [title for start, title in banners if start < match.start()]
        found[match["key"]] = titles[-1] if titles else ""
    return found


def is_asked(spec: dict[str, Any]) -> bool:
    """Whether copier can ask the question: not ``when: false`` (computed), not ``ask: false``."""
    return spec.get("when") is not False and spec.get("ask") is not False


def _is_literal(value: Any) -> bool:
    """Whether a copier default is a plain value (no Jinja to render)."""
    if isinstance(value, str):
        return "{{" not in value and "{%" not in value
    if isinstance(value, list):
        return all(_is_literal(item) for item in value)
    return isinstance(value, bool | int | float) or value is None


def _jinja() -> Any:
    """A Jinja environment with copier.yml's globals (hooks/context.py's extension)."""
    from jinja2 import Environment

    return Environment(extensions=[context.ReasonKitContext])


def choices(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a question's ``(label, value)`` choices in copier's order, rendering a Jinja
    ``choices`` string (``{{ component_choices() | tojson }}``) with hooks/context.py's functions.

    Raises:
        TemplateError: the choices have a shape copier.yml does not use.
    """
    raw = spec.get("choices")
    if isinstance(raw, str):
        raw = yaml.safe_load(_jinja().from_string(raw).render())
    if isinstance(raw, dict):
        return [(str(label), value) for label, value in raw.items()]
    if isinstance(raw, list):
        return [(str(item[0]), item[1]) if isinstance(item, list) else (str(item), item) for item in raw]
    raise TemplateError(f"unsupported choices {raw!r}")


def _empty_is_invalid(name: str, spec: dict[str, Any]) -> bool:
    """Whether the question's validator (rendered with copier.yml's globals) refuses ``""``."""
    validator = spec.get("validator")
    return bool(validator) and bool(_jinja().from_string(validator).render(**{name: ""}).strip())


def question_schema(name: str, spec: dict[str, Any], patterns: dict[str, str]) -> dict[str, Any]:
    """Return the JSON Schema (with Backstage ``ui:`` keys) of one copier question.

    Raises:
        TemplateError: a type the form cannot ask.
    """
    kind = spec.get("type", "str")
    if kind not in TYPES:
        raise TemplateError(f"question {name!r}: type {kind!r} has no form field")
    schema: dict[str, Any] = {"title": name.replace("_", " ").capitalize()}
    if spec.get("help"):
        schema["description"] = str(spec["help"]).strip()
    item: dict[str, Any] = {"type": TYPES[kind]}
    if "choices" in spec:
        offered = choices(spec)
        item["enum"] = [value for _, value in offered]
        item["enumNames"] = [label for label, _ in offered]
    if spec.get("multiselect"):
        schema.update({"type": "array", "uniqueItems": True, "items": item, "ui:widget": "checkboxes"})
    else:
        schema.update(item)
    if name in patterns:
        schema["pattern"] = patterns[name]
    if "default" in spec and _is_literal(spec["default"]):
        schema["default"] = spec["default"]
    schema.update(UI_FIELDS.get(name, {}))
    return schema


def template_entity(name: str, title: str, description: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Return a scaffolder Template entity of this template's catalog (owner, tags, slug) with
    ``spec`` (parameters, steps, output)."""
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {
            "name": name,
            "title": title,
            "description": description,
            "tags": ["rust", "copier"],
            "annotations": {"github.com/project-slug": SLUG},
        },
        "spec": {"owner": OWNER, "type": "library", **spec},
    }


def check_questions(questions: dict[str, dict[str, Any]]) -> None:
    """Check that copier.yml's questions fit the Template: none takes a name of the Template's own
    parameters, every ``DERIVED``/``FIXED`` answer has its question, and every ``ask: false``
    question has a fixed answer.

    Raises:
        TemplateError: naming the question and what to change.
    """
    for own in (REPO_URL, VERSION):
        if own in questions:
            raise TemplateError(f"copier.yml has a question {own!r}, a name the Template uses for its own parameter")
    for name in [*DERIVED, *FIXED]:
        if name not in questions:
            raise TemplateError(f"copier.yml has no question {name!r} (DERIVED/FIXED in {Path(__file__).name})")
    for name, spec in questions.items():
        if spec.get("ask") is False and spec.get("when") is not False and name not in FIXED:
            raise TemplateError(f"question {name!r} is `ask: false`: add its answer in a Backstage workspace to FIXED")


def add_conditional(
    page: dict[str, Any], name: str, when: object, schema: dict[str, Any], questions: dict[str, dict[str, Any]]
) -> None:
    """Add question ``name`` to ``page`` as shown only when a yes/no question of the page is yes.

    Raises:
        TemplateError: ``when`` is not a yes/no question of the same page.
    """
    condition = WHEN_BOOL.fullmatch(str(when).strip())
    controller = condition[1] if condition else ""
    if questions.get(controller, {}).get("type") != "bool" or controller not in page["properties"]:
        raise TemplateError(f"question {name!r}: `when: {when}` is not a yes/no question of its page")
    page.setdefault("dependencies", {})[controller] = {
        "oneOf": [
            {"properties": {controller: {"const": False}}},
            {"properties": {controller: {"const": True}, name: schema}},
        ]
    }


def form_pages(copier_yml: Path, questions: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the form's pages: the asked questions by copier.yml's section, the release picker on
    the first page and the repository picker beside ``repository_url``'s section.

    Raises:
        TemplateError: a question the form cannot ask.
    """
    section_of = sections(copier_yml)
    patterns = name_patterns()
    pages: dict[str, dict[str, Any]] = {}

    def page(title: str) -> dict[str, Any]:
        return pages.setdefault(title, {"title": title, "required": [], "properties": {}})

    for name, spec in questions.items():
        if not is_asked(spec) or name in DERIVED:
            continue
        target = page(section_of.get(name) or "The crate")
        schema = question_schema(name, spec, patterns)
        when = spec.get("when", True)
        if when is not True:
            add_conditional(target, name, when, schema, questions)
            continue
        target["properties"][name] = schema
        default = spec.get("default")
        if isinstance(default, str) and MACHINE_DEFAULT.search(default) and _empty_is_invalid(name, spec):
            target["required"].append(name)
    next(iter(pages.values()))["properties"][VERSION] = dict(VERSION_PARAMETER)
    derived_page = page(section_of.get("repository_url") or "The crate")
    derived_page["properties"][REPO_URL] = {
        "title": "Repository",
        "description": "The new GitHub repository of the crate (repository_url is its https URL)",
        "type": "string",
        "ui:field": "RepoUrlPicker",
        "ui:options": {"allowedHosts": ["github.com"]},
    }
    derived_page["required"].append(REPO_URL)
    for each in pages.values():
        if not each["required"]:
            del each["required"]
    return list(pages.values())


def copy_answers(questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return copier:copy's ``answers`` input: each question's form parameter, derived or fixed
    answer (questions neither asked nor derived or fixed are left to copier)."""
    answers: dict[str, Any] = {}
    for name, spec in questions.items():
        if name in DERIVED:
            answers[name] = DERIVED[name]
        elif name in FIXED:
            answers[name] = FIXED[name]
        elif not is_asked(spec):
            continue
        elif MACHINE_DEFAULT.search(str(spec.get("default", ""))) and not _empty_is_invalid(name, spec):
            # Left empty, the answer must stay empty: copier's default would read the backend's git config.
            answers[name] = f"${{{{ parameters.{name} or '' }}}}"
        else:
            answers[name] = f"${{{{ parameters.{name} }}}}"
    return answers


def copy_template(copier_yml: Path) -> dict[str, Any]:
    """Return the ``copier-reasonkit-rust`` Template entity: copier's questions as form pages,
    then copier:copy, publish:github and catalog:register.

    Raises:
        TemplateError: copier.yml uses something the form cannot express.
    """
    questions = load_questions(copier_yml)
    check_questions(questions)
    pages = form_pages(copier_yml, questions)
    answers = copy_answers(questions)
    return template_entity(
        NAME,
        "Rust crate on the org's Rust policy",
        "A Rust crate (library, CLI or MCP server, optionally a Python package) that passes the org's "
        "five quality gates from its first commit: generated with copier, published to a new GitHub "
        "repository and registered in the catalog.",
        {
            "parameters": pages,
            "steps": [
                {
                    "id": "copy",
                    "name": "Generate the crate with copier",
                    "action": "copier:copy",
                    "input": {"url": PUBLISHED, "version": f"${{{{ parameters.{VERSION} }}}}", "answers": answers},
                },
                {
                    "id": "publish",
                    "name": "Publish to GitHub",
                    "action": "publish:github",
                    "input": {
                        "repoUrl": f"${{{{ parameters.{REPO_URL} }}}}",
                        "defaultBranch": "main",
                        "description": "${{ parameters.description }}",
                        "repoVisibility": "private",
                    },
                },
                {
                    "id": "register",
                    "name": "Register in the catalog",
                    "action": "catalog:register",
                    "input": {
                        "repoContentsUrl": "${{ steps.publish.output.repoContentsUrl }}",
                        "catalogInfoPath": "/catalog-info.yaml",
                    },
                },
            ],
            "output": {
                "links": [
                    {"title": "Repository", "url": "${{ steps.publish.output.remoteUrl }}"},
                    {
                        "title": "Open in catalog",
                        "icon": "catalog",
                        "entityRef": "${{ steps.register.output.entityRef }}",
                    },
                ]
            },
        },
    )


def update_template() -> dict[str, Any]:
    """Return the ``copier-reasonkit-rust-update`` Template entity: pick a crate of the catalog
    made from this template, run copier:update on its repository, open a pull request."""
    slug = SLUG_EXPRESSION
    return template_entity(
        UPDATE_NAME,
        "Update a crate to a template release",
        f"Takes a crate made from {NAME} to a newer template release with copier update (the team's "
        "edits kept) and opens a pull request: a draft when files are left with conflict markers.",
        {
            "parameters": [
                {
                    "title": "The crate",
                    "required": ["component"],
                    "properties": {
                        "component": {
                            "title": "Crate",
                            "description": f"A crate of the catalog made from {NAME} (its repository is on github.com)",
                            "type": "string",
                            "ui:field": "EntityPicker",
                            "ui:options": {
                                "catalogFilter": [
                                    {
                                        "kind": "Component",
                                        "metadata.annotations.backstage.io/source-template": f"template:default/{NAME}",
                                    }
                                ]
                            },
                        },
                        VERSION: {
                            **VERSION_PARAMETER,
                            "description": "The template release (X.Y.Z) to update to; empty for the newest",
                        },
                    },
                }
            ],
            "steps": [
                {
                    "id": "fetch-component",
                    "name": "Look up the crate",
                    "action": "catalog:fetch",
                    "input": {"entityRef": "${{ parameters.component }}"},
                },
                {
                    "id": "checkout",
                    "name": "Fetch the crate's repository",
                    "action": "fetch:plain",
                    "input": {"url": f"https://github.com/${{{{ {slug} }}}}"},
                },
                {
                    "id": "update",
                    "name": "Update with copier",
                    "action": "copier:update",
                    "input": {"version": f"${{{{ parameters.{VERSION} }}}}", "failOnConflict": False},
                },
                {
                    "id": "pull-request",
                    "name": "Open a pull request",
                    "if": "${{ steps.update.output.result != 'up-to-date' }}",
                    "action": "publish:github:pull-request",
                    "input": {
                        # From the crate's own github.com/project-slug annotation.
                        "repoUrl": "${{ steps.update.output.repoUrl }}",
                        "branchName": "${{ steps.update.output.branchName }}",
                        "title": "${{ steps.update.output.title }}",
                        "description": "${{ steps.update.output.description }}",
                        "draft": "${{ steps.update.output.draft }}",
                        # The files the release dropped or moved (the action sends only files it finds).
                        "filesToDelete": "${{ steps.update.output.filesToDelete }}",
                    },
                },
            ],
            "output": {
                "links": [
                    {
                        "title": "Pull request",
                        "if": "${{ steps['pull-request'].output.remoteUrl }}",
                        "url": "${{ steps['pull-request'].output.remoteUrl }}",
                    }
                ],
                "text": [
                    {
                        "title": "Template update",
                        "content": (
                            "${{ steps.update.output.result }}: ${{ steps.update.output.fromVersion }} to "
                            "${{ steps.update.output.toVersion }}"
                        ),
                    }
                ],
            },
        },
    )


def header(copier_yml: Path) -> str:
    """Return the comment block at the top of catalog-info.yaml (names the questions not asked)."""
    questions = load_questions(copier_yml)
    computed = [name for name, spec in questions.items() if spec.get("when") is False]
    not_asked = [name for name in FIXED if name in questions]
    lines = [
        "GENERATED by `python scripts/backstage_templates.py render` from copier.yml: do not edit.",
        "`python scripts/backstage_templates.py check` fails when this file is stale.",
        "",
        "This template in the org's Backstage catalog (not copied into crates: copier renders only template/),",
        "as two scaffolder Templates. They need the copier:copy and copier:update actions of",
        "backstage/scaffolder-backend-module-copier installed in the Backstage backend.",
        f"  {NAME}: a form with every question copier asks; copier:copy, publish:github,",
        "    catalog:register. Each generated crate's catalog-info.yaml names it in",
        "    backstage.io/source-template.",
        f"  {UPDATE_NAME}: copier:update on a crate of the catalog, then a pull request.",
        "",
        *textwrap.wrap(
            f"Not in the form: {', '.join(computed)} (computed by copier: `when: false`); "
            f"{', '.join(not_asked)} (`ask: false`): passed as '', since a Backstage workspace is a fresh "
            "repository (the crate is never a member of a Cargo workspace there); repository_url: derived "
            "from the repository picker (https://github.com/<owner>/<repo>). tests/test_catalog.py validates "
            "both Templates with Backstage's own validators.",
            width=98,
        ),
    ]
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def render(copier_yml: Path) -> str:
    """Return the text of catalog-info.yaml for ``copier_yml``.

    Raises:
        TemplateError: copier.yml uses something the form cannot express.
        OSError, yaml.YAMLError: copier.yml cannot be read.
    """
    documents = [copy_template(copier_yml), update_template()]
    body = yaml.safe_dump_all(
        documents, explicit_start=True, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    return header(copier_yml) + body


def difference(current: str, fresh: str, path: str = "catalog-info.yaml") -> str:
    """Return a unified diff from ``current`` to ``fresh`` (``""`` when equal)."""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            fromfile=f"{path} (committed)",
            tofile=f"{path} (rendered)",
        )
    )


def main(argv: list[str] | None = None) -> int:
    """Run ``render`` or ``check``; return the exit code (see the module docstring)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("command", choices=["render", "check"])
    parser.add_argument(
        "--template",
        type=Path,
        default=REPO,
        help="the folder holding copier.yml and catalog-info.yaml (default: this checkout)",
    )
    args = parser.parse_args(argv)
    copier_yml = args.template / "copier.yml"
    catalog = args.template / "catalog-info.yaml"
    try:
        fresh = render(copier_yml)
    except TemplateError as error:
        print(f"backstage_templates.py: {error}", file=sys.stderr)
        return 2
    if args.command == "render":
        catalog.write_text(fresh, encoding="utf-8")
        print(f"backstage_templates.py: wrote {catalog}")
        return 0
    current = catalog.read_text(encoding="utf-8") if catalog.is_file() else ""
    if current != fresh:
        print(
            f"backstage_templates.py: {catalog} is stale; run `python scripts/backstage_templates.py render` "
            "and commit. Differs:\n" + difference(current, fresh),
            file=sys.stderr,
        )
        return 1
    print(f"backstage_templates.py: {catalog} matches copier.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
