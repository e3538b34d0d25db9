//! Full-text search over [`Document`]s with an in-memory tantivy index.

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, STORED, STRING, Schema, TEXT, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, doc};

use crate::{Document, Error, Result};

/// Memory budget of the index writer, in bytes (tantivy's minimum is 15 MB per thread).
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The matching document's identifier.
    pub id: String,
    /// BM25 relevance score; higher is better.
    pub score: f32,
}

/// An in-memory full-text index of documents: `id` is stored, `text` is tokenized and searched.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    id: Field,
    text: Field,
}

impl SearchIndex {
    /// Creates an empty index held in RAM.
    ///
    /// # Errors
    ///
    /// [`Error::Search`] when tantivy cannot open a reader.
    pub fn in_memory() -> Result<Self> {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { index, reader, id, text })
    }

    /// Adds `documents` and commits, so the next [`search`](Self::search) sees them.
    ///
    /// # Errors
    ///
    /// [`Error::Search`] when writing or committing the index fails.
    pub fn add(&self, documents: &[Document]) -> Result<()> {
        let mut writer =
            self.index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY_BYTES)?;
        for document in documents {
            writer.add_document(doc!(
                self.id => document.id.as_str(),
                self.text => document.text.as_str(),
            ))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        tracing::debug!(added = documents.len(), "indexed documents");
        Ok(())
    }

    /// Returns up to `limit` documents matching `query` (tantivy's query language), best first.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] when `limit` is 0, [`Error::Query`] when `query` does not
    /// parse, [`Error::Search`] when the index cannot be read.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        if limit == 0 {
            return Err(Error::InvalidArgument("search limit must be at least 1".into()));
        }
        let searcher = self.reader.searcher();
        let query = QueryParser::for_index(&self.index, vec![self.text]).parse_query(query)?;
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        top.into_iter()
            .map(|(score, address)| {
                let stored: TantivyDocument = searcher.doc(address)?;
                let id = stored
                    .get_first(self.id)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_owned();
                Ok(Hit { id, score })
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
    fn rejects_a_bad_query_and_a_zero_limit() {
        let index = SearchIndex::in_memory().unwrap();
        assert!(matches!(index.search("text:(", 5), Err(Error::Query(_))));
        assert!(matches!(index.search("rust", 0), Err(Error::InvalidArgument(_))));
    }
}
