"""Slow (npm): the generated Renovate config passes Renovate's own validator, strictly.

Renovate comes from npm at a pinned version, with the Node.js it needs (Renovate 44's own
`engines` asks for Node 24; npm's `node` package brings it), installed once into ``.tools/npm``.
Renovate itself then runs on a sample crate (``--platform=local``, a dry run of its lookups) to
show which lines of Cargo.toml it would change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import tomlkit
import tools
from conftest import REPO, commit_all, generate

pytestmark = pytest.mark.slow

NPM_DIR = tools.NPM_DIR


@pytest.fixture(scope="module")
def validator() -> list[str]:
    """Return the command of `renovate-config-validator`, installing Renovate on first use."""
    try:
        return [str(tools.renovate() / "renovate-config-validator"), "--strict"]
    except tools.ToolMissing as error:
        pytest.fail(f"{error}: the Renovate config cannot be validated", pytrace=False)


def run_validator(validator: list[str], crate: Path) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ, PATH=f"{NPM_DIR / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}", LOG_FORMAT="json"
    )
    return subprocess.run(validator, cwd=crate, env=env, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize(
    "answers",
    [
        {"project_name": "renovate-lib"},
        {"project_name": "renovate-mcp", "crate_kind": "mcp-server", "python_bindings": True, "stack": []},
    ],
)
def test_renovates_validator_accepts_the_generated_config(copie, validator, answers):
    crate = generate(copie, answers)
    completed = run_validator(validator, crate)
    messages = [json.loads(line).get("msg", "") for line in completed.stdout.splitlines() if line.startswith("{")]
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "Validating .github/renovate.json5" in messages
    assert any(message.startswith("Config validated successfully") for message in messages), messages


def test_the_validator_really_rejects_a_bad_config(copie, validator):
    """The check above can fail: an unknown option makes the validator exit non-zero."""
    crate = generate(copie, {"project_name": "renovate-bad", "stack": []})
    config = crate / ".github" / "renovate.json5"
    config.write_text(config.read_text().replace("ignoreScripts: false,", "ignoreScripts: false,\n  notAnOption: 1,"))
    completed = run_validator(validator, crate)
    assert completed.returncode != 0
    assert "notAnOption" in completed.stdout


def proposed_updates(crate: Path, tmp_path: Path) -> dict[str, tuple[str, list[dict]]]:
    """Run Renovate on ``crate`` (local platform, lookups only, no token, nothing written) and
    return, per dependency of the root Cargo.toml (where the policy's lines live), its depType and
    the updates Renovate would make."""
    env = dict(
        os.environ,
        PATH=f"{NPM_DIR / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        LOG_FORMAT="json",
        LOG_LEVEL="debug",
        RENOVATE_BASE_DIR=str(tmp_path / "renovate-base"),
    )
    completed = subprocess.run(
        [str(NPM_DIR / "node_modules" / ".bin" / "renovate"), "--platform=local", "--dry-run=lookup"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    records = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    (found,) = [record for record in records if record.get("msg") == "packageFiles with updates"]
    return {
        dep["depName"]: (dep["depType"], dep.get("updates", []))
        for package_file in found["config"]["cargo"]
        if package_file["packageFile"] == "Cargo.toml"
        for dep in package_file["deps"]
    }


def test_renovate_never_changes_a_policy_line_but_updates_the_teams_own(validator, tmp_path):
    """The sample crate with a policy that lags (thiserror 1 while 2 is out: what a crate between
    template releases looks like) and a dependency of the team's own (itoa 0.4). With the
    generated config, Renovate proposes nothing on [workspace.dependencies] and a new major for
    itoa; with the same config without its policy rule it would rewrite thiserror's range (so the
    check can fail)."""
    crate = tmp_path / "vector-cache"
    shutil.copytree(REPO / "examples" / "vector-cache", crate)
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    manifest["workspace"]["dependencies"]["thiserror"] = "1.0.50"
    manifest["dependencies"]["itoa"] = "0.4"
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    subprocess.run(["cargo", "generate-lockfile", "--quiet"], cwd=crate, check=True, timeout=600)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=crate, check=True)
    commit_all(crate, "crate with a lagging policy")

    updates = proposed_updates(crate, tmp_path)
    assert updates["thiserror"][0] == "workspace.dependencies"
    for name, (dep_type, proposed) in updates.items():
        if dep_type == "workspace.dependencies":
            assert proposed == [], f"Renovate would change the policy's line of {name}: {proposed}"
    assert any(update["newValue"] != "0.4" for update in updates["itoa"][1]), updates["itoa"]

    config = crate / ".github" / "renovate.json5"
    text = config.read_text(encoding="utf-8")
    rule = text[text.index("    {\n      // The policy's lines") : text.index("enabled: false,\n    },\n") + 23]
    config.write_text(text.replace(rule, ""), encoding="utf-8")
    commit_all(crate, "control: the config without its policy rule")
    control = proposed_updates(crate, tmp_path)
    assert any(update["newValue"].startswith("2") for update in control["thiserror"][1]), control["thiserror"]


def test_rmcp_patches_come_in_their_own_pull_request_within_the_pinned_minor(validator, tmp_path):
    """The mcp-tools sample with the policy's rmcp line on an older minor (``~3.1``, locked at
    3.1.0: a crate between template releases, where both a 3.1 patch and newer minors are out).
    Renovate proposes the newest 3.1 patch as a lockfile update on the "rmcp" branch, the line
    itself unchanged, and no newer minor; without the config's rmcp rule it proposes nothing for
    rmcp (the policy rule covers it), so the rule is what opens that pull request."""
    crate = tmp_path / "mcp-tools"
    shutil.copytree(REPO / "examples" / "mcp-tools", crate)
    manifest = tomlkit.parse((crate / "Cargo.toml").read_text(encoding="utf-8"))
    assert str(manifest["workspace"]["dependencies"]["rmcp"]["version"]).startswith("~")  # the minor pinned
    manifest["workspace"]["dependencies"]["rmcp"]["version"] = "~3.1"
    (crate / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    subprocess.run(["cargo", "generate-lockfile", "--quiet"], cwd=crate, check=True, timeout=600)
    subprocess.run(["cargo", "update", "--quiet", "-p", "rmcp", "--precise", "3.1.0"], cwd=crate, check=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=crate, check=True)
    commit_all(crate, "a crate whose policy pins rmcp 3.1")

    dep_type, proposed = proposed_updates(crate, tmp_path)["rmcp"]
    assert dep_type == "workspace.dependencies"
    assert len(proposed) == 1, proposed
    (update,) = proposed
    assert update["isLockfileUpdate"] and update["newValue"] == "~3.1", update
    assert update["newVersion"].startswith("3.1.") and update["newVersion"] != "3.1.0", update
    assert update["branchName"] == "renovate/rmcp", update

    config = crate / ".github" / "renovate.json5"
    text = config.read_text(encoding="utf-8")
    rule = text[text.index("    {\n      // rmcp, the MCP server's SDK") : text.index('groupName: "rmcp",')]
    rule += text[text.index('groupName: "rmcp",') :].split("\n    },\n", 1)[0] + "\n    },\n"
    config.write_text(text.replace(rule, ""), encoding="utf-8")
    assert "rmcp" not in config.read_text(encoding="utf-8")
    commit_all(crate, "control: the config without its rmcp rule")
    assert proposed_updates(crate, tmp_path)["rmcp"][1] == []
