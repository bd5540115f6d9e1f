//! How text sounds: the toneless pinyin of Chinese characters, and sound
//! keys compared after folding look-alike characters (`confusables.txt`),
//! so that `商户状太异常` meets `商户状态异常` and `终端末登记` meets
//! `终端未登记`. This is the one place that reads the pinyin table: the
//! suggester keys completions by pinyin and initials, the corrector keys
//! the vocabulary by pinyin, initials and sound, and the fix matcher's typo
//! fallback compares symptoms by sound. Full-text search never compares
//! sounds, so homophones stay apart there; a sound match only ever counts
//! as a low-weight fallback.

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::{ToPinyin, ToPinyinMulti};

const CONFUSABLES: &str = include_str!("confusables.txt");

/// The toneless pinyin of a Chinese character (`拉` → `la`), if it has one.
pub fn syllable(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

/// The most spellings of one term (see [`spellings`]).
const MAX_SPELLINGS: usize = 8;

/// The toneless pinyin a term may be typed as: its usual reading
/// ([`pinyin_keys`]), then each reading with one character read another way
/// it can be read (`开不了机`: `kaibuleji`, then `kaibuliaoji`), up to
/// [`MAX_SPELLINGS`]. People type a polyphonic character the way they say
/// it in that word, which the table's usual reading need not be.
pub fn spellings(text: &str) -> Vec<String> {
    let (usual, _) = pinyin_keys(text);
    if usual.is_empty() {
        return Vec::new();
    }
    let mut out = vec![usual];
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let Some(readings) = c.to_pinyin_multi() else {
            continue;
        };
        for reading in readings.into_iter().skip(1) {
            let mut spelled = String::new();
            for (j, other) in chars.iter().enumerate() {
                match (j == i, syllable(*other)) {
                    (true, _) => spelled.push_str(reading.plain()),
                    (false, Some(s)) => spelled.push_str(s),
                    (false, None) if other.is_ascii_alphanumeric() => spelled.push(*other),
                    (false, None) => {}
                }
            }
            if out.len() < MAX_SPELLINGS && !out.contains(&spelled) {
                out.push(spelled);
            }
        }
    }
    out
}

/// The first letter of a syllable (`la` → `l`).
fn initial(syllable: &str) -> &str {
    let end = syllable.chars().next().map_or(0, char::len_utf8);
    &syllable[..end]
}

/// Full pinyin without tones (`lakala`) and initials (`lkl`), when the text
/// has Chinese characters; ASCII letters and digits are kept as they are.
/// Both are empty for text without Chinese characters.
pub fn pinyin_keys(text: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    let mut has_han = false;
    for c in text.chars() {
        if let Some(s) = syllable(c) {
            has_han = true;
            full.push_str(s);
            initials.push_str(initial(s));
        } else if c.is_ascii_alphanumeric() {
            full.push(c);
            initials.push(c);
        }
    }
    if has_han {
        (full, initials)
    } else {
        (String::new(), String::new())
    }
}

/// Each look-alike character to the character that stands for its group.
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
        if let Some(s) = syllable(c) {
            out.push(s.to_string());
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
    fn pinyin_and_initials() {
        assert_eq!(syllable('拉'), Some("la"));
        assert_eq!(syllable('a'), None);
        assert_eq!(
            pinyin_keys("拉卡拉pos机"),
            ("lakalaposji".to_string(), "lklposj".to_string())
        );
        assert_eq!(pinyin_keys("pos 83"), (String::new(), String::new()));
    }

    #[test]
    fn a_polyphonic_character_is_spelled_each_way() {
        let spelled = spellings("开不了机");
        assert_eq!(spelled[0], "kaibuleji");
        assert!(spelled.contains(&"kaibuliaoji".to_string()), "{spelled:?}");
        assert_eq!(spellings("pos"), Vec::<String>::new());
    }

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
