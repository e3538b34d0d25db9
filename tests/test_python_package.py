"""Slow: a crate generated with python_bindings=true is a working Python package.

In a fresh virtualenv, `pip install <crate dir>` builds the wheel (maturin, the PEP 517 backend
named in the crate's pyproject.toml, fetched from PyPI), the package imports from site-packages,
and the crate's own pytest suite (tests/python) passes against it. The five gates of the same
crates run in tests/test_gates.py: the sample mcp-tools (an MCP server beside the bindings, every
component) and python-plain (no component).
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import cargo_env, run, shared_crate

pytestmark = [pytest.mark.slow, pytest.mark.builds("samples")]

#: Crate -> its import package, and the generated Python tests it must run (none skipped).
PYTHON_CRATES = {"mcp-tools": ("mcp_tools", 21), "python-plain": ("py_plain", 14)}


class Installed:
    """A crate (``SLOW_CRATES[key]``) installed into its own fresh virtualenv."""

    def __init__(self, key: str, crate: Path, venv: Path) -> None:
        self.key, self.crate, self.venv = key, crate, venv
        self.package = PYTHON_CRATES[key][0]
        self.python = venv / "bin" / "python"

    def run_python(self, code: str) -> str:
        """Run ``code`` with the venv's interpreter outside the crate dir; return its stdout."""
        return run([str(self.python), "-c", code], cwd=self.venv).stdout.strip()


@pytest.fixture(scope="module", params=list(PYTHON_CRATES))
def installed(request, copie_session, tmp_path_factory) -> Installed:
    crate = shared_crate(copie_session, request.param)
    venv = tmp_path_factory.mktemp(request.param) / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=crate)
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], cwd=crate)  # >= 25.1 for --group
    # The shared CARGO_TARGET_DIR: the wheel build reuses the gate tests' compiled dependencies.
    run([python, "-m", "pip", "install", str(crate)], cwd=crate, env=cargo_env())
    run([python, "-m", "pip", "install", "-q", "--group", "test"], cwd=crate)
    return Installed(request.param, crate, venv)


def test_the_package_imports_from_site_packages(installed):
    location = installed.run_python(
        f"import {installed.package} as p; print(p._core.__file__); print(p.__version__)"
    ).splitlines()
    assert Path(location[0]).is_relative_to(installed.venv), location
    assert Path(location[0]).name == "_core.abi3.so"
    assert location[1] == "0.1.0"
    assert (
        installed.run_python(f"import {installed.package}; print({installed.package}.tokenize('Hi, there'))")
        == "['hi', 'there']"
    )


def test_the_wheel_is_abi3_for_cpython_3_10_and_later(installed):
    distribution = installed.package.replace("_", "[-_]")
    wheel_files = list(installed.venv.glob(f"lib/python3*/site-packages/{distribution}-0.1.0.dist-info/WHEEL"))
    assert len(wheel_files) == 1, wheel_files
    tags = [line.split(": ", 1)[1] for line in wheel_files[0].read_text().splitlines() if line.startswith("Tag: ")]
    assert tags and all(tag.startswith("cp310-abi3-") for tag in tags), tags


def test_the_extension_module_does_not_link_libpython(installed):
    """maturin sets PYO3_BUILD_EXTENSION_MODULE (the crate has no `extension-module` feature):
    the module must take CPython's symbols from the interpreter that loads it."""
    module = next(installed.venv.glob(f"lib/python3*/site-packages/{installed.package}/_core.abi3.so"))
    needed = subprocess.run(["ldd", str(module)], capture_output=True, text=True, check=True).stdout
    assert "libpython" not in needed, needed


def test_the_crates_pytest_suite_passes(installed, tmp_path):
    report = tmp_path / "junit.xml"
    run([str(installed.python), "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}"], cwd=installed.crate)
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    counts = {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": PYTHON_CRATES[installed.key][1], "failures": 0, "errors": 0, "skipped": 0}


def test_the_generated_python_example_runs(installed):
    """The example in the crate's CONTRIBUTING.md is code a user will paste: it must run as
    written."""
    contributing = (installed.crate / "CONTRIBUTING.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.*?)```", contributing, re.S)
    printed = installed.run_python(example)
    assert printed == "invalid document on line 1: expected ident at line 1 column 2"


def test_a_stub_that_drifts_from_the_module_fails_the_crates_tests(installed, tmp_path):
    """The stub check is real: change a default in the installed stub and the suite goes red."""
    stub = next(installed.venv.glob(f"lib/python3*/site-packages/{installed.package}/_core.pyi"))
    original = stub.read_text(encoding="utf-8")
    assert "def tokenize(text: str)" in original
    try:
        stub.write_text(
            original.replace("def tokenize(text: str)", "def tokenize(text: str, limit: int = 3)"), encoding="utf-8"
        )
        completed = subprocess.run(
            [str(installed.python), "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/python/test_stub.py"],
            cwd=installed.crate,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        stub.write_text(original, encoding="utf-8")
    assert completed.returncode == 1, completed.stdout
    assert "test_function_parameters_match[tokenize]" in completed.stdout
