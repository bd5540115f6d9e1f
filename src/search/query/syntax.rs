//! The query syntax: `"..."` an exact phrase that must appear, `-word` a
//! word that must not, anything else free text, split at spaces.

use crate::analysis::{Analyzer, Token, is_han};

/// A query as the user wrote it, split by its syntax.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Free text, one entry per space-separated part.
    pub parts: Vec<String>,
    /// `"..."` phrases.
    pub phrases: Vec<String>,
    /// `-word` exclusions.
    pub excluded: Vec<String>,
}

/// Splits a query into free text, phrases and exclusions. Any string is a
/// query: an unclosed quote runs to the end, a lone `-` is nothing.
pub fn parse(query: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let query: String = query
        .chars()
        .map(|c| if c == '＂' { '"' } else { c })
        .collect();
    for (i, chunk) in query.split('"').enumerate() {
        if i % 2 == 1 {
            if !chunk.trim().is_empty() {
                parsed.phrases.push(chunk.trim().to_string());
            }
            continue;
        }
        for part in chunk.split(|c: char| c.is_whitespace()) {
            let dashes = ['-', '－'];
            if part.starts_with(dashes) {
                let word = part.trim_start_matches(dashes);
                if !word.is_empty() {
                    parsed.excluded.push(word.to_string());
                }
            } else if !part.is_empty() {
                parsed.parts.push(part.to_string());
            }
        }
    }
    parsed
}

/// The words of a quoted phrase, placed as the text would have them. A
/// space next to an ideograph only separates words (`"无效 终端"` is
/// `无效终端`), so it closes up; punctuation keeps its place (`"7-3"`), and
/// so does a space between two ASCII words (`"sim card"`), as in the text.
pub fn contiguous(phrase: &str, analyzer: &Analyzer) -> Vec<Token> {
    let chars: Vec<char> = analyzer.normalize(phrase).as_str().chars().collect();
    let mut words = analyzer.words(phrase);
    let mut shift = 0;
    let mut end: Option<usize> = None;
    for w in &mut words {
        if let Some(end) = end {
            let gap = chars.get(end..w.position).unwrap_or_default();
            let beside_han = [end.checked_sub(1), Some(w.position)]
                .into_iter()
                .flatten()
                .any(|i| chars.get(i).is_some_and(|&c| is_han(c)));
            if beside_han {
                shift += gap.iter().filter(|c| c.is_whitespace()).count();
            }
        }
        end = Some(w.position + w.text.chars().count());
        w.position -= shift;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_is_split() {
        let parsed = parse("拉卡拉 \"无效 终端\" -立刷 83  -");
        assert_eq!(parsed.parts, ["拉卡拉", "83"]);
        assert_eq!(parsed.phrases, ["无效 终端"]);
        assert_eq!(parsed.excluded, ["立刷"]);
    }

    #[test]
    fn syntax_soup_is_read_as_text() {
        // (query, free text, phrases, exclusions)
        type Case = (
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
            &'static [&'static str],
        );
        let cases: [Case; 7] = [
            ("\"\"\"", &[], &[], &[]),
            ("((((", &["(((("], &[], &[]),
            ("-", &[], &[], &[]),
            ("--x", &[], &[], &["x"]),
            ("－－x", &[], &[], &["x"]),
            ("title:*~", &["title:*~"], &[], &[]),
            ("\"unclosed", &[], &["unclosed"], &[]),
        ];
        for (query, parts, phrases, excluded) in cases {
            let parsed = parse(query);
            assert_eq!(parsed.parts, parts, "{query}");
            assert_eq!(parsed.phrases, phrases, "{query}");
            assert_eq!(parsed.excluded, excluded, "{query}");
        }
    }

    #[test]
    fn phrase_spaces_close_up_beside_ideographs_only() {
        let placed = |phrase: &str| -> Vec<(String, usize)> {
            contiguous(phrase, &Analyzer::shared())
                .into_iter()
                .map(|w| (w.text, w.position))
                .collect()
        };
        let expected = |words: &[(&str, usize)]| -> Vec<(String, usize)> {
            words.iter().map(|(w, p)| (w.to_string(), *p)).collect()
        };
        assert_eq!(placed("无效 终端"), expected(&[("无效", 0), ("终端", 2)]));
        assert_eq!(placed("7-3"), expected(&[("7", 0), ("3", 2)]));
        assert_eq!(placed("sim card"), expected(&[("sim", 0), ("card", 4)]));
        assert_eq!(placed("pos 机"), expected(&[("pos", 0), ("机", 3)]));
    }
}
