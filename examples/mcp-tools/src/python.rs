//! Python bindings (`PyO3`), compiled only with the `python` cargo feature.
//!
//! maturin builds this module into the extension module `mcp_tools._core` (see
//! `pyproject.toml`); `python/mcp_tools/__init__.py` re-exports it, and
//! `python/mcp_tools/_core.pyi` types it (`tests/python/test_stub.py` keeps the stub
//! and this module in step). The bindings wrap the crate's API, they add no logic of their own.
//!
//! - Errors: every [`crate::Error`] becomes an exception of a hierarchy rooted at
//!   `mcp_tools.Error`; the message is the whole cause chain ([`crate::Error::chain`]).
//! - Work that grows with the input runs with the interpreter released (`py.detach`), so other
//!   Python threads keep running meanwhile.
//!
//! `unsafe`: none here. `PyO3`'s macros generate the FFI glue, and the crate's
//! `unsafe_code = "forbid"` accepts their expansions, so the policy stays unchanged.

use std::collections::HashMap;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::Document;

create_exception! {
    mcp_tools,
    Error,
    PyException,
    "Base class of every error raised by mcp_tools."
}
create_exception! {
    mcp_tools,
    InvalidDocumentError,
    Error,
    "A line of JSON-lines input is not a document; the message names the line."
}
create_exception! {
    mcp_tools,
    InvalidArgumentError,
    Error,
    "An argument is outside its documented range."
}
create_exception! {
    mcp_tools,
    QueryError,
    Error,
    "A search query does not parse (tantivy's query language)."
}

impl From<crate::Error> for PyErr {
    /// Maps a crate error to the matching Python exception, keeping the whole cause chain as
    /// its message.
    fn from(error: crate::Error) -> Self {
        let message = error.chain();
        match error {
            crate::Error::InvalidDocument { .. } => InvalidDocumentError::new_err(message),
            crate::Error::InvalidArgument(_) => InvalidArgumentError::new_err(message),
            crate::Error::Query(_) => QueryError::new_err(message),
            _ => Error::new_err(message),
        }
    }
}

/// A text document with a caller-chosen identifier: `Document(id, text)`, immutable.
#[pyclass(name = "Document", module = "mcp_tools", frozen, eq, get_all)]
#[derive(Debug, Clone, PartialEq, Eq)]
struct PyDocument {
    id: String,
    text: String,
}

#[pymethods]
impl PyDocument {
    #[new]
    fn new(id: String, text: String) -> Self {
        Self { id, text }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let id = PyString::new(py, &self.id).repr()?;
        let text = PyString::new(py, &self.text).repr()?;
        Ok(format!("Document(id={id}, text={text})"))
    }
}

impl From<Document> for PyDocument {
    fn from(document: Document) -> Self {
        Self { id: document.id, text: document.text }
    }
}

/// Copies Python `Document`s into the crate's type, so the work can run detached.
fn to_documents(documents: Vec<PyRef<'_, PyDocument>>) -> Vec<Document> {
    documents.into_iter().map(|document| Document::new(&*document.id, &*document.text)).collect()
}

/// Splits `text` into lowercase tokens at every character that is not alphanumeric.
#[pyfunction]
fn tokenize(py: Python<'_>, text: &str) -> Vec<String> {
    py.detach(|| crate::document::tokenize(text))
}

/// Parses JSON lines, one `{"id": ..., "text": ...}` object per line; blank lines are skipped.
///
/// Raises `InvalidDocumentError` naming the first line that is not a document.
#[pyfunction]
fn parse_jsonl(py: Python<'_>, text: &str) -> PyResult<Vec<PyDocument>> {
    let documents = py.detach(|| crate::document::parse_jsonl(text))?;
    Ok(documents.into_iter().map(PyDocument::from).collect())
}

/// An in-memory full-text index (tantivy): `add` documents, then `search` them.
#[pyclass(name = "SearchIndex", module = "mcp_tools", frozen)]
struct PySearchIndex {
    inner: crate::search::SearchIndex,
}

#[pymethods]
impl PySearchIndex {
    #[new]
    fn new() -> PyResult<Self> {
        Ok(Self { inner: crate::search::SearchIndex::in_memory()? })
    }

    /// Adds `documents` and commits them, so the next `search` sees them.
    fn add(&self, py: Python<'_>, documents: Vec<PyRef<'_, PyDocument>>) -> PyResult<()> {
        let documents = to_documents(documents);
        py.detach(|| self.inner.add(&documents))?;
        Ok(())
    }

    /// Returns up to `limit` `(id, score)` pairs matching `query`, best first.
    ///
    /// Raises `QueryError` when `query` does not parse, `InvalidArgumentError` when `limit` is 0.
    #[pyo3(signature = (query, limit = 10))]
    fn search(&self, py: Python<'_>, query: &str, limit: usize) -> PyResult<Vec<(String, f32)>> {
        let hits = py.detach(|| self.inner.search(query, limit))?;
        Ok(hits.into_iter().map(|hit| (hit.id, hit.score)).collect())
    }

    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }
}

/// A thread pool for term statistics over many documents (rayon).
#[pyclass(name = "Parallel", module = "mcp_tools", frozen)]
struct PyParallel {
    inner: crate::parallel::Parallel,
}

#[pymethods]
impl PyParallel {
    /// Creates a pool of `threads` worker threads; 0 means one per CPU.
    #[new]
    #[pyo3(signature = (threads = 0))]
    fn new(threads: usize) -> PyResult<Self> {
        Ok(Self { inner: crate::parallel::Parallel::new(threads)? })
    }

    /// The number of worker threads.
    #[getter]
    fn threads(&self) -> usize {
        self.inner.threads()
    }

    /// Counts how often each token occurs across `documents`, in parallel.
    fn term_frequencies(
        &self,
        py: Python<'_>,
        documents: Vec<PyRef<'_, PyDocument>>,
    ) -> HashMap<String, usize> {
        let documents = to_documents(documents);
        py.detach(|| self.inner.term_frequencies(&documents))
    }
}

/// The extension module `mcp_tools._core` (maturin's `module-name`).
#[pymodule]
#[pyo3(name = "_core")]
fn core_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("Error", py.get_type::<Error>())?;
    module.add("InvalidDocumentError", py.get_type::<InvalidDocumentError>())?;
    module.add("InvalidArgumentError", py.get_type::<InvalidArgumentError>())?;
    module.add("QueryError", py.get_type::<QueryError>())?;
    module.add_class::<PyDocument>()?;
    module.add_function(wrap_pyfunction!(tokenize, module)?)?;
    module.add_function(wrap_pyfunction!(parse_jsonl, module)?)?;
    module.add_class::<PySearchIndex>()?;
    module.add_class::<PyParallel>()?;
    Ok(())
}
