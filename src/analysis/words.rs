//! Word lists, kept as data beside the dictionary: `stop_words.txt` (the
//! words that carry a question, not its subject) and `weak_words.txt` (the
//! words for the device itself). Lines are normalized words; `#` starts a
//! comment.

use std::collections::HashSet;
use std::sync::OnceLock;

const STOP_WORDS: &str = include_str!("stop_words.txt");
const WEAK_WORDS: &str = include_str!("weak_words.txt");

fn list(text: &'static str) -> HashSet<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Whether `word` only carries the question (`怎么办`, `吗`).
pub fn is_stop_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| list(STOP_WORDS)).contains(word)
}

/// Whether `word` names the device itself (`pos机`, `机器`).
pub fn is_weak_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| list(WEAK_WORDS)).contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_from_their_files() {
        assert!(is_stop_word("怎么办") && is_stop_word("吗"));
        assert!(!is_stop_word("终端"));
        assert!(is_weak_word("pos机") && !is_weak_word("无效"));
        assert!(!is_stop_word(
            "# Words that carry the question, not its subject: a query's words"
        ));
    }
}
