//! `posfaq import`: raw scraped article text to a clean Markdown article.
//!
//! Scraped FAQ pages carry ads, phone numbers, promotional domains, link
//! farms at the end and words spelled oddly to dodge filters (`刷ka卡`). The
//! rules for all of that are data (`import_rules.tsv` here and the analyzer's
//! `repairs.tsv`), not code. Structure is recovered from the text's own
//! conventions: `一、` and short unpunctuated lines are headings, `（一）` and
//! short `1、` lines subheadings, `问:`/`Q1:` questions, `1、`, `(1)` and
//! `a.` list items. Every import returns a [`Report`] for an editor to review.
//!
//! [`import_text`] runs the steps in order: line cleaning (`clean`), then
//! structure recovery and Markdown (`structure`), then the YAML front matter
//! (`front_matter`).

mod clean;
mod front_matter;
mod structure;

use std::collections::{BTreeMap, HashMap};

use regex::{Regex, RegexBuilder};
use serde::Serialize;

use crate::analysis::Repair;
use clean::{drop_table_of_contents, fingerprint, repair};
use front_matter::front_matter;
use structure::{Piece, classify, render};

pub use clean::widen_punctuation;
pub use front_matter::{id_from_file_name, today, yaml_string};

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

    // Each line's fingerprint, and where in `kept` it is (`None`: the
    // title, or a heading kept over its table-of-contents entry).
    let mut seen: HashMap<String, Option<usize>> = HashMap::from([(fingerprint(&title), None)]);
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
        if line.chars().count() >= 6 {
            match seen.get(&key) {
                // A heading met again after a table of contents that listed
                // it as written: the entry goes, the heading stays.
                Some(&Some(at)) if structure::patterns().numbered.is_match(&kept[at]) => {
                    let entry = std::mem::take(&mut kept[at]);
                    report
                        .removed
                        .entry("table of contents".into())
                        .or_default()
                        .add(&entry);
                    // Met a third time, it is a duplicate.
                    seen.insert(key, None);
                    kept.push(line);
                    continue;
                }
                Some(_) => {
                    report
                        .removed
                        .entry("duplicate".into())
                        .or_default()
                        .add(&line);
                    continue;
                }
                None => {}
            }
            seen.insert(key, Some(kept.len()));
        }
        kept.push(line);
    }
    kept.retain(|line| !line.is_empty());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    /// Imports `raw` with the built-in rules, as `x.txt` on a fixed date.
    pub(super) fn run(raw: &str) -> (String, Report) {
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
    fn duplicate_paragraphs_are_dropped() {
        let (md, report) =
            run("标题很长的文章\n\n这是一段重复的话。\n这是一段重复的话。\n标题很长的文章\n");
        assert_eq!(md.matches("这是一段重复的话").count(), 1);
        assert_eq!(report.removed["duplicate"].count, 2);
    }

    #[test]
    fn a_table_of_contents_gives_way_to_the_headings_it_lists() {
        let raw = "标题\n\n本文目录:\n1、为什么提示请插卡\n2、读卡失败怎么办\n\n开头一段话。\n1、为什么提示请插卡\n芯片卡要插卡。\n2、读卡失败怎么办\n擦一擦芯片。\n2、读卡失败怎么办\n";
        let (md, report) = run(raw);
        let body = &md[md.find("# 标题").unwrap()..];
        let first = body.find("为什么提示请插卡").unwrap();
        assert!(first > body.find("开头一段话").unwrap(), "{md}");
        assert!(body.find("芯片卡要插卡").unwrap() > first, "{md}");
        assert_eq!(body.matches("读卡失败怎么办").count(), 1, "{md}");
        assert_eq!(report.removed["table of contents"].count, 2);
    }
}
