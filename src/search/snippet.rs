//! Snippets: a window of the best section, measured in characters, as plain
//! text with the matched words marked by character ranges. Nothing here is
//! HTML: the server renders a [`Snippet`] as HTML and the CLI as terminal
//! text, both from [`Snippet::pieces`].
//!
//! Matches are found on normalized text (so `終端` in the text matches the
//! query `终端`, and `刷ka卡` matches `刷卡`), then mapped back to the
//! original text, where overlapping or touching matches merge into one mark.

use std::ops::Range;

use crate::analysis::{Analyzer, is_han};

/// Default snippet width in characters.
pub const WIDTH: usize = 80;

/// A snippet: text to show, and which of it matched the query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    /// The window of the section as it should be shown, not escaped: `…`
    /// where the section goes on, tabs and the line breaks between Latin
    /// words made spaces, those next to Chinese text dropped.
    pub text: String,
    /// The matched parts of `text`, in characters (not bytes) of `text`:
    /// sorted, non-empty, within `text`, never overlapping or touching
    /// (touching matches are one mark).
    pub marks: Vec<Range<usize>>,
}

impl Snippet {
    /// The text in order, cut where marks start and end: each piece with
    /// whether it is marked. Empty pieces are left out; marks that overlap
    /// an earlier one or reach past the text (which [`snippet`] never
    /// makes) are cut to fit, never a panic.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let text = self.text.as_str();
        // The byte offset of every character, and of the end.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let len = bytes.len() - 1;
        let mut out = Vec::with_capacity(2 * self.marks.len() + 1);
        let mut cursor = 0;
        for mark in &self.marks {
            let (a, b) = (mark.start.clamp(cursor, len), mark.end.min(len));
            if a >= b {
                continue;
            }
            if a > cursor {
                out.push((&text[bytes[cursor]..bytes[a]], false));
            }
            out.push((&text[bytes[a]..bytes[b]], true));
            cursor = b;
        }
        if cursor < len {
            out.push((&text[bytes[cursor]..], false));
        }
        out
    }
}

/// A snippet of `text` around the `needles` (normalized strings), `width`
/// characters wide (not counting the `…`).
pub fn snippet(analyzer: &Analyzer, text: &str, needles: &[String], width: usize) -> Snippet {
    let normalized = analyzer.normalize(text);
    let len = normalized.char_len();
    if len == 0 {
        return Snippet::default();
    }
    let matches = find_matches(normalized.as_str(), needles, |at| normalized.char_index(at));
    let (start, end) = window(&matches, len, width);
    let (from, to) = normalized.original_char_range(start, end);
    let shown = Shown::of(text, from, to, start > 0, end < len);
    let mut marks: Vec<Range<usize>> = Vec::new();
    for &(a, b, _) in matches.iter().filter(|m| m.0 < end && m.1 > start) {
        let (a, b) = normalized.original_char_range(a.max(start), b.min(end));
        let (a, b) = (shown.char_at(a), shown.char_at(b));
        match marks.last_mut() {
            _ if a >= b => {}
            Some(last) if a <= last.end => last.end = last.end.max(b),
            _ => marks.push(a..b),
        }
    }
    Snippet {
        text: shown.text,
        marks,
    }
}

/// The original text of a window as it is shown, with where each of its
/// characters went.
struct Shown {
    text: String,
    /// For each original character of the window, and for the window's
    /// end: its byte offset in the original, and how many characters of
    /// `text` come before it.
    at: Vec<(usize, usize)>,
}

impl Shown {
    /// Shows `text[from..to]`, with a `…` before when `before`, after when
    /// `after`.
    fn of(text: &str, from: usize, to: usize, before: bool, after: bool) -> Shown {
        let mut out = String::with_capacity(to - from + 6);
        let mut at = Vec::with_capacity(to - from + 1);
        if before {
            out.push('…');
        }
        let mut count = usize::from(before);
        let mut chars = text[from..to].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            at.push((from + i, count));
            let shown = match c {
                // A line break between Chinese text disappears; between
                // Latin words it is a space.
                '\n' | '\r' => {
                    let wide = |c: Option<char>| {
                        c.is_some_and(|c| {
                            is_han(c)
                                || ('\u{3000}'..='\u{303F}').contains(&c)
                                || ('\u{FF00}'..='\u{FFEF}').contains(&c)
                        })
                    };
                    let space = !wide(out.chars().next_back())
                        && !wide(chars.peek().map(|&(_, c)| c))
                        && !out.ends_with(' ');
                    space.then_some(' ')
                }
                '\t' => Some(' '),
                c => Some(c),
            };
            if let Some(c) = shown {
                out.push(c);
                count += 1;
            }
        }
        at.push((to, count));
        if after {
            out.push('…');
        }
        Shown { text: out, at }
    }

    /// How many shown characters come before the original byte `offset`
    /// (a character boundary of the window).
    fn char_at(&self, offset: usize) -> usize {
        let i = self.at.partition_point(|&(at, _)| at < offset);
        self.at.get(i).or(self.at.last()).map_or(0, |&(_, n)| n)
    }
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

#[cfg(test)]
// Lists of marks that hold one mark are not mistyped ranges.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::search::query::{QueryPlan, parse};

    /// The snippet of `text` for `needles`, its invariants checked.
    fn snippet_of(text: &str, needles: &[&str], width: usize) -> Snippet {
        let needles: Vec<String> = needles.iter().map(|s| s.to_string()).collect();
        checked(snippet(&Analyzer::shared(), text, &needles, width))
    }

    /// The snippet of `text` for what a search for `query` highlights.
    fn snippet_for(text: &str, query: &str) -> Snippet {
        let analyzer = Analyzer::shared();
        let needles = QueryPlan::new(&parse(query), &analyzer).highlights(&analyzer);
        checked(snippet(&analyzer, text, &needles, WIDTH))
    }

    /// `s`, once its marks are found sorted, non-empty, apart and within
    /// its text, and its pieces are found to spell the text.
    fn checked(s: Snippet) -> Snippet {
        let len = s.text.chars().count();
        for (i, m) in s.marks.iter().enumerate() {
            assert!(m.start < m.end && m.end <= len, "{s:?}");
            if i > 0 {
                assert!(s.marks[i - 1].end < m.start, "{s:?}");
            }
        }
        assert_eq!(s.pieces().iter().map(|p| p.0).collect::<String>(), s.text);
        assert_eq!(
            s.pieces().iter().filter(|p| p.1).count(),
            s.marks.len(),
            "{s:?}"
        );
        s
    }

    /// The marked parts of `s`, read by character range.
    fn marked(s: &Snippet) -> Vec<String> {
        s.marks
            .iter()
            .map(|m| s.text.chars().skip(m.start).take(m.len()).collect())
            .collect()
    }

    /// `s` with its marks in brackets.
    fn bracketed(s: &Snippet) -> String {
        s.pieces()
            .iter()
            .map(|&(piece, mark)| match mark {
                true => format!("[{piece}]"),
                false => piece.to_string(),
            })
            .collect()
    }

    fn snip(text: &str, needles: &[&str], width: usize) -> String {
        bracketed(&snippet_of(text, needles, width))
    }

    #[test]
    fn a_whole_matched_word_is_one_mark() {
        let s = snippet_of("显示无效终端了", &["无效终端", "终端"], 80);
        assert_eq!(s.text, "显示无效终端了");
        assert_eq!(s.marks, [2..6]);
        assert_eq!(
            snip("显示无效终端了", &["无效终端", "终端"], 80),
            "显示[无效终端]了"
        );
    }

    #[test]
    fn marks_count_characters_not_bytes() {
        // Every character here is three bytes in UTF-8 but one in a mark.
        let s = snippet_for("刷卡时屏幕显示无效终端，请先签到", "无效终端 签到");
        assert_eq!(s.marks, [7..11, 14..16], "{s:?}");
        assert_eq!(marked(&s), ["无效终端", "签到"]);
    }

    #[test]
    fn full_width_text_and_queries_mark_the_text_as_written() {
        let text = "ＰＯＳ机显示Ａ０，请联系客服";
        for query in ["pos机 a0", "ＰＯＳ機 Ａ０", "POS机 A0"] {
            let s = snippet_for(text, query);
            assert_eq!(s.text, text, "{query}");
            assert_eq!(marked(&s), ["ＰＯＳ机", "Ａ０"], "{query}: {s:?}");
            assert_eq!(s.marks, [0..4, 6..8], "{query}");
        }
    }

    #[test]
    fn traditional_text_and_queries_mark_the_text_as_written() {
        for query in ["终端未登记", "終端未登記"] {
            let s = snippet_for("提示：終端未登記，請聯繫服務商", query);
            assert_eq!(marked(&s), ["終端未登記"], "{query}: {s:?}");
            assert_eq!(s.marks, [3..8], "{query}");
        }
        let s = snippet_for("提示：终端未登记", "終端未登記");
        assert_eq!(marked(&s), ["终端未登记"], "{s:?}");
        assert_eq!(snip("終端未登記", &["登记"], 80), "終端未[登記]");
    }

    #[test]
    fn repaired_words_mark_the_original_spelling() {
        assert_eq!(snip("请刷ka卡", &["刷卡"], 80), "请[刷ka卡]");
    }

    #[test]
    fn the_text_is_not_escaped_and_markup_is_not_marked() {
        let s = snippet_of("<script>alert('x')</script>刷卡&amp;", &["刷卡"], 80);
        assert_eq!(s.text, "<script>alert('x')</script>刷卡&amp;");
        assert_eq!(marked(&s), ["刷卡"]);
        assert_eq!(s.marks, [27..29]);
        let s = snippet_of("<mark>x</mark>", &["mark"], 80);
        assert_eq!(marked(&s), ["mark", "mark"], "{s:?}");
    }

    #[test]
    fn the_window_is_counted_in_characters() {
        let text = format!("{}无效终端{}", "甲".repeat(100), "乙".repeat(100));
        let s = snippet_of(&text, &["无效终端"], 20);
        assert_eq!(s.text.chars().filter(|c| *c != '…').count(), 20, "{s:?}");
        assert!(s.text.starts_with('…') && s.text.ends_with('…'), "{s:?}");
        assert_eq!(marked(&s), ["无效终端"], "{s:?}");
        // A fifth of the width before the match, after the `…`, which is a
        // character of the text the marks count in.
        assert_eq!(s.marks, [5..9], "{s:?}");
    }

    #[test]
    fn a_match_cut_by_the_window_is_marked_where_it_shows() {
        let text = format!("无效终端{}", "乙".repeat(100));
        let s = snippet_of(&text, &["无效终端", "乙乙乙"], 3);
        assert!(s.text.ends_with('…'), "{s:?}");
        for (word, m) in marked(&s).iter().zip(&s.marks) {
            assert!(!word.contains('…'), "{s:?}");
            assert!(m.end < s.text.chars().count(), "{s:?}");
        }
    }

    #[test]
    fn line_breaks_vanish_between_chinese_sentences() {
        assert_eq!(
            snip("重启设备。\n恢复出厂设置", &["重启"], 80),
            "[重启]设备。恢复出厂设置"
        );
        assert_eq!(snip("POS\nterminal", &["pos"], 80), "[POS] terminal");
        assert_eq!(snip("a\tb", &["b"], 80), "a [b]");
    }

    #[test]
    fn line_breaks_do_not_depend_on_the_marks() {
        // Shown the same whichever words are marked, and the marks are
        // where the words are.
        let text = "请重启\n2. 再签到\nPOS\n终端";
        let shown = "请重启2. 再签到POS终端";
        for (needles, words) in [
            (&["重启"][..], &["重启"][..]),
            (&["签到"], &["签到"]),
            (&["pos"], &["POS"]),
            (&["终端"], &["终端"]),
            (&["xyz"], &[]),
        ] {
            let s = snippet_of(text, needles, 80);
            assert_eq!(s.text, shown, "{needles:?}");
            assert_eq!(marked(&s), words, "{needles:?}");
        }
        // Matches only a dropped line break apart touch: one mark.
        assert_eq!(snip("重启\n设备", &["重启", "设备"], 80), "[重启设备]");
    }

    #[test]
    fn numbers_match_whole_tokens_only() {
        assert_eq!(snip("1834 和 83", &["83"], 80), "1834 和 [83]");
    }

    #[test]
    fn empty_text_is_an_empty_snippet() {
        assert_eq!(snippet_of("", &["刷卡"], 80), Snippet::default());
        assert_eq!(Snippet::default().pieces(), []);
    }

    #[test]
    fn pieces_cut_marks_that_do_not_fit() {
        let s = Snippet {
            text: "终端未登记".into(),
            marks: vec![1..3, 2..4, 4..4, 4..99],
        };
        assert_eq!(
            s.pieces(),
            [("终", false), ("端未", true), ("登", true), ("记", true)]
        );
    }

    proptest::proptest! {
        /// On any text, for a query of words from it: the marks fit the
        /// text, and with a window wider than the text, the text shown is
        /// the same as with nothing to mark.
        #[test]
        fn marks_fit_and_the_text_does_not_depend_on_them(
            text in "[a-zA-Z0-9 \n\t<>&'\"，。：\u{4e00}-\u{4fff}\u{ff01}-\u{ff5e}終端未登記无效终]{0,60}",
            start in 0usize..60,
            len in 1usize..8,
        ) {
            let query: String = text.chars().skip(start).take(len).collect();
            let query = query.replace(['"', '-'], " ");
            let analyzer = Analyzer::shared();
            let needles = QueryPlan::new(&parse(&query), &analyzer).highlights(&analyzer);
            let s = checked(snippet(&analyzer, &text, &needles, 100));
            let plain = checked(snippet(&analyzer, &text, &[], 100));
            proptest::prop_assert_eq!(&s.text, &plain.text);
            proptest::prop_assert!(plain.marks.is_empty());
            checked(snippet(&analyzer, &text, &needles, 7));
        }
    }
}
