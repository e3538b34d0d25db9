//! Python bindings of the search component.

use pyo3::create_exception;
use pyo3::prelude::*;

use mcp_tools::search::SearchIndex;

use super::{PyDocument, message, to_documents};

create_exception! {
    mcp_tools,
    SearchError,
    super::Error,
    "The search index failed, or a query does not parse."
}

/// An in-memory full-text index (tantivy): `add` documents, then `search` them.
#[pyclass(name = "SearchIndex", module = "mcp_tools", frozen)]
struct PySearchIndex {
    inner: SearchIndex,
}

#[pymethods]
impl PySearchIndex {
    #[new]
    fn new() -> PyResult<Self> {
        let inner =
            SearchIndex::in_memory().map_err(|error| SearchError::new_err(message(error)))?;
        Ok(Self { inner })
    }

    /// Adds `documents` and commits them, so the next `search` sees them.
    fn add(&self, py: Python<'_>, documents: Vec<PyRef<'_, PyDocument>>) -> PyResult<()> {
        let documents = to_documents(documents);
        py.detach(|| self.inner.add(&documents))
            .map_err(|error| SearchError::new_err(message(error)))
    }

    /// Returns up to `limit` `(id, score)` pairs matching `query`, best first.
    ///
    /// Raises `SearchError` when `query` does not parse or `limit` is 0.
    #[pyo3(signature = (query, limit = 10))]
    fn search(&self, py: Python<'_>, query: &str, limit: usize) -> PyResult<Vec<(String, f32)>> {
        let hits = py
            .detach(|| self.inner.search(query, limit))
            .map_err(|error| SearchError::new_err(message(error)))?;
        Ok(hits.into_iter().map(|hit| (hit.id, hit.score)).collect())
    }

    fn __len__(&self) -> usize {
        usize::try_from(self.inner.len()).unwrap_or(usize::MAX)
    }
}

/// Adds the component's classes to the extension module.
pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("SearchError", module.py().get_type::<SearchError>())?;
    module.add_class::<PySearchIndex>()
}
