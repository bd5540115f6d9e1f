//! `posfaq import`: raw scraped article text to a clean Markdown article.
//!
//! Scraped FAQ pages carry ads, phone numbers, promotional domains, link
//! farms at the end and words spelled oddly to dodge filters (`刷ka卡`). The
//! rules for all of that are data (`import_rules.tsv` here and the analyzer's
//! `repairs.tsv`), not code. Structure is recovered from the text's own
//! conventions: `一、` and short unpunctuated lines are headings, `（一）` and
//! short `1、` lines subheadings, `问:`/`Q1:` questions, `1、`, `(1)` and
//! `a.` list items. Every import returns a [`Report`] for an editor to review.

use std::collections::{BTreeMap, HashSet};

use regex::{Regex, RegexBuilder};
use serde::Serialize;

use crate::analysis::{Repair, fold_char, is_han};

const RULES: &str = include_str!("import_rules.tsv");

/// The compiled import rules.
pub struct Rules {
    tail: Vec<Regex>,
    drop: Vec<Regex>,
    strip: Vec<Regex>,
    promo: Vec<Regex>,
    brands: Vec<String>,
    tags: Vec<String>,
    repairs: Vec<(Regex, Repair)>,
    url: Regex,
}

/// What one import found, removed and repaired.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub source: String,
    pub id: String,
    pub title: String,
    pub headings: usize,
    pub questions: usize,
    pub list_items: usize,
    pub paragraphs: usize,
    /// Kind of removal (`tail`, `spam line`, `url`, `phone`, `promo`,
    /// `duplicate`) to how many and a few examples.
    pub removed: BTreeMap<String, Tally>,
    /// `from → to` to how many and a few examples.
    pub repaired: BTreeMap<String, Tally>,
}

/// A count with up to three examples.
#[derive(Debug, Default, Serialize)]
pub struct Tally {
    pub count: usize,
    pub examples: Vec<String>,
}

impl Tally {
    fn add(&mut self, example: &str) {
        self.count += 1;
        if self.examples.len() < 3 {
            self.examples.push(example.chars().take(40).collect());
        }
    }
}

impl Rules {
    /// The built-in rules plus the analyzer's repairs.
    pub fn new(repairs: &[Repair]) -> Rules {
        let mut rules = Rules {
            tail: Vec::new(),
            drop: Vec::new(),
            strip: Vec::new(),
            promo: Vec::new(),
            brands: Vec::new(),
            tags: Vec::new(),
            repairs: Vec::new(),
            url: pattern(r"(?:https?://|www\.)|(?-u:\b)[a-z0-9-]+\.(?:com|cn|net|org)(?-u:\b)"),
        };
        for line in RULES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let Some((kind, value)) = line.split_once('\t') else {
                continue;
            };
            match kind {
                "tail" => rules.tail.push(pattern(value)),
                "drop" => rules.drop.push(pattern(value)),
                "strip" => rules.strip.push(pattern(value)),
                "promo" => rules.promo.push(pattern(value)),
                "brand" => rules.brands.push(value.to_string()),
                "tag" => rules.tags.push(value.to_string()),
                _ => {}
            }
        }
        for repair in repairs {
            let mut re = regex::escape(&repair.from);
            if !repair.not_before.is_empty() {
                // The regex crate has no look-ahead: match the next char (or
                // the end) too, and put it back when replacing.
                re = format!("{re}(?P<next>[^{}]|$)", regex::escape(&repair.not_before));
            }
            rules.repairs.push((pattern(&re), repair.clone()));
        }
        rules
    }
}

/// Compiles a rule; the rules are part of the binary and tested, so a bad
/// one is a bug.
fn pattern(re: &str) -> Regex {
    RegexBuilder::new(re)
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|e| panic!("import rule `{re}` is invalid: {e}"))
}

/// One recognized piece of the article.
enum Piece {
    Heading(u8, String),
    Question(String),
    Answer(String),
    Item { ordered: bool, text: String },
    Paragraph(String),
}

/// Converts raw article text to Markdown with front matter. `source` is the
/// file name recorded in the front matter, `id` the article id and `date`
/// the `updated` value.
pub fn import_text(
    raw: &str,
    source: &str,
    id: &str,
    date: &str,
    rules: &Rules,
) -> (String, Report) {
    let mut report = Report {
        source: source.to_string(),
        id: id.to_string(),
        ..Report::default()
    };
    // Control characters have no place in an article (and none in YAML).
    let raw: String = raw
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect();
    let mut lines: Vec<String> = raw
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()).to_string())
        .filter(|l| !l.is_empty())
        .collect();
    // An article needs a title: without a usable first line, the id stands in.
    let title = lines
        .first()
        .map(|t| repair(t, rules, &mut report))
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .unwrap_or_else(|| id.to_string());
    report.title = title.clone();
    if !lines.is_empty() {
        lines.remove(0);
    }
    if let Some(at) = lines
        .iter()
        .position(|l| rules.tail.iter().any(|r| r.is_match(l)))
    {
        let tally = report.removed.entry("tail".into()).or_default();
        for line in lines.drain(at..) {
            tally.add(&line);
        }
    }

    let mut seen: HashSet<String> = HashSet::from([fingerprint(&title)]);
    let mut kept: Vec<String> = Vec::new();
    for line in lines {
        let line = repair(&line, rules, &mut report);
        if rules.drop.iter().any(|r| r.is_match(&line)) {
            report
                .removed
                .entry("spam line".into())
                .or_default()
                .add(&line);
            continue;
        }
        if rules.url.is_match(&line) && rules.promo.iter().any(|r| r.is_match(&line)) {
            report.removed.entry("promo".into()).or_default().add(&line);
            continue;
        }
        let mut line = line;
        for rule in &rules.strip {
            for found in rule.find_iter(&line.clone()) {
                let text = found.as_str();
                let kind = if text
                    .chars()
                    .all(|c| c.is_ascii_digit() || "-+ ".contains(c))
                {
                    "phone"
                } else if text.contains('.') {
                    "url"
                } else {
                    "seo text"
                };
                report
                    .removed
                    .entry(kind.into())
                    .or_default()
                    .add(found.as_str());
            }
            line = rule.replace_all(&line, "").into_owned();
        }
        let line = widen_punctuation(
            line.trim_start_matches(|c: char| "。，,；;、".contains(c) || c.is_whitespace())
                .trim(),
        );
        if line.chars().count() < 2 {
            continue;
        }
        let key = fingerprint(&line);
        if line.chars().count() >= 6 && !seen.insert(key) {
            report
                .removed
                .entry("duplicate".into())
                .or_default()
                .add(&line);
            continue;
        }
        kept.push(line);
    }
    drop_table_of_contents(&mut kept, &mut report);

    let pieces: Vec<Piece> = kept
        .iter()
        .enumerate()
        .map(|(i, line)| classify(line, kept.get(i + 1)))
        .collect();
    let body = render(&title, &pieces, &mut report);
    let front = front_matter(id, &title, &body, source, date, rules);
    (format!("{front}\n{body}"), report)
}

/// Applies the obfuscation repairs (case-insensitively) and tallies them.
fn repair(line: &str, rules: &Rules, report: &mut Report) -> String {
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
fn fingerprint(line: &str) -> String {
    line.chars()
        .filter(|c| c.is_alphanumeric())
        .map(fold_char)
        .collect()
}

/// The structure patterns, compiled once.
struct Patterns {
    numbered: Regex,
    numbering: Regex,
    chinese_number: Regex,
    chinese_paren: Regex,
    question: Regex,
    answer: Regex,
    paren_number: Regex,
    bullet: Regex,
    code: Regex,
}

fn patterns() -> &'static Patterns {
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

/// A table of contents repeats the headings that follow it: a short
/// numbered line whose text appears again later is dropped.
fn drop_table_of_contents(lines: &mut Vec<String>, report: &mut Report) {
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

fn has_sentence_punctuation(text: &str) -> bool {
    text.contains(|c: char| "。，,；;！!？?".contains(c))
}

fn classify(line: &str, next: Option<&String>) -> Piece {
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

fn render(title: &str, pieces: &[Piece], report: &mut Report) -> String {
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

fn front_matter(
    id: &str,
    title: &str,
    body: &str,
    source: &str,
    date: &str,
    rules: &Rules,
) -> String {
    let category = guess_category(title);
    let brands: Vec<&String> = rules
        .brands
        .iter()
        .filter(|b| body.contains(b.as_str()))
        .collect();
    let tags: Vec<&String> = rules
        .tags
        .iter()
        .filter(|t| title.contains(t.as_str()))
        .collect();
    let code = &patterns().code;
    let mut codes: Vec<String> = code
        .captures_iter(title)
        .map(|c| c[1].to_string())
        .collect();
    codes.dedup();
    format!(
        "---\nid: {id}\ntitle: {}\ncategory: {category}\nbrands: {}\ncodes: {}\ntags: {}\nsource: {}\nupdated: {date}\n---\n",
        yaml_string(title),
        yaml_list(brands.iter().map(|s| s.as_str())),
        yaml_list(codes.iter().map(String::as_str)),
        yaml_list(tags.iter().map(|s| s.as_str())),
        yaml_string(source),
    )
}

fn guess_category(title: &str) -> &'static str {
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    if has(&[
        "无效",
        "未登记",
        "异常",
        "停止使用",
        "无法",
        "失败",
        "死机",
        "故障",
    ]) {
        "status-error"
    } else if has(&["手续费", "费率"]) {
        "fees"
    } else if has(&["办理", "申请", "激活", "领取"]) {
        "application"
    } else {
        "usage"
    }
}

/// A YAML double-quoted string; characters YAML cannot hold as they are
/// (controls, U+FFFE, U+FFFF) are escaped.
pub fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(yaml_string).collect();
    format!("[{}]", items.join(", "))
}

/// An article id from a file name: lowercase ASCII letters, digits and `-`.
pub fn id_from_file_name(stem: &str) -> String {
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        "article".to_string()
    } else {
        id
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's method).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    fn run(raw: &str) -> (String, Report) {
        let rules = Rules::new(Analyzer::shared().repairs());
        import_text(raw, "x.txt", "x", "2026-11-22", &rules)
    }

    proptest::proptest! {
        #[test]
        fn any_text_imports_to_a_valid_article(raw in "(\\PC|\n|问:|一、|1、|http://a.cn|---|\\*|#){0,40}") {
            let (markdown, report) = run(&raw);
            let parsed = crate::corpus::parse_article(std::path::Path::new("x.md"), &markdown);
            let article = parsed.map_err(|e| {
                proptest::test_runner::TestCaseError::fail(format!("{e}\n{markdown}"))
            })?;
            // The article is the one imported: its id, and the title the
            // report names.
            proptest::prop_assert_eq!(&article.id, "x");
            proptest::prop_assert_eq!(&article.title, &report.title, "{}", markdown);
        }
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_779), "2026-11-22");
    }

    #[test]
    fn ids_come_from_file_names() {
        assert_eq!(id_from_file_name("003_1E0cf13f"), "003-1e0cf13f");
        assert_eq!(id_from_file_name("拉卡拉"), "article");
    }

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

    #[test]
    fn spam_is_removed_and_counted() {
        let raw = "标题\n\n正文，拉卡拉POS机办理网lftpos.cn可以申请。\n详见abcpos.cn了解。\n办理电话:185-8483-9115,快来\n个人官网,https://www.mepos.cn#pos机,点击网址进入申请页面\n相关文章\n广告一\n广告二\n";
        let (md, report) = run(raw);
        for spam in ["lftpos", "abcpos", "185", "mepos", "广告"] {
            assert!(!md.contains(spam), "{spam} left in {md}");
        }
        assert_eq!(report.removed["tail"].count, 3);
        assert!(report.removed.contains_key("url"));
    }

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

    #[test]
    fn duplicate_paragraphs_are_dropped() {
        let (md, report) =
            run("标题很长的文章\n\n这是一段重复的话。\n这是一段重复的话。\n标题很长的文章\n");
        assert_eq!(md.matches("这是一段重复的话").count(), 1);
        assert_eq!(report.removed["duplicate"].count, 2);
    }
}
