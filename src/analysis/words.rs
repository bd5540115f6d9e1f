//! Word lists, kept as data beside the dictionary: `stop_words.txt` (the
//! words that carry a question, not its subject), `weak_words.txt` (the
//! words for the device itself), and the answer matcher's lists:
//! `code_markers.txt` (words that name a number as a code on the screen),
//! `filler_words.txt` (words for where a problem showed, not what it is) and
//! `counters.txt` (characters that make a number a quantity); and the
//! relevance floor's `heading_words.txt` (words for a heading's shape, not
//! its subject), `payment_words.txt` (words that set a message in a
//! payment terminal's world) and `question_kinds.txt` (what a question
//! asks for, and the word of the section that answers it). Lines are
//! normalized words; `#` starts a comment. And `lexicon.txt`, the POS
//! domain's colloquial, regional and formal forms of one thing, a group a
//! line, which every corpus's synonyms extend; `negations.txt`, how a query
//! says that something cannot be done, and how the knowledge base writes it.

use std::collections::HashSet;
use std::sync::OnceLock;

const STOP_WORDS: &str = include_str!("stop_words.txt");
const WEAK_WORDS: &str = include_str!("weak_words.txt");
const CODE_MARKERS: &str = include_str!("code_markers.txt");
const FILLER_WORDS: &str = include_str!("filler_words.txt");
const COUNTERS: &str = include_str!("counters.txt");
const HEADING_WORDS: &str = include_str!("heading_words.txt");
const PAYMENT_WORDS: &str = include_str!("payment_words.txt");
const QUESTION_KINDS: &str = include_str!("question_kinds.txt");
const LEXICON: &str = include_str!("lexicon.txt");
const NEGATIONS: &str = include_str!("negations.txt");

/// The entries of a list, in file order.
fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn list(text: &'static str) -> HashSet<&'static str> {
    entries(text).collect()
}

/// The lexicon's groups of equivalent forms, the canonical form first.
pub fn lexicon() -> Vec<Vec<String>> {
    entries(LEXICON)
        .map(|line| {
            line.split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|forms| forms.len() >= 2)
        .collect()
}

/// The groups of spoken and written negations (`negations.txt`), a line
/// each.
pub fn negations() -> impl Iterator<Item = &'static str> {
    entries(NEGATIONS)
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

/// Whether `text` (normalized) holds a word of a payment terminal's world
/// (`payment_words.txt`): the device, a card, a payment, the merchant. A
/// word of Latin letters counts as a whole run of them (`pos机`, not
/// `deposit`).
pub fn names_payment(text: &str) -> bool {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| entries(PAYMENT_WORDS).collect());
    let latin: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| match w.is_ascii() {
        true => latin.contains(w),
        false => text.contains(w),
    })
}

/// The words of the sections that answer the questions among `words`
/// (`question_kinds.txt`): 解决 for 怎么办, 原因 for 为什么.
pub fn answering_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    static KINDS: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let kinds = KINDS.get_or_init(|| {
        entries(QUESTION_KINDS)
            .map(|line| line.split_whitespace().collect())
            .collect()
    });
    let words: HashSet<&str> = words.into_iter().collect();
    kinds
        .iter()
        .filter(|kind| kind[1..].iter().any(|q| words.contains(q)))
        .map(|kind| kind[0])
        .collect()
}

/// Whether `word` gives a heading its shape, not its subject (`注意事项`,
/// `流程`).
pub fn is_heading_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| list(HEADING_WORDS)).contains(word)
}

/// Words that, shortly before a number, say it is a code on the screen
/// (`显示`, `码`).
pub fn code_markers() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| entries(CODE_MARKERS).collect())
}

/// Words for where or how a problem showed (`刷卡显示`, `怎么办`), in the
/// order they are to be removed: a word before any word inside it.
pub fn filler_words() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| entries(FILLER_WORDS).collect())
}

/// Whether `c`, right after a number, makes it a quantity (`号`, `天`, `%`).
pub fn is_counter(c: char) -> bool {
    static SET: OnceLock<HashSet<char>> = OnceLock::new();
    SET.get_or_init(|| {
        entries(COUNTERS)
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace())
            .collect()
    })
    .contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_from_their_files() {
        assert!(is_stop_word("怎么办") && is_stop_word("吗"));
        assert!(!is_stop_word("终端"));
        assert!(is_weak_word("pos机") && !is_weak_word("无效"));
        assert!(is_heading_word("注意事项") && !is_heading_word("结算卡"));
        assert!(!is_stop_word(
            "# Words that carry the question, not its subject: a query's words"
        ));
        assert!(code_markers().contains(&"显示") && code_markers().contains(&"code"));
        assert!(is_counter('号') && is_counter('%') && !is_counter('码') && !is_counter('#'));
    }

    #[test]
    fn filler_words_keep_their_order() {
        let filler = filler_words();
        assert_eq!(filler.first(), Some(&"刷卡显示"));
        assert_eq!(filler.last(), Some(&"一直"));
        // A word comes before every word inside it, or removing the inner
        // word first would leave the outer one unmatched.
        for (i, word) in filler.iter().enumerate() {
            for inner in &filler[..i] {
                assert!(!word.contains(inner), "{inner} before {word}");
            }
        }
    }
}
