//! Answers: from a symptom, a terminal code or a customer's own words to the
//! one canonical fix card, with a confidence, or a FAQ section when no card
//! fits a how-to question, or nothing at all. A query is understood first
//! (`understand`: codes in any form, symptoms, filler words), every card
//! prepared when the engine opens (`Cards`) is weighed on the evidence the
//! query gives for it (`evidence`), and the logistic model (`model`) turns
//! that evidence into a confidence; this module answers with the best card
//! above the threshold, the next ones as alternatives.

mod evidence;
mod faq;
mod model;
mod understand;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::query::QueryPlan;
use super::synonyms::Synonyms;
use super::{Engine, validate_message};
use crate::Result;
use crate::analysis::Analyzer;
use crate::analysis::words::names_payment;
use crate::corpus::FixCard;
use crate::search::suggest::sound::sound_key;
use evidence::{MIN_RUN, runs_of_min_len};
use model::MODEL;
pub use understand::{CodeMention, code_mentions, find_codes};
use understand::{Understood, canonical, compact, without_filler};

/// Answers below this confidence are not given.
pub const MIN_CONFIDENCE: f64 = MODEL.min_confidence;

/// `posfaq answer --json` and `GET /api/answer`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AnswerResponse {
    pub query: String,
    pub answer: Option<Answer>,
    pub alternatives: Vec<Alternative>,
}

/// The best fix card, or the best FAQ section.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Answer {
    /// `fix` or `faq`.
    pub kind: String,
    /// The card id, or the article id for a FAQ section.
    pub id: String,
    pub title: String,
    pub confidence: f64,
    pub summary: String,
    pub causes: Vec<String>,
    pub steps: Vec<String>,
    pub escalation: String,
    pub codes: Vec<String>,
    pub sources: Vec<Source>,
}

/// An article an answer draws on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub section: String,
    pub anchor: String,
}

/// Another card that might fit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Alternative {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub confidence: f64,
}

/// A card prepared for matching.
#[derive(Debug, Clone)]
pub(crate) struct CardProfile {
    card: FixCard,
    codes: HashSet<String>,
    /// Compact, canonical symptom phrases and the title.
    phrases: Vec<String>,
    /// What the card says the terminal shows, compact and canonical, that
    /// no other card says ([`screen_texts`]).
    screens: Vec<String>,
    /// The phrases without filler, as characters, for partial matches.
    cores: Vec<Vec<char>>,
    phrase_sounds: Vec<Vec<String>>,
    /// Everything the card says, normalized and canonical.
    text: String,
    /// Each of its causes, normalized and canonical.
    causes: Vec<String>,
}

/// The fix cards of an index, prepared once when the engine opens.
#[derive(Debug, Default, Clone)]
pub(crate) struct Cards {
    profiles: Vec<CardProfile>,
    known_codes: HashSet<String>,
    /// Each run of [`MIN_RUN`] characters in a card's cores: which cores
    /// (card, core) have it. A query is compared at length only with the
    /// cores it shares such a run with.
    core_runs: HashMap<[char; MIN_RUN], Vec<(usize, usize)>>,
}

impl Cards {
    pub(crate) fn new(cards: Vec<FixCard>, analyzer: &Analyzer, synonyms: &Synonyms) -> Cards {
        let canonical = |text: &str| canonical(text, analyzer, synonyms);
        let phrases: Vec<Vec<String>> = cards
            .iter()
            .map(|card| {
                card.symptoms
                    .iter()
                    .chain([&card.title])
                    .map(|s| compact(&canonical(s)))
                    .filter(|p| p.chars().count() >= MODEL.min_phrase)
                    .collect()
            })
            .collect();
        let mut screens: Vec<Vec<String>> = vec![Vec::new(); cards.len()];
        for (card, screen) in screen_texts(&cards, &phrases, &canonical) {
            screens[card].push(screen);
        }
        let profiles: Vec<CardProfile> = cards
            .into_iter()
            .zip(phrases)
            .zip(screens)
            .map(|((card, phrases), screens)| {
                let text = canonical(
                    &[
                        card.title.as_str(),
                        &card.symptoms.join(" "),
                        &card.tags.join(" "),
                        &card.summary,
                        &card.causes.join(" "),
                    ]
                    .join(" "),
                );
                CardProfile {
                    causes: card.causes.iter().map(|c| canonical(c)).collect(),
                    codes: card.codes.iter().map(|c| c.to_uppercase()).collect(),
                    cores: phrases
                        .iter()
                        .map(|p| without_filler(p).chars().collect())
                        .collect(),
                    phrase_sounds: phrases.iter().map(|p| sound_key(p)).collect(),
                    phrases,
                    screens,
                    text,
                    card,
                }
            })
            .collect();
        let known_codes = profiles
            .iter()
            .flat_map(|p| p.codes.iter().cloned())
            .collect();
        let mut core_runs: HashMap<[char; MIN_RUN], Vec<(usize, usize)>> = HashMap::new();
        for (card, profile) in profiles.iter().enumerate() {
            for (core, chars) in profile.cores.iter().enumerate() {
                for run in runs_of_min_len(chars) {
                    let cores = core_runs.entry(run).or_default();
                    if cores.last() != Some(&(card, core)) {
                        cores.push((card, core));
                    }
                }
            }
        }
        Cards {
            profiles,
            known_codes,
            core_runs,
        }
    }
}

impl Engine {
    /// The answer to `query`: the best fix card, else the best FAQ section
    /// for a how-to question, else none.
    pub fn answer(&self, query: &str) -> Result<AnswerResponse> {
        validate_message(query)?;
        let plan = self.plan(query);
        let corrected = plan.corrected.clone();
        let mut q = self.understand_message(query, plan);
        let mut ranked = self.rank_cards(&q)?;
        // A query typed in pinyin or with a typo that no card fits as typed
        // (`shua ka ti shi mi ma cuo wu`) is tried in the words it was
        // corrected to (`刷卡 提示密码错 wu`).
        if let Some(corrected) = corrected.filter(|_| !confident(&ranked)) {
            q = self.understand_message(&corrected, self.plan(&corrected));
            ranked = self.rank_cards(&q)?;
        }
        let mut response = AnswerResponse {
            query: query.to_string(),
            answer: None,
            alternatives: Vec::new(),
        };
        let mut rest = ranked.iter();
        if let Some(&(confidence, best)) = ranked.first().filter(|(c, _)| *c >= MIN_CONFIDENCE) {
            response.answer = Some(self.fix_answer(best, confidence, &q)?);
            rest.next();
        } else {
            response.answer = self.faq_answer(query, &q)?;
        }
        response.alternatives = rest
            .filter(|(c, _)| *c >= MODEL.min_alternative)
            .take(MODEL.max_alternatives)
            .map(|&(c, p)| Alternative {
                kind: "fix".into(),
                id: p.card.id.clone(),
                title: p.card.title.clone(),
                confidence: round2(c),
            })
            .collect();
        Ok(response)
    }

    /// `text` read as a customer's message, which may describe a cause
    /// rather than name a symptom (`Understood::by_cause`) when it is set
    /// in a payment terminal's world (`analysis::words::names_payment`):
    /// 电脑升级系统的时候断电了 is no terminal's fault.
    fn understand_message(&self, text: &str, plan: QueryPlan) -> Understood {
        let q = self.understand(text, plan);
        let written = self.analyzer().normalize(text);
        Understood {
            by_cause: names_payment(written.as_str()) || names_payment(&q.compact),
            ..q
        }
    }

    /// The featured fix for a search: the best card when it is confident.
    /// `plan` is the search's plan of `query`.
    pub(crate) fn featured_fix(&self, query: &str, plan: &QueryPlan) -> Result<Option<Answer>> {
        let q = self.understand(query, plan.clone());
        let ranked = self.rank_cards(&q)?;
        match ranked.first() {
            Some(&(confidence, best)) if confidence >= MIN_CONFIDENCE => {
                Ok(Some(self.fix_answer(best, confidence, &q)?))
            }
            _ => Ok(None),
        }
    }

    fn fix_answer(&self, p: &CardProfile, confidence: f64, q: &Understood) -> Result<Answer> {
        let card = &p.card;
        let mut sources = Vec::new();
        let searcher = self.index().reader.searcher();
        let f = self.index().fields;
        let mut sections =
            super::sections::best_sections(&searcher, f, self.analyzer(), &q.plan, &card.related)?;
        for id in &card.related {
            if let Some(title) = self.article_title(id)? {
                let section = sections.remove(id).unwrap_or_default();
                sources.push(Source {
                    id: id.clone(),
                    title,
                    section: section.title,
                    anchor: section.anchor,
                });
            }
        }
        Ok(Answer {
            kind: "fix".into(),
            id: card.id.clone(),
            title: card.title.clone(),
            confidence: round2(confidence),
            summary: card.summary.clone(),
            causes: card.causes.clone(),
            steps: card.steps.clone(),
            escalation: card.escalation.clone(),
            codes: card.codes.clone(),
            sources,
        })
    }
}

/// The texts a card quotes in its meaning, causes or escalation (not its
/// steps, which quote menu items: `参数下载`) that count as what it says
/// the terminal shows (`交易失败，请联系发卡行`): those of at least
/// [`MIN_RUN`] characters that no other card quotes and that are no card's
/// symptom or title already, each with its card's index. A text two cards
/// quote says nothing of which one fits.
fn screen_texts(
    cards: &[FixCard],
    phrases: &[Vec<String>],
    canonical: &impl Fn(&str) -> String,
) -> Vec<(usize, String)> {
    let known: HashSet<&String> = phrases.iter().flatten().collect();
    let mut quoted_by: HashMap<String, HashSet<usize>> = HashMap::new();
    for (i, card) in cards.iter().enumerate() {
        for text in card.quoted() {
            let text = compact(&canonical(text));
            if text.chars().count() >= MIN_RUN && !known.contains(&text) {
                quoted_by.entry(text).or_default().insert(i);
            }
        }
    }
    let mut screens: Vec<(usize, String)> = quoted_by
        .into_iter()
        .filter(|(_, by)| by.len() == 1)
        .map(|(text, by)| (by.into_iter().next().unwrap_or_default(), text))
        .collect();
    screens.sort();
    screens
}

/// Whether the best of `ranked` is confident enough to answer.
fn confident(ranked: &[(f64, &CardProfile)]) -> bool {
    ranked.first().is_some_and(|(c, _)| *c >= MIN_CONFIDENCE)
}

/// A confidence as it is shown: to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
