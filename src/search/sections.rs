//! The best section of a hit: the one that best matches the query, or the
//! article's first when none does. One search covers every article asked
//! about: their sections, scored on the section's own title (often the
//! question it answers) and its text, with the query's terms.

use std::collections::HashMap;

use tantivy::{DocAddress, Score, Searcher, TantivyDocument};

use super::query::QueryPlan;
use super::query::build::{Terms, Weighted, any_of};
use super::rank::{WEIGHTS, matching_docs, score_docs};
use super::text_of;
use crate::Result;
use crate::analysis::Analyzer;
use crate::index::schema::{Fields, ORDER};

/// A section as a hit shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BestSection {
    pub title: String,
    pub anchor: String,
    pub text: String,
}

/// The best section of each of `articles`, by article id. Ties go to the
/// earlier section.
pub fn best_sections(
    searcher: &Searcher,
    f: Fields,
    analyzer: &Analyzer,
    plan: &QueryPlan,
    articles: &[String],
) -> Result<HashMap<String, BestSection>> {
    if articles.is_empty() {
        return Ok(HashMap::new());
    }
    let fields = [
        Weighted::new(f.section, WEIGHTS.section_title),
        Weighted::new(f.text, WEIGHTS.section_text),
    ];
    let terms = Terms::of(plan, analyzer, &fields, &WEIGHTS).queries();
    let sections = any_of(f.article, articles.iter().map(String::as_str));
    let docs = matching_docs(searcher, sections.as_ref())?;
    let scores = score_docs(searcher, &terms, &docs)?;
    // A section's place in the index names its article (`schema::order`):
    // the best per article, without reading the sections that lose.
    let orders = searcher
        .segment_readers()
        .iter()
        .map(|reader| reader.fast_fields().u64(ORDER))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut best: HashMap<u64, (Score, DocAddress)> = HashMap::new();
    for (score, address) in scores.into_iter().zip(docs) {
        let score = score.unwrap_or(0.0);
        let order = &orders[address.segment_ord as usize];
        let article = order.first(address.doc_id).unwrap_or_default() >> 16;
        let entry = best.entry(article).or_insert((score, address));
        if score > entry.0 || (score == entry.0 && address < entry.1) {
            *entry = (score, address);
        }
    }
    let mut out = HashMap::with_capacity(best.len());
    for (_, address) in best.into_values() {
        let doc: TantivyDocument = searcher.doc(address)?;
        out.insert(
            text_of(&doc, f.article),
            BestSection {
                title: text_of(&doc, f.section),
                anchor: text_of(&doc, f.anchor),
                text: text_of(&doc, f.text),
            },
        );
    }
    Ok(out)
}
