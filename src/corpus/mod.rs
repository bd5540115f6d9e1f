//! The knowledge base on disk: Markdown articles and fix cards with YAML
//! front matter, loaded into typed [`Article`]s and [`FixCard`]s.
//!
//! A corpus folder holds articles anywhere below it (`articles/**/*.md` by
//! convention, but any layout works) and fix cards in its `fixes/` folder.
//! Loading validates everything before anything is indexed, so a bad file
//! never reaches the index; errors name the file and line.

mod fix;
mod front_matter;
pub mod import;
pub mod markdown;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use fix::{FixCard, parse_fix};
pub use front_matter::decode;

use crate::{Error, Result};

/// What an article or card is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    StatusError,
    Fees,
    Application,
    Usage,
    Brand,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 5] = [
        Category::StatusError,
        Category::Fees,
        Category::Application,
        Category::Usage,
        Category::Brand,
    ];

    /// The category's name as written in front matter and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::StatusError => "status-error",
            Category::Fees => "fees",
            Category::Application => "application",
            Category::Usage => "usage",
            Category::Brand => "brand",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown category `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Front matter of an article. Only `id` and `title` are required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleMeta {
    id: String,
    title: String,
    category: Option<Category>,
    #[serde(default)]
    brands: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    source: Option<String>,
    updated: Option<String>,
}

/// A FAQ article, split into sections.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub category: Option<Category>,
    pub brands: Vec<String>,
    pub codes: Vec<String>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub updated: Option<String>,
    /// The Markdown body, after the front matter.
    pub body: String,
    pub sections: Vec<Section>,
    pub path: PathBuf,
}

/// A part of an article under one heading or question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    /// `s-N`, the id the article view gives the section's heading.
    pub anchor: String,
    /// Plain text, paragraphs separated by newlines.
    pub text: String,
    /// 1-based line of the section's heading in its file.
    pub line: usize,
}

/// Everything a corpus folder holds.
#[derive(Debug, Default, Clone)]
pub struct Corpus {
    pub articles: Vec<Article>,
    pub fixes: Vec<FixCard>,
    /// Groups of equivalent phrases from `synonyms.txt`, canonical first.
    pub synonyms: Vec<Vec<String>>,
}

impl Corpus {
    /// SHA-256 (hex) of what the corpus says, whatever the order its files
    /// were read in or the folder they sit in: every article's front matter
    /// and Markdown body and every fix card, in id order, then the synonym
    /// groups. Two indexes with the same digest were built from the same
    /// knowledge base; a release records it.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut articles: Vec<&Article> = self.articles.iter().collect();
        articles.sort_by(|a, b| a.id.cmp(&b.id));
        let mut fixes: Vec<&FixCard> = self.fixes.iter().collect();
        fixes.sort_by(|a, b| a.id.cmp(&b.id));
        let mut hasher = Sha256::new();
        // One JSON value a line: strings are escaped, so no two corpora
        // write the same lines.
        let mut line = |value: serde_json::Result<Vec<u8>>| {
            hasher.update(value.unwrap_or_default());
            hasher.update(b"\n");
        };
        for a in articles {
            line(serde_json::to_vec(&(
                &a.id, &a.title, a.category, &a.brands, &a.codes, &a.tags, &a.source, &a.updated,
                &a.body,
            )));
        }
        for card in fixes {
            line(serde_json::to_vec(card));
        }
        line(serde_json::to_vec(&self.synonyms));
        format!("{:x}", hasher.finalize())
    }
}

impl Article {
    /// The article's plain text: all sections, in order.
    pub fn text(&self) -> String {
        let parts: Vec<&str> = self.sections.iter().map(|s| s.text.as_str()).collect();
        parts.join("\n")
    }
}

/// Parses one article file.
pub fn parse_article(path: &Path, text: &str) -> Result<Article> {
    let split = front_matter::split(path, text)?;
    let meta: ArticleMeta = front_matter::parse(path, &split)?;
    front_matter::check_id(path, front_matter::key_line(&split, "id"), &meta.id)?;
    let title = meta.title.trim().to_string();
    if title.is_empty() {
        return Err(Error::corpus(
            path,
            front_matter::key_line(&split, "title"),
            "title is empty",
        ));
    }
    let body_line = split.yaml_line + split.yaml.lines().count() + 1;
    let blocks = markdown::blocks(split.body, body_line);
    let sections = markdown::sections(&blocks, &title);
    Ok(Article {
        id: meta.id,
        title,
        category: meta.category,
        brands: clean_list(meta.brands),
        codes: clean_list(meta.codes),
        tags: clean_list(meta.tags),
        source: meta.source,
        updated: meta.updated,
        body: split.body.to_string(),
        sections,
        path: path.to_path_buf(),
    })
}

fn clean_list(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Loads every article and fix card below `dir`. Files under `dir/fixes/`
/// are fix cards; every other `*.md` file is an article. Hidden files and
/// folders are skipped.
pub fn load_dir(dir: &Path) -> Result<Corpus> {
    let mut files = Vec::new();
    collect_markdown(dir, &mut files)?;
    files.sort();
    let fixes_dir = dir.join("fixes");
    let mut corpus = Corpus::default();
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let text = front_matter::decode(&path, bytes)?;
        if path.starts_with(&fixes_dir) {
            corpus.fixes.push(fix::parse_fix(&path, &text)?);
        } else {
            corpus.articles.push(parse_article(&path, &text)?);
        }
    }
    corpus.synonyms = load_synonyms(&dir.join(SYNONYMS))?;
    check_unique(corpus.articles.iter().map(|a| (&a.id, &a.path)))?;
    check_unique(corpus.fixes.iter().map(|f| (&f.id, &f.path)))?;
    let article_ids: HashMap<&str, ()> = corpus
        .articles
        .iter()
        .map(|a| (a.id.as_str(), ()))
        .collect();
    for card in &corpus.fixes {
        card.check_related(|id| article_ids.contains_key(id))?;
    }
    Ok(corpus)
}

/// The optional synonyms file of a corpus folder.
pub const SYNONYMS: &str = "synonyms.txt";

/// Reads a synonyms file: one group per line, forms separated by spaces,
/// `#` comments. A missing file means no synonyms.
fn load_synonyms(path: &Path) -> Result<Vec<Vec<String>>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let text = front_matter::decode(path, bytes)?;
    let mut groups = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let forms: Vec<String> = line.split_whitespace().map(String::from).collect();
        if forms.len() < 2 {
            return Err(Error::corpus(
                path,
                n + 1,
                "a synonym group needs at least two forms",
            ));
        }
        groups.push(forms);
    }
    Ok(groups)
}

fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            collect_markdown(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

fn check_unique<'a>(items: impl Iterator<Item = (&'a String, &'a PathBuf)>) -> Result<()> {
    let mut seen: HashMap<&str, &PathBuf> = HashMap::new();
    for (id, path) in items {
        if let Some(first) = seen.insert(id, path) {
            return Err(Error::DuplicateId {
                id: id.clone(),
                path: path.clone(),
                first: first.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Article> {
        parse_article(Path::new("a.md"), text)
    }

    fn error_line(text: &str) -> (usize, String) {
        match parse(text) {
            Err(Error::Corpus { line, message, .. }) => (line, message),
            other => panic!("expected a corpus error, got {other:?}"),
        }
    }

    #[test]
    fn id_and_title_are_enough() {
        let a = parse("---\nid: a1\ntitle: 标题\n---\n正文。\n").unwrap();
        assert_eq!((a.id.as_str(), a.title.as_str()), ("a1", "标题"));
        assert_eq!(a.sections[0].text, "正文。");
    }

    #[test]
    fn unknown_key_names_its_line() {
        let (line, message) = error_line("---\nid: a1\ntitle: 标题\ncategry: fees\n---\n");
        assert_eq!(line, 4, "{message}");
        assert!(message.contains("categry"), "{message}");
    }

    #[test]
    fn missing_required_key_fails() {
        let (_, message) = error_line("---\nid: a1\n---\n正文\n");
        assert!(message.contains("title"), "{message}");
    }

    #[test]
    fn unknown_category_fails() {
        let (line, message) = error_line("---\nid: a1\ntitle: t\ncategory: misc\n---\n");
        assert_eq!(line, 4, "{message}");
    }

    #[test]
    fn fences_are_required() {
        assert_eq!(error_line("id: a1\ntitle: t\n").0, 1);
        assert!(
            error_line("---\nid: a1\ntitle: t\n")
                .1
                .contains("not closed")
        );
        assert!(error_line("  \n").1.contains("empty"));
    }

    #[test]
    fn unsafe_ids_are_refused() {
        assert!(
            error_line("---\nid: ../etc\ntitle: t\n---\n")
                .1
                .contains("id")
        );
    }

    #[test]
    fn unquoted_codes_keep_their_leading_zero() {
        let a = parse("---\nid: a1\ntitle: t\ncodes: [03, 83, A0]\n---\n").unwrap();
        assert_eq!(a.codes, ["03", "83", "A0"]);
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let err =
            front_matter::decode(Path::new("b.md"), b"---\nid: x\n\xff\n".to_vec()).unwrap_err();
        assert!(matches!(err, Error::Corpus { line: 3, .. }), "{err}");
    }
}
