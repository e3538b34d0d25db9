"""The org catalog (issue 11, item 4): every crate's Backstage `catalog-info.yaml`, and the
template's own root `catalog-info.yaml` (two Template entities, never copied into crates; generated
by scripts/backstage_templates.py, tested against copier in tests/test_backstage_templates.py).

Fast: the owner/lifecycle rules and the rendered entity's fields for several answer combinations.
Slow (npm): the crate's entity and both Templates through Backstage's own validators
(`@backstage/catalog-model` and `@backstage/plugin-scaffolder-common`, pinned by the Backstage
module in backstage/scaffolder-backend-module-copier, whose `npm ci` they share)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, generate

sys.path.insert(0, str(REPO / "hooks"))
import answer_rules  # noqa: E402

VALIDATE = REPO / "tests" / "backstage_validate.cjs"
#: The root catalog-info.yaml's Templates: the crate's (which generated crates name) and the update's.
ROOT_ENTITIES = list(yaml.safe_load_all((REPO / "catalog-info.yaml").read_text(encoding="utf-8")))
ROOT_ENTITY = ROOT_ENTITIES[0]

COMBINATIONS = {
    "lib-defaults": ({"project_name": "catalog-lib"}, "library"),
    "cli-production": (
        {
            "project_name": "catalog-cli",
            "crate_kind": "cli",
            "stack": [],
            "catalog_owner": "group:default/search-team",
            "catalog_lifecycle": "production",
        },
        "tool",
    ),
    "mcp-python-gitlab": (
        {
            "project_name": "catalog-mcp",
            "crate_kind": "mcp-server",
            "python_bindings": True,
            "stack": [],
            "repository_url": "https://gitlab.example.org/tools/catalog-mcp",
            "description": "Tools for the team's agents: search 'n' cache",
        },
        "service",
    ),
}


@pytest.mark.parametrize(
    ("owner", "valid"),
    [
        ("group:default/rust-platform", True),
        ("group:rust-platform", True),
        ("user:jane", True),
        ("rust-platform", True),
        ("group:default/a--b", True),
        ("component:default/x", False),
        ("group:Bad_NS/x", False),
        ("group:default/-x", False),
        ("", False),
        ("team x", False),
        ("group:default/" + "x" * 64, False),
    ],
)
def test_the_owner_is_a_group_or_user_entity_reference(owner, valid):
    assert (answer_rules.catalog_owner_error(owner) == "") is valid


def test_the_catalog_name_of_any_valid_package_name_is_valid():
    for name in ("a", "vector-cache", "a__b", "x" * 64, "ab-", "a-_-b"):
        assert answer_rules._CATALOG_NAME.fullmatch(answer_rules.catalog_name(name)), name
        assert len(answer_rules.catalog_name(name)) <= 63


def test_the_owner_defaults_to_the_repository_owner(copie):
    crate = generate(
        copie, {"project_name": "owned", "stack": [], "repository_url": "https://github.com/Search-Team/owned"}
    )
    entity = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert entity["spec"]["owner"] == "group:default/search-team"


@pytest.fixture(scope="module", params=sorted(COMBINATIONS))
def rendered(request, copie_session) -> tuple[dict, str, Path]:
    answers, spec_type = COMBINATIONS[request.param]
    return answers, spec_type, generate(copie_session, answers)


def test_the_crate_is_a_catalog_component_on_its_template_version(rendered):
    answers, spec_type, crate = rendered
    entity = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    recorded = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert entity["apiVersion"] == "backstage.io/v1alpha1" and entity["kind"] == "Component"
    assert entity["metadata"]["name"] == answers["project_name"]
    assert entity["metadata"]["description"] == recorded["description"]
    assert entity["spec"] == {
        "type": spec_type,
        "lifecycle": recorded["catalog_lifecycle"],
        "owner": recorded["catalog_owner"],
    }
    annotations = entity["metadata"]["annotations"]
    assert annotations["backstage.io/source-template"] == f"template:default/{ROOT_ENTITY['metadata']['name']}"
    # the release the crate was generated from, or "unreleased" for a commit between releases
    release_like = re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", str(recorded["_commit"]))
    assert annotations["backstage.io/template-version"] == (str(recorded["_commit"]) if release_like else "unreleased")
    url = recorded["repository_url"]
    if url.startswith("https://github.com/"):
        assert annotations["github.com/project-slug"] == url.removeprefix("https://github.com/")
    else:
        assert "github.com/project-slug" not in annotations


# --- Backstage's own validators (npm) -------------------------------------------------------------


@pytest.fixture(scope="module")
def backstage(backstage_module) -> Path:
    """Return the node_modules folder with Backstage's validators: the Backstage module's locked
    install (its package.json pins @backstage/catalog-model and @backstage/plugin-scaffolder-common)."""
    return backstage_module / "node_modules"


def validate(modules: Path, entities: list[dict]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is not installed"
    return subprocess.run(
        [node, str(VALIDATE)],
        input=json.dumps(entities),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.slow
def test_backstage_accepts_the_crates_entity_and_the_templates(rendered, backstage):
    _, _, crate = rendered
    entity = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    completed = validate(backstage, [entity, *ROOT_ENTITIES])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.splitlines() == [
        f"ok Component:default/{entity['metadata']['name']}",
        "ok Template:default/copier-reasonkit-rust",
        "ok Template:default/copier-reasonkit-rust-update",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("rendered", ["lib-defaults"], indirect=True)  # one entity shows it
def test_backstages_validator_really_rejects_a_broken_entity(rendered, backstage):
    _, _, crate = rendered
    entity = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    del entity["spec"]["lifecycle"]
    templates = json.loads(json.dumps(ROOT_ENTITIES))
    for template in templates:
        del template["spec"]["steps"]
    completed = validate(backstage, [entity, *templates])
    assert completed.returncode == 1
    assert "missingProperty: lifecycle" in completed.stdout
    assert completed.stdout.count("missingProperty: steps") == len(ROOT_ENTITIES) == 2
