"""The search component's Python classes."""

from __future__ import annotations

import pytest

import mcp_tools
from mcp_tools import Document


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


def test_search_errors_keep_their_class_and_message() -> None:
    index = mcp_tools.SearchIndex()
    with pytest.raises(mcp_tools.SearchError, match=r'^invalid search query "text:\(": '):
        index.search("text:(")
    with pytest.raises(mcp_tools.SearchError) as caught:
        index.search("rust", limit=0)
    assert str(caught.value) == "search limit must be at least 1"
    with pytest.raises(TypeError):
        index.add(["not a document"])  # type: ignore[list-item]
