"""Keeps the hand-written stub `_core.pyi` in step with the compiled module `mcp_tools._core`.

The stub is read with `ast`, the module is inspected at run time: the same public names, the same
classes with the same base classes, properties and methods, and the same parameters (names,
kinds, defaults) for every function and method (PyO3 publishes them as `__text_signature__`).
Annotations are the stub's business and are not compared.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

core = importlib.import_module("mcp_tools._core")
STUB_PATH = Path(core.__file__).with_name("_core.pyi")


def stub_tree() -> ast.Module:
    """Parse the stub installed next to the compiled module (the wheel must ship it)."""
    return ast.parse(STUB_PATH.read_text(encoding="utf-8"), filename=str(STUB_PATH))


def stub_parameters(function: ast.FunctionDef) -> list[tuple[str, str, Any]]:
    """Return `(name, kind, default)` for each parameter of a stub function."""
    arguments = function.args
    positional = arguments.posonlyargs + arguments.args
    defaults: list[Any] = [inspect.Parameter.empty] * (len(positional) - len(arguments.defaults))
    defaults += [ast.literal_eval(default) for default in arguments.defaults]
    result = [
        (argument.arg, "POSITIONAL_ONLY" if argument in arguments.posonlyargs else "POSITIONAL_OR_KEYWORD", default)
        for argument, default in zip(positional, defaults)
    ]
    if arguments.vararg:
        result.append((arguments.vararg.arg, "VAR_POSITIONAL", inspect.Parameter.empty))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        value = inspect.Parameter.empty if default is None else ast.literal_eval(default)
        result.append((argument.arg, "KEYWORD_ONLY", value))
    if arguments.kwarg:
        result.append((arguments.kwarg.arg, "VAR_KEYWORD", inspect.Parameter.empty))
    return result


def runtime_parameters(signature: inspect.Signature) -> list[tuple[str, str, Any]]:
    """Return `(name, kind, default)` for each parameter of a run-time signature."""
    return [(p.name, p.kind.name, p.default) for p in signature.parameters.values()]


def without_self(parameters: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """Drop a leading `self`: the stub spells it, PyO3 reports it positional-only (`$self`)."""
    return parameters[1:] if parameters and parameters[0][0] == "self" else parameters


def public(names: list[str] | set[str]) -> set[str]:
    """Names without a leading underscore, plus `__version__`."""
    return {name for name in names if not name.startswith("_") or name == "__version__"}


def stub_members() -> dict[str, ast.AST]:
    """Top-level names the stub declares (functions, classes, annotated variables)."""
    members: dict[str, ast.AST] = {}
    for node in stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            members[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members[node.target.id] = node
    return members


def test_the_wheel_ships_the_stub_and_the_marker() -> None:
    assert STUB_PATH.is_file()
    assert STUB_PATH.with_name("py.typed").is_file()


def test_the_stub_declares_exactly_the_public_names() -> None:
    assert public(set(stub_members())) == public(dir(core))


@pytest.mark.parametrize(
    "name", sorted(name for name, node in stub_members().items() if isinstance(node, ast.FunctionDef))
)
def test_function_parameters_match(name: str) -> None:
    node = stub_members()[name]
    assert isinstance(node, ast.FunctionDef)
    assert runtime_parameters(inspect.signature(getattr(core, name))) == stub_parameters(node)


@pytest.mark.parametrize(
    "name", sorted(name for name, node in stub_members().items() if isinstance(node, ast.ClassDef))
)
def test_class_matches(name: str) -> None:
    node = stub_members()[name]
    assert isinstance(node, ast.ClassDef)
    runtime = getattr(core, name)
    assert inspect.isclass(runtime)
    assert [ast.unparse(base) for base in node.bases] == [base.__name__ for base in runtime.__bases__ if base is not object]
    declared = {item.name: item for item in node.body if isinstance(item, ast.FunctionDef)}
    assert public(set(declared)) == public([n for n in vars(runtime) if n not in ("__module__", "__doc__")]) - {"__version__"}
    for method_name, method in declared.items():
        is_property = any(ast.unparse(decorator) == "property" for decorator in method.decorator_list)
        attribute = inspect.getattr_static(runtime, method_name)
        if is_property:
            assert inspect.isdatadescriptor(attribute), f"{name}.{method_name} is not a property"
        elif method_name == "__init__":
            expected = without_self(stub_parameters(method))
            assert runtime_parameters(inspect.signature(runtime)) == expected, name
        elif method_name.startswith("__"):
            assert callable(attribute), f"{name}.{method_name}"
        else:
            actual = runtime_parameters(inspect.signature(getattr(runtime, method_name)))
            assert without_self(actual) == without_self(stub_parameters(method)), f"{name}.{method_name}"
