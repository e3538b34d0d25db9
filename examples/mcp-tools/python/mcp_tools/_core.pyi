"""Type stub of the extension module ``mcp_tools._core`` (compiled from python/src/).

Written by hand; tests/python/test_stub.py checks it against the compiled module (names, classes,
base classes, parameters and defaults), so the two cannot drift apart.
"""

from collections.abc import Sequence

__version__: str

class Error(Exception):
    """Base class of every error raised by mcp_tools."""

class DocumentError(Error):
    """A JSON-lines input is not a list of documents; the message names the line."""

class Document:
    """A text document with a caller-chosen identifier: ``Document(id, text)``, immutable."""

    def __init__(self, id: str, text: str) -> None: ...
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

def tokenize(text: str) -> list[str]:
    """Split ``text`` into lowercase tokens at every character that is not alphanumeric."""

def parse_jsonl(text: str) -> list[Document]:
    """Parse JSON lines, one ``{"id": ..., "text": ...}`` object per line; blank lines are skipped.

    Raises:
        DocumentError: naming the first line that is not a document.
    """

class SearchError(Error):
    """The search index failed, or a query does not parse."""

class SearchIndex:
    """An in-memory full-text index (tantivy): `add` documents, then `search` them."""

    def __init__(self) -> None: ...
    def add(self, documents: Sequence[Document]) -> None:
        """Add ``documents`` and commit them, so the next ``search`` sees them."""
    def search(self, query: str, limit: int = 10) -> list[tuple[str, float]]:
        """Return up to ``limit`` ``(id, score)`` pairs matching ``query``, best first.

        Raises:
            SearchError: ``query`` does not parse, or ``limit`` is 0.
        """
    def __len__(self) -> int: ...

class ParallelError(Error):
    """The thread pool could not be started."""

class Parallel:
    """A thread pool for term statistics over many documents (rayon)."""

    def __init__(self, threads: int = 0) -> None: ...
    @property
    def threads(self) -> int:
        """The number of worker threads."""
    def term_frequencies(self, documents: Sequence[Document]) -> dict[str, int]:
        """Count how often each token occurs across ``documents``, in parallel."""
