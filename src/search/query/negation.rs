//! Spoken negations in the knowledge base's words: `没法刷卡` is searched
//! as `无法刷卡` too, `到不了账` as `无法到账`, `没有到账` as `未到账`. The
//! forms are data (`analysis/negations.txt`); a form is matched on jieba's
//! words, so it negates a whole word and never a part of one.

use crate::analysis::{Token, is_han, words};

/// The most characters of a negated word: a verb, or a verb and its object.
const MAX_NEGATED_CHARS: usize = 4;

/// One group: the written form's prefix, and the spoken forms.
#[derive(Debug, Clone)]
struct Group {
    written: String,
    /// Forms that negate the word after them (`没法`).
    before: Vec<String>,
    /// Forms that negate the word before them (`不了`).
    after: Vec<String>,
}

/// The negation groups, ready to rewrite a query's words.
#[derive(Debug, Clone)]
pub struct Negations {
    groups: Vec<Group>,
}

impl Negations {
    /// The groups of `analysis/negations.txt`.
    pub fn shipped() -> Negations {
        Negations::parse(words::negations())
    }

    fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> Negations {
        let mut groups = Vec::new();
        for line in lines {
            let mut forms = line.split_whitespace();
            let Some(written) = forms.next().and_then(|f| f.strip_suffix('~')) else {
                continue;
            };
            let mut group = Group {
                written: written.to_string(),
                before: Vec::new(),
                after: Vec::new(),
            };
            for form in forms {
                if let Some(f) = form.strip_suffix('~') {
                    group.before.push(f.to_string());
                } else if let Some(f) = form.strip_prefix('~') {
                    group.after.push(f.to_string());
                }
            }
            groups.push(group);
        }
        Negations { groups }
    }

    /// The written forms of the spoken negations among `words` (jieba's
    /// words of one normalized text, in order), each once.
    pub fn rewrite(&self, words: &[Token]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let han = |w: &Token| w.text.chars().all(is_han);
        let next_to = |a: &Token, b: &Token| a.position + a.text.chars().count() == b.position;
        for (i, word) in words.iter().enumerate() {
            let next = words.get(i + 1).filter(|n| next_to(word, n) && han(n));
            let prev = i
                .checked_sub(1)
                .map(|p| &words[p])
                .filter(|p| next_to(p, word) && han(p));
            for group in &self.groups {
                let negated = if group.before.contains(&word.text) {
                    next.map(|n| n.text.clone())
                } else if group.after.contains(&word.text) {
                    // 到 不了 账: the verb, and a one-character object.
                    let object = next.filter(|n| n.text.chars().count() == 1);
                    prev.map(|p| p.text.clone() + object.map_or("", |o| o.text.as_str()))
                } else {
                    // 刷不了卡, 连不上: the form inside one word.
                    group.after.iter().find_map(|form| {
                        let (verb, object) = word.text.split_once(form.as_str())?;
                        let one = object.chars().count() <= 1;
                        (!verb.is_empty() && verb.chars().count() <= 2 && one)
                            .then(|| format!("{verb}{object}"))
                    })
                };
                let Some(negated) = negated.filter(|n| {
                    let count = n.chars().count();
                    (1..=MAX_NEGATED_CHARS).contains(&count) && n.chars().all(is_han)
                }) else {
                    continue;
                };
                let written = format!("{}{negated}", group.written);
                if !out.contains(&written) {
                    out.push(written);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    fn rewrite(query: &str) -> Vec<String> {
        let analyzer = Analyzer::shared();
        Negations::shipped().rewrite(&analyzer.words(query))
    }

    #[test]
    fn spoken_negations_get_their_written_form() {
        assert_eq!(rewrite("机器突然没法刷卡了咋办"), ["无法刷卡"]);
        assert_eq!(rewrite("钱到不了账"), ["无法到账"]);
        assert_eq!(rewrite("没有到账"), ["未到账"]);
        assert_eq!(rewrite("不能打印"), ["无法打印"]);
    }

    #[test]
    fn a_negation_inside_a_word_is_one_too() {
        assert_eq!(rewrite("连不上网络"), ["无法连"]);
    }

    #[test]
    fn words_that_only_start_like_a_negation_are_not_one() {
        assert!(rewrite("没收到钱").is_empty());
        assert!(rewrite("无法刷卡").is_empty());
    }
}
