//! From what a user typed to a tantivy query, built by hand.
//!
//! tantivy's `QueryParser` turns any term that analyzes into several tokens
//! into a strict phrase, and Chinese text without spaces always does. Here a
//! query is read as:
//!
//! * `"..."`: an exact phrase that must appear;
//! * `-word`: a word that must not appear;
//! * anything else: words, each scored on several fields with boosts. A word
//!   matches as a term, as its characters in a row (whatever the indexed
//!   text's segmentation), or more weakly through its sub-words.
//!
//! A query with several words also gets a boost where they appear together
//! as written. Question words and particles (`怎么办`, `吗`) are not scored
//! unless they are all the query has.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Analyzer, Token, is_han};

/// Words that carry the question, not its subject.
const STOP_WORDS: &[&str] = &[
    "怎么办",
    "怎么",
    "怎么样",
    "怎样",
    "如何",
    "什么",
    "为什么",
    "为啥",
    "咋办",
    "咋",
    "是不是",
    "是",
    "的",
    "了",
    "吗",
    "呢",
    "啊",
    "吧",
    "呀",
    "嘛",
    "哦",
    "啦",
    "么",
    "请问",
    "一下",
    "我",
    "我的",
    "你",
    "你们",
    "他",
    "她",
    "它",
    "这",
    "那",
    "这个",
    "那个",
    "就",
    "都",
    "也",
    "还",
    "又",
    "和",
    "与",
    "及",
    "或",
    "在",
    "要",
    "该",
    "应该",
    "可以",
    "能否",
    "一直",
    "老是",
    "总是",
    "没",
    "没有",
    "有",
    "啥",
    "得",
    "能",
    "会",
    "给",
];

/// Words for the device itself: nearly every article has them, so they
/// count for little next to the words that say what is wrong.
const WEAK_WORDS: &[&str] = &[
    "机器",
    "机子",
    "设备",
    "pos",
    "pos机",
    "刷卡机",
    "收款机",
    "收银机",
    "pos终端",
    "电签pos",
    "终端机",
];

/// How much a word counts: device words a quarter, the rest fully.
fn word_weight(word: &str) -> f32 {
    if WEAK_WORDS.contains(&word) {
        0.25
    } else {
        1.0
    }
}

/// How much a fallback word (a pinyin alias or typo correction) counts
/// next to a word the user wrote.
const FALLBACK_WEIGHT: f32 = 0.4;

/// A query as the user wrote it, split by its syntax.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Free text, one entry per space-separated part.
    pub parts: Vec<String>,
    /// `"..."` phrases.
    pub phrases: Vec<String>,
    /// `-word` exclusions.
    pub excluded: Vec<String>,
}

/// Splits a query into free text, phrases and exclusions.
pub fn parse(query: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let query: String = query
        .chars()
        .map(|c| if c == '＂' { '"' } else { c })
        .collect();
    for (i, chunk) in query.split('"').enumerate() {
        if i % 2 == 1 {
            if !chunk.trim().is_empty() {
                parsed.phrases.push(chunk.trim().to_string());
            }
            continue;
        }
        for part in chunk.split(|c: char| c.is_whitespace()) {
            match part.strip_prefix('-').or_else(|| part.strip_prefix('－')) {
                Some(word) if !word.trim_start_matches(['-', '－']).is_empty() => parsed
                    .excluded
                    .push(word.trim_start_matches(['-', '－']).to_string()),
                Some(_) => {}
                None if !part.is_empty() => parsed.parts.push(part.to_string()),
                None => {}
            }
        }
    }
    parsed
}

/// A field and how much a match in it counts.
#[derive(Debug, Clone, Copy)]
pub struct Weighted {
    pub field: Field,
    pub boost: f32,
}

/// The analyzed query, ready to become tantivy queries over any fields.
#[derive(Debug, Clone, Default)]
pub struct QueryPlan {
    /// Scored words, stop words removed.
    pub words: Vec<Token>,
    /// Each free-text part's words, for the "together as written" boost.
    pub runs: Vec<Vec<Token>>,
    pub phrases: Vec<Vec<Token>>,
    pub excluded: Vec<Vec<Token>>,
    /// Words the query likely means but did not write (pinyin aliases,
    /// typo corrections), scored at [`FALLBACK_WEIGHT`].
    pub fallback: Vec<Token>,
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
            .filter(|w| !STOP_WORDS.contains(&w.text.as_str()))
            .cloned()
            .collect();
        plan.words = if content.is_empty() { all } else { content };
        dedup_words(&mut plan.words);
        plan.phrases = parsed
            .phrases
            .iter()
            .map(|p| contiguous(analyzer.words(p)))
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

    /// Adds low-weight fallback terms (see [`QueryPlan::fallback`]).
    pub fn with_fallback(mut self, terms: &[String], analyzer: &Analyzer) -> QueryPlan {
        for term in terms {
            for word in analyzer.words(term) {
                if !self
                    .words
                    .iter()
                    .chain(&self.fallback)
                    .any(|w| w.text == word.text)
                    && !STOP_WORDS.contains(&word.text.as_str())
                {
                    self.fallback.push(word);
                }
            }
        }
        self
    }

    /// Whether there is anything to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.fallback.is_empty()
    }

    /// Normalized strings to highlight: the words, their sub-words (a hit
    /// may match only through them) and the phrases.
    pub fn highlights(&self, analyzer: &Analyzer) -> Vec<String> {
        let mut out: Vec<String> = self
            .words
            .iter()
            .chain(&self.fallback)
            .map(|w| w.text.clone())
            .collect();
        for word in &self.words {
            out.extend(subwords(&word.text, analyzer));
        }
        out.extend(self.phrases.iter().map(|p| joined(p)));
        out.sort();
        out.dedup();
        out
    }

    /// The scoring query over `fields`: words and phrases, plus exclusions.
    /// `None` when there is nothing to match.
    pub fn build(
        &self,
        analyzer: &Analyzer,
        fields: &[Weighted],
        phrase_fields: &[Weighted],
    ) -> Option<Box<dyn Query>> {
        if self.is_empty() {
            return None;
        }
        let scored = self.words.iter().map(|w| (w, word_weight(&w.text)));
        let fallback = self
            .fallback
            .iter()
            .map(|w| (w, FALLBACK_WEIGHT * word_weight(&w.text)));
        let mut should: Vec<(Occur, Box<dyn Query>)> = scored
            .chain(fallback)
            .map(|(w, weight)| {
                (
                    Occur::Should,
                    boosted(word_query(w, analyzer, fields), weight),
                )
            })
            .collect();
        for run in self.runs.iter().filter(|r| r.len() > 1) {
            for f in phrase_fields {
                if let Some(q) = char_phrase(run, f.field) {
                    should.push((Occur::Should, boosted(q, f.boost)));
                }
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !(self.words.is_empty() && self.fallback.is_empty()) {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        for phrase in &self.phrases {
            let any_field: Vec<Box<dyn Query>> = fields
                .iter()
                .filter_map(|f| char_phrase(phrase, f.field).map(|q| boosted(q, f.boost * 2.0)))
                .collect();
            clauses.push((Occur::Must, Box::new(DisjunctionMaxQuery::new(any_field))));
        }
        for words in &self.excluded {
            let any_field: Vec<(Occur, Box<dyn Query>)> = fields
                .iter()
                .filter_map(|f| char_phrase(words, f.field))
                .map(|q| (Occur::Should, q))
                .collect();
            clauses.push((Occur::MustNot, Box::new(BooleanQuery::new(any_field))));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

/// The words of a quoted phrase placed side by side: spaces inside quotes
/// separate words, they do not require a gap (`"无效 终端"` is `无效终端`).
fn contiguous(mut words: Vec<Token>) -> Vec<Token> {
    let mut next = 0;
    for w in &mut words {
        w.position = next;
        next += w.text.chars().count();
    }
    words
}

fn dedup_words(words: &mut Vec<Token>) {
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.text.clone()));
}

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

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

/// One word on one field: the best of its term, its characters in a row and
/// (more weakly) its sub-words.
fn word_query(word: &Token, analyzer: &Analyzer, fields: &[Weighted]) -> Box<dyn Query> {
    let per_field: Vec<Box<dyn Query>> = fields
        .iter()
        .map(|f| {
            let exact: Box<dyn Query> = Box::new(TermQuery::new(
                term(f.field, &word.text),
                IndexRecordOption::WithFreqs,
            ));
            let mut options = vec![exact];
            if let Some(q) = char_phrase(std::slice::from_ref(word), f.field) {
                options.push(boosted(q, 0.9));
            }
            let parts = subwords(&word.text, analyzer);
            if !parts.is_empty() {
                let parts: Vec<(Occur, Box<dyn Query>)> = parts
                    .iter()
                    .map(|p| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            term(f.field, p),
                            IndexRecordOption::WithFreqs,
                        ));
                        (Occur::Should, q)
                    })
                    .collect();
                options.push(boosted(Box::new(BooleanQuery::new(parts)), 0.3));
            }
            boosted(Box::new(DisjunctionMaxQuery::new(options)), f.boost)
        })
        .collect();
    let clauses = per_field.into_iter().map(|q| (Occur::Should, q)).collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Dictionary words of two to four characters inside a longer word.
fn subwords(word: &str, analyzer: &Analyzer) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    if chars.len() < 3 || !chars.iter().all(|&c| is_han(c)) {
        return out;
    }
    for len in 2..chars.len().min(5) {
        for start in 0..=chars.len() - len {
            let part: String = chars[start..start + len].iter().collect();
            if analyzer.is_word(&part) && !out.contains(&part) {
                out.push(part);
            }
        }
    }
    out
}

/// The words as a phrase of indexed units: each Chinese character on its
/// own and each ASCII run whole, at their character offsets. It matches the
/// text exactly however jieba segmented it. `None` for a single unit (a
/// term query does that) or nothing at all.
pub fn char_phrase(words: &[Token], field: Field) -> Option<Box<dyn Query>> {
    let units = phrase_units(words);
    match units.len() {
        0 => None,
        1 if words.len() == 1 && words[0].text.chars().count() == 1 => None,
        1 => Some(Box::new(TermQuery::new(
            term(field, &units[0].1),
            IndexRecordOption::WithFreqs,
        ))),
        _ => {
            let first = units[0].0;
            let terms = units
                .into_iter()
                .map(|(p, t)| (p - first, term(field, &t)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// Characters and ASCII runs of `words` with their positions.
fn phrase_units(words: &[Token]) -> Vec<(usize, String)> {
    let mut units = Vec::new();
    for word in words {
        let mut run: Option<(usize, String)> = None;
        for (i, c) in word.text.chars().enumerate() {
            if c.is_ascii_alphanumeric() {
                run.get_or_insert_with(|| (word.position + i, String::new()))
                    .1
                    .push(c);
                continue;
            }
            units.extend(run.take());
            if is_han(c) {
                units.push((word.position + i, c.to_string()));
            }
        }
        units.extend(run.take());
    }
    units
}

/// A filter clause: matches `value` exactly in `field`, adding no score.
pub fn filter(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(term(field, value), IndexRecordOption::Basic)),
        0.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_is_split() {
        let parsed = parse("拉卡拉 \"无效 终端\" -立刷 83  -");
        assert_eq!(parsed.parts, ["拉卡拉", "83"]);
        assert_eq!(parsed.phrases, ["无效 终端"]);
        assert_eq!(parsed.excluded, ["立刷"]);
    }

    #[test]
    fn syntax_soup_does_not_panic() {
        for q in [
            "\"\"\"",
            "((((",
            "-",
            "--",
            "title:",
            "*",
            "~",
            "\\",
            "\"unclosed",
            "－－x",
        ] {
            let _ = parse(q);
        }
        assert_eq!(parse("--x").excluded, ["x"]);
    }

    #[test]
    fn question_words_are_not_scored() {
        let plan = QueryPlan::new(&parse("终端未登记怎么办"), &Analyzer::shared());
        let words: Vec<&str> = plan.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["终端未登记"]);
    }

    #[test]
    fn only_question_words_are_kept_as_they_are() {
        let plan = QueryPlan::new(&parse("怎么办"), &Analyzer::shared());
        assert!(!plan.is_empty());
    }

    #[test]
    fn phrase_units_are_characters_and_ascii_runs() {
        let words = Analyzer::shared().words("83无效终端");
        let units: Vec<(usize, String)> = phrase_units(&words);
        let expected: Vec<(usize, String)> =
            [(0, "83"), (2, "无"), (3, "效"), (4, "终"), (5, "端")]
                .iter()
                .map(|(p, t)| (*p, t.to_string()))
                .collect();
        assert_eq!(units, expected);
    }
}
