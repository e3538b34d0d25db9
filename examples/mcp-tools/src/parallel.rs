//! Term statistics over many documents, computed on a rayon thread pool.
//!
//! ```
//! use mcp_tools::Document;
//! use mcp_tools::parallel::Parallel;
//!
//! let pool = Parallel::new(2)?;
//! let documents = [Document::new("hamlet", "to be or not to be")];
//! assert_eq!(pool.term_frequencies(&documents)["be"], 2);
//! # Ok::<(), mcp_tools::parallel::ParallelError>(())
//! ```

use std::any::Any;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;
use thiserror::Error;
use tokio::sync::oneshot;

use crate::Document;
use crate::document::tokenize;

/// Why a batch could not run on the pool.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ParallelError {
    /// The operating system refused the pool's threads.
    #[error("cannot start the thread pool")]
    Pool(#[from] rayon::ThreadPoolBuildError),
    /// The batch panicked before returning its result.
    #[error("the parallel batch panicked: {message}")]
    Interrupted {
        /// The panic's message (its `&str` or `String` payload).
        message: String,
    },
}

/// A dedicated thread pool for CPU-bound batch work, kept off the async runtime's threads.
#[derive(Debug)]
pub struct Parallel {
    pool: rayon::ThreadPool,
}

impl Parallel {
    /// Creates a pool of `threads` worker threads; 0 means one per CPU.
    ///
    /// # Errors
    ///
    /// [`ParallelError::Pool`] when the operating system refuses the threads.
    pub fn new(threads: usize) -> Result<Self, ParallelError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|index| format!("parallel-{index}"))
            // Without a handler, a panic in a spawned batch would abort the process.
            .panic_handler(|payload| {
                tracing::error!(panic = %panic_message(&*payload), "a parallel batch panicked");
            })
            .build()?;
        Ok(Self { pool })
    }

    /// Creates a pool whose only worker is the calling thread: batches run on this thread.
    ///
    /// Hidden from the docs: a hook for the benches, not part of the crate's API.
    ///
    /// For measuring a batch's work alone (Callgrind counts the calling thread's instructions:
    /// `benches/instructions.rs`) and for callers that must not start threads. Rayon keeps the
    /// pool's bookkeeping for the rest of the process, so create one per thread, once.
    ///
    /// # Errors
    ///
    /// [`ParallelError::Pool`] when rayon refuses, e.g. because this thread already is a worker
    /// of another pool.
    #[doc(hidden)]
    pub fn on_current_thread() -> Result<Self, ParallelError> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build()?;
        Ok(Self { pool })
    }

    /// Counts how often each token occurs across `documents`, in parallel.
    #[must_use]
    pub fn term_frequencies(&self, documents: &[Document]) -> HashMap<String, usize> {
        self.term_frequencies_with_hasher(documents)
    }

    /// [`term_frequencies`](Self::term_frequencies) into maps hashed by `S`.
    ///
    /// The default (`RandomState`) seeds every map at random, against hash flooding by hostile
    /// input, so the exact work differs from run to run; a fixed-key `S` (e.g.
    /// `BuildHasherDefault<DefaultHasher>`, the same `SipHash`) makes it reproducible, which
    /// instruction counts need (`benches/instructions.rs`). Hidden from the docs: a hook for the
    /// benches, not part of the crate's API.
    #[doc(hidden)]
    #[must_use]
    pub fn term_frequencies_with_hasher<S>(
        &self,
        documents: &[Document],
    ) -> HashMap<String, usize, S>
    where
        S: BuildHasher + Default + Send,
    {
        self.pool.install(|| {
            documents
                .par_iter()
                .fold(HashMap::default, |mut counts, document| {
                    for token in tokenize(&document.text) {
                        *counts.entry(token).or_insert(0) += 1;
                    }
                    counts
                })
                .reduce(HashMap::default, merge_counts)
        })
    }

    /// Runs `batch` on the pool and waits for its result without blocking the async runtime:
    /// one hop from the runtime's thread to the pool, none through `spawn_blocking`.
    ///
    /// # Errors
    ///
    /// [`ParallelError::Interrupted`] with the panic's message when `batch` panicked.
    pub async fn spawn<T, F>(&self, batch: F) -> Result<T, ParallelError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        self.pool.spawn(move || {
            let result =
                catch_unwind(AssertUnwindSafe(batch)).map_err(|payload| panic_message(&*payload));
            if sender.send(result).is_err() {
                tracing::debug!("the caller stopped waiting for a parallel batch");
            }
        });
        match receiver.await {
            Ok(result) => result.map_err(|message| ParallelError::Interrupted { message }),
            Err(_dropped) => Err(ParallelError::Interrupted {
                message: "the pool dropped the batch unrun".to_owned(),
            }),
        }
    }

    /// Returns the number of worker threads.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }
}

/// The message a panic carried: its `&str` or `String` payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Adds the counts of `b` into `a` (the larger map is kept, the smaller one drained).
fn merge_counts<S: BuildHasher>(
    mut a: HashMap<String, usize, S>,
    mut b: HashMap<String, usize, S>,
) -> HashMap<String, usize, S> {
    if a.len() < b.len() {
        std::mem::swap(&mut a, &mut b);
    }
    for (token, count) in b {
        *a.entry(token).or_insert(0) += count;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_a_sequential_count() {
        let documents: Vec<Document> = (0..200)
            .map(|i| Document::new(i.to_string(), format!("alpha beta {}", i % 3)))
            .collect();
        let parallel = Parallel::new(2).unwrap();
        assert_eq!(parallel.threads(), 2);
        let counts = parallel.term_frequencies(&documents);
        assert_eq!(counts["alpha"], 200);
        assert_eq!(counts["beta"], 200);
        assert_eq!(counts["0"] + counts["1"] + counts["2"], 200);
    }

    #[test]
    fn a_fixed_key_hasher_counts_the_same() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::BuildHasherDefault;

        let documents: Vec<Document> =
            (0..20).map(|i| Document::new(i.to_string(), format!("delta {}", i % 4))).collect();
        let parallel = Parallel::new(2).unwrap();
        let fixed: HashMap<String, usize, BuildHasherDefault<DefaultHasher>> =
            parallel.term_frequencies_with_hasher(&documents);
        assert_eq!(
            fixed.into_iter().collect::<HashMap<_, _>>(),
            parallel.term_frequencies(&documents)
        );
    }

    #[tokio::test]
    async fn spawn_runs_a_batch_on_the_pool_and_awaits_it() {
        let parallel = Parallel::new(2).unwrap();
        let documents = [Document::new("a", "x y x")];
        let counts = parallel.spawn(move || tokenize(&documents[0].text).len()).await.unwrap();
        assert_eq!(counts, 3);
        let worker = parallel.spawn(|| std::thread::current().name().map(str::to_owned)).await;
        assert!(worker.unwrap().unwrap().starts_with("parallel-"));
    }

    #[tokio::test]
    async fn a_panicking_batch_is_an_error_not_an_abort() {
        let parallel = Parallel::new(1).unwrap();
        let error = parallel.spawn(|| -> u32 { panic!("boom {}", 7) }).await.unwrap_err();
        assert!(matches!(&error, ParallelError::Interrupted { message } if message == "boom 7"));
        assert_eq!(error.to_string(), "the parallel batch panicked: boom 7");
        assert_eq!(parallel.spawn(|| 7).await.unwrap(), 7, "the pool keeps working");
    }

    #[test]
    fn a_pool_on_the_current_thread_counts_the_same_on_this_thread() {
        let documents: Vec<Document> =
            (0..50).map(|i| Document::new(i.to_string(), format!("gamma {}", i % 2))).collect();
        let expected = Parallel::new(2).unwrap().term_frequencies(&documents);
        // A thread of its own: rayon registers it as the pool's worker for good.
        std::thread::spawn(move || {
            let caller = std::thread::current().id();
            let parallel = Parallel::on_current_thread().unwrap();
            assert_eq!(parallel.threads(), 1);
            assert_eq!(parallel.pool.install(|| std::thread::current().id()), caller);
            assert_eq!(parallel.term_frequencies(&documents), expected);
        })
        .join()
        .unwrap();
    }
}
