"""A Rust crate built on the org's ReasonKit stack

The Python package of the Rust crate `mcp-tools`: the work runs in Rust (PyO3 bindings,
compiled into ``mcp_tools._core``), this package re-exports it.
"""

from ._core import (
    Document,
    Error,
    InvalidArgumentError,
    InvalidDocumentError,
    Parallel,
    QueryError,
    SearchIndex,
    __version__,
    parse_jsonl,
    tokenize,
)

__all__ = [
    "Document",
    "Error",
    "InvalidArgumentError",
    "InvalidDocumentError",
    "Parallel",
    "QueryError",
    "SearchIndex",
    "__version__",
    "parse_jsonl",
    "tokenize",
]
