//! Low-weight fallbacks for what a query means but does not say: pinyin
//! typed for a word (`qiandao shibai` for 签到失败, `shua ka` for 刷卡,
//! `lkl` for 拉卡拉) and Chinese typos that sound or look like a word
//! (`拉卡啦`, `手续废`, `终端末登记`).
//!
//! Corrections draw on the knowledge base's own vocabulary: its domain
//! words, brands, tags and symptoms first, then every word its articles
//! hold (`SearchIndex::words`), the most common first. A correction is
//! added as an extra word with a low weight next to what was typed, and it
//! says what it replaced, so the response can show the query as searched.
//! A run of characters that is itself a dictionary word is never
//! corrected: `景点` does not become `经典`, so homophones stay apart. A
//! rare dictionary word (`Analyzer::is_rare_word`: variant and mistaken
//! spellings such as `注消` among them) may be read as a curated term
//! that sounds the same (注销), never as another word of the index.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::Kind;
use super::sound::{pinyin_keys, sound_key, spellings};
use crate::analysis::words::is_stop_word;
use crate::analysis::{Analyzer, is_han};

/// The longest run of characters looked up.
const MAX_CHARS: usize = 6;

/// The most typed words (pinyin syllables or words) read as one term.
const MAX_PINYIN_WORDS: usize = 8;

/// The shortest piece of a run of pinyin read as a term of its own
/// (`shezhi` in `huifuchuchangshezhi`): three letters, as a term typed
/// alone.
const MIN_PIECE: usize = 3;

/// The longest piece: a term of [`MAX_CHARS`] syllables of six letters
/// (`zhuang`) at most.
const MAX_PIECE: usize = MAX_CHARS * 6;

/// The most terms one pinyin spelling stands for (`jifen`: 积分, 几分):
/// each is looked for, the ranking tells them apart.
const MAX_HOMOPHONES: usize = 3;

/// Vocabulary keyed by pinyin, initials and sound.
#[derive(Debug, Default)]
pub struct Corrector {
    /// Full toneless pinyin (`qiandao`) and initials (`lkl`) to the terms
    /// spelled so, the first to claim it first.
    by_pinyin: HashMap<String, Vec<String>>,
    /// Sound key (look-alikes folded, syllables joined by spaces) to a term,
    /// and whether the term is curated (a term, symptom or synonym form).
    by_sound: HashMap<String, (String, bool)>,
    /// The index's words of Latin letters (`pos`, `visa`): a run of pinyin
    /// may hold one (`lakalapos`, `posjihuo`).
    latin: HashSet<String>,
}

/// A term the query likely means, and the bytes of the normalized query
/// it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub span: Range<usize>,
    pub term: String,
}

impl Corrector {
    /// Builds the vocabulary from the suggestion table's terms and symptoms,
    /// the synonym groups' forms (the lexicon's and the corpus's), then the
    /// index's words (most common first); the first term to claim a sound
    /// keeps it.
    pub fn new(
        items: &[(String, Kind, Option<String>)],
        synonyms: &[Vec<String>],
        words: &[(String, u32)],
        analyzer: &Analyzer,
    ) -> Corrector {
        let mut corrector = Corrector::default();
        let mut seen = HashSet::new();
        let curated = items
            .iter()
            .filter(|(_, kind, _)| matches!(kind, Kind::Term | Kind::Symptom))
            .map(|(text, ..)| text.clone())
            .chain(synonyms.iter().flatten().cloned())
            .map(|text| analyzer.normalize(&text).as_str().to_string());
        let curated: Vec<String> = curated.collect();
        let from_index = words.iter().map(|(w, _)| w.clone());
        for (k, term) in curated.iter().cloned().chain(from_index).enumerate() {
            if term.chars().all(|c| c.is_ascii_alphabetic()) {
                if term.len() >= MIN_PIECE {
                    corrector.latin.insert(term);
                }
                continue;
            }
            let n = term.chars().count();
            if !(2..=MAX_CHARS).contains(&n)
                || !term.chars().all(is_han)
                || !seen.insert(term.clone())
            {
                continue;
            }
            let (_, initials) = pinyin_keys(&term);
            let mut spell = |key: String| {
                let terms = corrector.by_pinyin.entry(key).or_default();
                if terms.len() < MAX_HOMOPHONES {
                    terms.push(term.clone());
                }
            };
            for full in spellings(&term) {
                spell(full);
            }
            if n >= 3 {
                spell(initials);
            }
            // A typo is corrected only to a word: a title's two-character
            // term of the index may be a bigram across words.
            if k < curated.len() || n > 2 || analyzer.is_word(&term) {
                corrector
                    .by_sound
                    .entry(sound_key(&term).join(" "))
                    .or_insert((term, k < curated.len()));
            }
        }
        corrector
    }

    /// Terms the normalized query likely means but did not write.
    pub fn corrections(&self, normalized: &str, analyzer: &Analyzer) -> Vec<Correction> {
        let mut out: Vec<Correction> = Vec::new();
        let mut add = |span: Range<usize>, term: &String| {
            let known = out.iter().any(|c| &c.term == term && c.span == span);
            // A Latin word stands for a piece of a longer run it was typed in.
            let typed = normalized.contains(term.as_str()) && !term.is_ascii();
            if !typed && !known {
                out.push(Correction {
                    span,
                    term: term.clone(),
                });
            }
        };
        // Pinyin: ASCII words, alone or joined with the words after them
        // (syllables typed apart, `shua ka`), at least three letters.
        let words: Vec<(usize, &str)> = ascii_words(normalized);
        let mut read = vec![false; words.len()];
        for start in 0..words.len() {
            let mut joined = String::new();
            for end in start..words.len().min(start + MAX_PINYIN_WORDS) {
                joined.push_str(words[end].1);
                if joined.len() < 3 {
                    continue;
                }
                for term in self.by_pinyin.get(&joined).into_iter().flatten() {
                    add(words[start].0..words[end].0 + words[end].1.len(), term);
                    read[start..=end].fill(true);
                }
            }
        }
        // A phrase typed as one run (`huifuchuchangshezhi`) is read as the
        // terms it splits into, when it splits into terms end to end; a
        // Latin word of the index among them (`pos` in `lakalapos`) stands
        // for itself.
        let unread = words.iter().zip(&read).filter(|(_, read)| !**read);
        for (&(at, word), _) in unread.filter(|((_, w), _)| !self.latin.contains(*w)) {
            for piece in self.split_pinyin(word).into_iter().flatten() {
                let span = at + piece.start..at + piece.end;
                let text = &word[piece];
                match self.by_pinyin.get(text) {
                    Some(terms) => terms.iter().for_each(|term| add(span.clone(), term)),
                    None => add(span, &text.to_string()),
                }
            }
        }
        // Sound and shape: runs of Chinese characters that are not words
        // (or are rare ones, read as a curated term only: `注消`), from the
        // start of one of the query's words to the end of one (`到账时间`
        // is not read as 到 + `账时间`, 长时间). A run of two is
        // so one word or two of one character (`注消`, 注 + 消); `写一` in
        // 帮我写一首诗 cuts 一首 and stays as it is. Two words of one
        // character are read as a curated term only (注销, 押金): in
        // 钱在哪看 or 这是 they are words, and 潜在 or 这时 would conflate
        // homophones.
        let tokens = analyzer.words(normalized);
        let starts: HashSet<usize> = tokens.iter().map(|t| t.offset_from).collect();
        let ends: HashSet<usize> = tokens.iter().map(|t| t.offset_to).collect();
        let one_word: HashSet<usize> = tokens
            .iter()
            .filter(|t| t.text.chars().count() == 2)
            .map(|t| t.offset_from)
            .collect();
        // A particle or question word (`了`, `吗`) standing as a word is
        // grammar: with the character beside it it is no mistyped term
        // (了刷 in 没钱了刷不过去 is not 乐刷), though inside a longer run
        // it may be one (拉卡啦).
        let grammar: Vec<Range<usize>> = tokens
            .iter()
            .filter(|t| is_stop_word(&t.text))
            .map(|t| t.offset_from..t.offset_to)
            .collect();
        let chars: Vec<(usize, char)> = normalized.char_indices().collect();
        let sounds: Vec<String> = chars
            .iter()
            .map(|(_, c)| sound_key(&c.to_string()).join(" "))
            .collect();
        for start in 0..chars.len() {
            for end in start + 2..=chars.len().min(start + MAX_CHARS) {
                if !chars[start..end].iter().all(|&(_, c)| is_han(c)) {
                    break;
                }
                let run: String = chars[start..end].iter().map(|(_, c)| c).collect();
                // A rare dictionary word (`注消`) may be a typo of a curated
                // term; any other word is what it says.
                let word = analyzer.is_word(&run);
                let rare = word && analyzer.is_rare_word(&run);
                if word && !rare {
                    continue;
                }
                let (last_at, last) = chars[end - 1];
                let span = chars[start].0..last_at + last.len_utf8();
                if !starts.contains(&span.start) || !ends.contains(&span.end) {
                    continue;
                }
                let singles = end - start == 2 && !one_word.contains(&span.start);
                if singles && grammar.iter().any(|g| span.contains(&g.start)) {
                    continue;
                }
                match self.by_sound.get(&sounds[start..end].join(" ")) {
                    Some((term, curated)) if *curated || !(singles || rare) => add(span, term),
                    _ => {}
                }
            }
        }
        out
    }

    /// `word` (ASCII letters) cut into the fewest pieces of [`MIN_PIECE`]
    /// letters or more that each spell a term in full pinyin or initials or
    /// are a Latin word of the index; `None` unless it cuts into two or more
    /// such pieces end to end, one of them pinyin.
    fn split_pinyin(&self, word: &str) -> Option<Vec<Range<usize>>> {
        if word.len() < 2 * MIN_PIECE {
            return None;
        }
        // fewest[i]: the fewest pieces that spell word[..i], and where the
        // last of them starts.
        let mut fewest: Vec<Option<(usize, usize)>> = vec![None; word.len() + 1];
        fewest[0] = Some((0, 0));
        for end in MIN_PIECE..=word.len() {
            fewest[end] = (end.saturating_sub(MAX_PIECE)..=end - MIN_PIECE)
                .filter(|&start| {
                    let piece = &word[start..end];
                    self.by_pinyin.contains_key(piece) || self.latin.contains(piece)
                })
                .filter_map(|start| fewest[start].map(|(n, _)| (n + 1, start)))
                .min();
        }
        let mut pieces = Vec::new();
        let mut end = word.len();
        while end > 0 {
            let (_, start) = fewest[end]?;
            pieces.push(start..end);
            end = start;
        }
        pieces.reverse();
        let pinyin = pieces
            .iter()
            .any(|p| self.by_pinyin.contains_key(&word[p.clone()]));
        (pieces.len() >= 2 && pinyin).then_some(pieces)
    }
}

/// The runs of ASCII letters in `text`, with their byte offsets.
fn ascii_words(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_ascii_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// The query as searched: `normalized` with the longest corrections put in
/// place of what they stand for (none overlapping), or `None` without any.
pub fn corrected(normalized: &str, corrections: &[Correction]) -> Option<String> {
    let mut chosen: Vec<&Correction> = Vec::new();
    let mut by_length: Vec<&Correction> = corrections.iter().collect();
    by_length.sort_by_key(|c| (std::cmp::Reverse(c.span.len()), c.span.start));
    for c in by_length {
        if chosen
            .iter()
            .all(|o| c.span.end <= o.span.start || o.span.end <= c.span.start)
        {
            chosen.push(c);
        }
    }
    if chosen.is_empty() {
        return None;
    }
    chosen.sort_by_key(|c| c.span.start);
    let mut out = String::with_capacity(normalized.len());
    let mut at = 0;
    for c in chosen {
        out.push_str(&normalized[at..c.span.start]);
        // Pinyin typed between other words keeps its spaces around it.
        out.push_str(&c.term);
        at = c.span.end;
    }
    out.push_str(&normalized[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector() -> Corrector {
        let items = [
            "拉卡拉",
            "签到失败",
            "签到",
            "手续费",
            "终端未登记",
            "押金",
            "经典",
            "乐刷",
        ]
        .map(|t| (t.to_string(), Kind::Term, None));
        let words = [
            ("刷卡", 5),
            ("提示", 4),
            ("密码", 3),
            ("错误", 3),
            ("终端", 3),
            ("长时间", 2),
            ("潜在", 2),
            ("pos", 2),
        ]
        .map(|(w, n)| (w.to_string(), n));
        let lexicon = crate::analysis::words::lexicon();
        Corrector::new(&items, &lexicon, &words, &Analyzer::shared())
    }

    fn fix(query: &str) -> Vec<String> {
        let analyzer = Analyzer::shared();
        corrector()
            .corrections(analyzer.normalize(query).as_str(), &analyzer)
            .into_iter()
            .map(|c| c.term)
            .collect()
    }

    fn searched(query: &str) -> Option<String> {
        let analyzer = Analyzer::shared();
        let normalized = analyzer.normalize(query);
        let found = corrector().corrections(normalized.as_str(), &analyzer);
        corrected(normalized.as_str(), &found)
    }

    #[test]
    fn the_index_words_are_corrected_to_too() {
        assert_eq!(fix("zhongduan"), ["终端"]);
        // 密码错误 is a form of the lexicon's.
        assert_eq!(
            fix("shua ka ti shi mi ma cuo wu"),
            ["刷卡", "提示", "密码", "密码错误", "错误"]
        );
    }

    #[test]
    fn the_query_as_searched_has_the_corrections_in_place() {
        assert_eq!(searched("拉卡啦显示83").as_deref(), Some("拉卡拉显示83"));
        assert_eq!(searched("qiandao shibai").as_deref(), Some("签到失败"));
        assert_eq!(searched("shua ka ti shi").as_deref(), Some("刷卡 提示"));
        assert_eq!(searched("签到失败"), None);
    }

    #[test]
    fn a_phrase_typed_as_one_run_of_pinyin_is_read_as_its_terms() {
        assert_eq!(
            searched("qiandaoshibaishouxufei").as_deref(),
            Some("签到失败手续费")
        );
        assert_eq!(searched("zhongduanlakala").as_deref(), Some("终端拉卡拉"));
        assert_eq!(searched("lakalalakala").as_deref(), Some("拉卡拉拉卡拉"));
        // English and keyboard noise split into no terms.
        assert_eq!(searched("asdfgh"), None);
        assert_eq!(searched("password"), None);
    }

    #[test]
    fn a_latin_word_of_the_index_stands_for_itself_in_a_run() {
        assert_eq!(searched("lakalapos").as_deref(), Some("拉卡拉pos"));
        assert_eq!(searched("posqiandao").as_deref(), Some("pos签到"));
        // Typed as it is, the word is no correction.
        assert_eq!(searched("pos"), None);
        assert_eq!(searched("pospos"), None);
    }

    #[test]
    fn pinyin_and_initials_find_terms() {
        // 失败 is a form of the lexicon's.
        assert_eq!(fix("qiandao shibai"), ["签到", "签到失败", "失败"]);
        assert_eq!(fix("LKL 商户"), ["拉卡拉"]);
        assert_eq!(fix("pos yajin"), ["押金"]);
    }

    #[test]
    fn sound_and_shape_typos_find_terms() {
        assert_eq!(fix("拉卡啦显示83"), ["拉卡拉"]);
        assert_eq!(fix("手续废"), ["手续费"]);
        assert_eq!(fix("终端末登记"), ["终端未登记", "未登记"]);
    }

    #[test]
    fn two_characters_across_words_are_not_a_typo() {
        assert!(fix("帮我写一首诗").is_empty());
    }

    #[test]
    fn a_particle_is_never_part_of_a_typo() {
        // 了 + 刷 sounds like 乐刷, a brand (a curated term).
        assert!(fix("没钱了刷不过去").iter().all(|t| t != "乐刷"));
    }

    #[test]
    fn a_typo_starts_and_ends_with_the_query_s_words() {
        // 账时间 would be 长时间, but 到账 is one word.
        assert!(fix("到账时间").is_empty());
        // 钱 + 在 are words of one character each, 潜在 is no curated term.
        assert!(fix("钱在哪看").is_empty());
        assert_eq!(fix("压金"), ["押金"]);
    }

    #[test]
    fn real_words_are_never_corrected() {
        assert!(fix("景点").is_empty());
        assert!(fix("拉卡拉").is_empty());
    }

    #[test]
    fn the_dictionary_s_rarest_spellings_are_corrected() {
        // jieba lists 注消 at its lowest frequency; 注销 is the lexicon's.
        assert_eq!(fix("注消pos机"), ["注销"]);
    }
}
