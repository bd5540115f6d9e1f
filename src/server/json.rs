//! The JSON of search results, as `GET /api/search` returns it and
//! `posfaq search --json` prints it: the engine's
//! [`crate::search::SearchResponse`], with each hit's snippet rendered as
//! HTML, `<mark>` around the marked parts and everything else escaped. And
//! the article view of `GET /api/articles/{id}`.
//!
//! The fields, their order and their documentation (the OpenAPI schema's)
//! are those of the documented response; a change here is a change of the
//! API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::index::schema::ArticleRecord;
use crate::search;
use crate::search::answer::Answer;
use crate::search::snippet::Snippet;

/// Search results, as `posfaq search --json` prints them and the API
/// returns them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchResponse {
    pub query: String,
    /// Articles matching, over all pages: exact up to 1,000; a search
    /// that matches more stops counting there.
    pub total: usize,
    /// Whether `total` is the exact count; false when it stopped at 1,000.
    #[serde(default = "exact")]
    pub total_exact: bool,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    /// The fix card that answers the query, when one clearly does: a
    /// featured answer above the results.
    pub fix: Option<Answer>,
    /// The query as searched, when posfaq corrected what was typed (a typo,
    /// pinyin); `null` when it searched the query as typed. A client shows
    /// "显示‘…’的结果".
    #[serde(default)]
    pub corrected: Option<String>,
    /// True when no hit is a reliable match (an off-topic query): a client
    /// says that nothing reliable was found instead of listing the hits.
    #[serde(default)]
    pub weak: bool,
}

/// One article in the results, with its best section.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub section: String,
    pub anchor: String,
    pub score: f32,
    /// HTML: `<mark>` around matches, everything else escaped.
    pub snippet: String,
    pub category: Option<String>,
    pub brands: Vec<String>,
    pub source: Option<String>,
}

fn exact() -> bool {
    true
}

impl From<search::SearchResponse> for SearchResponse {
    fn from(response: search::SearchResponse) -> Self {
        SearchResponse {
            query: response.query,
            total: response.total,
            total_exact: response.total_exact,
            took_ms: response.took_ms,
            hits: response.hits.into_iter().map(Hit::from).collect(),
            fix: response.fix,
            corrected: response.corrected,
            weak: response.weak,
        }
    }
}

impl From<search::Hit> for Hit {
    fn from(hit: search::Hit) -> Self {
        Hit {
            snippet: snippet_html(&hit.snippet),
            id: hit.id,
            title: hit.title,
            section: hit.section,
            anchor: hit.anchor,
            score: hit.score,
            category: hit.category,
            brands: hit.brands,
            source: hit.source,
        }
    }
}

/// A snippet as HTML: each mark in `<mark>`, all of the text escaped, so
/// that the only markup is the marks (the page inserts it as HTML).
pub fn snippet_html(snippet: &Snippet) -> String {
    let mut out = String::with_capacity(snippet.text.len() + 16 * snippet.marks.len());
    for (piece, marked) in snippet.pieces() {
        if marked {
            out.push_str("<mark>");
            escape_into(&mut out, piece);
            out.push_str("</mark>");
        } else {
            escape_into(&mut out, piece);
        }
    }
    out
}

/// Appends `text` with `<`, `>`, `&`, `"` and `'` escaped: safe in element
/// content and in quoted attributes alike.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
// Lists of marks that hold one mark are not mistyped ranges.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    fn html(text: &str, marks: &[std::ops::Range<usize>]) -> String {
        snippet_html(&Snippet {
            text: text.into(),
            marks: marks.to_vec(),
        })
    }

    #[test]
    fn marks_become_mark_elements() {
        assert_eq!(
            html("显示无效终端了", &[2..6]),
            "显示<mark>无效终端</mark>了"
        );
        assert_eq!(
            html("…终端未登記…", &[1..3, 4..6]),
            "…<mark>终端</mark>未<mark>登記</mark>…"
        );
        assert_eq!(html("终端", &[]), "终端");
        assert_eq!(html("", &[]), "");
    }

    #[test]
    fn everything_is_escaped_and_only_the_marks_are_markup() {
        let text = "<script>alert('x')</script>刷卡 & \"<mark>\"";
        let marked = html(text, &[27..29]);
        assert_eq!(
            marked,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<mark>刷卡</mark> &amp; &quot;&lt;mark&gt;&quot;"
        );
        // Markup inside a mark is escaped too.
        assert_eq!(
            html("<b>刷卡</b>", &[0..10]),
            "<mark>&lt;b&gt;刷卡&lt;/b&gt;</mark>"
        );
        let without_marks = marked.replacen("<mark>", "", 1).replacen("</mark>", "", 1);
        assert!(!without_marks.contains(['<', '>']), "{marked}");
    }

    #[test]
    fn the_html_is_the_engine_snippet() {
        let needles = ["刷卡".to_string()];
        let s = crate::search::snippet::snippet(
            &Analyzer::shared(),
            "<script>alert('x')</script>\n請刷ka卡",
            &needles,
            80,
        );
        assert_eq!(
            snippet_html(&s),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;請<mark>刷ka卡</mark>"
        );
    }
}

/// An article for the article view: its record, with the Markdown
/// rendered as sanitized HTML whose headings and questions carry their
/// section's anchor as `id`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleView {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub brands: Vec<String>,
    pub codes: Vec<String>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub updated: Option<String>,
    pub sections: Vec<SectionView>,
    pub html: String,
    /// With `?q=`: the query's words as the engine matches them
    /// (normalized, with their parts), for the page to highlight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<String>,
}

/// A section of an [`ArticleView`]: its heading, its anchor in `html`, and
/// its plain text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SectionView {
    pub title: String,
    pub anchor: String,
    pub text: String,
}

impl From<ArticleRecord> for ArticleView {
    fn from(record: ArticleRecord) -> Self {
        let sections = record
            .sections
            .into_iter()
            .map(|s| SectionView {
                title: s.title,
                anchor: s.anchor,
                text: s.text,
            })
            .collect();
        ArticleView {
            html: crate::corpus::markdown::render_html(&record.markdown),
            id: record.id,
            title: record.title,
            category: record.category,
            brands: record.brands,
            codes: record.codes,
            tags: record.tags,
            source: record.source,
            updated: record.updated,
            sections,
            highlights: Vec::new(),
        }
    }
}
