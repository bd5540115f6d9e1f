//! Normalization: full-width to half-width, lowercase, traditional to
//! simplified Chinese by phrase (`script`), and the obfuscation repairs of
//! `repairs.tsv`.
//!
//! Every normalized character remembers the byte range of the original text
//! it came from, so tokens found in the normalized text map back to exact,
//! char-aligned offsets in the original (what highlighting needs).

use super::script::Script;

/// Normalized text plus, for each of its characters, where it came from.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    text: String,
    chars: Vec<CharOrigin>,
}

/// Where one normalized character starts (in the normalized text) and which
/// original bytes produced it.
#[derive(Debug, Clone, Copy)]
struct CharOrigin {
    at: usize,
    from: usize,
    to: usize,
}

impl Normalized {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Number of characters in the normalized text.
    pub fn char_len(&self) -> usize {
        self.chars.len()
    }

    /// Index of the character starting at normalized byte `at`.
    pub fn char_index(&self, at: usize) -> usize {
        self.chars.partition_point(|c| c.at < at)
    }

    /// Maps the normalized byte range `from..to` back to the original text.
    pub fn original_range(&self, from: usize, to: usize) -> (usize, usize) {
        let first = self.char_index(from);
        let last = self.char_index(to).saturating_sub(1).max(first);
        match (self.chars.get(first), self.chars.get(last)) {
            (Some(a), Some(b)) => (a.from, b.to.max(a.from)),
            _ => (0, 0),
        }
    }

    /// Maps a range of normalized characters `first..end` to original bytes.
    pub fn original_char_range(&self, first: usize, end: usize) -> (usize, usize) {
        let a = self.chars[first];
        let b = self.chars[end - 1];
        (a.from, b.to)
    }
}

/// Folds one character: full-width forms to ASCII, ideographic space to a
/// space, and uppercase to lowercase where that stays one character.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // Ideographs have no case.
    if is_han(c) {
        return c;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// One obfuscation repair: `from` (normalized) becomes `to`.
#[derive(Debug, Clone)]
pub struct Repair {
    pub from: String,
    pub to: String,
    pub not_before: String,
    /// Whether the analyzer applies it too, or only the importer.
    pub in_analyzer: bool,
}

/// Parses `repairs.tsv` (see its header for the format).
pub fn parse_repairs(data: &str) -> Vec<Repair> {
    let mut rules: Vec<Repair> = data
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let from = cols.next()?.trim();
            let to = cols.next()?.trim();
            let scope = cols.next().unwrap_or("all").trim();
            let not_before = cols.next().unwrap_or("").trim();
            Some(Repair {
                from: from.chars().map(fold_char).collect(),
                to: to.to_string(),
                not_before: not_before.to_string(),
                in_analyzer: scope == "all",
            })
        })
        .collect();
    // Longest first, so `xi信息` wins over `xi息` where both could apply.
    rules.sort_by_key(|r| std::cmp::Reverse(r.from.chars().count()));
    rules
}

/// Folding, traditional-to-simplified conversion and the analyzer's
/// repairs, prepared once.
#[derive(Debug)]
pub struct Normalizer {
    /// The analyzer's rules, longest first, with what they replace as
    /// characters.
    rules: Vec<(Repair, Vec<char>)>,
    /// The characters some rule starts with.
    firsts: Vec<char>,
    script: Script,
}

impl Normalizer {
    pub fn new(repairs: &[Repair]) -> Normalizer {
        let rules: Vec<(Repair, Vec<char>)> = repairs
            .iter()
            .filter(|r| r.in_analyzer && !r.from.is_empty())
            .map(|r| (r.clone(), r.from.chars().collect()))
            .collect();
        let mut firsts: Vec<char> = rules.iter().map(|(_, from)| from[0]).collect();
        firsts.sort_unstable();
        firsts.dedup();
        Normalizer {
            rules,
            firsts,
            script: Script::new(),
        }
    }

    /// Normalizes `text`: folding, then traditional to simplified by phrase
    /// (`script`), then the repairs.
    pub fn normalize(&self, text: &str) -> Normalized {
        // Each character folded, with the original bytes it came from.
        let mut chars: Vec<(char, usize, usize)> = text
            .char_indices()
            .map(|(i, c)| (fold_char(c), i, i + c.len_utf8()))
            .collect();
        self.script.convert(&mut chars);
        let mut out = Normalized {
            text: String::with_capacity(text.len()),
            chars: Vec::with_capacity(chars.len()),
        };
        let mut i = 0;
        while i < chars.len() {
            let (c, from, to) = chars[i];
            let repaired = if self.firsts.contains(&c) {
                match_repair(&self.rules, &chars[i..])
            } else {
                None
            };
            let Some((rule, len)) = repaired else {
                out.push(c, from, to);
                i += 1;
                continue;
            };
            let to = chars[i + len - 1].2;
            let n = rule.to.chars().count();
            for (k, c) in rule.to.chars().enumerate() {
                // Spread the replacement over the replaced characters; the
                // last one reaches to the end so no original byte is lost.
                let (_, a, b) = chars[i + k.min(len - 1)];
                let b = if k + 1 == n { to } else { b };
                out.push(c, a.max(from), b);
            }
            i += len;
        }
        out
    }
}

/// The first rule (longest first) that `rest` starts with, and the number of
/// characters it replaces.
fn match_repair<'r>(
    rules: &'r [(Repair, Vec<char>)],
    rest: &[(char, usize, usize)],
) -> Option<(&'r Repair, usize)> {
    rules.iter().find_map(|(rule, from)| {
        let len = from.len();
        let matches = rest.len() >= len
            && rest.iter().zip(from).all(|(r, f)| r.0 == *f)
            && rest
                .get(len)
                .is_none_or(|next| !rule.not_before.contains(next.0));
        matches.then_some((rule, len))
    })
}

impl Normalized {
    fn push(&mut self, c: char, from: usize, to: usize) {
        self.chars.push(CharOrigin {
            at: self.text.len(),
            from,
            to,
        });
        self.text.push(c);
    }
}

/// Whether `c` is a CJK ideograph (the characters indexed one by one).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalize(text: &str) -> Normalized {
        Normalizer::new(&parse_repairs(include_str!("repairs.tsv"))).normalize(text)
    }

    #[test]
    fn folds_width_case_and_script() {
        let n = normalize("ＰＯＳ機 終端未登記 Ａ０");
        assert_eq!(n.as_str(), "pos机 终端未登记 a0");
    }

    #[test]
    fn repairs_map_back_to_the_whole_original_span() {
        let text = "刷KA卡和身份zheng证";
        let n = normalize(text);
        assert_eq!(n.as_str(), "刷卡和身份证");
        let at = n.as_str().find("刷卡").unwrap();
        let (a, b) = n.original_range(at, at + "刷卡".len());
        assert_eq!(&text[a..b], "刷KA卡");
        let at = n.as_str().find("身份证").unwrap();
        let (a, b) = n.original_range(at, at + "身份证".len());
        assert_eq!(&text[a..b], "身份zheng证");
    }

    #[test]
    fn traditional_characters_convert_alone_and_in_context() {
        assert_eq!(normalize("機器").as_str(), "机器");
        assert_eq!(normalize("看著").as_str(), "看着");
        assert_eq!(normalize("網路列印").as_str(), "网络打印");
        assert_eq!(normalize("简体不变").as_str(), "简体不变");
    }

    #[test]
    fn import_only_repairs_stay_out_of_the_analyzer() {
        assert_eq!(normalize("非常后尝试").as_str(), "非常后尝试");
    }
}
