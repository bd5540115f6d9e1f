//! The relevance floor: whether the best hit of a search is a reliable
//! match, or only shares a character or a common word with the query (an
//! off-topic `今天天气怎么样` meets `今天` in some article and `天` in
//! many). A search whose best hit is not reliable is flagged `weak`, and
//! clients say that nothing reliable was found instead of listing it.
//!
//! The query's distinctive words are its words of two or more characters
//! (or a code, `83`, `a0`) that are neither question words, nor words for
//! the device itself, nor words a FAQ heading is shaped with (`注意事项`,
//! `流程`: `养猫要注意什么` meets 注意 in a title and is about nothing the
//! knowledge base is about). The best hit is reliable when it holds one of them
//! that some article's title holds too (a word the knowledge base is
//! about) or a code, or half or more of them and at least two (or the one
//! there is); a correction found in it counts as the word it stands for.
//! A word counts as held when the hit holds it as a word, or every
//! two-character piece of it: the text may segment it otherwise
//! (`POS终端未登记` reads as `pos终端` `未登记`). A query with no
//! distinctive word (a character typed so far) is never weak: there is
//! nothing to judge it by.

use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use super::query::QueryPlan;
use super::query::build::is_code_shaped;
use super::rank::collect::score_docs;
use crate::Result;
use crate::analysis::words::{is_heading_word, is_stop_word, is_weak_word};
use crate::analysis::{Analyzer, Token};
use crate::index::schema::Fields;

/// Whether `word` can tell one article from another.
fn is_distinctive(word: &str) -> bool {
    let long_enough = word.chars().count() >= 2 || is_code_shaped(word);
    long_enough && !is_stop_word(word) && !is_weak_word(word) && !is_heading_word(word)
}

/// Whether the document at `best` is not a reliable match for `plan`.
pub fn is_weak(
    searcher: &Searcher,
    f: Fields,
    analyzer: &Analyzer,
    plan: &QueryPlan,
    best: DocAddress,
) -> Result<bool> {
    let typed: Vec<&Token> = plan
        .words
        .iter()
        .filter(|w| is_distinctive(&w.text))
        .collect();
    if typed.is_empty() {
        return Ok(false);
    }
    let holds_unit = |unit: &str| -> Result<bool> {
        let term: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(f.body, unit),
            IndexRecordOption::Basic,
        ));
        Ok(score_docs(searcher, &[term], &[best])?[0].is_some())
    };
    let holds = |word: &Token| -> Result<bool> {
        if holds_unit(&word.text)? {
            return Ok(true);
        }
        let pieces: Vec<String> = analyzer
            .parts(word)
            .into_iter()
            .map(|p| p.text)
            .filter(|p| p.chars().count() == 2)
            .collect();
        for piece in &pieces {
            if !holds_unit(piece)? {
                return Ok(false);
            }
        }
        Ok(!pieces.is_empty())
    };
    let in_a_title = |word: &str| -> Result<bool> {
        Ok(searcher.doc_freq(&Term::from_field_text(f.title, word))? > 0)
    };
    let mut found = 0;
    for word in typed.iter().copied().chain(&plan.fallback) {
        if holds(word)? {
            if is_code_shaped(&word.text) || in_a_title(&word.text)? {
                return Ok(false);
            }
            found += 1;
        }
    }
    let enough = found >= 2 || typed.len() == 1;
    Ok(!(enough && 2 * found >= typed.len()))
}

#[cfg(test)]
mod tests {
    use super::is_distinctive;

    #[test]
    fn single_characters_and_question_words_tell_nothing() {
        assert!(is_distinctive("天气") && is_distinctive("83") && is_distinctive("a0"));
        assert!(!is_distinctive("天") && !is_distinctive("怎么样") && !is_distinctive("机器"));
        assert!(!is_distinctive("注意事项") && !is_distinctive("流程"));
    }
}
