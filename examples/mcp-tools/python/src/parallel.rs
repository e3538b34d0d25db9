//! Python bindings of the rayon component.

use std::collections::HashMap;

use pyo3::create_exception;
use pyo3::prelude::*;

use mcp_tools::parallel::Parallel;

use super::{PyDocument, message, to_documents};

create_exception! {
    mcp_tools,
    ParallelError,
    super::Error,
    "The thread pool could not be started."
}

/// A thread pool for term statistics over many documents (rayon).
#[pyclass(name = "Parallel", module = "mcp_tools", frozen)]
struct PyParallel {
    inner: Parallel,
}

#[pymethods]
impl PyParallel {
    /// Creates a pool of `threads` worker threads; 0 means one per CPU.
    #[new]
    #[pyo3(signature = (threads = 0))]
    fn new(threads: usize) -> PyResult<Self> {
        let inner =
            Parallel::new(threads).map_err(|error| ParallelError::new_err(message(error)))?;
        Ok(Self { inner })
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

/// Adds the component's classes to the extension module.
pub(super) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("ParallelError", module.py().get_type::<ParallelError>())?;
    module.add_class::<PyParallel>()
}
