//! The FAQ answer: when no fix card fits a how-to question, the article
//! section that answers it, with its steps. The best article for the
//! question's words is found by a search; within it, the section the search
//! found best is the answer if it has steps (a numbered list), else the
//! section with steps that holds the most of the question's words, else the
//! section the search found, as it is.

use std::collections::HashMap;

use super::model::MODEL;
use super::understand::{Understood, canonical};
use super::{Answer, Source, round2};
use crate::Result;
use crate::corpus::markdown::{BlockKind, blocks, section_starts};
use crate::index::schema::{ArticleRecord, SectionRecord};
use crate::search::{Engine, MAX_QUERY_CHARS, SearchRequest};

/// The numbered steps of each section of a Markdown body, by anchor
/// (`s-0` for the introduction, as `corpus::markdown::sections` names them).
fn steps_by_section(body: &str) -> HashMap<String, Vec<String>> {
    let blocks = blocks(body, 1);
    let starts = section_starts(&blocks);
    let mut steps: HashMap<String, Vec<String>> = HashMap::new();
    let mut anchor = "s-0".to_string();
    for block in &blocks {
        if let Some(n) = starts.iter().position(|&s| s == block.offset) {
            anchor = format!("s-{}", n + 1);
        } else if block.kind == (BlockKind::Item { ordered: true }) {
            steps
                .entry(anchor.clone())
                .or_default()
                .push(block.text.clone());
        }
    }
    steps
}

impl Engine {
    /// The best FAQ section when the query's words are (nearly) all in it.
    pub(super) fn faq_answer(&self, query: &str, q: &Understood) -> Result<Option<Answer>> {
        // No word, or none long enough to look up.
        if q.words
            .iter()
            .all(|w| w.chars().count() < MODEL.faq_min_word)
        {
            return Ok(None);
        }
        let text: String = q
            .plan
            .runs
            .iter()
            .flatten()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // The words of a long message, as many as a search takes.
        let text = if text.is_empty() { query } else { &text };
        let request = SearchRequest::new(text.chars().take(MAX_QUERY_CHARS).collect::<String>(), 1);
        let Ok(response) = self.search_articles(&request) else {
            return Ok(None);
        };
        let Some(hit) = response.hits.first() else {
            return Ok(None);
        };
        let Some(article) = self.article(&hit.id)? else {
            return Ok(None);
        };
        let Some(found) = article.sections.iter().find(|s| s.anchor == hit.anchor) else {
            return Ok(None);
        };
        // The query's words in a section, with or without its article's
        // title (which every section of the article shares).
        let covered_in = |section: &SectionRecord, title: &str| {
            let haystack = canonical(
                &format!("{title} {} {}", section.title, section.text),
                self.analyzer(),
                &self.synonyms,
            );
            q.words
                .iter()
                .filter(|w| haystack.contains(w.as_str()))
                .count()
        };
        let own = |section: &SectionRecord| covered_in(section, "");
        let mut steps = steps_by_section(&article.markdown);
        let section = match steps.contains_key(&found.anchor) {
            true => found,
            // The first of the sections with steps that hold the most.
            false => article
                .sections
                .iter()
                .filter(|s| steps.contains_key(&s.anchor))
                .min_by_key(|s| std::cmp::Reverse(own(s)))
                .filter(|s| own(s) >= own(found))
                .unwrap_or(found),
        };
        let coverage = covered_in(section, &article.title) as f64 / q.words.len() as f64;
        let confidence = MODEL.faq_confidence(coverage);
        if confidence < super::MIN_CONFIDENCE {
            return Ok(None);
        }
        let steps = steps.remove(&section.anchor).unwrap_or_default();
        Ok(Some(faq(&article, section, steps, confidence)))
    }
}

fn faq(
    article: &ArticleRecord,
    section: &SectionRecord,
    steps: Vec<String>,
    confidence: f64,
) -> Answer {
    // The steps are the answer's; the summary is the rest of the section.
    let summary: Vec<&str> = section
        .text
        .lines()
        .filter(|line| !steps.iter().any(|s| s == line))
        .collect();
    Answer {
        kind: "faq".into(),
        id: article.id.clone(),
        title: section.title.clone(),
        confidence: round2(confidence),
        summary: summary.join("\n"),
        causes: Vec::new(),
        steps,
        escalation: String::new(),
        codes: Vec::new(),
        sources: vec![Source {
            id: article.id.clone(),
            title: article.title.clone(),
            section: section.title.clone(),
            anchor: section.anchor.clone(),
        }],
    }
}
