//! Line-level cleaning of imported text: the obfuscation repairs
//! (`刷ka卡` → `刷卡`, tallied in the [`Report`]), ASCII punctuation widened
//! to full width next to Chinese text, the fingerprint that identifies a
//! repeated line, and the removal of a table of contents that repeats the
//! numbered headings below it.

use super::structure::patterns;
use super::{Report, Rules};
use crate::analysis::{fold_char, is_han};

/// Applies the obfuscation repairs (case-insensitively) and tallies them.
pub(super) fn repair(line: &str, rules: &Rules, report: &mut Report) -> String {
    let mut line = line.to_string();
    for (re, rule) in &rules.repairs {
        if !re.is_match(&line) {
            continue;
        }
        let key = format!("{} → {}", rule.from, rule.to);
        let replaced = re.replace_all(&line, |caps: &regex::Captures| {
            report
                .repaired
                .entry(key.clone())
                .or_default()
                .add(&caps[0]);
            format!(
                "{}{}",
                rule.to,
                caps.name("next").map_or("", |m| m.as_str())
            )
        });
        line = replaced.into_owned();
    }
    line
}

/// ASCII punctuation next to Chinese text becomes its full-width form
/// (`异常?` → `异常？`, `原因:` → `原因：`), as Chinese typesetting writes it.
pub fn widen_punctuation(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let chinese = |c: Option<&char>| {
        c.is_some_and(|&c| {
            is_han(c)
                || ('\u{3000}'..='\u{303F}').contains(&c)
                || ('\u{FF00}'..='\u{FFEF}').contains(&c)
                || "“”‘’".contains(c)
        })
    };
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        let wide = match c {
            ',' => '，',
            '?' => '？',
            ':' => '：',
            ';' => '；',
            '!' => '！',
            '(' => '（',
            ')' => '）',
            _ => {
                out.push(c);
                continue;
            }
        };
        let before = i.checked_sub(1).and_then(|k| chars.get(k));
        let next_is_chinese = chinese(chars.get(i + 1));
        let near_chinese = match c {
            '(' => next_is_chinese,
            ')' => chinese(before),
            _ => {
                chinese(before)
                    || (next_is_chinese && !before.is_some_and(|b| b.is_ascii_alphanumeric()))
            }
        };
        out.push(if near_chinese { wide } else { c });
    }
    out
}

/// A line's identity for duplicate detection: folded, without punctuation.
pub(super) fn fingerprint(line: &str) -> String {
    line.chars()
        .filter(|c| c.is_alphanumeric())
        .map(fold_char)
        .collect()
}

/// A table of contents repeats the headings that follow it: a short
/// numbered line whose text appears again later is dropped.
pub(super) fn drop_table_of_contents(lines: &mut Vec<String>, report: &mut Report) {
    let numbered = &patterns().numbered;
    let mut i = 0;
    while i < lines.len() {
        let entry = numbered.captures(&lines[i]).map(|c| c[1].to_string());
        let repeated = entry.is_some_and(|e| {
            lines[i + 1..]
                .iter()
                .any(|l| strip_numbering(l) == e && *l != lines[i])
        });
        if repeated {
            let line = lines.remove(i);
            report
                .removed
                .entry("table of contents".into())
                .or_default()
                .add(&line);
        } else {
            i += 1;
        }
    }
}

/// A line without a leading `一、`, `1.` or `（一）` marker.
fn strip_numbering(line: &str) -> &str {
    patterns()
        .numbering
        .find(line)
        .map_or(line, |m| &line[m.end()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::import::tests::run;

    #[test]
    fn obfuscations_are_repaired_case_insensitively() {
        let (md, report) =
            run("标题\n\n请刷ka卡，带身份zheng证和身份XI信息，查证shu书，非常后重启。非常后悔。\n");
        assert!(
            md.contains("请刷卡，带身份证和身份信息，查证书，最后重启。非常后悔。"),
            "{md}"
        );
        assert_eq!(report.repaired["非常后 → 最后"].count, 1);
    }

    #[test]
    fn punctuation_next_to_chinese_is_full_width() {
        assert_eq!(
            widen_punctuation("异常?原因:网络,或者(如断网)"),
            "异常？原因：网络，或者（如断网）"
        );
        assert_eq!(
            widen_punctuation("A0: MAC error, retry (now)"),
            "A0: MAC error, retry (now)"
        );
        assert_eq!(
            widen_punctuation("费率0.6%,很低"),
            "费率0.6%,很低".replace(",", "，")
        );
    }
}
