//! Domain words the segmenter writes across two of its words. jieba cuts
//! `pos终端未登记` as `pos终端` `未登记`, two domain words, so the domain
//! word `终端未登记` it also holds is no token of it, and a search for
//! 终端未登记 would meet such a text only in parts. Each domain word
//! (`user_dict.txt`) of three or more characters found across a word
//! boundary is a sub-word at its place too. (Two characters across a
//! boundary are a bigram already.)

use std::collections::HashMap;

/// The shortest domain word looked for across words, in characters.
const MIN_CHARS: usize = 3;

/// The domain words of [`MIN_CHARS`] or more, by their first character.
#[derive(Debug, Default)]
pub(super) struct AcrossWords(HashMap<char, Vec<&'static str>>);

impl AcrossWords {
    pub(super) fn new(domain_words: impl Iterator<Item = &'static str>) -> AcrossWords {
        let mut map: HashMap<char, Vec<&'static str>> = HashMap::new();
        for word in domain_words.filter(|w| w.chars().count() >= MIN_CHARS) {
            if let Some(first) = word.chars().next() {
                map.entry(first).or_default().push(word);
            }
        }
        AcrossWords(map)
    }

    /// The domain words in `text` that cross one of its word boundaries,
    /// as `(first char, char count)`; `starts[k]` says whether a word of
    /// the segmentation starts at char `k`.
    pub(super) fn find(&self, text: &str, starts: &[bool]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for (k, (at, c)) in text.char_indices().enumerate() {
            for word in self.0.get(&c).into_iter().flatten() {
                if !text[at..].starts_with(word) {
                    continue;
                }
                let n = word.chars().count();
                if (k + 1..k + n).any(|inner| starts.get(inner).copied().unwrap_or(false)) {
                    found.push((k, n));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_words_across_a_boundary_are_found() {
        let words = AcrossWords::new(["终端未登记", "登记", "签到失败"].into_iter());
        assert!(!words.0.contains_key(&'登'), "two characters are a bigram");
        // pos终端|未登记: 终端未登记 starts at char 3 and crosses char 5.
        let text = "pos终端未登记";
        let mut starts = vec![false; 8];
        starts[0] = true;
        starts[5] = true;
        assert_eq!(words.find(text, &starts), [(3, 5)]);
        // Inside one word it is that word's own business.
        starts[5] = false;
        starts[3] = true;
        assert!(words.find(text, &starts).is_empty());
    }
}
