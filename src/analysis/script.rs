//! Traditional Chinese to simplified, by phrase: OpenCC's tables, through
//! `ferrous-opencc` (Apache-2.0).
//!
//! Text is converted a clause at a time (a run between punctuation and
//! spaces). A clause written in traditional characters, or in characters
//! common to both scripts, goes through the Taiwan table with its
//! vocabulary (`網路` and `列印` become `网络` and `打印`, `訊號` `信号`,
//! `軟體` `软件`, `螢幕` `屏幕`, `資訊` `信息`). A clause with any
//! simplified-only character is simplified text that may quote a
//! traditional word: it is converted character by character and by
//! OpenCC's script phrases only, which leave simplified text as it is
//! (the Taiwan table would not: it reads a simplified `么` as a variant).
//! Clauses without a traditional character or a Taiwan word pass through
//! unchanged, which is nearly all of a simplified corpus.

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// One bit per Basic Multilingual Plane character.
struct CharSet(Vec<u64>);

impl CharSet {
    /// The characters that `convert` changes when it sees them alone.
    fn changed_by(convert: &OpenCC) -> CharSet {
        let all: String = ('\u{80}'..='\u{FFFF}').flat_map(|c| [c, '\n']).collect();
        let mut bits = vec![0u64; 0x10000 / 64];
        for (c, _) in all
            .chars()
            .zip(convert.convert(&all).chars())
            .filter(|(c, s)| c != s)
        {
            bits[c as usize / 64] |= 1 << (c as usize % 64);
        }
        CharSet(bits)
    }

    fn contains(&self, c: char) -> bool {
        let c = c as usize;
        c < 0x10000 && self.0[c / 64] & (1 << (c % 64)) != 0
    }
}

/// The converters and the character classes that choose between them.
pub struct Script {
    /// Taiwan standard to simplified, with Taiwan vocabulary.
    taiwan: OpenCC,
    /// Traditional to simplified, script only.
    plain: OpenCC,
    traditional: CharSet,
    simplified_only: CharSet,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Script")
    }
}

/// Whether `c` separates clauses.
fn separates(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || ('\u{3000}'..='\u{303F}').contains(&c)
        || ('\u{FF00}'..='\u{FF0F}').contains(&c)
}

/// Which table a clause goes through.
#[derive(Debug, PartialEq, Eq)]
enum Table {
    Taiwan,
    Plain,
}

impl Script {
    /// Loads OpenCC's built-in tables (embedded in the binary).
    pub fn new() -> Script {
        // The configurations and dictionaries are compiled into the crate;
        // loading them fails only if the crate is broken.
        let load = |config| OpenCC::from_config(config).expect("OpenCC's built-in tables load");
        let plain = load(BuiltinConfig::T2s);
        let to_traditional = load(BuiltinConfig::S2t);
        Script {
            taiwan: load(BuiltinConfig::Tw2sp),
            traditional: CharSet::changed_by(&plain),
            simplified_only: CharSet::changed_by(&to_traditional),
            plain,
        }
    }

    /// Converts `chars` in place, clause by clause. Each converted
    /// character keeps the original bytes of the character it replaces;
    /// when a clause's conversion changes its length, every character of
    /// the result spans the whole clause.
    pub fn convert(&self, chars: &mut Vec<(char, usize, usize)>) {
        let mut out: Vec<(char, usize, usize)> = Vec::with_capacity(chars.len());
        let mut start = 0;
        while start < chars.len() {
            let end = (start..chars.len())
                .find(|&i| separates(chars[i].0))
                .unwrap_or(chars.len());
            self.convert_clause(&chars[start..end], &mut out);
            if end < chars.len() {
                out.push(chars[end]);
            }
            start = end + 1;
        }
        *chars = out;
    }

    fn table(&self, clause: &[(char, usize, usize)]) -> Option<Table> {
        if clause.iter().any(|c| self.simplified_only.contains(c.0)) {
            let traditional = clause.iter().any(|c| self.traditional.contains(c.0));
            return traditional.then_some(Table::Plain);
        }
        // Only characters both scripts share, or traditional ones: a
        // Taiwan word such as 列印 may be among them.
        clause
            .iter()
            .any(|c| super::is_han(c.0))
            .then_some(Table::Taiwan)
    }

    fn convert_clause(&self, clause: &[(char, usize, usize)], out: &mut Vec<(char, usize, usize)>) {
        let Some(table) = self.table(clause) else {
            out.extend_from_slice(clause);
            return;
        };
        let text: String = clause.iter().map(|c| c.0).collect();
        let converted = match table {
            Table::Taiwan => self.taiwan.convert(&text),
            Table::Plain => self.plain.convert(&text),
        };
        if converted.chars().count() == clause.len() {
            out.extend(
                converted
                    .chars()
                    .zip(clause)
                    .map(|(c, &(_, from, to))| (c, from, to)),
            );
        } else {
            let (from, to) = (clause[0].1, clause[clause.len() - 1].2);
            out.extend(converted.chars().map(|c| (c, from, to)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str) -> String {
        let mut chars: Vec<(char, usize, usize)> = text
            .char_indices()
            .map(|(i, c)| (c, i, i + c.len_utf8()))
            .collect();
        Script::new().convert(&mut chars);
        chars.iter().map(|c| c.0).collect()
    }

    #[test]
    fn taiwan_words_become_mainland_words() {
        assert_eq!(convert("網路"), "网络");
        assert_eq!(convert("列印"), "打印");
        assert_eq!(convert("POS機怎麼列印"), "POS机怎么打印");
        assert_eq!(convert("刷卡機沒有訊號"), "刷卡机没有信号");
        assert_eq!(convert("軟體 螢幕 資訊"), "软件 屏幕 信息");
    }

    #[test]
    fn simplified_text_is_left_as_it_is() {
        for text in ["签到失败怎么办？", "当前批次号", "机器怎么用", "简体不变"]
        {
            assert_eq!(convert(text), text);
        }
    }

    #[test]
    fn a_traditional_word_in_simplified_text_converts_by_script() {
        assert_eq!(convert("机器怎么用，終端未登記"), "机器怎么用，终端未登记");
        assert_eq!(convert("这台機器怎么用"), "这台机器怎么用");
    }
}
