//! From what a user typed to what is looked for: the syntax (`syntax`), the
//! plan (this file: the words to score, the corpus's synonyms, low-weight
//! corrections) and the tantivy queries built from a plan (`build`).
//!
//! A plan's words are jieba's words of the free text, question words
//! (`怎么办`, `吗`) left out unless they are all there is. Each word is
//! looked for as itself and through its parts, and words written side by
//! side through the bigrams that join them (`analysis::units`).

pub mod build;
pub mod negation;
pub mod synonyms;
pub mod syntax;

use crate::analysis::words::{answering_words, is_stop_word};
use crate::analysis::{Analyzer, Token};
pub use syntax::{ParsedQuery, parse};

/// The analyzed query, ready to become tantivy queries over any fields.
#[derive(Debug, Clone, Default)]
pub struct QueryPlan {
    /// Scored words, question words removed, each once.
    pub words: Vec<Token>,
    /// Each free-text part's words in order, for the bigrams that join them.
    pub runs: Vec<Vec<Token>>,
    /// Quoted phrases, each as its words placed as written.
    pub phrases: Vec<Vec<Token>>,
    /// Excluded words, each as its words placed as written.
    pub excluded: Vec<Vec<Token>>,
    /// Words the query likely means but did not write (pinyin aliases,
    /// typo corrections), scored at [`super::rank::Weights::fallback`].
    pub fallback: Vec<Token>,
    /// The words of the section that answers the query's kind of question
    /// (`怎么办`: 解决), scored as words but not marked in snippets: the
    /// user did not type them.
    pub answering: Vec<Token>,
    /// The query as searched, when corrections stood in for some of what
    /// was typed (`suggest::correct::corrected`).
    pub corrected: Option<String>,
}

impl QueryPlan {
    /// Analyzes a parsed query.
    pub fn new(parsed: &ParsedQuery, analyzer: &Analyzer) -> QueryPlan {
        let mut plan = QueryPlan::default();
        let mut all = Vec::new();
        for part in &parsed.parts {
            let words = analyzer.words(part);
            if !words.is_empty() {
                plan.runs.push(words.clone());
            }
            all.extend(words);
        }
        let content: Vec<Token> = all
            .iter()
            .filter(|w| !is_stop_word(&w.text))
            .cloned()
            .collect();
        plan.words = if content.is_empty() { all } else { content };
        let mut seen = std::collections::HashSet::new();
        plan.words.retain(|w| seen.insert(w.text.clone()));
        plan.phrases = parsed
            .phrases
            .iter()
            .map(|p| syntax::contiguous(p, analyzer))
            .filter(|w| !w.is_empty())
            .collect();
        plan.excluded = parsed
            .excluded
            .iter()
            .map(|p| analyzer.words(p))
            .filter(|w| !w.is_empty())
            .collect();
        plan
    }

    /// Adds low-weight fallback words (see [`QueryPlan::fallback`]).
    pub fn with_fallback(mut self, terms: &[String], analyzer: &Analyzer) -> QueryPlan {
        for term in terms {
            for word in analyzer.words(term) {
                let known = self
                    .words
                    .iter()
                    .chain(&self.fallback)
                    .any(|w| w.text == word.text);
                if !known && !is_stop_word(&word.text) {
                    self.fallback.push(word);
                }
            }
        }
        self
    }

    /// Adds the words of the section that answers the query's kind of
    /// question (see [`QueryPlan::answering`]), read off the words of its
    /// free text, as written and in the lexicon's forms (`怎么处理` is
    /// 怎么办).
    pub fn with_answering(mut self, analyzer: &Analyzer) -> QueryPlan {
        let asked = self.runs.iter().flatten().map(|w| w.text.as_str());
        let answering = answering_words(asked);
        for word in answering.iter().flat_map(|w| analyzer.words(w)) {
            if !self.words.iter().any(|w| w.text == word.text) {
                self.answering.push(word);
            }
        }
        self
    }

    /// Whether there is anything to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.fallback.is_empty()
    }

    /// Normalized strings to highlight: the words, their parts of two
    /// characters or more (a hit may match only through them) and the
    /// phrases.
    pub fn highlights(&self, analyzer: &Analyzer) -> Vec<String> {
        let mut out: Vec<String> = self
            .words
            .iter()
            .chain(&self.fallback)
            .map(|w| w.text.clone())
            .collect();
        for word in &self.words {
            out.extend(analyzer.parts(word).into_iter().map(|p| p.text));
        }
        out.extend(self.phrases.iter().map(|p| joined(p)));
        out.sort();
        out.dedup();
        out
    }
}

/// Words placed as written, as one string: a space where they were apart.
fn joined(words: &[Token]) -> String {
    let mut out = String::new();
    let mut end = None;
    for w in words {
        if end.is_some_and(|e| e < w.position) {
            out.push(' ');
        }
        out.push_str(&w.text);
        end = Some(w.position + w.text.chars().count());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_words_are_not_scored() {
        let plan = QueryPlan::new(&parse("终端未登记怎么办"), &Analyzer::shared());
        let words: Vec<&str> = plan.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["终端未登记"]);
    }

    #[test]
    fn when_and_how_a_message_is_told_is_not_scored() {
        let plan = QueryPlan::new(
            &parse("你好，上午还好好的，下午突然签到失败"),
            &Analyzer::shared(),
        );
        let words: Vec<&str> = plan.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["签到失败"]);
    }

    #[test]
    fn only_question_words_are_kept_as_they_are() {
        let plan = QueryPlan::new(&parse("怎么办"), &Analyzer::shared());
        let words: Vec<&str> = plan.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["怎么办"]);
    }

    #[test]
    fn fallback_words_are_new_words_only() {
        let a = Analyzer::shared();
        let plan = QueryPlan::new(&parse("拉卡拉"), &a)
            .with_fallback(&["拉卡拉".into(), "签到".into(), "吗".into()], &a);
        let fallback: Vec<&str> = plan.fallback.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(fallback, ["签到"]);
    }
}
