//! Suggestions for search-as-you-type: completions of what has been typed
//! so far, from article titles, fix cards and their symptoms, and domain
//! terms, matched by prefix on the text itself, its pinyin (`lakala`) or its
//! initials (`lkl`). The same vocabulary feeds the corrector (`correct`),
//! whose low-weight fallbacks a query adds to itself, and both key it by how
//! it sounds (`sound`).
//!
//! Pinyin lives only here. Full-text search never compares sounds, so a
//! homophone never leaks into the results; a suggestion is always a real
//! phrase of the knowledge base that the user then searches for.

pub(crate) mod correct;
pub(crate) mod sound;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analysis::Analyzer;
use sound::pinyin_keys;

/// The most suggestions one request returns.
pub const MAX_SUGGESTIONS: usize = 8;
/// How many prefix matches are ranked before the best are kept.
const SCAN_LIMIT: usize = 2_000;

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Suggestion {
    /// The text to search for.
    pub text: String,
    /// `term`, `fix`, `symptom` or `title`.
    pub kind: String,
    /// The fix card (for `fix` and `symptom`) or article (for `title`) it
    /// comes from.
    pub id: Option<String>,
}

pub use crate::index::suggestions::Kind;

/// A sorted table of keys (normalized text, pinyin, initials) pointing at
/// suggestions.
#[derive(Debug, Default)]
pub struct Suggester {
    entries: Vec<(String, Kind, Option<String>)>,
    keys: Vec<(String, u32)>,
}

impl Suggester {
    /// Builds the table from `(text, kind, id)` triples.
    pub fn new(
        items: impl IntoIterator<Item = (String, Kind, Option<String>)>,
        analyzer: &Analyzer,
    ) -> Suggester {
        let mut suggester = Suggester::default();
        let mut seen = HashSet::new();
        for (text, kind, id) in items {
            let text = text.trim().to_string();
            if text.is_empty() || text.chars().count() > 40 || !seen.insert(text.clone()) {
                continue;
            }
            let at = suggester.entries.len() as u32;
            let normalized = key(&text, analyzer);
            let (full, initials) = pinyin_keys(&normalized);
            for key in [normalized, full, initials] {
                if !key.is_empty() {
                    suggester.keys.push((key, at));
                }
            }
            suggester.entries.push((text, kind, id));
        }
        suggester.keys.sort();
        suggester.keys.dedup();
        suggester
    }

    /// Up to `limit` completions of `prefix`: shorter and more specific
    /// kinds first, near-duplicates folded into the first of them (see
    /// `fold_key`), and a fix card (or one of its symptoms) among them
    /// whenever one matches, in place of the last when the list is full.
    pub fn suggest(&self, prefix: &str, limit: usize, analyzer: &Analyzer) -> Vec<Suggestion> {
        let prefix = key(prefix, analyzer);
        if prefix.is_empty() {
            return Vec::new();
        }
        let start = self
            .keys
            .partition_point(|(k, _)| k.as_str() < prefix.as_str());
        let mut found: Vec<u32> = self.keys[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&prefix))
            .take(SCAN_LIMIT)
            .map(|&(_, at)| at)
            .collect();
        found.sort_unstable();
        found.dedup();
        found.sort_by_key(|&at| {
            let (text, kind, _) = &self.entries[at as usize];
            (text.chars().count(), *kind)
        });
        let is_card = |at: &u32| matches!(self.entries[*at as usize].1, Kind::Fix | Kind::Symptom);
        let mut keys = HashSet::new();
        let mut chosen = Vec::with_capacity(limit);
        let mut candidates = found.iter();
        for &at in candidates.by_ref() {
            if chosen.len() == limit {
                break;
            }
            if keys.insert(fold_key(&self.entries[at as usize].0, analyzer)) {
                chosen.push(at);
            }
        }
        if limit > 0 && !chosen.iter().any(is_card) {
            let card = candidates
                .filter(|at| is_card(at))
                .find(|&&at| !keys.contains(&fold_key(&self.entries[at as usize].0, analyzer)));
            if let Some(&card) = card {
                chosen.truncate(limit - 1);
                chosen.push(card);
            }
        }
        chosen
            .into_iter()
            .map(|at| {
                let (text, kind, id) = &self.entries[at as usize];
                Suggestion {
                    text: text.clone(),
                    kind: kind.name().to_string(),
                    id: id.clone(),
                }
            })
            .collect()
    }
}

/// What two near-duplicate suggestions share: their words, normalized,
/// without question words or punctuation (`无效终端怎么办？` and `无效终端`,
/// `POS机` and `pos机`).
fn fold_key(text: &str, analyzer: &Analyzer) -> String {
    let words: String = analyzer
        .words(text)
        .into_iter()
        .filter(|w| !crate::analysis::words::is_stop_word(&w.text))
        .flat_map(|w| {
            w.text
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<Vec<_>>()
        })
        .collect();
    if words.is_empty() {
        analyzer.compact(text)
    } else {
        words
    }
}

/// The form in which texts and prefixes are compared: normalized, without
/// whitespace.
fn key(text: &str, analyzer: &Analyzer) -> String {
    analyzer
        .normalize(text)
        .as_str()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggester() -> Suggester {
        let items = [
            ("拉卡拉", Kind::Term),
            ("无效终端", Kind::Term),
            ("拉卡拉POS机83无效终端", Kind::Title),
            ("刘德华", Kind::Term),
        ]
        .map(|(t, k)| (t.to_string(), k, None));
        Suggester::new(items, &Analyzer::shared())
    }

    fn texts(prefix: &str) -> Vec<String> {
        suggester()
            .suggest(prefix, 8, &Analyzer::shared())
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn prefix_pinyin_and_initials() {
        assert_eq!(texts("拉卡"), ["拉卡拉", "拉卡拉POS机83无效终端"]);
        assert_eq!(texts("lakala"), ["拉卡拉", "拉卡拉POS机83无效终端"]);
        assert_eq!(texts("lkl"), ["拉卡拉", "拉卡拉POS机83无效终端"]);
        assert_eq!(texts("wuxiao"), ["无效终端"]);
        assert_eq!(texts("LKL"), texts("lkl"));
    }

    #[test]
    fn near_duplicates_fold_and_a_matching_card_is_kept() {
        let items = [
            ("无效终端", Kind::Term, None),
            ("无效终端怎么办", Kind::Symptom, Some("invalid-terminal")),
            ("无效终端？", Kind::Title, None),
            ("无效终端 怎么办", Kind::Title, None),
            ("无效终端怎么解决啊", Kind::Title, None),
            ("无效终端认证", Kind::Term, None),
            ("无效终端是什么意思呢", Kind::Title, None),
            (
                "无效终端显示83怎么处理",
                Kind::Fix,
                Some("invalid-terminal"),
            ),
        ]
        .map(|(t, k, id)| (t.to_string(), k, id.map(String::from)));
        let analyzer = Analyzer::shared();
        let suggester = Suggester::new(items, &analyzer);
        let texts = |limit| -> Vec<String> {
            suggester
                .suggest("无效", limit, &analyzer)
                .into_iter()
                .map(|s| s.text)
                .collect()
        };
        // `无效终端怎么办`, `无效终端？` and `无效终端 怎么办` say what
        // `无效终端` says; the card's own suggestions count as cards.
        let all = texts(8);
        assert_eq!(all[0], "无效终端");
        assert!(
            !all.iter()
                .any(|t| t == "无效终端？" || t == "无效终端 怎么办"),
            "{all:?}"
        );
        // With room for two, the second place goes to a card.
        let two = suggester.suggest("无效", 2, &analyzer);
        assert_eq!(two[0].text, "无效终端");
        assert!(matches!(two[1].kind.as_str(), "fix" | "symptom"), "{two:?}");
    }

    #[test]
    fn nothing_for_nothing() {
        assert!(texts("").is_empty());
        assert!(texts("zzzz").is_empty());
    }
}
