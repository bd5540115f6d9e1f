//! The schema: one document per article, one per section and one per fix
//! card, told apart by `kind`.
//!
//! Articles are ranked on `title`, `headings` (section titles and
//! questions), `keywords` (tags, codes, brands) and `body`, which holds all
//! of the article's text, those three included: a search can then find,
//! count and phrase-match articles on `body` alone. The best section
//! of a hit is then found among its section documents (`section`, `text`).
//! Fix cards have fields of their own, `card_title`, `card_keywords` (codes,
//! symptoms, tags) and `card_body`: a search of the articles never meets
//! them, and a search of the cards reads the cards' postings alone.
//! Each article's full record is stored as JSON in `data`, in a document of
//! its own, since only the article view needs it; the build adds the
//! records after every other document, so that each indexing thread's
//! segment, and the store merged from them, keeps them in runs apart from
//! what a search reads. Each card's is stored in the card's document.

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{TantivyDocument, doc};

use crate::analysis::{Analyzer, TOKENIZER_NAME};
use crate::corpus::{Article, FixCard, Section};

/// The longest key phrase, in characters, that ranks an article first
/// when a query contains it.
pub const MAX_ANCHOR_CHARS: usize = 64;

/// The fast field the index is sorted by: documents are stored in the
/// order of [`order`], whatever order they were added in or indexing
/// thread they went to.
pub const ORDER: &str = "order";

/// Which run of the index a document sorts into: articles with their
/// sections first (what a search reads), then fix cards, then the articles'
/// full records (read only by the article view).
#[derive(Debug, Clone, Copy)]
pub enum Run {
    Articles = 0,
    Fixes = 1,
    Records = 2,
}

/// A document's place in the index: its run, then the rank of its id among
/// the ids of that run (`rank`), then its place within the article (0 for
/// the article, 1 and on for its sections). Documents tied on score are
/// therefore in id order, and two builds of one corpus store every
/// document in the same place.
pub fn order(run: Run, rank: usize, within: usize) -> u64 {
    ((run as u64) << 48) | ((rank as u64 & 0xFFFF_FFFF) << 16) | (within as u64).min(0xFFFF)
}

/// Kinds of document, told apart by the `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Article,
    Section,
    /// An article's full record (see [`ArticleRecord`]).
    Record,
    Fix,
}

impl DocKind {
    /// The value of the `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Article => "article",
            DocKind::Section => "section",
            DocKind::Record => "record",
            DocKind::Fix => "fix",
        }
    }
}

/// Handles to the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    pub article: Field,
    pub title: Field,
    pub headings: Field,
    pub keywords: Field,
    /// An article's tags and codes, compacted (see [`Analyzer::compact`]):
    /// a query containing one ranks the article first.
    pub key_anchors: Field,
    /// All of an article's text: title, keywords, headings and sections.
    pub body: Field,
    pub card_title: Field,
    pub card_keywords: Field,
    pub card_body: Field,
    pub section: Field,
    pub text: Field,
    pub anchor: Field,
    pub category: Field,
    pub brand: Field,
    pub source: Field,
    pub data: Field,
    /// Where the document sorts in the index (see [`order`]).
    pub order: Field,
}

/// An article as stored in the index, for the article view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub id: String,
    pub title: String,
    pub category: Option<String>,
    pub brands: Vec<String>,
    pub codes: Vec<String>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub updated: Option<String>,
    /// The Markdown body.
    #[serde(default)]
    pub markdown: String,
    pub sections: Vec<SectionRecord>,
}

/// A section as stored in an [`ArticleRecord`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SectionRecord {
    pub title: String,
    pub anchor: String,
    pub text: String,
}

fn text_options(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The schema and its fields.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        id: b.add_text_field("id", STRING | STORED),
        article: b.add_text_field("article", STRING | STORED),
        title: b.add_text_field("title", text_options(true)),
        headings: b.add_text_field("headings", text_options(false)),
        keywords: b.add_text_field("keywords", text_options(false)),
        key_anchors: b.add_text_field("key_anchors", STRING),
        body: b.add_text_field("body", text_options(false)),
        card_title: b.add_text_field("card_title", text_options(false)),
        card_keywords: b.add_text_field("card_keywords", text_options(false)),
        card_body: b.add_text_field("card_body", text_options(false)),
        section: b.add_text_field("section", text_options(true)),
        text: b.add_text_field("text", text_options(true)),
        anchor: b.add_text_field("anchor", STORED),
        category: b.add_text_field("category", STRING | STORED),
        brand: b.add_text_field("brand", STRING | STORED),
        source: b.add_text_field("source", STORED),
        data: b.add_text_field("data", STORED),
        order: b.add_u64_field(ORDER, FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// Looks the fields up in an opened index's schema.
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let f = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            kind: f("kind")?,
            id: f("id")?,
            article: f("article")?,
            title: f("title")?,
            headings: f("headings")?,
            keywords: f("keywords")?,
            key_anchors: f("key_anchors")?,
            body: f("body")?,
            card_title: f("card_title")?,
            card_keywords: f("card_keywords")?,
            card_body: f("card_body")?,
            section: f("section")?,
            text: f("text")?,
            anchor: f("anchor")?,
            category: f("category")?,
            brand: f("brand")?,
            source: f("source")?,
            data: f("data")?,
            order: f(ORDER)?,
        })
    }

    /// The document of an article's full record, for the article view.
    pub fn record_doc(&self, article: &Article, rank: usize) -> TantivyDocument {
        let record = ArticleRecord {
            id: article.id.clone(),
            title: article.title.clone(),
            category: article.category.map(|c| c.to_string()),
            brands: article.brands.clone(),
            codes: article.codes.clone(),
            tags: article.tags.clone(),
            source: article.source.clone(),
            updated: article.updated.clone(),
            markdown: article.body.clone(),
            sections: article.sections.iter().map(SectionRecord::from).collect(),
        };
        doc!(
            self.kind => DocKind::Record.as_str(),
            self.id => article.id.as_str(),
            self.data => serde_json::to_string(&record).unwrap_or_default(),
            self.order => order(Run::Records, rank, 0),
        )
    }

    /// The article's document, then one document per section: what a
    /// search reads of each hit.
    pub fn article_docs(
        &self,
        article: &Article,
        rank: usize,
        analyzer: &Analyzer,
    ) -> Vec<TantivyDocument> {
        let headings: Vec<&str> = article
            .sections
            .iter()
            .skip(1)
            .map(|s| s.title.as_str())
            .collect();
        let keywords: Vec<&str> = article
            .tags
            .iter()
            .chain(&article.codes)
            .chain(&article.brands)
            .map(String::as_str)
            .collect();
        let mut main = doc!(
            self.kind => DocKind::Article.as_str(),
            self.id => article.id.as_str(),
            self.title => article.title.as_str(),
            self.headings => headings.join("\n"),
            self.keywords => keywords.join("\n"),
            self.body => [
                article.title.as_str(),
                &keywords.join("\n"),
                &headings.join("\n"),
                &article.text(),
            ]
            .join("\n"),
            self.order => order(Run::Articles, rank, 0),
        );
        self.add_labels(
            &mut main,
            article.category.map(|c| c.as_str()),
            &article.brands,
        );
        if let Some(source) = &article.source {
            main.add_text(self.source, source);
        }
        let anchor = |text: &str| {
            let compact = analyzer.compact(text);
            let chars = compact.chars().count();
            (2..=MAX_ANCHOR_CHARS).contains(&chars).then_some(compact)
        };
        for text in article
            .tags
            .iter()
            .chain(&article.codes)
            .filter_map(|t| anchor(t))
        {
            main.add_text(self.key_anchors, text);
        }
        let mut docs = vec![main];
        for (k, section) in article.sections.iter().enumerate() {
            docs.push(doc!(
                self.order => order(Run::Articles, rank, k + 1),
                self.kind => DocKind::Section.as_str(),
                self.article => article.id.as_str(),
                self.section => section.title.as_str(),
                self.text => section.text.as_str(),
                self.anchor => section.anchor.as_str(),
            ));
        }
        docs
    }

    /// A fix card's document.
    pub fn fix_doc(&self, card: &FixCard, rank: usize) -> TantivyDocument {
        let keywords: Vec<&str> = card
            .codes
            .iter()
            .chain(&card.symptoms)
            .chain(&card.tags)
            .map(String::as_str)
            .collect();
        let body = [
            card.summary.as_str(),
            &card.causes.join("\n"),
            &card.steps.join("\n"),
        ]
        .join("\n");
        let mut doc = doc!(
            self.kind => DocKind::Fix.as_str(),
            self.id => card.id.as_str(),
            self.card_title => card.title.as_str(),
            self.card_keywords => keywords.join("\n"),
            self.card_body => body,
            self.data => serde_json::to_string(card).unwrap_or_default(),
            self.order => order(Run::Fixes, rank, 0),
        );
        self.add_labels(&mut doc, card.category.map(|c| c.as_str()), &card.brands);
        doc
    }

    fn add_labels(&self, doc: &mut TantivyDocument, category: Option<&str>, brands: &[String]) {
        if let Some(category) = category {
            doc.add_text(self.category, category);
        }
        for brand in brands {
            doc.add_text(self.brand, brand);
        }
    }
}

impl From<&Section> for SectionRecord {
    fn from(s: &Section) -> Self {
        SectionRecord {
            title: s.title.clone(),
            anchor: s.anchor.clone(),
            text: s.text.clone(),
        }
    }
}
