"""The rayon component's Python classes."""

from __future__ import annotations

import mcp_tools
from mcp_tools import Document


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
