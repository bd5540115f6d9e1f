//! The evidence a query gives for each fix card, each on a scale from 0 to
//! 1 that a person would accept as a reason: the card lists a code the
//! query names (less for a lone number in a sentence); the query contains
//! one of the card's symptom phrases (longer is stronger) or names a text
//! the card says the terminal shows (`names_screen`), or shares a long run
//! of characters with a phrase, or failing both sounds like one (the typo
//! fallback); one of the card's causes says what the query says (the
//! query's rarer words, in one cause); the share of the query's words the
//! card covers; and the card's full-text rank among the cards. How much
//! each counts is the model's business (`model.rs`).

use std::collections::{HashMap, HashSet};

use tantivy::collector::TopDocs;

use super::model::MODEL;
use super::understand::{Understood, names_screen};
use super::{CardProfile, Cards};
use crate::Result;
use crate::analysis::words::is_weak_word;
use crate::search::query::build::{Terms, Weighted};
use crate::search::rank::WEIGHTS;
use crate::search::suggest::sound;
use crate::search::{Engine, text_of};

/// The shortest shared run that counts as a partial match of a symptom
/// (`Model::min_run`), as an array length.
pub(super) const MIN_RUN: usize = MODEL.min_run;

/// What a query says for one card, each from 0 (nothing) to 1 (all).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Evidence {
    /// The card lists a code the query names: 1 when named as a code, less
    /// for a lone number.
    pub(super) code: f64,
    /// The query contains one of the card's phrases, or shares a long run
    /// with one (for less), by its length in characters.
    pub(super) phrase: f64,
    /// With no phrase in the query, the query sounds like one, by its
    /// length in syllables.
    pub(super) fuzzy: f64,
    /// One of the card's causes holds the query's words: the share of
    /// their rarity among the cards that the best cause holds, less when
    /// what it holds is shorter than a full phrase.
    pub(super) cause: f64,
    /// The share of the query's words that the card has.
    pub(super) coverage: f64,
    /// 1 for the first card in a full-text search of the cards, less for
    /// the next two.
    pub(super) rank: f64,
    /// The card is for a code or codes: it names one exact condition, and
    /// on equal evidence beats a general triage card.
    pub(super) specific: bool,
    /// The longest run of the query, in characters, that is one of the
    /// card's phrases or in one: how exactly the card's own words are
    /// there. Not evidence of its own: it breaks ties between cards of
    /// equal confidence.
    pub(super) exactness: usize,
    /// The longest of the card's phrases the query holds whole, in
    /// characters.
    pub(super) named: usize,
}

/// The runs of [`MIN_RUN`] characters in a text.
pub(super) fn runs_of_min_len(chars: &[char]) -> impl Iterator<Item = [char; MIN_RUN]> + '_ {
    chars.windows(MIN_RUN).filter_map(|w| w.try_into().ok())
}

/// Length in characters of the longest run `a` and `b` share.
fn common_run(a: &[char], b: &[char]) -> usize {
    let mut best = 0;
    let mut previous = vec![0usize; b.len() + 1];
    let mut current = vec![0usize; b.len() + 1];
    for &ca in a {
        for (j, &cb) in b.iter().enumerate() {
            current[j + 1] = if ca == cb { previous[j] + 1 } else { 0 };
            best = best.max(current[j + 1]);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    best
}

impl Engine {
    /// The evidence for every card, in the order of [`Cards`].
    pub(super) fn evidence(&self, q: &Understood) -> Result<Vec<Evidence>> {
        let ranks = self.card_text_ranks(q)?;
        let partials = partial_matches(&self.cards, q);
        let mut evidence: Vec<Evidence> = self
            .cards
            .profiles
            .iter()
            .zip(partials)
            .map(|(p, partial)| {
                let rank = ranks.get(p.card.id.as_str()).copied();
                card_evidence(q, p, partial, rank)
            })
            .collect();
        // A query that names a card's symptom, or sounds like one (a typo),
        // is about that symptom; one that names none may describe a cause.
        if q.by_cause && evidence.iter().all(|e| e.named == 0 && e.fuzzy == 0.0) {
            let rarity = word_rarity(&self.cards, q);
            for (e, p) in evidence.iter_mut().zip(&self.cards.profiles) {
                e.cause = cause_match(p, &rarity);
            }
        }
        Ok(evidence)
    }

    /// Rank of each card in a full-text search of the fix cards.
    fn card_text_ranks(&self, q: &Understood) -> Result<HashMap<String, usize>> {
        let f = self.index().fields;
        let fields = [
            Weighted::new(f.card_title, WEIGHTS.card_title),
            Weighted::new(f.card_keywords, WEIGHTS.card_keywords),
            Weighted::new(f.card_body, WEIGHTS.card_body),
        ];
        let terms = Terms::of(&q.plan, self.analyzer(), &fields, &WEIGHTS);
        if terms.is_empty() {
            return Ok(HashMap::new());
        }
        let scoring = terms.sum();
        // Only cards have these fields.
        let searcher = self.index().reader.searcher();
        let top = searcher.search(
            scoring.as_ref(),
            &TopDocs::with_limit(MODEL.ranked_cards).order_by_score(),
        )?;
        let mut ranks = HashMap::new();
        for (rank, (_, address)) in top.into_iter().enumerate() {
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            ranks.insert(text_of(&doc, f.id), rank);
        }
        Ok(ranks)
    }
}

/// For each card, the longest run of at least [`MIN_RUN`] characters that
/// the query's core shares with one of the card's cores, else 0.
fn partial_matches(cards: &Cards, q: &Understood) -> Vec<usize> {
    let mut compared: HashSet<(usize, usize)> = HashSet::new();
    let mut best = vec![0; cards.profiles.len()];
    for run in runs_of_min_len(&q.core_chars) {
        for &(card, core) in cards.core_runs.get(&run).into_iter().flatten() {
            if compared.insert((card, core)) {
                let chars = &cards.profiles[card].cores[core];
                best[card] = best[card].max(common_run(&q.core_chars, chars));
            }
        }
    }
    best
}

/// The query's words that can tell one card's cause from another's, each
/// with its rarity among the cards, `ln(1 + cards / cards holding it)`:
/// words of two or more characters, not the device itself (`机器`) nor a
/// part of another of its words (`营业` of `营业执照`). A word no card
/// holds is as rare as a word can be (one card): a message about
/// something else (`快递没收到`) is mostly words no cause holds.
fn word_rarity<'q>(cards: &Cards, q: &'q Understood) -> Vec<(&'q str, f64)> {
    let n = cards.profiles.len() as f64;
    let mut seen = HashSet::new();
    let part_of_another = |w: &str| q.words.iter().any(|o| o.len() > w.len() && o.contains(w));
    q.words
        .iter()
        .filter(|w| w.chars().count() >= 2 && !is_weak_word(w) && !part_of_another(w))
        .filter(|w| seen.insert(w.as_str()))
        .map(|w| {
            let holding = cards
                .profiles
                .iter()
                .filter(|p| p.text.contains(w.as_str()))
                .count();
            (w.as_str(), (1.0 + n / holding.max(1) as f64).ln())
        })
        .collect()
}

/// How well the card's best cause says what the query says: the share of
/// the query's rarity (`word_rarity`) that one cause holds, scaled down
/// when the words it holds are shorter than a full phrase (`冻结` alone
/// says less than `结算卡` and `冻结`).
fn cause_match(p: &CardProfile, rarity: &[(&str, f64)]) -> f64 {
    let total: f64 = rarity.iter().map(|(_, r)| r).sum();
    if total == 0.0 {
        return 0.0;
    }
    p.causes
        .iter()
        .map(|cause| {
            let held: Vec<_> = rarity.iter().filter(|(w, _)| cause.contains(w)).collect();
            if held.len() < 2 {
                return 0.0;
            }
            let share: f64 = held.iter().map(|(_, r)| r / total).sum();
            let chars: usize = held.iter().map(|(w, _)| w.chars().count()).sum();
            share * (chars as f64 / MODEL.full_phrase).min(1.0)
        })
        .fold(0.0, f64::max)
}

/// The evidence for one card; `partial` is its entry of
/// [`partial_matches`], `text_rank` its rank among the cards, if any.
fn card_evidence(
    q: &Understood,
    p: &CardProfile,
    partial: usize,
    text_rank: Option<usize>,
) -> Evidence {
    let m = &MODEL;
    let code = q
        .codes
        .iter()
        .filter(|c| p.codes.contains(&c.code))
        .map(|c| if c.strong { 1.0 } else { m.weak_code })
        .fold(0.0, f64::max);
    let exact = p
        .phrases
        .iter()
        .filter(|s| q.compact.contains(s.as_str()))
        .chain(p.screens.iter().filter(|s| names_screen(&q.compact, s)))
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    let sounds = if exact == 0 {
        p.phrase_sounds
            .iter()
            .filter(|s| s.len() >= m.min_sound && sound::contains(&q.sound, s))
            .map(|s| s.len())
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    // A phrase the query shares a long run with counts for less: the
    // query may leave out the symptom's subject (`用不了` for
    // `pos机用不了`) or be a part of it (`余额不足` of `可用余额不足`).
    let phrase = (exact as f64 / m.full_phrase)
        .min(1.0)
        .max(m.partial * (partial as f64 / m.full_phrase).min(1.0));
    let fuzzy = (sounds as f64 / m.full_phrase).min(1.0);
    let covered = q
        .words
        .iter()
        .zip(&q.upper_words)
        .filter(|(w, upper)| p.text.contains(w.as_str()) || p.codes.contains(*upper))
        .count();
    let coverage = if q.words.is_empty() {
        0.0
    } else {
        covered as f64 / q.words.len() as f64
    };
    let rank = match text_rank {
        Some(0) => 1.0,
        Some(1 | 2) => m.near_rank,
        _ => 0.0,
    };
    Evidence {
        code,
        phrase,
        fuzzy,
        cause: 0.0,
        coverage,
        rank,
        specific: !p.codes.is_empty(),
        exactness: exact.max(partial),
        named: exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn the_longest_shared_run() {
        assert_eq!(common_run(&chars("余额不足"), &chars("可用余额不足")), 4);
        assert_eq!(common_run(&chars("pos机用不了"), &chars("用不了")), 3);
        assert_eq!(common_run(&chars("签到"), &chars("退货")), 0);
    }

    #[test]
    fn runs_are_windows_of_min_len() {
        let runs: Vec<String> = runs_of_min_len(&chars("终端未登记"))
            .map(|r| r.iter().collect())
            .collect();
        assert_eq!(runs, ["终端未登", "端未登记"]);
        assert_eq!(runs_of_min_len(&chars("签到")).count(), 0);
    }
}
