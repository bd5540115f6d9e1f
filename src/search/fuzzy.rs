//! A low-weight typo fallback for matching fix-card symptoms: text is
//! compared by sound (toneless pinyin) after folding look-alike characters.
//! `商户状太异常` meets `商户状态异常`, `终端末登记` meets `终端未登记`.
//!
//! This never touches full-text search, where homophones stay apart; a
//! fuzzy match only counts for a card that has no exact match.

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::ToPinyin;

const CONFUSABLES: &str = include_str!("confusables.txt");

fn shape_groups() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for line in CONFUSABLES.lines().filter(|l| !l.starts_with('#')) {
            let mut chars = line.trim().chars();
            if let Some(first) = chars.next() {
                for c in chars {
                    map.insert(c, first);
                }
            }
        }
        map
    })
}

/// The sound key of normalized text: one syllable per Chinese character
/// (look-alikes folded first), other letters and digits as themselves,
/// everything else dropped.
pub fn sound_key(text: &str) -> Vec<String> {
    let shapes = shape_groups();
    let mut out = Vec::new();
    for c in text.chars() {
        let c = shapes.get(&c).copied().unwrap_or(c);
        if let Some(p) = c.to_pinyin() {
            out.push(p.plain().to_string());
        } else if c.is_alphanumeric() {
            out.push(c.to_string());
        }
    }
    out
}

/// Whether `needle` occurs as a run of syllables in `haystack`.
pub fn contains(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_sound_and_look_alike_typos_meet() {
        assert!(contains(
            &sound_key("商户状太异常了"),
            &sound_key("商户状态异常")
        ));
        assert!(contains(&sound_key("终端末登记"), &sound_key("终端未登记")));
        assert!(!contains(
            &sound_key("终端已停用"),
            &sound_key("终端未登记")
        ));
    }
}
