"""Slow (npm): the generated Renovate config passes Renovate's own validator, strictly.

Renovate comes from npm at a pinned version, with the Node.js it needs (Renovate 44 needs
Node >= 22.13; npm's `node` package brings it), installed once into ``.tools/npm``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TOOLS_DIR, generate

pytestmark = pytest.mark.slow

RENOVATE = "renovate@44.121.2"
NODE = "node@22.23.3"
NPM_DIR = TOOLS_DIR / "npm"


@pytest.fixture(scope="module")
def validator() -> list[str]:
    """Return the command of `renovate-config-validator`, installing it on first use."""
    bin_dir = NPM_DIR / "node_modules" / ".bin"
    installed = NPM_DIR / "node_modules" / "renovate" / "package.json"
    want = RENOVATE.split("@", 1)[1]
    if not installed.exists() or json.loads(installed.read_text())["version"] != want:
        if shutil.which("npm") is None:
            pytest.fail("npm is not installed: the Renovate config cannot be validated", pytrace=False)
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NPM_DIR), "--no-save", "--no-audit", "--no-fund",
                        "--loglevel=error", NODE, RENOVATE], check=True, timeout=900)
    return [str(bin_dir / "renovate-config-validator"), "--strict"]


def run_validator(validator: list[str], crate: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{NPM_DIR / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
               LOG_FORMAT="json")
    return subprocess.run(validator, cwd=crate, env=env, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize("answers", [
    {"project_name": "renovate-lib"},
    {"project_name": "renovate-mcp", "crate_kind": "mcp-server", "python_bindings": True, "stack": []},
])
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
