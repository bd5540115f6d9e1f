//! Markdown to plain-text blocks (pulldown-cmark), then blocks to sections.
//!
//! Inline markup never adds spaces: `退**款**` is `退款`. A soft line break
//! inside Chinese text disappears; between Latin words it is a space. Raw
//! HTML is dropped: it is neither searchable text nor safe to echo.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::Section;
use crate::analysis::is_han;

/// What a block of Markdown is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    Heading(u8),
    Paragraph,
    Item { ordered: bool },
}

/// One block of Markdown as plain text, with its 1-based line in the file
/// and its byte offset in the body.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    pub line: usize,
    pub offset: usize,
}

/// Options used everywhere Markdown is parsed, so offsets agree.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Parses `body` (whose first line is line `first_line` of its file).
pub fn blocks(body: &str, first_line: usize) -> Vec<Block> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset) - 1;

    let mut out = Vec::new();
    let mut lists: Vec<bool> = Vec::new();
    // Open blocks: kind, text so far, start offset. Items nest.
    let mut open: Vec<(BlockKind, String, usize)> = Vec::new();
    // Offsets of items whose text a nested list already flushed.
    let mut flushed: Vec<usize> = Vec::new();
    let mut skip_depth = 0usize;
    // A soft break becomes a space only between two non-Chinese characters,
    // which is known once the next text arrives.
    let mut pending_break = false;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => open.push((
                BlockKind::Heading(level_number(level)),
                String::new(),
                range.start,
            )),
            Event::Start(Tag::Paragraph | Tag::CodeBlock(_) | Tag::TableRow | Tag::TableHead)
                if !matches!(open.last(), Some((BlockKind::Item { .. }, ..))) =>
            {
                open.push((BlockKind::Paragraph, String::new(), range.start));
            }
            Event::Start(Tag::List(start)) => {
                // A nested list ends the text of the item that holds it.
                if let Some((kind @ BlockKind::Item { .. }, text, offset)) = open.last_mut() {
                    push_block(
                        &mut out,
                        kind.clone(),
                        std::mem::take(text),
                        *offset,
                        &line_of,
                    );
                    flushed.push(*offset);
                }
                lists.push(start.is_some());
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => open.push((
                BlockKind::Item {
                    ordered: lists.last().copied().unwrap_or(false),
                },
                String::new(),
                range.start,
            )),
            Event::End(TagEnd::Heading(_) | TagEnd::Item) => {
                if let Some((kind, text, offset)) = open.pop() {
                    let already = flushed.last() == Some(&offset);
                    if already {
                        flushed.pop();
                    }
                    if !(already && text.trim().is_empty()) {
                        push_block(&mut out, kind, text, offset, &line_of);
                    }
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::TableRow | TagEnd::TableHead,
            ) => match open.last_mut() {
                Some((BlockKind::Item { .. }, text, _)) => text.push('\n'),
                _ => {
                    if let Some((kind, text, offset)) = open.pop() {
                        push_block(&mut out, kind, text, offset, &line_of);
                    }
                }
            },
            Event::End(TagEnd::TableCell) => append(&mut open, " "),
            Event::Start(Tag::Image { .. }) => skip_depth += 1,
            Event::End(TagEnd::Image) => skip_depth = skip_depth.saturating_sub(1),
            Event::Text(text) | Event::Code(text) if skip_depth == 0 => {
                if std::mem::take(&mut pending_break) {
                    let after_han = open
                        .last()
                        .and_then(|(_, t, _)| t.chars().last())
                        .is_some_and(is_han);
                    let before_han = text.chars().next().is_some_and(is_han);
                    if !after_han && !before_han {
                        append(&mut open, " ");
                    }
                }
                append(&mut open, &text);
            }
            Event::SoftBreak => pending_break = true,
            Event::HardBreak => append(&mut open, "\n"),
            _ => {}
        }
    }
    out
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn append(open: &mut [(BlockKind, String, usize)], text: &str) {
    if let Some((_, buffer, _)) = open.last_mut() {
        buffer.push_str(text);
    }
}

fn push_block(
    out: &mut Vec<Block>,
    kind: BlockKind,
    text: String,
    offset: usize,
    line_of: &impl Fn(usize) -> usize,
) {
    let text = text.trim().to_string();
    // Empty list items are kept: a fix card reports them as empty steps.
    if text.is_empty() && !matches!(kind, BlockKind::Item { .. }) {
        return;
    }
    out.push(Block {
        kind,
        text,
        line: line_of(offset),
        offset,
    });
}

/// A question (`问:`, `Q:`, `Q1:`) or answer (`答:`, `A:`, `A1:`) prefix.
fn strip_label(text: &str, chinese: char, latin: char) -> Option<&str> {
    let rest = text
        .strip_prefix(chinese)
        .or_else(|| text.strip_prefix(latin))?
        .trim_start_matches(|c: char| c.is_ascii_digit());
    rest.strip_prefix(':')
        .or_else(|| rest.strip_prefix('：'))
        .map(str::trim)
}

/// The question in a `问:`/`Q:` paragraph.
pub fn question(text: &str) -> Option<&str> {
    strip_label(text, '问', 'Q').filter(|q| !q.is_empty())
}

/// The answer in an `答:`/`A:` paragraph.
pub fn answer(text: &str) -> Option<&str> {
    strip_label(text, '答', 'A')
}

/// Where a section starts: the byte offset of its heading or question in
/// the body. The article renderer puts the section's anchor there.
pub fn section_starts(blocks: &[Block]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let leading_title = i == 0 && block.kind == BlockKind::Heading(1);
        let is_heading = matches!(block.kind, BlockKind::Heading(level) if level <= 3);
        let is_question = block.kind == BlockKind::Paragraph && question(&block.text).is_some();
        if (is_heading && !leading_title) || is_question {
            starts.push(block.offset);
        }
    }
    starts
}

/// Splits an article's blocks into sections: `##`/`###` headings start one,
/// a `问:`/`Q:` paragraph starts one titled by its question, and the text
/// before the first of those is an introduction titled by the article.
/// Anchors (`s-0` for the introduction, `s-N` for the N-th start) match the
/// ids that the article view puts on headings and questions.
pub fn sections(blocks: &[Block], title: &str) -> Vec<Section> {
    let starts = section_starts(blocks);
    let mut sections = vec![Section {
        title: title.to_string(),
        anchor: "s-0".to_string(),
        text: String::new(),
        line: blocks.first().map_or(1, |b| b.line),
    }];
    for (i, block) in blocks.iter().enumerate() {
        if i == 0 && block.kind == BlockKind::Heading(1) {
            continue;
        }
        if let Some(n) = starts.iter().position(|&s| s == block.offset) {
            let heading = question(&block.text).unwrap_or(&block.text);
            sections.push(Section {
                title: heading.to_string(),
                anchor: format!("s-{}", n + 1),
                text: String::new(),
                line: block.line,
            });
            continue;
        }
        let text = match block.kind {
            BlockKind::Paragraph => answer(&block.text).unwrap_or(&block.text),
            _ => &block.text,
        };
        let section = sections
            .last_mut()
            .expect("the introduction is always there");
        if !section.text.is_empty() {
            section.text.push('\n');
        }
        section.text.push_str(text);
    }
    sections.retain(|s| !s.text.is_empty());
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_adds_no_spaces() {
        let b = blocks("退**款**要*三*天，见`83`\n码。", 1);
        assert_eq!(b[0].text, "退款要三天，见83码。");
    }

    #[test]
    fn soft_breaks_vanish_in_chinese_but_separate_latin() {
        assert_eq!(blocks("刷卡\n失败", 1)[0].text, "刷卡失败");
        assert_eq!(blocks("POS\nterminal", 1)[0].text, "POS terminal");
    }

    #[test]
    fn raw_html_is_dropped() {
        let b = blocks("文字<script>alert(1)</script>结束\n\n<div>块</div>", 1);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].text, "文字alert(1)结束");
    }

    #[test]
    fn headings_and_questions_start_sections() {
        let body = "# 标题\n\n开头。\n\n## 原因\n\n网络问题。\n\n问：怎么办？\n\n答：重启。\n\nQ2: 还不行？\n\nA2: 联系客服。\n";
        let s = sections(&blocks(body, 5), "标题");
        let got: Vec<(&str, &str, &str)> = s
            .iter()
            .map(|s| (s.title.as_str(), s.anchor.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("标题", "s-0", "开头。"),
                ("原因", "s-1", "网络问题。"),
                ("怎么办？", "s-2", "重启。"),
                ("还不行？", "s-3", "联系客服。"),
            ]
        );
        assert_eq!(s[1].line, 9);
    }

    #[test]
    fn list_items_keep_their_order_and_kind() {
        let b = blocks("1. 第一步\n2. 第二步\n   - 细节\n3.\n", 1);
        let kinds: Vec<_> = b
            .iter()
            .map(|b| (b.kind.clone(), b.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Item { ordered: true }, "第一步"),
                (BlockKind::Item { ordered: true }, "第二步"),
                (BlockKind::Item { ordered: false }, "细节"),
                (BlockKind::Item { ordered: true }, ""),
            ]
        );
    }
}

/// Renders an article body as HTML for the article view: headings and
/// questions carry the ids their sections' anchors name (`s-N`), a leading
/// `# title` is left out (the page shows the title), raw HTML is dropped and
/// the result is sanitized, so no script, handler or `javascript:` link
/// survives.
pub fn render_html(body: &str) -> String {
    let blocks = blocks(body, 1);
    let starts = section_starts(&blocks);
    let leading_title = blocks
        .first()
        .filter(|b| b.kind == BlockKind::Heading(1))
        .map(|b| b.offset);
    let mut events = Vec::new();
    let mut skipping_title = false;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                if Some(range.start) == leading_title {
                    skipping_title = true;
                    continue;
                }
                let id = starts
                    .iter()
                    .position(|&s| s == range.start)
                    .map(|n| format!("s-{}", n + 1).into());
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(_)) if skipping_title => skipping_title = false,
            _ if skipping_title => {}
            Event::Start(Tag::Paragraph) => {
                if let Some(n) = starts.iter().position(|&s| s == range.start) {
                    events.push(Event::InlineHtml(
                        format!("<a id=\"s-{}\"></a>", n + 1).into(),
                    ));
                    events.push(Event::Start(Tag::Paragraph));
                    // The anchor must sit inside the paragraph to survive
                    // as inline HTML; move it after the start tag.
                    let len = events.len();
                    events.swap(len - 1, len - 2);
                } else {
                    events.push(Event::Start(Tag::Paragraph));
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {}
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    ammonia::Builder::default()
        .add_generic_attributes(["id"])
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod render_tests {
    use super::*;

    #[test]
    fn anchors_match_section_anchors() {
        let body = "# 标题\n\n开头。\n\n## 原因\n\n网络。\n\n问：怎么办？\n\n答：重启。\n";
        let html = render_html(body);
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("<h2 id=\"s-1\">原因</h2>"), "{html}");
        assert!(
            html.contains("<p><a id=\"s-2\"") && html.contains("</a>问：怎么办？</p>"),
            "{html}"
        );
        let anchors: Vec<String> = sections(&blocks(body, 1), "标题")
            .into_iter()
            .map(|s| s.anchor)
            .collect();
        assert_eq!(anchors, ["s-0", "s-1", "s-2"]);
    }

    #[test]
    fn unsafe_markup_is_removed() {
        let body = "<script>alert(1)</script>\n\n文字<img src=x onerror=alert(1)>\n\n[点我](javascript:alert(1)) [好](https://example.com)\n";
        let html = render_html(body);
        for bad in ["<script", "onerror", "javascript:", "<img"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("href=\"https://example.com\""), "{html}");
    }
}
