//! What a query says, as the answer matcher needs it: the response codes it
//! names in any form (`83`, `显示83`, `返回码A0`, `８３`) but not numbers that
//! are quantities in context (`1234567`, `手续费0.6%`, `2号机器`), its
//! colloquial forms rewritten by the corpus synonyms, its content words
//! (question words dropped), and its text compacted, without filler words
//! (`analysis/filler_words.txt`) and as sounds, for the symptom matches.

use std::collections::HashSet;

use crate::analysis::words::{code_markers, filler_words, is_counter};
use crate::analysis::{Analyzer, is_han};
use crate::search::Engine;
use crate::search::query::{self, QueryPlan};
use crate::search::suggest::sound::sound_key;
use crate::search::synonyms::Synonyms;

/// How many characters before a number a code marker (`显示`, `码`) is
/// looked for in.
const MARKER_REACH: usize = 6;

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
    code_mentions(normalized)
        .into_iter()
        .filter(|m| known.contains(&m.code))
        .collect()
}

/// Every run of `normalized` shaped like a response code (two letters or
/// digits, the second a digit) that is not a quantity, known or not, each
/// once, as [`find_codes`] reads them.
pub fn code_mentions(normalized: &str) -> Vec<CodeMention> {
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
        let quantity = after.is_some_and(|c| is_counter(c) || c == '.') || before == Some('.');
        let code = run.to_uppercase();
        if !shaped || quantity {
            continue;
        }
        let context: String = chars[start.saturating_sub(MARKER_REACH)..start]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect();
        let alone = chars.iter().filter(|c| c.is_alphanumeric()).count() == 2;
        let strong = alone
            || code_markers().iter().any(|m| {
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

/// Whether `compact` (a query's compact text) names `screen` as what was
/// shown: a code marker (`显示`, `提示`) within [`MARKER_REACH`]
/// characters before it, or the text is half the query or more
/// (`交易失败请联系收单行或银联` typed alone). `不做任何处理` inside a
/// question about something else is not a screen.
pub(super) fn names_screen(compact: &str, screen: &str) -> bool {
    let whole = 2 * screen.chars().count() >= compact.chars().count();
    compact.match_indices(screen).any(|(at, _)| {
        let before: Vec<char> = compact[..at].chars().collect();
        let context: String = before[before.len().saturating_sub(MARKER_REACH)..]
            .iter()
            .collect();
        whole || code_markers().iter().any(|m| context.contains(m))
    })
}

/// What a query says, as the answer matcher needs it.
pub(super) struct Understood {
    pub(super) compact: String,
    /// `compact` without filler words, as characters.
    pub(super) core_chars: Vec<char>,
    pub(super) sound: Vec<String>,
    pub(super) codes: Vec<CodeMention>,
    /// Content words (question words dropped), canonical and normalized.
    pub(super) words: Vec<String>,
    /// `words` in uppercase, as codes are kept.
    pub(super) upper_words: Vec<String>,
    pub(super) plan: QueryPlan,
    /// Read as a message that may describe a cause rather than name a
    /// symptom: for answers, not for a search's featured fix, which stands
    /// only on what the query names.
    pub(super) by_cause: bool,
}

impl Engine {
    /// What `query` says; `plan` is its search plan ([`Engine::plan`]).
    pub(super) fn understand(&self, query: &str, plan: QueryPlan) -> Understood {
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
            sound: sound_key(&canonical),
            codes: find_codes(normalized.as_str(), &self.cards.known_codes),
            upper_words: words.iter().map(|w| w.to_uppercase()).collect(),
            words,
            by_cause: false,
            plan,
        }
    }
}

/// `text` normalized, with its colloquial forms in the corpus's words.
pub(super) fn canonical(text: &str, analyzer: &Analyzer, synonyms: &Synonyms) -> String {
    synonyms.canonicalize(analyzer.normalize(text).as_str())
}

/// `text` with each filler word replaced by a space.
pub(super) fn without_filler(text: &str) -> String {
    filler_words()
        .iter()
        .fold(text.to_string(), |t, f| t.replace(f, " "))
}

/// Letters, digits and ideographs only.
pub(super) fn compact(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
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
    fn a_screen_is_named_by_a_marker_or_typed_alone() {
        assert!(names_screen(
            "机器显示交易失败请联系发卡行",
            "交易失败请联系发卡行"
        ));
        assert!(names_screen("交易失败请联系发卡行", "交易失败请联系发卡行"));
        assert!(!names_screen(
            "收到诈骗短信可以不做任何处理吗",
            "不做任何处理"
        ));
        assert!(!names_screen("不做任何处理", "交易失败请联系发卡行"));
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

    #[test]
    fn filler_is_left_out_of_the_core() {
        assert_eq!(compact("刷卡 显示：余额不足!"), "刷卡显示余额不足");
        assert_eq!(without_filler("刷卡显示余额不足"), " 余额不足");
        assert_eq!(without_filler("机器一直请重试"), "   ");
    }
}
