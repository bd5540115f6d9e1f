//! A plan as tantivy queries.
//!
//! What a document scores is one flat sum of BM25 term scores, each with a
//! weight: every word of the plan as itself and through its parts on every
//! field, and the bigrams that join words written side by side. A sum of
//! boosted term queries is what tantivy prunes with block-max WAND, which
//! skips only documents that cannot enter the top, so the ranking is exact
//! and still fast on a big index. The same unit on the same field is one
//! term with the weights of its occurrences added, which scores the same.
//!
//! Quoted phrases must appear (a phrase of units, `analysis::units`) and
//! their words are scored at [`Weights::phrase`]; excluded words must not
//! appear; both are looked for in the field that holds all the text.

use std::collections::BTreeMap;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::QueryPlan;
use crate::analysis::words::{is_stop_word, is_weak_word};
use crate::analysis::{Analyzer, Token, units};
use crate::search::rank::Weights;

/// A field and how much a match in it counts.
#[derive(Debug, Clone, Copy)]
pub struct Weighted {
    pub field: Field,
    pub boost: f32,
    /// Whether a word's parts are looked for in the field too.
    pub parts: bool,
}

impl Weighted {
    /// `field` at `boost`, words and their parts.
    pub fn new(field: Field, boost: f32) -> Weighted {
        Weighted {
            field,
            boost,
            parts: true,
        }
    }

    /// `field` at `boost`, whole words only.
    pub fn words_only(field: Field, boost: f32) -> Weighted {
        Weighted {
            field,
            boost,
            parts: false,
        }
    }
}

/// The weighted terms a plan scores by, in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct Terms(BTreeMap<(Field, String), f32>);

/// Whether `word` is shaped like a response code a terminal shows: two
/// letters or digits, the second a digit (`54`, `a0`).
pub fn is_code_shaped(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.len() == 2 && chars[0].is_ascii_alphanumeric() && chars[1].is_ascii_digit()
}

impl Terms {
    /// The plan's terms on `fields`: its words (and the words of the section
    /// that answers it) and their parts, the bigrams
    /// joining words (not question words) written side by side, the words
    /// of its phrases.
    pub fn of(plan: &QueryPlan, analyzer: &Analyzer, fields: &[Weighted], w: &Weights) -> Terms {
        let mut terms = Terms::default();
        let word_weight = |word: &Token| {
            if is_weak_word(&word.text) {
                w.weak_word
            } else if is_code_shaped(&word.text) {
                w.code
            } else {
                1.0
            }
        };
        let words = plan.words.iter().map(|t| (t, word_weight(t)));
        let fallback = plan
            .fallback
            .iter()
            .map(|t| (t, w.fallback * word_weight(t)));
        let answering = plan.answering.iter().map(|t| (t, 1.0));
        let phrased = plan.phrases.iter().flatten().map(|t| (t, w.phrase));
        for (word, weight) in words.chain(answering).chain(fallback).chain(phrased) {
            let parts = analyzer.parts(word);
            for f in fields {
                terms.add(f.field, &word.text, weight * f.boost);
                for part in parts.iter().filter(|_| f.parts) {
                    terms.add(f.field, &part.text, weight * w.part * f.boost);
                }
            }
        }
        // Joins where a question word meets a word (`是什` in 冲正是什么意思)
        // would match every article that asks the same kind of question; a
        // particle's (`了`, `没`) still tells how the words were written.
        let question = |w: &Token| is_stop_word(&w.text) && w.text.chars().count() > 1;
        let content = |pair: &&[Token]| !pair.iter().any(question);
        for pair in plan
            .runs
            .iter()
            .flat_map(|run| run.windows(2))
            .filter(content)
        {
            for join in units::joins(pair) {
                for f in fields {
                    terms.add(f.field, &join.text, w.join * f.boost);
                }
            }
        }
        terms
    }

    fn add(&mut self, field: Field, text: &str, weight: f32) {
        *self.0.entry((field, text.to_string())).or_default() += weight;
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each term as a query scoring its BM25 times its weight, in order.
    pub fn queries(&self) -> Vec<Box<dyn Query>> {
        let query = |((field, text), &weight): (&(Field, String), &f32)| -> Box<dyn Query> {
            let term = TermQuery::new(
                Term::from_field_text(*field, text),
                IndexRecordOption::WithFreqs,
            );
            Box::new(BoostQuery::new(Box::new(term), weight))
        };
        self.0.iter().map(query).collect()
    }

    /// Documents with any of the terms, scoring the weighted sum of theirs.
    pub fn sum(&self) -> Box<dyn Query> {
        sum(&self.queries())
    }
}

/// Documents with any of `queries`, scoring the sum of theirs: a boolean
/// query of `Should` clauses, which tantivy prunes with block-max WAND when
/// they are all term queries.
pub fn sum(queries: &[Box<dyn Query>]) -> Box<dyn Query> {
    let clauses = queries.iter().map(|q| (Occur::Should, q.box_clone()));
    Box::new(BooleanQuery::new(clauses.collect()))
}

/// What a match must have and must not have, on `field`: each quoted
/// phrase, and none of the excluded words.
#[derive(Debug, Default)]
pub struct Constraints {
    pub required: Vec<Box<dyn Query>>,
    pub excluded: Vec<Box<dyn Query>>,
}

impl Constraints {
    pub fn of(plan: &QueryPlan, field: Field) -> Constraints {
        let phrases = |list: &[Vec<Token>]| list.iter().filter_map(|p| phrase(p, field)).collect();
        Constraints {
            required: phrases(&plan.phrases),
            excluded: phrases(&plan.excluded),
        }
    }

    /// The constraints as clauses of a boolean query, adding no score.
    pub fn clauses(&self) -> impl Iterator<Item = (Occur, Box<dyn Query>)> + '_ {
        let required = self
            .required
            .iter()
            .map(|q| (Occur::Must, unscored(q.box_clone())));
        let excluded = self
            .excluded
            .iter()
            .map(|q| (Occur::MustNot, q.box_clone()));
        required.chain(excluded)
    }
}

/// The words as a phrase of indexed units at their character offsets (a
/// single unit is a term query); `None` when there is nothing to match.
pub fn phrase(words: &[Token], field: Field) -> Option<Box<dyn Query>> {
    let units = units::phrase_units(words);
    let term = |text: &str| Term::from_field_text(field, text);
    match units.as_slice() {
        [] => None,
        [unit] => Some(Box::new(TermQuery::new(
            term(&unit.text),
            IndexRecordOption::Basic,
        ))),
        [first, ..] => {
            let first = first.position;
            let terms = units
                .iter()
                .map(|u| (u.position - first, term(&u.text)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// Matches `value` exactly in `field`, adding no score.
pub fn filter(field: Field, value: &str) -> Box<dyn Query> {
    unscored(Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    )))
}

/// Documents with any of `values` in `field`, adding no score.
pub fn any_of<'a>(field: Field, values: impl IntoIterator<Item = &'a str>) -> Box<dyn Query> {
    let clauses = values
        .into_iter()
        .map(|v| (Occur::Should, filter(field, v)));
    Box::new(BooleanQuery::new(clauses.collect()))
}

fn unscored(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;
    use crate::search::rank::WEIGHTS;

    #[test]
    fn a_unit_met_twice_is_one_term_with_both_weights() {
        let a = Analyzer::shared();
        let (schema, f) = crate::index::schema::build_schema();
        drop(schema);
        let fields = [Weighted::new(f.body, 2.0)];
        // 登记 is a word of the query and a part of 未登记.
        let plan = QueryPlan::new(&parse("未登记 登记"), &a);
        let terms = Terms::of(&plan, &a, &fields, &WEIGHTS);
        let weight = |text: &str| terms.0.get(&(f.body, text.to_string())).copied();
        assert_eq!(weight("登记"), Some(2.0 + 2.0 * WEIGHTS.part));
        assert_eq!(weight("未登记"), Some(2.0));
        assert_eq!(weight("未登"), Some(2.0 * WEIGHTS.part));
        // The two are apart: no bigram joins them.
        assert_eq!(weight("记登"), None);
        let together = Terms::of(
            &QueryPlan::new(&parse("未登记登记"), &a),
            &a,
            &fields,
            &WEIGHTS,
        );
        let joined = together.0.get(&(f.body, "记登".to_string())).copied();
        assert_eq!(joined, Some(2.0 * WEIGHTS.join), "{together:?}");
    }

    #[test]
    fn question_words_join_nothing() {
        // From the passage set: 冲正是什么意思 met every 是什么意思 title
        // through the joins 是什 and 么意.
        let a = Analyzer::shared();
        let (_, f) = crate::index::schema::build_schema();
        let fields = [Weighted::new(f.body, 1.0)];
        let plan = QueryPlan::new(&parse("冲正是什么意思"), &a);
        let terms = Terms::of(&plan, &a, &fields, &WEIGHTS);
        let has = |text: &str| terms.0.contains_key(&(f.body, text.to_string()));
        assert!(!has("是什") && !has("么意"), "{terms:?}");
    }
}
