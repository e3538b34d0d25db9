"""The policy travels with every crate (issue 11, items 1-3 and 6): AGENTS.md, the Copilot custom
agent profile `.github/agents/rust-engineer.agent.md`, the pull-request template; correct for each
answer combination rendered here, and kept current by `copier update` (with the catalog's
template-version annotation, tests/test_catalog.py)."""

from __future__ import annotations

import re
from pathlib import Path

import copier
import pytest
import yaml
from conftest import (
    assert_no_conflicts,
    bump_policy,
    commit_all,
    generate,
    git,
    policy_crate_versions,
    stack_block_versions,
)

#: Copilot's tool aliases (custom agents): what `tools` may name besides MCP `server/tool` entries.
COPILOT_TOOL_ALIASES = {"execute", "read", "edit", "search", "agent", "web", "todo"}
#: Front-matter keys of a Copilot custom agent (`infer` is retired).
AGENT_KEYS = {
    "name",
    "description",
    "target",
    "tools",
    "model",
    "disable-model-invocation",
    "user-invocable",
    "mcp-servers",
    "metadata",
}
PROFILE = ".github/agents/rust-engineer.agent.md"
SEED_GATES = (
    "cargo build --release",
    "cargo clippy --all-targets --all-features -- -D warnings",
    "cargo fmt --check",
    "cargo test --all-features --no-fail-fast",
)

COMBINATIONS = {
    "lib-full-stack": {"project_name": "agents-lib", "stack": ["qdrant", "tantivy", "rayon", "moka", "simd-json"]},
    "cli-empty-stack": {"project_name": "agents-cli", "crate_kind": "cli", "stack": []},
    "mcp-python": {
        "project_name": "agents-mcp",
        "crate_kind": "mcp-server",
        "python_bindings": True,
        "stack": ["tantivy", "moka"],
    },
    "lib-python-qdrant": {
        "project_name": "agents-py",
        "python_bindings": True,
        "python_package": "agents_core",
        "stack": ["qdrant"],
    },
}


def front_matter(text: str) -> tuple[dict, str]:
    """Split a Markdown file with YAML front matter into (metadata, body)."""
    match = re.match(r"\A---\n(.*?)\n---\n(.*)\Z", text, re.DOTALL)
    assert match, "no YAML front matter"
    return yaml.safe_load(match[1]), match[2]


@pytest.fixture(scope="module", params=sorted(COMBINATIONS))
def rendered(request, copie_session) -> tuple[dict, Path]:
    answers = COMBINATIONS[request.param]
    return answers, generate(copie_session, answers)


def test_the_agent_profile_is_a_copilot_custom_agent(rendered):
    _, crate = rendered
    meta, body = front_matter((crate / PROFILE).read_text(encoding="utf-8"))
    assert isinstance(meta.get("description"), str) and meta["description"].strip()
    assert meta["name"] == "rust-engineer"
    assert set(meta) <= AGENT_KEYS, set(meta) - AGENT_KEYS
    assert "infer" not in meta
    assert set(meta["tools"]) <= COPILOT_TOOL_ALIASES
    assert len(body) < 30_000
    assert "{{" not in body and "{%" not in body
    # a front-matter handoff would point at an agent: only at one the repository defines
    for handoff in meta.get("handoffs", []):
        assert (crate / ".github" / "agents" / f"{handoff['agent']}.agent.md").is_file(), handoff


def test_the_documents_say_where_each_handoff_goes_and_what_only_the_engineer_does(rendered):
    """Each `@agent` of the policy's handoff table is placed: an org-level agent's file in the
    org's `.github-private` repository, or the person to ask; Taskwarrior and consulting other
    models are the engineer's steps, not an agent's."""
    _, crate = rendered
    agents = (crate / "AGENTS.md").read_text(encoding="utf-8")
    for agent in ("architect", "python-specialist", "security-guardian", "devops-sre", "task-master"):
        row = next(line for line in agents.splitlines() if line.startswith("|") and f"`@{agent}`" in line)
        assert f"`agents/{agent}.agent.md`" in row and row.rstrip("| ").split("|")[-1].strip(), row
    assert ".github-private" in agents
    section = agents.split("## Working the policy's way", 1)[1].split("\n## ", 1)[0]
    assert "the engineer" in section and "sandbox" in section
    assert "`cargo add" in agents  # how a dependency is added
    if (crate / PROFILE).is_file():
        profile = (crate / PROFILE).read_text(encoding="utf-8")
        assert ".github-private" in profile and "the engineer" in profile
        assert "[workspace.dependencies]" in profile  # the table the versions really live in


def test_every_crate_in_the_profile_and_agents_md_has_the_manifests_version(rendered):
    _, crate = rendered
    versions = policy_crate_versions(crate)
    for document in (PROFILE, "AGENTS.md"):
        named = stack_block_versions((crate / document).read_text(encoding="utf-8"))
        assert named == versions, document  # the same crates, each with exactly the manifest's version


def test_agents_md_says_only_what_applies_to_the_crate(rendered):
    answers, crate = rendered
    text = (crate / "AGENTS.md").read_text(encoding="utf-8")
    for command in SEED_GATES:
        assert f"`{command}`" in text, command
    assert "scripts/gates.sh all" in text and "5 ms" in text and "CONS-007" in text and "CONS-008" in text
    stack = answers.get("stack", [])
    modules = {
        "qdrant": "src/vector.rs",
        "tantivy": "src/search.rs",
        "rayon": "src/parallel.rs",
        "moka": "src/cache.rs",
        "simd-json": "src/json.rs",
    }
    for component, module in modules.items():
        assert (f"| `{module}` |" in text) is (component in stack), module
        assert (crate / module).is_file() is (component in stack), module  # the table matches the files
    is_mcp = answers.get("crate_kind") == "mcp-server"
    assert ("## MCP server rules" in text) is is_mcp
    assert ("## Python bindings rules" in text) is bool(answers.get("python_bindings"))
    if answers.get("python_bindings"):
        package = answers.get("python_package", answers["project_name"].replace("-", "_"))
        assert f"`python/{package}/_core.pyi`" in text and (crate / "python" / package / "_core.pyi").is_file()
    assert "| policy rule | enforced by |" in text
    assert "## Team notes" in text
    assert "{{" not in text and "{%" not in text


def test_the_pull_request_template_lists_the_gates_and_the_unsafe_rules(rendered):
    _, crate = rendered
    text = (crate / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for command in SEED_GATES:
        assert f"`{command}`" in text, command
    assert "scripts/gates.sh bench" in text and "Gate 5 output" in text
    assert 'unsafe_code = "forbid"' in text and "two reviewers" in text
    assert "Task (CONS-007)" in text


# --- copier update carries a policy bump into both documents, and keeps the team's paragraph -----


def test_a_policy_bump_reaches_agents_md_the_profile_and_the_catalog_and_team_notes_survive(
    tmp_path, git_identity, template_repo
):
    crate = tmp_path / "crate"
    copier.run_copy(
        str(template_repo), crate, data={"stack": ["moka"]}, defaults=True, unsafe=True, vcs_ref="1.0.0", quiet=True
    )
    git(tmp_path, "init", "-q", "-b", "main", str(crate))
    commit_all(crate, "generated")
    team = "We review every public API change with the platform team before merging.\n"
    agents = crate / "AGENTS.md"
    agents.write_text(agents.read_text(encoding="utf-8") + "\n" + team, encoding="utf-8")
    commit_all(crate, "our conventions")

    old = policy_crate_versions(crate)["moka"]
    bump_policy(template_repo, "moka", "0.12.99")

    copier.run_update(
        crate, overwrite=True, defaults=True, skip_answered=True, unsafe=True, vcs_ref="1.1.0", quiet=True
    )
    assert_no_conflicts(crate)
    for name in ("AGENTS.md", PROFILE):
        assert stack_block_versions((crate / name).read_text(encoding="utf-8"))["moka"] == "0.12.99", name
        assert f'moka = {{version = "{old}"' not in (crate / name).read_text(encoding="utf-8")
    assert policy_crate_versions(crate)["moka"] == "0.12.99"
    assert agents.read_text(encoding="utf-8").endswith(team)
    catalog = yaml.safe_load((crate / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert catalog["metadata"]["annotations"]["backstage.io/template-version"] == "1.1.0"
