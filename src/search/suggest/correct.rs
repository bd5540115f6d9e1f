//! Low-weight fallbacks for what a query means but does not say: pinyin
//! typed for a term (`qiandao shibai` for 签到失败, `lkl` for 拉卡拉) and
//! Chinese typos that sound or look like a term (`拉卡啦`, `手续废`,
//! `终端末登记`).
//!
//! The knowledge base's own vocabulary (domain words, brands, tags,
//! symptoms) is the only source of corrections, a correction is added as an
//! extra word with a low weight next to what was typed, and a run of
//! characters that is itself a dictionary word is never corrected: `景点`
//! does not become `经典`, so homophones stay apart.

use std::collections::{HashMap, HashSet};

use super::Kind;
use super::sound::{pinyin_keys, sound_key};
use crate::analysis::{Analyzer, is_han};

/// The longest run of characters (or letters) looked up.
const MAX_CHARS: usize = 6;

/// Vocabulary keyed by pinyin, initials and sound.
#[derive(Debug, Default)]
pub struct Corrector {
    /// Full toneless pinyin (`qiandao`) and initials (`lkl`) to a term.
    by_pinyin: HashMap<String, String>,
    /// Sound key (look-alikes folded, syllables joined by spaces) to a term.
    by_sound: HashMap<String, String>,
}

impl Corrector {
    /// Builds the vocabulary from the suggestion table's terms and symptoms.
    pub fn new(items: &[(String, Kind, Option<String>)], analyzer: &Analyzer) -> Corrector {
        let mut corrector = Corrector::default();
        let mut seen = HashSet::new();
        for (text, kind, _) in items {
            if !matches!(kind, Kind::Term | Kind::Symptom) || !seen.insert(text.as_str()) {
                continue;
            }
            let term = analyzer.normalize(text).as_str().to_string();
            let n = term.chars().count();
            if !(2..=MAX_CHARS).contains(&n) || !term.chars().all(is_han) {
                continue;
            }
            let (full, initials) = pinyin_keys(&term);
            corrector
                .by_pinyin
                .entry(full)
                .or_insert_with(|| term.clone());
            if n >= 3 {
                corrector
                    .by_pinyin
                    .entry(initials)
                    .or_insert_with(|| term.clone());
            }
            corrector
                .by_sound
                .entry(sound_key(&term).join(" "))
                .or_insert(term);
        }
        corrector
    }

    /// Terms the normalized query likely means but did not write.
    pub fn corrections(&self, normalized: &str, analyzer: &Analyzer) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |term: &String| {
            if !normalized.contains(term.as_str()) && !out.contains(term) {
                out.push(term.clone());
            }
        };
        // Pinyin: ASCII words, alone or joined with their neighbours.
        let words: Vec<&str> = normalized
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 3)
            .collect();
        for start in 0..words.len() {
            for end in start + 1..=words.len().min(start + 4) {
                if let Some(term) = self.by_pinyin.get(&words[start..end].concat()) {
                    add(term);
                }
            }
        }
        // Sound and shape: runs of Chinese characters that are not words.
        let chars: Vec<char> = normalized.chars().collect();
        let sounds: Vec<String> = chars
            .iter()
            .map(|c| sound_key(&c.to_string()).join(" "))
            .collect();
        for start in 0..chars.len() {
            for end in start + 2..=chars.len().min(start + MAX_CHARS) {
                if !chars[start..end].iter().all(|&c| is_han(c)) {
                    break;
                }
                let run: String = chars[start..end].iter().collect();
                if analyzer.is_word(&run) {
                    continue;
                }
                if let Some(term) = self.by_sound.get(&sounds[start..end].join(" ")) {
                    add(term);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector() -> Corrector {
        let items = [
            "拉卡拉",
            "签到失败",
            "签到",
            "手续费",
            "终端未登记",
            "押金",
            "经典",
        ]
        .map(|t| (t.to_string(), Kind::Term, None));
        Corrector::new(&items, &Analyzer::shared())
    }

    fn fix(query: &str) -> Vec<String> {
        let analyzer = Analyzer::shared();
        corrector().corrections(analyzer.normalize(query).as_str(), &analyzer)
    }

    #[test]
    fn pinyin_and_initials_find_terms() {
        assert_eq!(fix("qiandao shibai"), ["签到", "签到失败"]);
        assert_eq!(fix("LKL 商户"), ["拉卡拉"]);
        assert_eq!(fix("pos yajin"), ["押金"]);
    }

    #[test]
    fn sound_and_shape_typos_find_terms() {
        assert_eq!(fix("拉卡啦显示83"), ["拉卡拉"]);
        assert_eq!(fix("手续废"), ["手续费"]);
        assert_eq!(fix("终端末登记"), ["终端未登记"]);
    }

    #[test]
    fn real_words_are_never_corrected() {
        assert!(fix("景点").is_empty());
        assert!(fix("拉卡拉").is_empty());
    }
}
