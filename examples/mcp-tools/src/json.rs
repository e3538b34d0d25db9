//! SIMD-accelerated JSON parsing of documents (simd-json; the CPU is detected at run time).
//!
//! ```
//! use mcp_tools::json::parse_documents;
//!
//! // simd-json parses in place: the buffer is scratch space afterwards.
//! let mut buffer = br#"[{"id": "a", "text": "simd"}]"#.to_vec();
//! let documents = parse_documents(&mut buffer)?;
//! assert_eq!(documents[0].id, "a");
//! # Ok::<(), mcp_tools::json::JsonError>(())
//! ```

use thiserror::Error;

use crate::Document;

/// Why a JSON array of documents could not be parsed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is not a JSON array of documents, or nests deeper than simd-json's limit.
    #[error("invalid JSON array of documents")]
    Parse(#[from] simd_json::Error),
}

/// Parses a JSON array of documents. simd-json parses in place: `buffer` is used as scratch
/// space and its contents are unspecified afterwards.
///
/// # Errors
///
/// [`JsonError::Parse`] when `buffer` is not a JSON array of documents.
pub fn parse_documents(buffer: &mut [u8]) -> Result<Vec<Document>, JsonError> {
    Ok(simd_json::serde::from_slice(buffer)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_array_of_documents() {
        let mut buffer = br#"[{"id":"a","text":"x"},{"id":"b","text":"y"}]"#.to_vec();
        let documents = parse_documents(&mut buffer).unwrap();
        assert_eq!(documents, [Document::new("a", "x"), Document::new("b", "y")]);
    }

    #[test]
    fn rejects_malformed_json() {
        let mut buffer = br#"[{"id":"a","text":}]"#.to_vec();
        assert!(matches!(parse_documents(&mut buffer), Err(JsonError::Parse(_))));
    }
}
