//! Python bindings (`PyO3`) of the `mcp_tools` library: a package of their own, so the
//! library stays an rlib and no crate depending on it builds a Python extension module.
//!
//! maturin builds this package into the extension module `mcp_tools._core` (see
//! `pyproject.toml`); `python/mcp_tools/__init__.py` re-exports it, and
//! `python/mcp_tools/_core.pyi` types it (`tests/python/test_stub.py` keeps the stub
//! and this module in step). The bindings wrap the library's API, they add no logic of their
//! own; each component's classes are in `python/src/<module>.rs`.
//!
//! - Errors: each module's error type becomes an exception under `mcp_tools.Error`;
//!   the message is the whole cause chain ([`mcp_tools::Error::chain`]).
//! - Work that grows with the input runs with the interpreter released (`py.detach`), so other
//!   Python threads keep running meanwhile.
//!
//! `unsafe`: none here. `PyO3`'s macros generate the FFI glue, and the crate's
//! `unsafe_code = "forbid"` accepts their expansions, so the policy stays unchanged.
// The policy's rules the compiler and clippy check (gate 2), each with the policy's reason in the
// message. Cargo.toml's [lints] sets the same levels for every target (tests, benches), but
// cannot carry a reason (rust-lang/cargo#14521): until it can, four levels are set in both.
#![forbid(
    unsafe_code,
    reason = "policy: no `unsafe` without approval: a documented rationale, two reviewers, and this attribute and Cargo.toml's unsafe_code lint relaxed in the same reviewed change"
)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "policy: no unwrap() in production code; return the error instead (tests may: clippy.toml)"
)]
#![deny(
    clippy::let_underscore_must_use,
    clippy::map_err_ignore,
    clippy::unused_result_ok,
    reason = "policy: no silent errors; return the error, or log it with tracing where it is handled"
)]

mod parallel;
mod search;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyString;

use mcp_tools::Document;

create_exception! {
    mcp_tools,
    Error,
    PyException,
    "Base class of every error raised by mcp_tools."
}
create_exception! {
    mcp_tools,
    DocumentError,
    Error,
    "A JSON-lines input is not a list of documents; the message names the line."
}

/// The message of an exception: the error and its sources on one line.
fn message(error: impl Into<mcp_tools::Error>) -> String {
    error.into().chain()
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
    py.detach(|| mcp_tools::document::tokenize(text))
}

/// Parses JSON lines, one `{"id": ..., "text": ...}` object per line; blank lines are skipped.
///
/// Raises `DocumentError` naming the first line that is not a document.
#[pyfunction]
fn parse_jsonl(py: Python<'_>, text: &str) -> PyResult<Vec<PyDocument>> {
    let documents = py
        .detach(|| mcp_tools::document::parse_jsonl(text))
        .map_err(|error| DocumentError::new_err(message(error)))?;
    Ok(documents.into_iter().map(PyDocument::from).collect())
}

/// The extension module `mcp_tools._core` (maturin's `module-name`).
#[pymodule]
#[pyo3(name = "_core")]
fn core_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add("Error", py.get_type::<Error>())?;
    module.add("DocumentError", py.get_type::<DocumentError>())?;
    module.add_class::<PyDocument>()?;
    module.add_function(wrap_pyfunction!(tokenize, module)?)?;
    module.add_function(wrap_pyfunction!(parse_jsonl, module)?)?;
    search::register(module)?;
    parallel::register(module)?;
    Ok(())
}
