//! Snippets: a window of the best section, measured in characters, with the
//! matched words wrapped in `<mark>` and everything else HTML-escaped.
//!
//! Matches are found on normalized text (so `終端` in the text matches the
//! query `终端`, and `刷ka卡` matches `刷卡`), then mapped back to the
//! original text, where overlapping or touching matches merge into one mark.

use crate::analysis::{Analyzer, is_han};

/// Default snippet width in characters.
pub const WIDTH: usize = 80;

/// A snippet of `text` around the `needles` (normalized strings), `width`
/// characters wide, as HTML.
pub fn snippet(analyzer: &Analyzer, text: &str, needles: &[String], width: usize) -> String {
    let normalized = analyzer.normalize(text);
    let len = normalized.char_len();
    if len == 0 {
        return String::new();
    }
    let matches = find_matches(normalized.as_str(), needles, |at| normalized.char_index(at));
    let (start, end) = window(&matches, len, width);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut cursor = start;
    for &(a, b, _) in matches.iter().filter(|m| m.0 < end && m.1 > start) {
        let (a, b) = (a.max(start), b.min(end));
        if a > cursor {
            push_text(&mut out, text, normalized.original_char_range(cursor, a));
        }
        out.push_str("<mark>");
        push_text(&mut out, text, normalized.original_char_range(a, b));
        out.push_str("</mark>");
        cursor = b;
    }
    if end > cursor {
        push_text(&mut out, text, normalized.original_char_range(cursor, end));
    }
    if end < len {
        out.push('…');
    }
    out
}

/// Matches as merged character ranges, each with the set of needles (as a
/// bit mask) it covers.
fn find_matches(
    haystack: &str,
    needles: &[String],
    char_index: impl Fn(usize) -> usize,
) -> Vec<(usize, usize, u64)> {
    let mut found: Vec<(usize, usize, u64)> = Vec::new();
    for (n, needle) in needles.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        let ascii = needle.chars().all(|c| c.is_ascii_alphanumeric());
        for (at, _) in haystack.match_indices(needle.as_str()) {
            let end = at + needle.len();
            // A Latin or numeric needle must be a whole token: `83` is not
            // in `1834`.
            let bounded = !ascii
                || (!haystack[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && !haystack[end..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric()));
            if bounded {
                found.push((char_index(at), char_index(end), 1u64 << n.min(63)));
            }
        }
    }
    found.sort_unstable();
    let mut merged: Vec<(usize, usize, u64)> = Vec::new();
    for (a, b, mask) in found {
        match merged.last_mut() {
            Some(last) if a <= last.1 => {
                last.1 = last.1.max(b);
                last.2 |= mask;
            }
            _ => merged.push((a, b, mask)),
        }
    }
    merged
}

/// The window `[start, end)` of `width` characters covering the most
/// distinct needles, then the most matches, earliest first.
fn window(matches: &[(usize, usize, u64)], len: usize, width: usize) -> (usize, usize) {
    let width = width.max(1);
    if len <= width || matches.is_empty() {
        return (0, len.min(width));
    }
    let mut best = (0u32, 0usize, 0usize);
    for (i, m) in matches.iter().enumerate() {
        let start = m.0;
        let inside = matches[i..].iter().take_while(|n| n.1 <= start + width);
        let (mask, count) = inside.fold((0u64, 0usize), |(mask, count), n| (mask | n.2, count + 1));
        let key = (mask.count_ones(), count);
        if key > (best.0, best.1) {
            best = (key.0, key.1, start);
        }
    }
    // Some context before the first match, without running past the end.
    let start = best.2.saturating_sub(width / 5).min(len - width);
    (start, start + width)
}

fn push_text(out: &mut String, text: &str, (from, to): (usize, usize)) {
    let mut chars = text[from..to].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A line break between Chinese text disappears; between Latin
            // words it is a space.
            '\n' | '\r' => {
                let wide = |c: Option<char>| {
                    c.is_some_and(|c| {
                        is_han(c)
                            || ('\u{3000}'..='\u{303F}').contains(&c)
                            || ('\u{FF00}'..='\u{FFEF}').contains(&c)
                    })
                };
                if !wide(out.chars().next_back())
                    && !wide(chars.peek().copied())
                    && !out.ends_with(' ')
                {
                    out.push(' ');
                }
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(text: &str, needles: &[&str], width: usize) -> String {
        let needles: Vec<String> = needles.iter().map(|s| s.to_string()).collect();
        snippet(&Analyzer::shared(), text, &needles, width)
    }

    #[test]
    fn a_whole_matched_word_is_one_mark() {
        assert_eq!(
            snip("显示无效终端了", &["无效终端", "终端"], 80),
            "显示<mark>无效终端</mark>了"
        );
    }

    #[test]
    fn traditional_text_is_marked_as_written() {
        assert_eq!(snip("終端未登記", &["登记"], 80), "終端未<mark>登記</mark>");
    }

    #[test]
    fn repaired_words_mark_the_original_spelling() {
        assert_eq!(snip("请刷ka卡", &["刷卡"], 80), "请<mark>刷ka卡</mark>");
    }

    #[test]
    fn everything_else_is_escaped() {
        assert_eq!(
            snip("<script>alert('x')</script>刷卡", &["刷卡"], 80),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<mark>刷卡</mark>"
        );
    }

    #[test]
    fn the_window_is_counted_in_characters() {
        let text = format!("{}无效终端{}", "甲".repeat(100), "乙".repeat(100));
        let s = snip(&text, &["无效终端"], 20);
        let visible: String = s.replace("<mark>", "").replace("</mark>", "");
        assert_eq!(visible.chars().filter(|c| *c != '…').count(), 20, "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>无效终端</mark>"), "{s}");
    }

    #[test]
    fn line_breaks_vanish_between_chinese_sentences() {
        assert_eq!(
            snip("重启设备。\n恢复出厂设置", &["重启"], 80),
            "<mark>重启</mark>设备。恢复出厂设置"
        );
        assert_eq!(
            snip("POS\nterminal", &["pos"], 80),
            "<mark>POS</mark> terminal"
        );
    }

    #[test]
    fn numbers_match_whole_tokens_only() {
        assert_eq!(snip("1834 和 83", &["83"], 80), "1834 和 <mark>83</mark>");
    }
}
