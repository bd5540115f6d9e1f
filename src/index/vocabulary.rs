//! The words an index holds: every word of the articles' text, read from
//! the term dictionary of `body`, for corrections that know the whole
//! knowledge base and not only its titles and tags.

use std::collections::HashMap;

use tantivy::Searcher;

use super::SearchIndex;
use crate::Result;
use crate::analysis::is_han;

/// The longest word kept, in characters (longer terms are phrases no typo
/// or pinyin is checked against).
const MAX_CHARS: usize = 6;

/// How many letters a Latin word kept has, three (`pos`) to twelve: a
/// brand or device name typed into a run of pinyin (`lakalapos`).
const LATIN_LETTERS: std::ops::RangeInclusive<usize> = 3..=12;

impl SearchIndex {
    /// The ideographic words of two to [`MAX_CHARS`] characters in the
    /// articles, each with the number of documents that hold it, most
    /// common first (ties in term order). Two-character terms are kept only
    /// when they are dictionary words: the index also holds every bigram
    /// of adjacent ideographs, which are not words, unless an article's
    /// title holds them too (a title's words are what an article is about,
    /// and jieba's dictionary lacks many of the domain's: `闪付`). Words of
    /// Latin letters ([`LATIN_LETTERS`]) are kept when a title holds them
    /// (`pos`, not the `and` of an English sentence).
    pub fn words(&self, searcher: &Searcher) -> Result<Vec<(String, u32)>> {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for segment in searcher.segment_readers() {
            let titles = segment.inverted_index(self.fields.title)?;
            let in_a_title = |term: &str| -> Result<bool> {
                Ok(titles
                    .terms()
                    .get(term.as_bytes())
                    .map_err(tantivy::TantivyError::from)?
                    .is_some())
            };
            let inverted = segment.inverted_index(self.fields.body)?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let n = term.chars().count();
                let latin =
                    LATIN_LETTERS.contains(&n) && term.chars().all(|c| c.is_ascii_alphabetic());
                if latin && !in_a_title(term)? {
                    continue;
                }
                if !latin && (!(2..=MAX_CHARS).contains(&n) || !term.chars().all(is_han)) {
                    continue;
                }
                if n == 2 && !self.analyzer.is_word(term) && !in_a_title(term)? {
                    continue;
                }
                *counts.entry(term.to_string()).or_default() += stream.value().doc_freq;
            }
        }
        let mut words: Vec<(String, u32)> = counts.into_iter().collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(words)
    }
}
