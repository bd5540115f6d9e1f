//! Tiers: an article whose title the query contains ranks ahead of one
//! whose key phrase (a tag or code) it contains, which ranks ahead of the
//! rest. The index holds each article's title, the longer parts of its
//! title and its key phrases compacted, as raw terms
//! ([`Fields::title_anchors`], [`Fields::key_anchors`]); a search looks up
//! which of them occur in the compacted query.

use tantivy::Searcher;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Field;

use super::query;
use super::scoring::Scoring;
use crate::Result;
use crate::index::schema::{Fields, MAX_ANCHOR_CHARS};

/// The titles and key phrases that a query contains.
#[derive(Debug, Default)]
pub struct Tiers {
    titles: Vec<String>,
    keys: Vec<String>,
}

impl Tiers {
    /// Looks up every run of the compacted query's characters that is an
    /// indexed title or key phrase. A run is extended one character at a
    /// time only while some indexed anchor starts with it, so a query costs
    /// about one dictionary probe per character.
    pub fn find(searcher: &Searcher, f: Fields, compact_query: &str) -> Result<Tiers> {
        let chars: Vec<char> = compact_query.chars().collect();
        Ok(Tiers {
            titles: anchors_in(searcher, f.title_anchors, &chars)?,
            keys: anchors_in(searcher, f.key_anchors, &chars)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.titles.is_empty() && self.keys.is_empty()
    }

    /// Articles with any of the titles or key phrases.
    pub fn any(&self, f: Fields) -> Box<dyn Query> {
        let terms = self
            .leaves(f)
            .map(|(field, anchor, _)| (Occur::Should, query::filter(field, anchor)));
        Box::new(BooleanQuery::new(terms.collect()))
    }

    /// `2 × bonus` for an article with one of the titles, else `bonus` for
    /// one with a key phrase; each anchor is a leaf of its own, so scoring a
    /// few candidates only seeks through the anchors' postings.
    pub fn scoring(&self, f: Fields, bonus: f32) -> Scoring {
        Scoring::Max(
            self.leaves(f)
                .map(|(field, anchor, weight)| {
                    Scoring::Leaf(query::bonus(field, anchor)).boosted(weight * bonus)
                })
                .collect(),
        )
    }

    fn leaves(&self, f: Fields) -> impl Iterator<Item = (Field, &str, f32)> {
        let titles = self
            .titles
            .iter()
            .map(move |a| (f.title_anchors, a.as_str(), 2.0));
        let keys = self
            .keys
            .iter()
            .map(move |a| (f.key_anchors, a.as_str(), 1.0));
        titles.chain(keys)
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
