"""Tests of the Python package `mcp_tools` against the installed wheel.

Run with `python -m pytest` after `pip install .` (see CONTRIBUTING.md, "Python").
"""

from __future__ import annotations

import pytest

import mcp_tools
from mcp_tools import Document


def test_the_package_exposes_the_compiled_module() -> None:
    assert mcp_tools._core.__file__.endswith((".so", ".pyd"))
    assert mcp_tools.__version__ == "0.1.0"
    assert set(mcp_tools.__all__) <= set(dir(mcp_tools))


def test_tokenize_returns_lowercase_tokens() -> None:
    tokens = mcp_tools.tokenize("Hello, World! 42x")
    assert tokens == ["hello", "world", "42x"]
    assert all(type(token) is str for token in tokens)
    assert mcp_tools.tokenize(" ,;. ") == []


def test_tokenize_rejects_a_non_string() -> None:
    with pytest.raises(TypeError):
        mcp_tools.tokenize(42)  # type: ignore[arg-type]


def test_document_is_an_immutable_value() -> None:
    document = Document("a", "Some text")
    assert (document.id, document.text) == ("a", "Some text")
    assert document == Document("a", "Some text")
    assert document != Document("b", "Some text")
    assert repr(document) == "Document(id='a', text='Some text')"
    with pytest.raises(AttributeError):
        document.id = "b"  # type: ignore[misc]


def test_parse_jsonl_returns_documents_and_skips_blank_lines() -> None:
    documents = mcp_tools.parse_jsonl('{"id": "a", "text": "x"}\n\n{"id": "b", "text": "y"}\n')
    assert documents == [Document("a", "x"), Document("b", "y")]
    assert all(type(document) is Document for document in documents)


def test_parse_jsonl_raises_document_error_naming_the_line() -> None:
    with pytest.raises(mcp_tools.DocumentError) as caught:
        mcp_tools.parse_jsonl('{"id": "a", "text": "x"}\nnot json\n')
    assert str(caught.value) == "invalid document on line 2: expected ident at line 1 column 2"
    assert isinstance(caught.value, mcp_tools.Error)
    assert type(caught.value).__module__ == "mcp_tools"


def test_every_exception_derives_from_the_package_error() -> None:
    assert issubclass(mcp_tools.Error, Exception)
    errors = [name for name in mcp_tools.__all__ if name.endswith("Error") and name != "Error"]
    assert "DocumentError" in errors
    for name in errors:
        assert issubclass(getattr(mcp_tools, name), mcp_tools.Error), name
