"""Fast tests: render answer combinations and check the generated files (no cargo)."""

from __future__ import annotations

import ast
import os
import re
import tomllib
from pathlib import Path

import dependency_policy
import pytest
import yaml
from conftest import FULL_STACK, QUESTIONS, generate

COMPONENT_MODULES = {
    "qdrant": "src/vector.rs",
    "tantivy": "src/search.rs",
    "rayon": "src/parallel.rs",
    "moka": "src/cache.rs",
    "simd-json": "src/json.rs",
}
COMPONENT_ERRORS = {
    "qdrant": "qdrant_client::QdrantError",
    "tantivy": "tantivy::TantivyError",
    "rayon": "rayon::ThreadPoolBuildError",
    "moka": "std::sync::Arc<Error>",
    "simd-json": "simd_json::Error",
}
QUESTIONS_DESCRIPTION_DEFAULT = QUESTIONS["description"]["default"]
STACKS = [[], *([component] for component in FULL_STACK), ["tantivy", "moka"], FULL_STACK]


def read_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def expected_tables(crate_kind: str, stack: list[str]) -> dict[str, dict]:
    """What the policy data file says the two dependency tables must hold."""
    tables: dict[str, dict] = {"dependencies": {}, "dev-dependencies": {}}
    for dep in dependency_policy.select(dependency_policy.load(), crate_kind, stack):
        tables[dep.table(crate_kind)][dep.name] = dep
    return tables


def assert_dependencies_follow_policy(manifest: dict, crate_kind: str, stack: list[str]) -> None:
    shared = manifest["workspace"]["dependencies"]
    tables = expected_tables(crate_kind, stack)
    assert set(shared) == set(tables["dependencies"]) | set(tables["dev-dependencies"])
    for table, deps in tables.items():
        assert manifest[table] == {name: {"workspace": True} for name in deps}, table
        for name, dep in deps.items():
            value = shared[name]
            if isinstance(value, str):
                assert value == dep.version and dep.default_features and not dep.features
            else:
                assert value["version"] == dep.version
                assert value.get("default-features", True) == dep.default_features
                assert tuple(value.get("features", ())) == dep.features


def test_defaults_generate_the_full_stack_library(copie):
    crate = generate(copie, {"project_name": "vector-cache"})
    manifest = read_toml(crate / "Cargo.toml")
    package = manifest["package"]
    assert package["name"] == "vector-cache"
    assert package["edition"] == "2024"
    assert package["rust-version"] == "1.88"
    assert package["license"] == "MIT OR Apache-2.0"
    assert manifest["lib"] == {"name": "vector_cache", "path": "src/lib.rs", "bench": False}
    assert "bin" not in manifest
    assert manifest["bench"] == [{"name": "hot_paths", "harness": False}, {"name": "instructions", "harness": False}]
    assert_dependencies_follow_policy(manifest, "lib", FULL_STACK)
    assert manifest["dev-dependencies"]["anyhow"] == {"workspace": True}  # a lib: tests only
    for module in COMPONENT_MODULES.values():
        assert (crate / module).is_file(), module
    for name in ("LICENSE-MIT", "LICENSE-APACHE", "README.md", "CHANGELOG.md", ".gitignore",
                 "clippy.toml", "rustfmt.toml", "deny.toml", ".github/workflows/ci.yml",
                 "tests/integration.rs", "tests/qdrant_live.rs", "benches/hot_paths.rs",
                 "benches/instructions.rs", "benches/corpus/mod.rs", ".cargo/config.toml",
                 ".github/workflows/template-update.yml", ".github/template-update-requirements.txt",
                 ".github/renovate.json5"):
        assert (crate / name).is_file(), name
    assert not (crate / "src/main.rs").exists()
    for script in ("scripts/gates.sh", "scripts/bench_gate.py", "scripts/template_update.py"):
        assert os.access(crate / script, os.X_OK), f"{script} is not executable"


def test_the_lint_policy(copie):
    manifest = read_toml(generate(copie, {"project_name": "lints"}) / "Cargo.toml")
    lints = manifest["lints"]
    assert lints["rust"]["unsafe_code"] == "forbid"
    assert lints["clippy"]["pedantic"] == {"level": "warn", "priority": -1}
    for lint in ("unwrap_used", "expect_used", "panic"):
        assert lints["clippy"][lint] == "deny", lint



def test_one_dependency_build_serves_gates_1_and_5(copie):
    """Resolver 1 and no cross-crate LTO in release (which the benches inherit); the shipping
    profile `dist` adds thin LTO where something ships (a binary, wheels)."""
    for answers, ships in (({"crate_kind": "lib"}, False), ({"crate_kind": "cli"}, True),
                           ({"crate_kind": "mcp-server"}, True), ({"crate_kind": "lib", "python_bindings": True}, True)):
        crate = generate(copie, {"project_name": "profiles", **answers})
        manifest = read_toml(crate / "Cargo.toml")
        assert manifest["workspace"]["resolver"] == "1"
        assert manifest["profile"]["release"] == {"lto": False, "debug": "line-tables-only"}
        assert "bench" not in manifest["profile"]  # inherits release: gate 1's artifacts are reused
        assert (manifest["profile"].get("dist") == {"inherits": "release", "lto": "thin"}) == ships, answers
        config = read_toml(crate / ".cargo/config.toml")
        assert config == {"resolver": {"incompatible-rust-versions": "fallback"}}


def test_the_answers_file_records_every_question(copie):
    crate = generate(copie, {"project_name": "answers", "crate_kind": "cli", "stack": ["moka"]})
    text = (crate / ".copier-answers.yml").read_text(encoding="utf-8")
    assert text.startswith("# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n")
    answers = yaml.safe_load(text)
    assert answers["crate_kind"] == "cli"
    assert answers["stack"] == ["moka"]
    assert "_src_path" in answers and "_commit" in answers
    assert "lib_name" not in answers and "msrv" not in answers  # derived, never stored


@pytest.mark.parametrize("crate_kind", ["lib", "cli", "mcp-server"])
@pytest.mark.parametrize("stack", STACKS, ids=lambda stack: "+".join(stack) or "empty")
def test_each_combination_renders_what_it_selected(copie, crate_kind, stack):
    crate = generate(copie, {"project_name": "combo", "crate_kind": crate_kind, "stack": stack})
    manifest = read_toml(crate / "Cargo.toml")
    assert_dependencies_follow_policy(manifest, crate_kind, stack)
    selected = dependency_policy.select(dependency_policy.load(), crate_kind, stack)
    assert manifest["package"]["rust-version"] == dependency_policy.msrv(selected)
    lib = (crate / "src/lib.rs").read_text(encoding="utf-8")
    error = (crate / "src/error.rs").read_text(encoding="utf-8")
    for component, module in COMPONENT_MODULES.items():
        chosen = component in stack
        assert (crate / module).exists() == chosen, module
        assert (f"pub mod {Path(module).stem};" in lib) == chosen
        assert (COMPONENT_ERRORS[component] in error) == chosen
    assert (crate / "tests/qdrant_live.rs").exists() == ("qdrant" in stack)
    binary = crate_kind != "lib"
    assert (crate / "src/main.rs").exists() == binary
    assert (crate / "tests/cli.rs").exists() == (crate_kind == "cli")
    assert (crate / "src/mcp.rs").exists() == (crate_kind == "mcp-server")
    assert (crate / "tests/mcp_stdio.rs").exists() == (crate_kind == "mcp-server")
    assert ("pub mod mcp;" in lib) == (crate_kind == "mcp-server")
    assert ("rmcp" in manifest["dependencies"]) == (crate_kind == "mcp-server")
    assert ("clap" in manifest["dependencies"]) == binary
    assert ("anyhow" in manifest["dependencies"]) == binary
    assert ("bin" in manifest) == binary
    if crate_kind == "mcp-server":
        assert "rmcp" in (crate / "src/main.rs").read_text(encoding="utf-8")
        assert '"mcpServers"' in (crate / "README.md").read_text(encoding="utf-8")
    yaml.safe_load((crate / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    read_toml(crate / "deny.toml")
    read_toml(crate / "clippy.toml")
    read_toml(crate / "rustfmt.toml")
    for path in crate.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"\{\{|\{%|%\}", text.replace("${{", "").replace("}}", "")), path
            assert not text.endswith("\n\n"), f"{path} ends with a blank line"


@pytest.mark.parametrize(
    ("license", "files"),
    [
        ("MIT OR Apache-2.0", {"LICENSE-MIT", "LICENSE-APACHE"}),
        ("MIT", {"LICENSE"}),
        ("Apache-2.0", {"LICENSE"}),
        ("BSD-3-Clause", {"LICENSE"}),
        ("LicenseRef-Proprietary", {"LICENSE"}),
    ],
)
def test_licence_files_match_the_licence(copie, license, files):
    crate = generate(copie, {"project_name": "licensed", "license": license, "author_name": "Ada Lovelace"})
    assert {path.name for path in crate.glob("LICENSE*")} == files
    package = read_toml(crate / "Cargo.toml")["package"]
    assert package["license"] == license
    text = "".join((crate / name).read_text(encoding="utf-8") for name in files)
    if license != "Apache-2.0":
        assert "Ada Lovelace" in text
    if license == "LicenseRef-Proprietary":
        assert package["publish"] is False and package["license-file"] == "LICENSE"
    else:
        assert "publish" not in package


def test_awkward_text_answers_stay_valid_toml_and_lint_clean_docs(copie):
    description = 'Fast "vector" search for ReasonKit\\agents, via PyO3 and my_module: naïve café'
    crate = generate(copie, {"project_name": "awkward_name", "description": description,
                             "author_name": "Zoë O'Brien", "author_email": ""})
    package = read_toml(crate / "Cargo.toml")["package"]
    assert package["description"] == description
    assert package["authors"] == ["Zoë O'Brien"]
    lib = (crate / "src/lib.rs").read_text(encoding="utf-8")
    assert lib.splitlines()[0] == (
        '//! `awkward_name`: Fast "vector" search for `ReasonKit\\agents`, via `PyO3` and '
        "`my_module`: naïve café"
    )


def test_the_author_email_goes_into_authors(copie):
    crate = generate(copie, {"project_name": "mailed", "author_name": "Ada", "author_email": "ada@example.org"})
    assert read_toml(crate / "Cargo.toml")["package"]["authors"] == ["Ada <ada@example.org>"]


# --- python_bindings (issue #3) ----------------------------------------------------------------

#: Every file python_bindings=true adds (relative to the crate, {pkg} = python_package).
PYTHON_FILES = {
    "pyproject.toml",
    "src/python.rs",
    "python/{pkg}/__init__.py",
    "python/{pkg}/_core.pyi",
    "python/{pkg}/py.typed",
    "tests/python/test_bindings.py",
    "tests/python/test_stub.py",
    ".github/workflows/release.yml",
}

#: The Python names the bindings expose, per stack component (the rest is always there).
PYTHON_NAMES_ALWAYS = {"Document", "Error", "InvalidArgumentError", "InvalidDocumentError",
                       "__version__", "parse_jsonl", "tokenize"}
PYTHON_NAMES_BY_COMPONENT = {"tantivy": {"QueryError", "SearchIndex"}, "rayon": {"Parallel"}}


def python_files(crate: Path) -> set[str]:
    """Every Python-side file of a crate except its scripts (gate 5, template update: every crate
    has them)."""
    found = set()
    for path in crate.rglob("*"):
        relative = path.relative_to(crate).as_posix()
        if not path.is_file():
            continue
        if path.suffix in (".py", ".pyi", ".typed") or path.name == "pyproject.toml" or relative.startswith("python"):
            found.add(relative)
    return found - {"scripts/bench_gate.py", "scripts/template_update.py"}


def test_without_python_bindings_no_python_file_is_generated(copie):
    crate = generate(copie, {"project_name": "vector-cache", "python_bindings": False})
    assert python_files(crate) == set()
    assert not (crate / "src/python.rs").exists()
    assert not (crate / ".github/workflows/release.yml").exists()
    manifest = read_toml(crate / "Cargo.toml")
    assert "features" not in manifest
    assert "crate-type" not in manifest["lib"]
    assert "pyo3" not in manifest["workspace"]["dependencies"]
    assert "python" not in (crate / "src/lib.rs").read_text(encoding="utf-8").lower()
    assert "python" not in yaml.safe_load((crate / ".github/workflows/ci.yml").read_text(encoding="utf-8"))["jobs"]
    assert "## Python" not in (crate / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("stack", [FULL_STACK, [], ["rayon"], ["tantivy"]], ids=lambda s: "+".join(s) or "empty")
def test_python_bindings_render_the_package(copie, stack):
    crate = generate(copie, {"project_name": "vector-cache", "python_bindings": True, "stack": stack})
    expected_files = {name.format(pkg="vector_cache") for name in PYTHON_FILES}
    for name in expected_files:
        assert (crate / name).is_file(), name
    assert python_files(crate) == expected_files - {"src/python.rs", ".github/workflows/release.yml"}
    manifest = read_toml(crate / "Cargo.toml")
    assert manifest["lib"]["crate-type"] == ["cdylib", "rlib"]
    assert manifest["features"] == {"python": ["dep:pyo3"]}
    assert manifest["dependencies"]["pyo3"] == {"workspace": True, "optional": True}
    pyo3 = manifest["workspace"]["dependencies"]["pyo3"]
    assert pyo3["default-features"] is False
    assert "abi3-py310" in pyo3["features"]
    assert "extension-module" not in pyo3["features"]  # deprecated; would break cargo test's link
    assert manifest["lints"]["rust"]["unsafe_code"] == "forbid"  # pyo3's macros pass under forbid
    selected = dependency_policy.select(dependency_policy.load(), "lib", stack, ("python",))
    assert manifest["package"]["rust-version"] == dependency_policy.msrv(selected)
    assert "#[cfg(feature = \"python\")]\nmod python;" in (crate / "src/lib.rs").read_text(encoding="utf-8")

    pyproject = read_toml(crate / "pyproject.toml")
    assert pyproject["build-system"] == {"requires": ["maturin>=1.9.4,<2"], "build-backend": "maturin"}
    project = pyproject["project"]
    assert project["name"] == "vector-cache"
    assert project["requires-python"] == ">=3.10"
    assert project["license"] == "MIT OR Apache-2.0"
    assert project["dynamic"] == ["version"]
    assert project["description"] == QUESTIONS_DESCRIPTION_DEFAULT
    assert pyproject["tool"]["maturin"] == {
        "features": ["python"], "python-source": "python", "module-name": "vector_cache._core", "bindings": "pyo3",
        "strip": True,
    }
    assert pyproject["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests/python"]

    expected = PYTHON_NAMES_ALWAYS.union(*(names for component, names in PYTHON_NAMES_BY_COMPONENT.items()
                                           if component in stack))
    init = ast.parse((crate / "python/vector_cache/__init__.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in init.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    exported = next(ast.literal_eval(node.value) for node in init.body if isinstance(node, ast.Assign))
    assert imported == set(exported) == expected
    stub = ast.parse((crate / "python/vector_cache/_core.pyi").read_text(encoding="utf-8"))
    declared = {node.name for node in stub.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    declared |= {node.target.id for node in stub.body if isinstance(node, ast.AnnAssign)}
    assert declared == expected
    rust = (crate / "src/python.rs").read_text(encoding="utf-8")
    for name in expected - {"__version__"}:
        assert f'"{name}"' in rust or f"fn {name}(" in rust, name
    assert rust.count("py.detach(") >= 2  # long work releases the interpreter
    for path in (crate / "tests/python").glob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert "## Python" in (crate / "README.md").read_text(encoding="utf-8")


def test_the_python_package_answer_names_the_import_package(copie):
    crate = generate(copie, {"project_name": "vector-cache", "python_bindings": True, "python_package": "vcache"})
    assert (crate / "python/vcache/__init__.py").is_file()
    assert not (crate / "python/vector_cache").exists()
    assert read_toml(crate / "pyproject.toml")["tool"]["maturin"]["module-name"] == "vcache._core"
    assert "import vcache" in (crate / "tests/python/test_bindings.py").read_text(encoding="utf-8")
    answers = yaml.safe_load((crate / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["python_bindings"] is True and answers["python_package"] == "vcache"


def test_a_proprietary_python_package_can_never_be_uploaded_to_pypi(copie):
    crate = generate(copie, {"project_name": "secret-sauce", "python_bindings": True,
                             "license": "LicenseRef-Proprietary"})
    classifiers = read_toml(crate / "pyproject.toml")["project"]["classifiers"]
    assert "Private :: Do Not Upload" in classifiers  # PyPI rejects any upload carrying it


def test_one_inline_table_style_in_cargo_toml(copie):
    """tomlkit writes the policy's tables as `{key = value}`; the template's own inline tables use
    the same style (the dependency lines keep tomlkit's: restyling them would conflict with every
    team's feature edit on those lines at the next update)."""
    crate = generate(copie, {"project_name": "styled", "crate_kind": "cli", "python_bindings": True})
    text = (crate / "Cargo.toml").read_text(encoding="utf-8")
    tables = [line.split(" = ", 1)[1] for line in text.splitlines() if " = {" in line and not line.startswith("#")]
    assert len(tables) > 10
    for table in tables:
        assert table.startswith("{") and not table.startswith("{ ") and not table.endswith(" }"), table
