//! The structure of an imported article, recovered from the text's own
//! conventions: each cleaned line becomes a [`Piece`] (a `一、` heading, a
//! `（一）` or short `1、` subheading, a short unpunctuated line as a heading,
//! a `问:`/`Q1:` question and its answer, a `1、`, `(1)`, `a.` or `-` list
//! item, or a paragraph), and the pieces are rendered as Markdown with
//! markup characters escaped. The patterns are compiled once and shared with
//! the cleaning and front matter steps.

use regex::Regex;

use super::Report;

/// One recognized piece of the article.
pub(super) enum Piece {
    Heading(u8, String),
    Question(String),
    Answer(String),
    Item { ordered: bool, text: String },
    Paragraph(String),
}

/// The structure patterns, compiled once.
pub(super) struct Patterns {
    pub(super) numbered: Regex,
    pub(super) numbering: Regex,
    pub(super) chinese_number: Regex,
    pub(super) chinese_paren: Regex,
    pub(super) question: Regex,
    pub(super) answer: Regex,
    pub(super) paren_number: Regex,
    pub(super) bullet: Regex,
    pub(super) code: Regex,
}

pub(super) fn patterns() -> &'static Patterns {
    static PATTERNS: std::sync::OnceLock<Patterns> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("valid regex");
        Patterns {
            numbered: re(r"^\d+[.．、]\s*(.+)$"),
            numbering: re(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）])\s*"),
            chinese_number: re(r"^[一二三四五六七八九十]+[、.．]\s*(.+)$"),
            chinese_paren: re(r"^[（(][一二三四五六七八九十]+[)）]\s*(.+)$"),
            question: re(r"^(?:问|Q\d*)[:：]\s*(.+)$"),
            answer: re(r"^(?:答|A\d*)[:：]\s*(.+)$"),
            paren_number: re(r"^[（(]\d+[)）]\s*(.+)$"),
            bullet: re(r"^(?:[a-z][.．、]|[-•·])\s*(.+)$"),
            code: re(r"(?:^|[^0-9A-Za-z])([0-9]{2}|[A-Z][0-9])(?:[^0-9A-Za-z]|$)"),
        }
    })
}

fn has_sentence_punctuation(text: &str) -> bool {
    text.contains(|c: char| "。，,；;！!？?".contains(c))
}

pub(super) fn classify(line: &str, next: Option<&String>) -> Piece {
    let p = patterns();
    let caps = |re: &Regex| re.captures(line).map(|c| c[1].trim().to_string());
    if let Some(text) = caps(&p.chinese_number) {
        return Piece::Heading(2, text);
    }
    if let Some(text) = caps(&p.chinese_paren) {
        return Piece::Heading(3, text);
    }
    if let Some(text) = caps(&p.question) {
        return Piece::Question(text);
    }
    if let Some(text) = caps(&p.answer) {
        return Piece::Answer(text);
    }
    if let Some(text) = caps(&p.numbered) {
        let label = text.trim_end_matches([':', '：']);
        if label.chars().count() <= 20 && !has_sentence_punctuation(label) {
            return Piece::Heading(3, label.to_string());
        }
        return Piece::Item {
            ordered: true,
            text,
        };
    }
    if let Some(text) = caps(&p.paren_number) {
        return Piece::Item {
            ordered: true,
            text,
        };
    }
    if let Some(text) = caps(&p.bullet) {
        return Piece::Item {
            ordered: false,
            text,
        };
    }
    let short = line.chars().count() <= 24
        && !has_sentence_punctuation(line)
        && !line.ends_with(['：', ':']);
    if short && next.is_some() {
        return Piece::Heading(2, line.to_string());
    }
    Piece::Paragraph(line.to_string())
}

pub(super) fn render(title: &str, pieces: &[Piece], report: &mut Report) -> String {
    let mut out = format!("# {}\n", escape_markdown(title));
    let mut in_list: Option<bool> = None;
    let mut number = 0;
    for piece in pieces {
        let item = matches!(piece, Piece::Item { .. });
        if !item || in_list != item_kind(piece) {
            out.push('\n');
            number = 0;
        }
        in_list = item_kind(piece);
        match piece {
            Piece::Heading(level, text) => {
                report.headings += 1;
                out.push_str(&format!(
                    "{} {}\n",
                    "#".repeat(*level as usize),
                    escape_markdown(text)
                ));
            }
            Piece::Question(text) => {
                report.questions += 1;
                out.push_str(&format!("问：{}\n", escape_markdown(text)));
            }
            Piece::Answer(text) => out.push_str(&format!("答：{}\n", escape_markdown(text))),
            Piece::Item { ordered, text } => {
                report.list_items += 1;
                number += 1;
                let marker = if *ordered {
                    format!("{number}.")
                } else {
                    "-".to_string()
                };
                out.push_str(&format!("{marker} {}\n", escape_markdown(text)));
            }
            Piece::Paragraph(text) => {
                report.paragraphs += 1;
                out.push_str(&format!("{}\n", escape_markdown(text)));
            }
        }
    }
    out
}

fn item_kind(piece: &Piece) -> Option<bool> {
    match piece {
        Piece::Item { ordered, .. } => Some(*ordered),
        _ => None,
    }
}

/// Escapes what Markdown would otherwise read as markup or HTML.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_<>[]#|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::corpus::import::tests::run;

    #[test]
    fn structure_is_recovered() {
        let (md, report) = run(
            "标题\n\n一、原因分析\n（一）网络\n1、检查网络：先看信号强不强，再看网线。\n2、重启设备：关机后等十秒再开机。\n问:怎么办?\n答:联系客服。\n",
        );
        assert!(md.contains("\n## 原因分析\n"), "{md}");
        assert!(md.contains("\n### 网络\n"), "{md}");
        assert!(
            md.contains("\n1. 检查网络：先看信号强不强，再看网线。\n2. 重启设备"),
            "{md}"
        );
        assert!(md.contains("问：怎么办？\n"), "{md}");
        assert_eq!(
            (report.headings, report.questions, report.list_items),
            (2, 1, 2)
        );
    }
}
