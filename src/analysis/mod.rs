//! The one analyzer posfaq uses at index time and at query time.
//!
//! Text is normalized (`normalize`) and then segmented by jieba with a
//! domain dictionary (`user_dict.txt`). Indexing emits four kinds of token:
//!
//! * **words**, jieba's segmentation (`无效终端`, `83`, `pos机`);
//! * **sub-words**, the dictionary words inside a longer word (`登记` in
//!   `未登记`, `农业` in `中国农业发展银行`), so a part finds the whole, and
//!   the domain words written across two words (`终端未登记` in
//!   `pos终端|未登记`, `across.rs`);
//! * **characters**, every CJK ideograph on its own, so a single character
//!   finds the words that contain it (`蝶` finds `胡蝶`);
//! * **bigrams**, every two adjacent ideographs, across word boundaries
//!   (`端未` in `终端未登记`), so any run of characters can be matched as a
//!   phrase of bigrams, which are far rarer, and so far cheaper to
//!   intersect, than single characters. A two-character word and the bigram
//!   at its place are the same token.
//!
//! A token's position is the index of its first character in the normalized
//! text. Overlapping words, sub-words, characters and bigrams therefore agree
//! on where they are, and a phrase query can be written with explicit offsets
//! in characters (`PhraseQuery::new_with_offset`) and match however jieba cut
//! the indexed text. Offsets are byte offsets into the *original* text, always on
//! char boundaries.
//!
//! `units.rs` says which of these tokens a query asks for; `words.rs` holds
//! the word lists (question words, device words, and the answer matcher's
//! code markers, filler words and counters) as data files beside the
//! dictionary. Nothing here compares sounds: the index holds no pinyin, so
//! homophones (`景点`/`经典`) are never conflated in it; pinyin and sound
//! keys live in `search::suggest`, which offers completions and the
//! low-weight corrections a query adds to itself.

mod across;
mod normalize;
mod script;
mod tokenizer;
pub mod units;
pub mod words;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;

pub use normalize::{Normalized, Normalizer, Repair, fold_char, is_han, parse_repairs};
pub use tokenizer::PosfaqTokenizer;
pub use units::Unit;

/// Name under which the analyzer is registered with tantivy.
pub const TOKENIZER_NAME: &str = "posfaq";

/// Bumped whenever the analyzer's output changes for the same dictionary.
const ANALYZER_VERSION: u32 = 4;

const USER_DICT: &str = include_str!("user_dict.txt");

/// The highest frequency jieba suggests for a rare word of its dictionary
/// (see [`Analyzer::is_rare_word`]): it suggests 2 for an entry listed at
/// 2, and 4 for one listed at 3 (`注消`).
const RARE_WORD_FREQ: usize = 4;
const REPAIRS: &str = include_str!("repairs.tsv");

/// What a token stands for (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Subword,
    Char,
    Bigram,
}

/// A token with byte offsets into the original text and a position counted
/// in characters of the normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub offset_from: usize,
    pub offset_to: usize,
    pub position: usize,
    pub kind: TokenKind,
}

/// Normalizer plus segmenter, shared by indexing and search.
pub struct Analyzer {
    jieba: Jieba,
    across: across::AcrossWords,
    repairs: Vec<Repair>,
    normalizer: Normalizer,
    fingerprint: String,
}

impl Analyzer {
    /// Builds the analyzer: jieba's dictionary plus posfaq's domain words.
    pub fn new() -> Analyzer {
        let mut jieba = Jieba::new();
        for line in USER_DICT.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let word = parts.next().unwrap_or_default();
            let freq = parts.next().and_then(|f| f.parse().ok());
            jieba.add_word(word, freq, None);
        }
        let fingerprint = format!(
            "v{ANALYZER_VERSION}-{:016x}",
            fnv1a(&[USER_DICT.as_bytes(), REPAIRS.as_bytes()])
        );
        let repairs = parse_repairs(REPAIRS);
        Analyzer {
            jieba,
            across: across::AcrossWords::new(domain_words()),
            normalizer: Normalizer::new(&repairs),
            repairs,
            fingerprint,
        }
    }

    /// The process-wide analyzer: loading jieba's dictionary takes a while,
    /// so it is done once.
    pub fn shared() -> Arc<Analyzer> {
        static SHARED: OnceLock<Arc<Analyzer>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Analyzer::new())).clone()
    }

    /// Analyzer version plus a hash of its dictionary and repair rules. An
    /// index records it; opening the index with another fingerprint fails.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The domain words of the user dictionary, as written there.
    pub fn domain_words(&self) -> impl Iterator<Item = &'static str> {
        domain_words()
    }

    /// The obfuscation repairs, including the importer-only ones.
    pub fn repairs(&self) -> &[Repair] {
        &self.repairs
    }

    /// Normalizes text the way both indexing and search see it.
    pub fn normalize(&self, text: &str) -> Normalized {
        self.normalizer.normalize(text)
    }

    /// Normalized text with only its letters, digits and ideographs: the
    /// form in which a title or key phrase is looked for inside a query.
    pub fn compact(&self, text: &str) -> String {
        self.normalize(text)
            .as_str()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    }

    /// Whether the segmenter's dictionary knows `word` (normalized form).
    pub fn is_word(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }

    /// Whether `word` is a rare entry of jieba's dictionary, for which
    /// jieba suggests a frequency of [`RARE_WORD_FREQ`] or less: entries
    /// listed at 2 or 3, more than half of the dictionary, variant and
    /// mistaken spellings among them (`注消` 3 beside 注销 80; 景点 is
    /// 2436). posfaq's domain words are never rare.
    pub fn is_rare_word(&self, word: &str) -> bool {
        static DOMAIN: OnceLock<HashSet<&'static str>> = OnceLock::new();
        self.jieba.has_word(word)
            && self.jieba.suggest_freq(word) <= RARE_WORD_FREQ
            && !DOMAIN
                .get_or_init(|| domain_words().collect())
                .contains(word)
    }

    /// Query-time view: jieba's words only, without sub-words or characters.
    pub fn words(&self, text: &str) -> Vec<Token> {
        let normalized = self.normalize(text);
        let mut spans = Vec::new();
        self.spans(&normalized, &mut spans);
        spans
            .iter()
            .filter(|s| s.kind == TokenKind::Word)
            .map(|s| s.token(&normalized))
            .collect()
    }

    /// Index-time view: words, sub-words, characters and bigrams, ordered by
    /// position, then text.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let normalized = self.normalize(text);
        let mut spans = Vec::with_capacity(normalized.char_len() * 4);
        self.spans(&normalized, &mut spans);
        let text = normalized.as_str();
        spans.sort_by(|a, b| {
            (a.position, &text[a.from..a.to]).cmp(&(b.position, &text[b.from..b.to]))
        });
        spans.iter().map(|s| s.token(&normalized)).collect()
    }

    /// Runs jieba over normalized text and appends the index-time tokens as
    /// spans of the text. No string is made: the tantivy tokenizer copies
    /// each span into one reused token.
    ///
    /// The spans come word by word: what tantivy needs is that a term's
    /// positions increase and that a term occurs once per position. A
    /// word's own token comes first, then its other tokens kind by kind,
    /// each kind left to right; where two kinds would give the same text at
    /// the same place (a two-character sub-word and its bigram), only the
    /// first kind of [`TokenKind`]'s order is emitted. Domain words written
    /// across two words (`across.rs`) come after, and then the text's spans
    /// are sorted by position (stably), as such a word may also be a word
    /// of its own earlier or later in the text.
    pub(crate) fn spans(&self, normalized: &Normalized, out: &mut Vec<Span>) {
        let text = normalized.as_str();
        // The characters of the current word: byte offset in the word, char.
        let mut chars: Vec<(usize, char)> = Vec::new();
        let mut starts: Vec<bool> = Vec::new();
        let emitted = out.len();
        for word in self.jieba.cut(text, false) {
            starts.resize(word.start + 1, false);
            starts[word.start] = true;
            chars.clear();
            chars.extend(word.word.char_indices());
            if !chars.iter().any(|&(_, c)| is_han(c) || c.is_alphanumeric()) {
                continue;
            }
            let position = word.start;
            let n = chars.len();
            let byte_at = |k: usize| chars.get(k).map_or(word.word.len(), |c| c.0);
            let piece = |i: usize, j: usize| &word.word[byte_at(i)..byte_at(j)];
            // The word's characters `i..j` (char indices, `j` up to `n + 1`
            // for a bigram that ends in the next word).
            let mut emit = |i: usize, j: usize, kind| {
                let (first, end) = (position + i, position + j);
                let (offset_from, offset_to) = normalized.original_char_range(first, end);
                let (from, to) = (word.byte_start + byte_at(i), word.byte_start + byte_at(j));
                let to = if j > n {
                    to + text[to..].chars().next().map_or(0, char::len_utf8)
                } else {
                    to
                };
                out.push(Span {
                    from,
                    to,
                    offset_from,
                    offset_to: offset_to.max(offset_from),
                    position: first,
                    kind,
                });
            };
            emit(0, n, TokenKind::Word);
            // Two characters from each place: a dictionary sub-word, else a
            // bigram of two ideographs; the last may end in the next word. A
            // two-character word is its own bigram.
            let next = text[word.byte_start + word.word.len()..].chars().next();
            for (i, &(_, c)) in chars.iter().enumerate() {
                if n == 2 && i == 0 {
                    continue;
                }
                if i + 1 < n && n > 2 && self.jieba.has_word(piece(i, i + 2)) {
                    emit(i, i + 2, TokenKind::Subword);
                    continue;
                }
                let following = chars.get(i + 1).map(|&(_, c)| c).or(next);
                if following.is_some_and(|d| is_han(c) && is_han(d)) {
                    emit(i, i + 2, TokenKind::Bigram);
                }
            }
            // Sub-words of three and four characters inside the word.
            for len in 3..n.min(5) {
                for i in 0..=n - len {
                    if self.jieba.has_word(piece(i, i + len)) {
                        emit(i, i + len, TokenKind::Subword);
                    }
                }
            }
            // ASCII runs inside a mixed word (`pos` in `pos机`), so a Latin
            // query finds the word; unless the run is a sub-word already.
            if n > 1 && chars.iter().any(|&(_, c)| is_han(c)) {
                let mut run_start = None;
                for i in 0..=n {
                    let c = chars.get(i).map_or(' ', |&(_, c)| c);
                    match (c.is_ascii_alphanumeric(), run_start) {
                        (true, None) => run_start = Some(i),
                        (false, Some(s)) => {
                            let subword =
                                (2..=4).contains(&(i - s)) && self.jieba.has_word(piece(s, i));
                            if !subword {
                                emit(s, i, TokenKind::Subword);
                            }
                            run_start = None;
                        }
                        _ => {}
                    }
                }
            }
            // Characters of a longer word; a one-character word is already one.
            if n > 1 {
                for (i, &(_, c)) in chars.iter().enumerate() {
                    if is_han(c) {
                        emit(i, i + 1, TokenKind::Char);
                    }
                }
            }
        }
        let across = self.across.find(text, &starts);
        if across.is_empty() {
            return;
        }
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        for (first, n) in across {
            let (offset_from, offset_to) = normalized.original_char_range(first, first + n);
            out.push(Span {
                from: bytes[first],
                to: bytes[first + n],
                offset_from,
                offset_to: offset_to.max(offset_from),
                position: first,
                kind: TokenKind::Subword,
            });
        }
        // Each term's positions must increase through the stream.
        out[emitted..].sort_by_key(|span| span.position);
    }
}

/// The domain words of the user dictionary, as written there.
fn domain_words() -> impl Iterator<Item = &'static str> {
    USER_DICT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
}

/// A token as a span of normalized text (see [`Analyzer::spans`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    /// Byte range in the normalized text.
    pub from: usize,
    pub to: usize,
    /// Byte range in the original text.
    pub offset_from: usize,
    pub offset_to: usize,
    pub position: usize,
    pub kind: TokenKind,
}

impl Span {
    fn token(&self, normalized: &Normalized) -> Token {
        Token {
            text: normalized.as_str()[self.from..self.to].to_string(),
            offset_from: self.offset_from,
            offset_to: self.offset_to,
            position: self.position,
            kind: self.kind,
        }
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

/// FNV-1a over several byte strings: a stable hash for the fingerprint
/// (std's hasher may change between Rust releases).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests;
