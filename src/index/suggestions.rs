//! The suggestion table stored with each generation (`suggestions.json`):
//! what search-as-you-type may complete to, each item once.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::Analyzer;
use crate::corpus::Corpus;

/// The table's file name inside a generation.
pub const FILE: &str = "suggestions.json";

/// Kinds of suggestion, best first when equally good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Term,
    Fix,
    Symptom,
    Title,
}

impl Kind {
    /// The kind's name in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Term => "term",
            Kind::Fix => "fix",
            Kind::Symptom => "symptom",
            Kind::Title => "title",
        }
    }
}

/// One completion: its text, kind, and the card or article it comes from.
pub type Item = (String, Kind, Option<String>);

/// What search-as-you-type may complete to: domain terms, brands and
/// tags, fix cards and their symptoms, article titles; each once, where it
/// first comes (a tag that thousands of articles carry is one item).
pub fn collect(corpus: &Corpus, analyzer: &Analyzer) -> Vec<Item> {
    let mut items: Vec<Item> = analyzer
        .domain_words()
        .map(|w| (w.to_string(), Kind::Term, None))
        .collect();
    for article in &corpus.articles {
        for term in article.brands.iter().chain(&article.tags) {
            items.push((term.clone(), Kind::Term, None));
        }
    }
    for card in &corpus.fixes {
        items.push((card.title.clone(), Kind::Fix, Some(card.id.clone())));
        for symptom in &card.symptoms {
            items.push((symptom.clone(), Kind::Symptom, Some(card.id.clone())));
        }
    }
    for article in &corpus.articles {
        items.push((article.title.clone(), Kind::Title, Some(article.id.clone())));
    }
    let mut seen = HashSet::new();
    items.retain(|item| seen.insert(item.clone()));
    items
}

/// The suggestion table stored with a generation.
pub fn read(generation: &Path) -> Vec<Item> {
    std::fs::read(generation.join(FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}
