//! The units a query asks the index for, defined beside the tokenizer that
//! emits them, so the two cannot drift apart (`tests.rs` checks, for any
//! text, that every unit asked for is a token the index holds at the same
//! position).
//!
//! A query word is looked for as itself and through its **parts**: the
//! two-character pieces the index holds inside it (a dictionary sub-word or
//! a bigram of two ideographs), its dictionary sub-words of three and four
//! characters, and the ASCII runs of a mixed word (`pos` in `pos机`). Two
//! words written side by side are looked for **joined**: the bigram across
//! their boundary (`效终` in `无效终端`), which the index holds wherever the
//! two characters meet, however the text was segmented. A quoted phrase is
//! matched as a **phrase of units** at their character offsets.

use super::{Analyzer, Token, is_han};

/// One indexed unit at its position, in characters of normalized text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Unit {
    pub position: usize,
    pub text: String,
}

impl Analyzer {
    /// The parts of a query word that the index holds inside it (see the
    /// module documentation), in position order, without the word itself.
    pub fn parts(&self, word: &Token) -> Vec<Unit> {
        let chars: Vec<char> = word.text.chars().collect();
        let n = chars.len();
        let piece = |i: usize, j: usize| chars[i..j].iter().collect::<String>();
        let mut out = Vec::new();
        let mut push = |position: usize, text: String| {
            let unit = Unit {
                position: word.position + position,
                text,
            };
            if !out.contains(&unit) {
                out.push(unit);
            }
        };
        if n > 2 {
            for i in 0..n - 1 {
                let two = piece(i, i + 2);
                if self.is_word(&two) || (is_han(chars[i]) && is_han(chars[i + 1])) {
                    push(i, two);
                }
            }
        }
        for len in 3..n.min(5) {
            for i in 0..=n - len {
                let part = piece(i, i + len);
                if self.is_word(&part) {
                    push(i, part);
                }
            }
        }
        if n > 1 && chars.iter().any(|&c| is_han(c)) {
            let mut start = None;
            for i in 0..=n {
                let ascii = chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
                match (ascii, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        push(s, piece(s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        out
    }
}

/// The bigrams across the boundaries of words written side by side
/// (`效终` for `无效` `终端`): present in a text exactly where the two
/// characters meet.
pub fn joins(run: &[Token]) -> Vec<Unit> {
    run.windows(2)
        .filter_map(|pair| {
            let last = pair[0].text.chars().last()?;
            let first = pair[1].text.chars().next()?;
            let end = pair[0].position + pair[0].text.chars().count();
            (end == pair[1].position && is_han(last) && is_han(first)).then(|| Unit {
                position: end - 1,
                text: [last, first].iter().collect(),
            })
        })
        .collect()
}

/// Indexed units that spell `words` as written, at their positions: ASCII
/// runs whole; a run of ideographs as bigrams side by side (the last one
/// overlapping its neighbour when the run is odd), or the ideograph itself
/// when it stands alone. A phrase of them matches the text exactly however
/// it was segmented; bigrams make such a phrase cheap, each being far rarer
/// than its two characters.
pub fn phrase_units(words: &[Token]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut han: Vec<(usize, char)> = Vec::new();
    let flush = |han: &mut Vec<(usize, char)>, units: &mut Vec<Unit>| {
        match han.len() {
            0 => {}
            1 => units.push(Unit {
                position: han[0].0,
                text: han[0].1.to_string(),
            }),
            n => {
                let mut starts: Vec<usize> = (0..n - 1).step_by(2).collect();
                if n % 2 == 1 {
                    starts.push(n - 2);
                }
                for k in starts {
                    units.push(Unit {
                        position: han[k].0,
                        text: [han[k].1, han[k + 1].1].iter().collect(),
                    });
                }
            }
        }
        han.clear();
    };
    for word in words {
        let mut run: Option<Unit> = None;
        for (i, c) in word.text.chars().enumerate() {
            let position = word.position + i;
            if c.is_ascii_alphanumeric() {
                flush(&mut han, &mut units);
                run.get_or_insert_with(|| Unit {
                    position,
                    text: String::new(),
                })
                .text
                .push(c);
                continue;
            }
            units.extend(run.take());
            if !(is_han(c) && han.last().is_some_and(|&(p, _)| p + 1 == position)) {
                flush(&mut han, &mut units);
            }
            if is_han(c) {
                han.push((position, c));
            }
        }
        units.extend(run.take());
    }
    flush(&mut han, &mut units);
    units.sort();
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(list: Vec<Unit>) -> Vec<(usize, String)> {
        list.into_iter().map(|u| (u.position, u.text)).collect()
    }

    fn expected(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(p, t)| (*p, t.to_string())).collect()
    }

    #[test]
    fn phrase_units_are_bigrams_and_ascii_runs() {
        let a = Analyzer::shared();
        assert_eq!(
            units(phrase_units(&a.words("83无效终端"))),
            expected(&[(0, "83"), (2, "无效"), (4, "终端")])
        );
        // An odd run: the last bigram overlaps, across jieba's words.
        assert_eq!(
            units(phrase_units(&a.words("终端未登记"))),
            expected(&[(0, "终端"), (2, "未登"), (3, "登记")])
        );
        assert_eq!(
            units(phrase_units(&a.words("pos机 蝶"))),
            expected(&[(0, "pos"), (3, "机"), (5, "蝶")])
        );
    }

    #[test]
    fn parts_of_a_compound_and_a_mixed_word() {
        let a = Analyzer::shared();
        let word = |text: &str| a.words(text).remove(0);
        assert_eq!(
            units(a.parts(&word("终端未登记"))),
            expected(&[
                (0, "终端"),
                (1, "端未"),
                (2, "未登"),
                (2, "未登记"),
                (3, "登记")
            ])
        );
        assert_eq!(units(a.parts(&word("pos机"))), expected(&[(0, "pos")]));
        assert!(a.parts(&word("终端")).is_empty());
    }

    #[test]
    fn joins_are_the_bigrams_across_words() {
        let a = Analyzer::shared();
        assert_eq!(
            units(joins(&a.words("83无效 终端"))),
            expected(&[]),
            "a space parts the words"
        );
        let run = a.words("拉卡拉无效终端");
        assert!(run.len() > 1, "{run:?}");
        assert!(!joins(&run).is_empty());
    }
}
