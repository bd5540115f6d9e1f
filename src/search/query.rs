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
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::scoring::Scoring;
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

/// A term in more than this share of the documents is left out of the
/// first pass of a search (see [`QueryPlan::recall`])...
const COMMON_SHARE: f64 = 0.1;
/// ...when it is also in more than this many documents: a small index is
/// searched exhaustively.
const MIN_COMMON_DOCS: u64 = 1000;
/// The rarest terms kept in the first pass, however common.
const MIN_RECALL_TERMS: usize = 2;

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

/// The terms of the first pass of a search: see [`QueryPlan::recall`].
#[derive(Debug, Clone)]
pub struct Recall {
    /// Each term on each field.
    any: Vec<Term>,
    /// Each term on the field that holds all the text.
    all: Vec<Term>,
    /// Whether every term is a common one: then any of them matches a
    /// large share of the index, and pruning has little to skip.
    pub all_common: bool,
}

impl Recall {
    /// Documents with any of the terms, scored on every field.
    pub fn any(&self) -> Box<dyn Query> {
        combined(&self.any, Occur::Should)
    }

    /// [`Recall::any`] as an expression, to score given documents with.
    pub fn any_scoring(&self) -> Scoring {
        Scoring::Sum(
            self.any
                .iter()
                .map(|t| Scoring::Leaf(scored_term(t)))
                .collect(),
        )
    }

    /// Documents with any of the terms in `field`.
    pub fn any_in(&self, field: Field) -> Box<dyn Query> {
        let terms: Vec<Term> = self
            .any
            .iter()
            .filter(|t| t.field() == field)
            .cloned()
            .collect();
        combined(&terms, Occur::Should)
    }

    /// Documents with all of the terms.
    pub fn all(&self) -> Box<dyn Query> {
        combined(&self.all, Occur::Must)
    }
}

/// A boolean query of term queries, each with `occur`: tantivy prunes it
/// with block-max WAND.
fn combined(terms: &[Term], occur: Occur) -> Box<dyn Query> {
    let terms = terms.iter().map(|t| (occur, scored_term(t)));
    Box::new(BooleanQuery::new(terms.collect()))
}

/// A term query scored by BM25.
fn scored_term(term: &Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs))
}

/// Queries a match must satisfy beyond its words: see
/// [`QueryPlan::constraints`].
#[derive(Debug, Default)]
pub struct Constraints {
    /// Each must match.
    pub required: Vec<Box<dyn Query>>,
    /// None may match.
    pub excluded: Vec<Box<dyn Query>>,
}

impl Constraints {
    /// Whether anything is required or excluded.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.excluded.is_empty()
    }
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
    /// typo corrections), scored at `FALLBACK_WEIGHT`.
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
            .map(|p| contiguous(p, analyzer))
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

    /// How a document scores on `fields`: each word (and, more weakly, each
    /// fallback word) on every field, a bonus on `phrase_fields` where a
    /// part's words appear together as written, and the quoted phrases.
    /// `None` when there is nothing to match.
    pub fn scoring(
        &self,
        analyzer: &Analyzer,
        fields: &[Weighted],
        phrase_fields: &[Weighted],
    ) -> Option<Scoring> {
        if self.is_empty() {
            return None;
        }
        let mut parts = vec![];
        if let Some(words) = self.words_scoring(analyzer, fields, phrase_fields) {
            parts.push(words);
        }
        parts.extend(self.phrases.iter().map(|p| phrase_scoring(p, fields)));
        Some(Scoring::Sum(parts))
    }

    fn words_scoring(
        &self,
        analyzer: &Analyzer,
        fields: &[Weighted],
        phrase_fields: &[Weighted],
    ) -> Option<Scoring> {
        if self.words.is_empty() && self.fallback.is_empty() {
            return None;
        }
        let scored = self.words.iter().map(|w| (w, word_weight(&w.text)));
        let fallback = self
            .fallback
            .iter()
            .map(|w| (w, FALLBACK_WEIGHT * word_weight(&w.text)));
        let mut parts: Vec<Scoring> = scored
            .chain(fallback)
            .map(|(w, weight)| word_scoring(w, analyzer, fields).boosted(weight))
            .collect();
        for run in self.runs.iter().filter(|r| r.len() > 1) {
            for f in phrase_fields {
                if let Some(q) = char_phrase(run, f.field) {
                    parts.push(Scoring::Leaf(q).boosted(f.boost));
                }
            }
        }
        Some(Scoring::Sum(parts))
    }

    /// The scoring query over `fields` (see [`QueryPlan::scoring`]), with the
    /// quoted phrases required and the exclusions applied. `None` when there
    /// is nothing to match.
    pub fn build(
        &self,
        analyzer: &Analyzer,
        fields: &[Weighted],
        phrase_fields: &[Weighted],
    ) -> Option<Box<dyn Query>> {
        if self.is_empty() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(words) = self.words_scoring(analyzer, fields, phrase_fields) {
            clauses.push((Occur::Must, words.to_query()));
        }
        clauses.extend(self.phrase_and_exclusion_clauses(fields));
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// The first, cheap pass of a two-pass search: the plan's terms (words,
    /// their sub-words, the bigrams that spell them and the units of the
    /// quoted phrases) on `fields`, for flat term queries that tantivy
    /// scores with block-max WAND and so skips most documents that cannot
    /// make the top. In a big index, terms found in a large share of the
    /// documents are left out (the rarest two always stay): they cannot tell
    /// documents apart, and they would make every document a candidate.
    /// Phrases and exclusions are not applied here (see
    /// [`QueryPlan::constraints`]). `None` when there is nothing to match.
    /// `all_text` holds the text of all of `fields`: document frequencies,
    /// and [`Recall::all`], are taken there.
    pub fn recall(
        &self,
        analyzer: &Analyzer,
        fields: &[Field],
        all_text: Field,
        doc_freq: &dyn Fn(&Term) -> u64,
        population: u64,
    ) -> Option<Recall> {
        if self.is_empty() {
            return None;
        }
        let mut terms: Vec<String> = Vec::new();
        for word in self.words.iter().chain(&self.fallback) {
            terms.push(word.text.clone());
            terms.extend(subwords(&word.text, analyzer));
            terms.extend(
                phrase_units(std::slice::from_ref(word))
                    .into_iter()
                    .map(|u| u.1),
            );
        }
        for phrase in &self.phrases {
            terms.extend(phrase_units(phrase).into_iter().map(|u| u.1));
        }
        terms.sort();
        terms.dedup();
        let mut rated: Vec<(u64, String)> = terms
            .into_iter()
            .map(|t| (doc_freq(&term(all_text, &t)), t))
            .filter(|(df, _)| *df > 0)
            .collect();
        rated.sort();
        let common = |df: u64| df > MIN_COMMON_DOCS && df as f64 > COMMON_SHARE * population as f64;
        let keep = rated
            .iter()
            .filter(|(df, _)| !common(*df))
            .count()
            .max(MIN_RECALL_TERMS.min(rated.len()));
        rated.truncate(keep);
        Some(Recall {
            all_common: rated.len() > 1 && rated.iter().all(|(df, _)| common(*df)),
            any: rated
                .iter()
                .flat_map(|(_, t)| fields.iter().map(move |&f| term(f, t)))
                .collect(),
            all: rated.iter().map(|(_, t)| term(all_text, t)).collect(),
        })
    }

    /// What a match must have and must not have, on `field`: each quoted
    /// phrase, and none of the excluded words.
    pub fn constraints(&self, field: Field) -> Constraints {
        Constraints {
            required: self
                .phrases
                .iter()
                .filter_map(|p| char_phrase(p, field))
                .collect(),
            excluded: self
                .excluded
                .iter()
                .filter_map(|words| char_phrase(words, field))
                .collect(),
        }
    }

    /// `Must` a quoted phrase on any field, `MustNot` an excluded word.
    fn phrase_and_exclusion_clauses(&self, fields: &[Weighted]) -> Vec<(Occur, Box<dyn Query>)> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .phrases
            .iter()
            .map(|p| (Occur::Must, phrase_scoring(p, fields).to_query()))
            .collect();
        for words in &self.excluded {
            let any_field: Vec<(Occur, Box<dyn Query>)> = fields
                .iter()
                .filter_map(|f| char_phrase(words, f.field))
                .map(|q| (Occur::Should, q))
                .collect();
            clauses.push((Occur::MustNot, Box::new(BooleanQuery::new(any_field))));
        }
        clauses
    }
}

/// The words of a quoted phrase, placed as the text would have them. A
/// space next to an ideograph only separates words (`"无效 终端"` is
/// `无效终端`), so it closes up; punctuation keeps its place (`"7-3"`), and
/// so does a space between two ASCII words (`"sim card"`), as in the text.
fn contiguous(phrase: &str, analyzer: &Analyzer) -> Vec<Token> {
    let chars: Vec<char> = analyzer.normalize(phrase).as_str().chars().collect();
    let mut words = analyzer.words(phrase);
    let mut shift = 0;
    let mut end: Option<usize> = None;
    for w in &mut words {
        if let Some(end) = end {
            let gap = chars.get(end..w.position).unwrap_or_default();
            let beside_han = [end.checked_sub(1), Some(w.position)]
                .into_iter()
                .flatten()
                .any(|i| chars.get(i).is_some_and(|&c| is_han(c)));
            if beside_han {
                shift += gap.iter().filter(|c| c.is_whitespace()).count();
            }
        }
        end = Some(w.position + w.text.chars().count());
        w.position -= shift;
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

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

/// A quoted phrase: its best field, at twice the field's weight.
fn phrase_scoring(phrase: &[Token], fields: &[Weighted]) -> Scoring {
    Scoring::Max(
        fields
            .iter()
            .filter_map(|f| char_phrase(phrase, f.field).map(|q| (q, f.boost)))
            .map(|(q, boost)| Scoring::Leaf(q).boosted(boost * 2.0))
            .collect(),
    )
}

/// One word on each field: the best of its term, its characters in a row
/// and (more weakly) its sub-words, summed over the fields.
fn word_scoring(word: &Token, analyzer: &Analyzer, fields: &[Weighted]) -> Scoring {
    let parts = subwords(&word.text, analyzer);
    Scoring::Sum(
        fields
            .iter()
            .map(|f| {
                let term_query = |text: &str| -> Scoring {
                    Scoring::Leaf(Box::new(TermQuery::new(
                        term(f.field, text),
                        IndexRecordOption::WithFreqs,
                    )))
                };
                let mut options = vec![term_query(&word.text)];
                if !is_one_unit(word)
                    && let Some(q) = char_phrase(std::slice::from_ref(word), f.field)
                {
                    options.push(Scoring::Leaf(q).boosted(0.9));
                }
                if !parts.is_empty() {
                    let parts = parts.iter().map(|p| term_query(p)).collect();
                    options.push(Scoring::Sum(parts).boosted(0.3));
                }
                Scoring::Max(options).boosted(f.boost)
            })
            .collect(),
    )
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

/// The words as a phrase of indexed units at their character offsets:
/// ASCII runs whole, runs of ideographs as bigrams. It matches the text
/// exactly however jieba segmented it. A single unit is a term query; `None`
/// when there is nothing to match.
pub fn char_phrase(words: &[Token], field: Field) -> Option<Box<dyn Query>> {
    let units = phrase_units(words);
    match units.as_slice() {
        [] => None,
        [(_, unit)] => Some(Box::new(TermQuery::new(
            term(field, unit),
            IndexRecordOption::WithFreqs,
        ))),
        [(first, _), ..] => {
            let first = *first;
            let terms = units
                .into_iter()
                .map(|(p, t)| (p - first, term(field, &t)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// Whether a word is spelled by one indexed unit, itself: its term query
/// then already matches it wherever it is written.
fn is_one_unit(word: &Token) -> bool {
    matches!(phrase_units(std::slice::from_ref(word)).as_slice(), [(_, unit)] if *unit == word.text)
}

/// Indexed units that cover `words` as written, with their positions: ASCII
/// runs whole; a run of ideographs as bigrams side by side (the last one
/// overlapping its neighbour when the run is odd), or the ideograph itself
/// when it stands alone. Bigrams are what makes such a phrase cheap: each is
/// far rarer in the index than its two characters.
fn phrase_units(words: &[Token]) -> Vec<(usize, String)> {
    let mut units = Vec::new();
    let mut han: Vec<(usize, char)> = Vec::new();
    let flush = |han: &mut Vec<(usize, char)>, units: &mut Vec<(usize, String)>| {
        match han.len() {
            0 => {}
            1 => units.push((han[0].0, han[0].1.to_string())),
            n => {
                let mut starts: Vec<usize> = (0..n - 1).step_by(2).collect();
                if n % 2 == 1 {
                    starts.push(n - 2);
                }
                for k in starts {
                    units.push((han[k].0, [han[k].1, han[k + 1].1].iter().collect()));
                }
            }
        }
        han.clear();
    };
    for word in words {
        let mut run: Option<(usize, String)> = None;
        for (i, c) in word.text.chars().enumerate() {
            let position = word.position + i;
            if c.is_ascii_alphanumeric() {
                flush(&mut han, &mut units);
                run.get_or_insert_with(|| (position, String::new()))
                    .1
                    .push(c);
                continue;
            }
            units.extend(run.take());
            if is_han(c) && han.last().is_some_and(|&(p, _)| p + 1 == position) {
                han.push((position, c));
            } else {
                flush(&mut han, &mut units);
                if is_han(c) {
                    han.push((position, c));
                }
            }
        }
        units.extend(run.take());
    }
    flush(&mut han, &mut units);
    units.sort_by_key(|u| u.0);
    units
}

/// Matches `value` exactly in `field`, scoring 1: boosted, a bonus.
pub fn bonus(field: Field, value: &str) -> Box<dyn Query> {
    exactly(field, value, 1.0)
}

/// A filter clause: matches `value` exactly in `field`, adding no score.
pub fn filter(field: Field, value: &str) -> Box<dyn Query> {
    exactly(field, value, 0.0)
}

fn exactly(field: Field, value: &str, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(term(field, value), IndexRecordOption::Basic)),
        score,
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
    fn phrase_spaces_close_up_beside_ideographs_only() {
        let placed = |phrase: &str| -> Vec<(String, usize)> {
            contiguous(phrase, &Analyzer::shared())
                .into_iter()
                .map(|w| (w.text, w.position))
                .collect()
        };
        let expected = |words: &[(&str, usize)]| -> Vec<(String, usize)> {
            words.iter().map(|(w, p)| (w.to_string(), *p)).collect()
        };
        assert_eq!(placed("无效 终端"), expected(&[("无效", 0), ("终端", 2)]));
        assert_eq!(placed("7-3"), expected(&[("7", 0), ("3", 2)]));
        assert_eq!(placed("sim card"), expected(&[("sim", 0), ("card", 4)]));
        assert_eq!(placed("pos 机"), expected(&[("pos", 0), ("机", 3)]));
    }

    fn units(text: &str) -> Vec<(usize, String)> {
        phrase_units(&Analyzer::shared().words(text))
    }

    fn expected(units: &[(usize, &str)]) -> Vec<(usize, String)> {
        units.iter().map(|(p, t)| (*p, t.to_string())).collect()
    }

    #[test]
    fn phrase_units_are_bigrams_and_ascii_runs() {
        assert_eq!(
            units("83无效终端"),
            expected(&[(0, "83"), (2, "无效"), (4, "终端")])
        );
        // An odd run: the last bigram overlaps, across jieba's words.
        assert_eq!(
            units("终端未登记"),
            expected(&[(0, "终端"), (2, "未登"), (3, "登记")])
        );
        assert_eq!(
            units("pos机 蝶"),
            expected(&[(0, "pos"), (3, "机"), (5, "蝶")])
        );
    }
}
