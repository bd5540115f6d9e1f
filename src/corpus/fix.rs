//! Fix cards: the canonical fix for one problem, with a fixed structure.
//!
//! The body uses four headings, parsed into fields: `## 含义` (summary),
//! `## 可能原因` (a list of causes), `## 解决步骤` (an ordered list of steps,
//! required) and `## 仍未解决` (when and how to escalate).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::markdown::{self, BlockKind};
use super::{Category, clean_list, front_matter};
use crate::{Error, Result};

const SUMMARY: &str = "含义";
const CAUSES: &str = "可能原因";
const STEPS: &str = "解决步骤";
const ESCALATION: &str = "仍未解决";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixMeta {
    id: String,
    title: String,
    category: Option<Category>,
    #[serde(default)]
    brands: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    symptoms: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    source: Option<String>,
    updated: Option<String>,
}

/// A canonical fix: what a problem means, its causes, the ordered steps and
/// when to escalate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FixCard {
    pub id: String,
    pub title: String,
    pub category: Option<Category>,
    pub brands: Vec<String>,
    /// What the terminal shows, as written there (`51`, `A0`).
    pub codes: Vec<String>,
    pub tags: Vec<String>,
    /// Phrases people use for the problem.
    pub symptoms: Vec<String>,
    /// Ids of the articles the card is drawn from.
    pub related: Vec<String>,
    pub source: Option<String>,
    pub updated: Option<String>,
    pub summary: String,
    pub causes: Vec<String>,
    pub steps: Vec<String>,
    pub escalation: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub path: PathBuf,
    #[serde(skip)]
    #[schema(ignore)]
    related_line: usize,
}

/// Parses one fix card file.
pub fn parse_fix(path: &Path, text: &str) -> Result<FixCard> {
    let split = front_matter::split(path, text)?;
    let meta: FixMeta = front_matter::parse(path, &split)?;
    front_matter::check_id(path, front_matter::key_line(&split, "id"), &meta.id)?;
    let body_line = split.yaml_line + split.yaml.lines().count() + 1;
    let mut card = FixCard {
        id: meta.id,
        title: meta.title.trim().to_string(),
        category: meta.category,
        brands: clean_list(meta.brands),
        codes: clean_list(meta.codes)
            .into_iter()
            .map(|c| c.to_uppercase())
            .collect(),
        tags: clean_list(meta.tags),
        symptoms: clean_list(meta.symptoms),
        related: clean_list(meta.related),
        source: meta.source,
        updated: meta.updated,
        summary: String::new(),
        causes: Vec::new(),
        steps: Vec::new(),
        escalation: String::new(),
        path: path.to_path_buf(),
        related_line: front_matter::key_line(&split, "related"),
    };
    if card.title.is_empty() {
        return Err(Error::corpus(
            path,
            front_matter::key_line(&split, "title"),
            "title is empty",
        ));
    }
    let mut current: Option<&str> = None;
    let mut seen_steps = false;
    for block in markdown::blocks(split.body, body_line) {
        match block.kind {
            BlockKind::Heading(1) => {}
            BlockKind::Heading(_) => {
                let name = [SUMMARY, CAUSES, STEPS, ESCALATION]
                    .into_iter()
                    .find(|h| *h == block.text)
                    .ok_or_else(|| {
                        Error::corpus(
                            path,
                            block.line,
                            format!(
                                "unknown heading `{}` (a fix card has {SUMMARY}, {CAUSES}, {STEPS}, {ESCALATION})",
                                block.text
                            ),
                        )
                    })?;
                seen_steps |= name == STEPS;
                current = Some(name);
            }
            BlockKind::Item { .. } | BlockKind::Paragraph => {
                let is_item = matches!(block.kind, BlockKind::Item { .. });
                match current {
                    Some(STEPS) if is_item => {
                        if block.text.is_empty() {
                            return Err(Error::corpus(
                                path,
                                block.line,
                                format!("step {} is empty", card.steps.len() + 1),
                            ));
                        }
                        card.steps.push(block.text);
                    }
                    Some(CAUSES) if !block.text.is_empty() => card.causes.push(block.text),
                    Some(SUMMARY) => append_paragraph(&mut card.summary, &block.text),
                    Some(ESCALATION) => append_paragraph(&mut card.escalation, &block.text),
                    Some(STEPS) => {
                        return Err(Error::corpus(
                            path,
                            block.line,
                            format!("{STEPS} must be an ordered list (1. 2. 3.)"),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
    if !seen_steps || card.steps.is_empty() {
        return Err(Error::corpus(
            path,
            body_line,
            format!("a fix card needs a `## {STEPS}` section with at least one step"),
        ));
    }
    Ok(card)
}

fn append_paragraph(field: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !field.is_empty() {
        field.push('\n');
    }
    field.push_str(text);
}

impl FixCard {
    /// The texts the card quotes in its meaning, causes and escalation
    /// (`屏幕显示“交易失败，请联系发卡行”`): what the terminal shows, an old
    /// wording of the code. Steps are not read: they quote menu items and
    /// actions. A quote left open ends where the next one does.
    pub fn quoted(&self) -> Vec<&str> {
        let body = [self.summary.as_str(), &self.escalation];
        let causes = self.causes.iter().map(String::as_str);
        let mut quoted = Vec::new();
        for text in body.into_iter().chain(causes) {
            let mut at = 0;
            while let Some(open) = text[at..].find('“').map(|k| at + k) {
                let start = open + '“'.len_utf8();
                let Some(close) = text[start..].find('”').map(|k| start + k) else {
                    break;
                };
                // `提示“A，再选“B”`: the open quote nearest B is B's.
                let start = text[start..close]
                    .rfind('“')
                    .map_or(start, |k| start + k + '“'.len_utf8());
                let quote = text[start..close].trim();
                if !quote.is_empty() {
                    quoted.push(quote);
                }
                at = close + '”'.len_utf8();
            }
        }
        quoted
    }

    /// Fails unless every `related` id names an article (`exists`).
    pub fn check_related(&self, exists: impl Fn(&str) -> bool) -> Result<()> {
        match self.related.iter().find(|id| !exists(id)) {
            Some(id) => Err(Error::corpus(
                &self.path,
                self.related_line,
                format!("related article `{id}` does not exist"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "---\nid: rc-51\ntitle: 余额不足\ncodes: [\"51\", \"a0\"]\nsymptoms: [余额不足]\n---\n\n## 含义\n\n卡里的钱不够。\n\n## 可能原因\n\n- 余额不足\n- 额度用完\n\n## 解决步骤\n\n1. 换卡\n2. 减少金额\n\n## 仍未解决\n\n联系发卡行。\n";

    fn error(text: &str) -> (usize, String) {
        match parse_fix(Path::new("f.md"), text) {
            Err(Error::Corpus { line, message, .. }) => (line, message),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn headings_become_fields() {
        let card = parse_fix(Path::new("f.md"), CARD).unwrap();
        assert_eq!(card.summary, "卡里的钱不够。");
        assert_eq!(card.causes, ["余额不足", "额度用完"]);
        assert_eq!(card.steps, ["换卡", "减少金额"]);
        assert_eq!(card.escalation, "联系发卡行。");
        assert_eq!(card.codes, ["51", "A0"]);
    }

    #[test]
    fn quoted_texts_are_found_in_the_body_but_not_the_steps() {
        let text = CARD
            .replace(
                "卡里的钱不够。",
                "卡里的钱不够。屏幕显示“余额不足”或“资金不足”。",
            )
            .replace("- 额度用完", "- 额度用完，提示“超“额度”，“未闭合")
            .replace("2. 减少金额", "2. 选“撤销”后重刷");
        let card = parse_fix(Path::new("f.md"), &text).unwrap();
        assert_eq!(card.quoted(), ["余额不足", "资金不足", "额度"]);
    }

    #[test]
    fn a_card_without_steps_fails() {
        let text = CARD.replace("## 解决步骤\n\n1. 换卡\n2. 减少金额\n", "");
        assert!(error(&text).1.contains("解决步骤"));
    }

    #[test]
    fn an_empty_step_names_its_line() {
        let text = CARD.replace("2. 减少金额", "2.");
        let (line, message) = error(&text);
        assert_eq!(line, 20, "{message}");
        assert!(message.contains("step 2"), "{message}");
    }

    #[test]
    fn an_unknown_heading_fails() {
        let text = CARD.replace("## 仍未解决", "## 仍然未解决");
        assert!(error(&text).1.contains("仍然未解决"));
    }

    #[test]
    fn related_ids_must_exist() {
        let text = CARD.replace("symptoms:", "related: [nope]\nsymptoms:");
        let card = parse_fix(Path::new("f.md"), &text).unwrap();
        let err = card.check_related(|_| false).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        assert!(err.to_string().starts_with("f.md:5:"), "{err}");
    }
}
