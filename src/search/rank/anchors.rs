//! Anchors: the key phrases a query contains. The index holds each
//! article's key phrases (tags, codes) compacted, as raw terms
//! ([`Fields::key_anchors`]); a search looks up which of them occur in the
//! compacted query, and the articles that have them form the first tier of
//! the ranking (`rank`).

use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::schema::Field;

use crate::Result;
use crate::index::schema::{Fields, MAX_ANCHOR_CHARS};
use crate::search::query::build::any_of;

/// The key phrases that a query contains.
#[derive(Debug, Default)]
pub struct Anchors {
    keys: Vec<String>,
}

impl Anchors {
    /// Looks up every run of the compacted query's characters that is an
    /// indexed key phrase. A run is extended one character at a time only
    /// while some indexed anchor starts with it, so a query costs about one
    /// dictionary probe per character.
    pub fn find(searcher: &Searcher, f: Fields, compact_query: &str) -> Result<Anchors> {
        let chars: Vec<char> = compact_query.chars().collect();
        Ok(Anchors {
            keys: anchors_in(searcher, f.key_anchors, &chars)?,
        })
    }

    /// Articles with one of the key phrases the query contains.
    pub fn keys(&self, f: Fields) -> Option<Box<dyn Query>> {
        (!self.keys.is_empty()).then(|| any_of(f.key_anchors, self.keys.iter().map(String::as_str)))
    }
}

/// The runs of `chars` (2 to [`MAX_ANCHOR_CHARS`] long) that are terms of
/// `field` in some segment, sorted.
fn anchors_in(searcher: &Searcher, field: Field, chars: &[char]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for reader in searcher.segment_readers() {
        let inverted = reader.inverted_index(field)?;
        let dictionary = inverted.terms();
        for start in 0..chars.len() {
            let mut run = String::from(chars[start]);
            for &c in chars.iter().skip(start + 1).take(MAX_ANCHOR_CHARS - 1) {
                run.push(c);
                // Keys starting with `run` lie in [run, run with its last
                // byte incremented): the last byte of UTF-8 text is never 0xFF.
                let mut upper = run.clone().into_bytes();
                if let Some(last) = upper.last_mut() {
                    *last += 1;
                }
                let mut keys = dictionary
                    .range()
                    .ge(run.as_bytes())
                    .lt(&upper)
                    .into_stream()
                    .map_err(tantivy::TantivyError::from)?;
                if !keys.advance() {
                    break;
                }
                if keys.key() == run.as_bytes() {
                    out.push(run.clone());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
