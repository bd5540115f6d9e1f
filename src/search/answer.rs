//! Answers: from a symptom, a terminal code or a customer's own words to the
//! one canonical fix card, with a confidence, or a FAQ section when no card
//! fits a how-to question, or nothing at all.
//!
//! A query is understood first: response codes in any form (`83`, `显示83`,
//! `返回码A0`, `８３`) but not numbers that are not codes in context
//! (`1234567`, `手续费0.6%`, `2号机器`); colloquial forms rewritten by the
//! corpus synonyms; question words dropped. Every card is then scored on
//! evidence that a person would accept:
//!
//! * the card lists a code the query names;
//! * the query contains one of the card's symptom phrases (longer is
//!   stronger), or, failing that, sounds like one (typo fallback);
//! * the share of the query's words the card covers;
//! * the card's full-text rank among cards.
//!
//! The evidence is combined by a logistic function whose weights were set
//! on `tests/eval/answers.tsv`, so a confidence reads as an estimate of how
//! often an answer at that level is right (README has the table).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use utoipa::ToSchema;

use super::query::build::{Terms, Weighted};
use super::query::{self, QueryPlan};
use super::rank::WEIGHTS;
use super::suggest::sound;
use super::synonyms::Synonyms;
use super::{Engine, SearchRequest, validate_query};
use crate::Result;
use crate::analysis::{Analyzer, is_han};
use crate::corpus::FixCard;

/// Answers below this confidence are not given.
pub const MIN_CONFIDENCE: f64 = 0.5;
/// Alternatives below this confidence are not listed.
const MIN_ALTERNATIVE: f64 = 0.15;
const MAX_ALTERNATIVES: usize = 3;

/// Characters that, right after a number, make it a quantity, not a code.
const COUNTERS: &str = "号元块次天个台年月日笔分秒万千百岁位张条倍米斤克%";
/// Words shortly before a number that say it is a code on the screen.
const CODE_MARKERS: &[&str] = &[
    "码", "显示", "提示", "报", "报错", "返回", "出现", "错误", "错", "代码", "弹出", "code", "显",
];

/// Words that say where or how a problem showed, not what it is: a run
/// they make up is no evidence for one card over another, so partial
/// phrase matches ignore them.
const FILLER: &[&str] = &[
    "刷卡显示",
    "刷卡提示",
    "机器显示",
    "屏幕显示",
    "显示",
    "提示",
    "应答码",
    "错误码",
    "返回码",
    "刷卡",
    "pos机",
    "机器",
    "怎么办",
    "请重试",
    "请",
    "一直",
];

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
    /// The phrases without filler, as characters, for partial matches.
    cores: Vec<Vec<char>>,
    phrase_sounds: Vec<Vec<String>>,
    /// Everything the card says, normalized and canonical.
    text: String,
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
        let canonical = |text: &str| synonyms.canonicalize(analyzer.normalize(text).as_str());
        let profiles: Vec<CardProfile> = cards
            .into_iter()
            .map(|card| {
                let mut phrases: Vec<String> = card
                    .symptoms
                    .iter()
                    .map(|s| compact(&canonical(s)))
                    .collect();
                phrases.push(compact(&canonical(&card.title)));
                phrases.retain(|p| p.chars().count() >= 2);
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
                    codes: card.codes.iter().map(|c| c.to_uppercase()).collect(),
                    cores: phrases
                        .iter()
                        .map(|p| without_filler(p).chars().collect())
                        .collect(),
                    phrase_sounds: phrases.iter().map(|p| sound::sound_key(p)).collect(),
                    phrases,
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

fn without_filler(text: &str) -> String {
    FILLER
        .iter()
        .fold(text.to_string(), |t, f| t.replace(f, " "))
}

/// Letters, digits and ideographs only.
fn compact(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The shortest shared run that counts as a partial match of a symptom.
const MIN_RUN: usize = 4;

/// The runs of [`MIN_RUN`] characters in a text.
fn runs_of_min_len(chars: &[char]) -> impl Iterator<Item = [char; MIN_RUN]> + '_ {
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

/// A response code named in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMention {
    /// As the terminal shows it: `51`, `A0`.
    pub code: String,
    /// Named as a code (`显示51`, `83无效终端`, the query alone), rather
    /// than a lone number inside a sentence.
    pub strong: bool,
}

/// Finds the `known` response codes that `normalized` (lowercase, folded)
/// names. Quantities (`2号`, `3天`), decimals (`0.6`), percentages and
/// longer numbers are not codes.
pub fn find_codes(normalized: &str, known: &HashSet<String>) -> Vec<CodeMention> {
    let chars: Vec<char> = normalized.chars().collect();
    let mut found: Vec<CodeMention> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let shaped = run.len() == 2 && run.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
        let before = start.checked_sub(1).map(|k| chars[k]);
        let after = chars.get(i).copied();
        let quantity =
            after.is_some_and(|c| COUNTERS.contains(c) || c == '.') || before == Some('.');
        let code = run.to_uppercase();
        if !shaped || quantity || !known.contains(&code) {
            continue;
        }
        let context: String = chars[start.saturating_sub(6)..start]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        let alone = chars.iter().filter(|c| c.is_alphanumeric()).count() == 2;
        let strong = alone
            || CODE_MARKERS.iter().any(|m| {
                context.ends_with(m)
                    || context.ends_with(&format!("{m}:"))
                    || context.ends_with(&format!("{m}是"))
            })
            || after.is_some_and(is_han);
        if !found.iter().any(|m| m.code == code) {
            found.push(CodeMention { code, strong });
        }
    }
    found
}

/// What a query says, as the answer matcher needs it.
struct Understood {
    compact: String,
    /// `compact` without filler words, as characters.
    core_chars: Vec<char>,
    sound: Vec<String>,
    codes: Vec<CodeMention>,
    /// Content words (question words dropped), canonical and normalized.
    words: Vec<String>,
    /// `words` in uppercase, as codes are kept.
    upper_words: Vec<String>,
    plan: QueryPlan,
}

fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Engine {
    /// What `query` says; `plan` is its search plan ([`Engine::plan`]).
    fn understand(&self, query: &str, plan: QueryPlan) -> Understood {
        let analyzer = self.analyzer();
        let normalized = analyzer.normalize(query);
        let canonical = self.synonyms.canonicalize(normalized.as_str());
        let words: Vec<String> = QueryPlan::new(&query::parse(&canonical), analyzer)
            .words
            .into_iter()
            .map(|w| w.text)
            .collect();
        let core_chars: Vec<char> = without_filler(&compact(&canonical)).chars().collect();
        Understood {
            core_chars,
            compact: compact(&canonical),
            sound: sound::sound_key(&canonical),
            codes: find_codes(normalized.as_str(), &self.cards.known_codes),
            upper_words: words.iter().map(|w| w.to_uppercase()).collect(),
            words,
            plan,
        }
    }

    /// Cards ranked by confidence, best first.
    fn rank_cards(&self, q: &Understood) -> Result<Vec<(f64, &CardProfile)>> {
        if self.cards.profiles.is_empty() {
            return Ok(Vec::new());
        }
        let ranks = self.card_text_ranks(q)?;
        let partials = self.partial_matches(q);
        let mut scored: Vec<(f64, &CardProfile)> = self
            .cards
            .profiles
            .iter()
            .zip(partials)
            .map(|(p, partial)| {
                let rank = ranks.get(p.card.id.as_str()).copied();
                (self.card_evidence(q, p, partial, rank), p)
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| a.1.card.id.cmp(&b.1.card.id))
        });
        // Two cards with near-equal evidence: neither is sure.
        let gap = match (scored.first(), scored.get(1)) {
            (Some(first), Some(second)) => first.0 - second.0,
            _ => f64::INFINITY,
        };
        let doubt = if gap < 1.0 {
            0.75 + 0.25 * gap.max(0.0)
        } else {
            1.0
        };
        let ranked: Vec<(f64, &CardProfile)> = scored
            .iter()
            .map(|&(z, p)| (logistic(z) * doubt, p))
            .collect();
        Ok(ranked)
    }

    /// For each card, the longest run of at least [`MIN_RUN`] characters
    /// that the query's core shares with one of the card's cores, else 0.
    fn partial_matches(&self, q: &Understood) -> Vec<usize> {
        let mut compared: HashSet<(usize, usize)> = HashSet::new();
        let mut best = vec![0; self.cards.profiles.len()];
        for run in runs_of_min_len(&q.core_chars) {
            for &(card, core) in self.cards.core_runs.get(&run).into_iter().flatten() {
                if compared.insert((card, core)) {
                    let chars = &self.cards.profiles[card].cores[core];
                    best[card] = best[card].max(common_run(&q.core_chars, chars));
                }
            }
        }
        best
    }

    /// Rank of each card in a full-text search of the fix cards.
    fn card_text_ranks(&self, q: &Understood) -> Result<HashMap<String, usize>> {
        let f = self.index().fields;
        let fields = [
            Weighted {
                field: f.card_title,
                boost: WEIGHTS.card_title,
            },
            Weighted {
                field: f.card_keywords,
                boost: WEIGHTS.card_keywords,
            },
            Weighted {
                field: f.card_body,
                boost: WEIGHTS.card_body,
            },
        ];
        let terms = Terms::of(&q.plan, self.analyzer(), &fields, &WEIGHTS);
        if terms.is_empty() {
            return Ok(HashMap::new());
        }
        let scoring = terms.sum();
        // Only cards have these fields.
        let searcher = self.index().reader.searcher();
        let top = searcher.search(scoring.as_ref(), &TopDocs::with_limit(5).order_by_score())?;
        let mut ranks = HashMap::new();
        for (rank, (_, address)) in top.into_iter().enumerate() {
            let doc: tantivy::TantivyDocument = searcher.doc(address)?;
            ranks.insert(super::text_of(&doc, f.id), rank);
        }
        Ok(ranks)
    }

    /// The evidence for one card, on the logistic scale; `partial` is its
    /// entry of [`Engine::partial_matches`].
    fn card_evidence(
        &self,
        q: &Understood,
        p: &CardProfile,
        partial: usize,
        text_rank: Option<usize>,
    ) -> f64 {
        let code = q
            .codes
            .iter()
            .filter(|m| p.codes.contains(&m.code))
            .map(|m| if m.strong { 1.0 } else { 0.6 })
            .fold(0.0, f64::max);
        let exact = p
            .phrases
            .iter()
            .filter(|s| q.compact.contains(s.as_str()))
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0);
        let sounds = if exact == 0 {
            p.phrase_sounds
                .iter()
                .filter(|s| s.len() >= 3 && sound::contains(&q.sound, s))
                .map(|s| s.len())
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        // A phrase the query shares a long run with counts for less: the
        // query may leave out the symptom's subject (`用不了` for
        // `pos机用不了`) or be a part of it (`余额不足` of `可用余额不足`).
        let phrase = (exact as f64 / 4.0)
            .min(1.0)
            .max(0.8 * (partial as f64 / 4.0).min(1.0));
        let fuzzy = (sounds as f64 / 4.0).min(1.0);
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
            Some(1 | 2) => 0.4,
            _ => 0.0,
        };
        // A card for one code names one exact condition: on equal evidence it
        // beats a general triage card.
        let specific = if p.codes.is_empty() { 0.0 } else { 0.3 };
        -3.4 + 4.0 * code + 4.0 * phrase + 3.0 * fuzzy + 1.6 * coverage + 0.8 * rank + specific
    }

    /// The answer to `query`: the best fix card, else the best FAQ section
    /// for a how-to question, else none.
    pub fn answer(&self, query: &str) -> Result<AnswerResponse> {
        validate_query(query)?;
        let q = self.understand(query, self.plan(query));
        let ranked = self.rank_cards(&q)?;
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
            .filter(|(c, _)| *c >= MIN_ALTERNATIVE)
            .take(MAX_ALTERNATIVES)
            .map(|&(c, p)| Alternative {
                kind: "fix".into(),
                id: p.card.id.clone(),
                title: p.card.title.clone(),
                confidence: round2(c),
            })
            .collect();
        Ok(response)
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

    /// The best FAQ section when the query's words are (nearly) all in it.
    fn faq_answer(&self, query: &str, q: &Understood) -> Result<Option<Answer>> {
        if q.words.is_empty() || q.words.iter().all(|w| w.chars().count() < 2) {
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
        let request = SearchRequest::new(
            if text.is_empty() {
                query.to_string()
            } else {
                text
            },
            1,
        );
        let Ok(response) = self.search_articles(&request) else {
            return Ok(None);
        };
        let Some(hit) = response.hits.first() else {
            return Ok(None);
        };
        let Some(article) = self.article(&hit.id)? else {
            return Ok(None);
        };
        let Some(section) = article.sections.iter().find(|s| s.anchor == hit.anchor) else {
            return Ok(None);
        };
        let analyzer = self.analyzer();
        let haystack = self.synonyms.canonicalize(
            analyzer
                .normalize(&format!(
                    "{} {} {}",
                    article.title, section.title, section.text
                ))
                .as_str(),
        );
        let covered = q
            .words
            .iter()
            .filter(|w| haystack.contains(w.as_str()))
            .count();
        let coverage = covered as f64 / q.words.len() as f64;
        let confidence = logistic(-3.2 + 4.4 * coverage);
        if confidence < MIN_CONFIDENCE {
            return Ok(None);
        }
        Ok(Some(Answer {
            kind: "faq".into(),
            id: article.id.clone(),
            title: section.title.clone(),
            confidence: round2(confidence),
            summary: section.text.clone(),
            causes: Vec::new(),
            steps: Vec::new(),
            escalation: String::new(),
            codes: Vec::new(),
            sources: vec![Source {
                id: article.id,
                title: article.title,
                section: section.title.clone(),
                anchor: section.anchor.clone(),
            }],
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(String, bool)> {
        let known: HashSet<String> = ["83", "51", "A0", "05", "12", "34", "97"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let normalized = Analyzer::shared().normalize(text);
        find_codes(normalized.as_str(), &known)
            .into_iter()
            .map(|m| (m.code, m.strong))
            .collect()
    }

    fn strong(code: &str) -> Vec<(String, bool)> {
        vec![(code.to_string(), true)]
    }

    #[test]
    fn codes_in_any_form() {
        for (text, code) in [
            ("83", "83"),
            ("显示83", "83"),
            ("错误码 83", "83"),
            ("返回码A0", "A0"),
            ("应答码a0", "A0"),
            ("８３", "83"),
            ("83无效终端", "83"),
            ("pos机提示05", "05"),
        ] {
            assert_eq!(codes(text), strong(code), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_codes() {
        for text in [
            "1234567",
            "手续费0.6%",
            "2号机器",
            "费率0.38",
            "12个月",
            "34元",
            "12345",
        ] {
            assert!(codes(text).is_empty(), "{text}: {:?}", codes(text));
        }
    }

    #[test]
    fn a_lone_number_in_a_sentence_is_a_weak_code() {
        assert_eq!(codes("我这边 12 不行"), vec![("12".to_string(), false)]);
    }
}
