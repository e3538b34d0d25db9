//! Full-text search over [`Document`]s with an in-memory tantivy index.
//!
//! ```
//! use mcp_tools::Document;
//! use mcp_tools::search::SearchIndex;
//!
//! let index = SearchIndex::in_memory()?;
//! index.add(&[Document::new("a", "fast search in rust"), Document::new("b", "slow loops")])?;
//! let hits = index.search("rust", 10)?;
//! assert_eq!(hits.iter().map(|hit| hit.id.as_str()).collect::<Vec<_>>(), ["a"]);
//! # Ok::<(), mcp_tools::search::SearchError>(())
//! ```

use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{QueryParser, QueryParserError};
use tantivy::schema::{Field, STORED, STRING, Schema, TEXT, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, doc,
};
use thiserror::Error;

use crate::Document;

/// Memory budget of the index writer, in bytes: where it flushes a segment (tantivy's minimum is
/// 15 MB per thread; nothing is allocated up front).
const WRITER_MEMORY_BYTES: usize = 20_000_000;

/// Why a search index operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SearchError {
    /// tantivy could not open the in-memory index's writer or reader.
    #[error("cannot open the search index")]
    Open(#[source] TantivyError),
    /// tantivy could not add a batch of documents, commit it, or reload the reader after it.
    #[error("cannot add {documents} documents to the search index")]
    Add {
        /// How many documents the batch held.
        documents: usize,
        /// What tantivy reported.
        #[source]
        source: TantivyError,
    },
    /// tantivy could not run a parsed query or read one of its hits.
    #[error("search query {query:?} failed")]
    Search {
        /// The query as given.
        query: String,
        /// What tantivy reported.
        #[source]
        source: TantivyError,
    },
    /// The query does not parse (tantivy's query language).
    #[error("invalid search query {query:?}")]
    Query {
        /// The query as given.
        query: String,
        /// Why it does not parse.
        #[source]
        source: QueryParserError,
    },
    /// A search asked for no results.
    #[error("search limit must be at least 1")]
    ZeroLimit,
    /// A panic in another thread while it was adding documents left the writer unusable.
    #[error("the index writer was poisoned by a panic while adding documents")]
    WriterPoisoned,
    /// A hit has no stored `id`: the index was not written by [`SearchIndex::add`].
    #[error("search hit {address:?} has no stored id")]
    MissingId {
        /// Where the hit is in the index.
        address: DocAddress,
    },
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The matching document's identifier.
    pub id: String,
    /// BM25 relevance score; higher is better.
    pub score: f32,
}

/// An in-memory full-text index of documents: `id` is stored, `text` is tokenized and searched.
///
/// One writer lives as long as the index (tantivy allows one per index, and opening one starts
/// its threads); [`add`](Self::add) takes it in turn, [`search`](Self::search) never waits for
/// it.
pub struct SearchIndex {
    index: Index,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    reader: IndexReader,
    id: Field,
    text: Field,
}

impl SearchIndex {
    /// Creates an empty index held in RAM, with its writer.
    ///
    /// # Errors
    ///
    /// [`SearchError::Open`] when tantivy cannot open the writer or a reader.
    pub fn in_memory() -> Result<Self, SearchError> {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let writer =
            index.writer_with_num_threads(1, WRITER_MEMORY_BYTES).map_err(SearchError::Open)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::Open)?;
        let writer = Mutex::new(writer);
        Ok(Self { index, writer, reader, id, text })
    }

    /// Adds `documents` and commits, so the next [`search`](Self::search) sees them.
    ///
    /// CPU-bound: from async code, call it through `tokio::task::spawn_blocking`.
    ///
    /// # Errors
    ///
    /// [`SearchError::Add`] when writing, committing or reloading fails,
    /// [`SearchError::WriterPoisoned`] after a panic in another thread's `add`.
    pub fn add(&self, documents: &[Document]) -> Result<(), SearchError> {
        let Ok(mut writer) = self.writer.lock() else {
            return Err(SearchError::WriterPoisoned);
        };
        let added = documents
            .iter()
            .try_for_each(|document| {
                writer
                    .add_document(doc!(
                        self.id => document.id.as_str(),
                        self.text => document.text.as_str(),
                    ))
                    .map(drop)
            })
            .and_then(|()| writer.commit().map(drop))
            .and_then(|()| self.reader.reload());
        added.map_err(|source| SearchError::Add { documents: documents.len(), source })?;
        tracing::debug!(added = documents.len(), "indexed documents");
        Ok(())
    }

    /// Returns up to `limit` documents matching `query` (tantivy's query language), best first.
    ///
    /// # Errors
    ///
    /// [`SearchError::ZeroLimit`] when `limit` is 0, [`SearchError::Query`] when `query` does
    /// not parse, [`SearchError::Search`] when the index cannot be read.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        if limit == 0 {
            return Err(SearchError::ZeroLimit);
        }
        let searcher = self.reader.searcher();
        let parsed = QueryParser::for_index(&self.index, vec![self.text])
            .parse_query(query)
            .map_err(|source| SearchError::Query { query: query.to_owned(), source })?;
        let failed = |source| SearchError::Search { query: query.to_owned(), source };
        let top = searcher
            .search(&parsed, &TopDocs::with_limit(limit).order_by_score())
            .map_err(failed)?;
        top.into_iter()
            .map(|(score, address)| {
                let stored: TantivyDocument = searcher.doc(address).map_err(failed)?;
                let id = stored
                    .get_first(self.id)
                    .and_then(|value| value.as_str())
                    .ok_or(SearchError::MissingId { address })?;
                Ok(Hit { id: id.to_owned(), score })
            })
            .collect()
    }

    /// Returns the number of documents in the index.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Returns whether the index holds no document.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("documents", &self.len()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_matching_document_first() {
        let index = SearchIndex::in_memory().unwrap();
        index
            .add(&[
                Document::new("rust", "Rust is a systems programming language"),
                Document::new("python", "Python is a scripting language"),
            ])
            .unwrap();
        assert_eq!(index.len(), 2);
        let hits = index.search("systems", 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "rust");
    }

    #[test]
    fn later_additions_are_searchable_with_the_same_writer() {
        let index = SearchIndex::in_memory().unwrap();
        index.add(&[Document::new("a", "first batch")]).unwrap();
        index.add(&[Document::new("b", "second batch")]).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index.search("second", 5).unwrap()[0].id, "b");
    }

    #[test]
    fn rejects_a_bad_query_and_a_zero_limit() {
        let index = SearchIndex::in_memory().unwrap();
        let error = index.search("text:(", 5).unwrap_err();
        assert!(
            matches!(&error, SearchError::Query { query, .. } if query == "text:("),
            "{error:?}"
        );
        assert!(matches!(index.search("rust", 0), Err(SearchError::ZeroLimit)));
    }
}
