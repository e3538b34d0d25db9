"""Tests of the Python package `mcp_tools` against the installed wheel.

Run with `python -m pytest` after `pip install .` (see the README's Python section).
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


def test_parse_jsonl_raises_invalid_document_error_naming_the_line() -> None:
    with pytest.raises(mcp_tools.InvalidDocumentError) as caught:
        mcp_tools.parse_jsonl('{"id": "a", "text": "x"}\nnot json\n')
    assert str(caught.value) == "invalid document on line 2: expected ident at line 1 column 2"
    assert isinstance(caught.value, mcp_tools.Error)
    assert type(caught.value).__module__ == "mcp_tools"


def test_the_exceptions_form_one_hierarchy() -> None:
    assert issubclass(mcp_tools.Error, Exception)
    for name in ("InvalidDocumentError", "InvalidArgumentError", "QueryError"):
        assert issubclass(getattr(mcp_tools, name), mcp_tools.Error), name


def test_search_index_finds_the_matching_document_first() -> None:
    index = mcp_tools.SearchIndex()
    assert len(index) == 0
    index.add([
        Document("rust", "Rust is a systems programming language"),
        Document("python", "Python is a scripting language"),
    ])
    assert len(index) == 2
    hits = index.search("systems")
    assert [hit_id for hit_id, _ in hits] == ["rust"]
    hit_id, score = hits[0]
    assert type(hit_id) is str
    assert type(score) is float
    assert score > 0
    assert [hit_id for hit_id, _ in index.search("language", limit=1)] in (["rust"], ["python"])


def test_search_index_errors_keep_their_class_and_message() -> None:
    index = mcp_tools.SearchIndex()
    with pytest.raises(mcp_tools.QueryError, match=r"^invalid search query: "):
        index.search("text:(")
    with pytest.raises(mcp_tools.InvalidArgumentError) as caught:
        index.search("rust", limit=0)
    assert str(caught.value) == "invalid argument: search limit must be at least 1"
    with pytest.raises(TypeError):
        index.add(["not a document"])  # type: ignore[list-item]


def test_parallel_term_frequencies_match_a_sequential_count() -> None:
    documents = [Document(str(i), f"alpha beta {i % 3}") for i in range(200)]
    parallel = mcp_tools.Parallel(threads=2)
    assert parallel.threads == 2
    counts = parallel.term_frequencies(documents)
    assert type(counts) is dict
    assert counts["alpha"] == 200
    assert counts["beta"] == 200
    assert counts["0"] + counts["1"] + counts["2"] == 200
    assert mcp_tools.Parallel().threads >= 1
