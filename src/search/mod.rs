//! Search: one engine behind the CLI and the server.
//!
//! [`Engine::search`] ranks articles (title > keywords > headings > body,
//! plus a boost where the query's words appear together as written), keeps
//! one hit per article, finds each hit's best section and cuts a snippet
//! from it. A query that contains an article's title, a part of its title or
//! one of its key phrases (tags, codes) puts that article ahead of the rest.

pub mod answer;
mod correct;
mod fuzzy;
pub mod query;
pub mod snippet;
pub mod suggest;
pub mod synonyms;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::analysis::Analyzer;
use crate::corpus::{Category, FixCard};
use crate::index::schema::{ARTICLE, ArticleRecord, FIX, SECTION};
use crate::index::{IndexMeta, SearchIndex};
use crate::{Error, Result};
use answer::{Answer, Cards};
use correct::Corrector;
use query::{QueryPlan, Weighted};
use suggest::{Suggester, Suggestion};
use synonyms::Synonyms;
use utoipa::ToSchema;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most hits one request may ask for.
pub const MAX_LIMIT: usize = 50;
/// The deepest page one request may ask for.
pub const MAX_OFFSET: usize = 1000;
/// How many top candidates are re-ranked for title and key-phrase matches.
const RERANK_WINDOW: usize = 30;
/// Added to the score per tier: 2 for a title match, 1 for a key phrase.
const TIER_BONUS: f32 = 100.0;

/// A search as the CLI and the API receive it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub category: Option<Category>,
    pub brand: Option<String>,
}

impl SearchRequest {
    /// A request for the first `limit` hits of `query`.
    pub fn new(query: impl Into<String>, limit: usize) -> Self {
        SearchRequest {
            query: query.into(),
            limit,
            ..SearchRequest::default()
        }
    }

    /// Checks the request's bounds: a non-empty query of at most
    /// [`MAX_QUERY_CHARS`] characters, a limit of 1 to [`MAX_LIMIT`].
    pub fn validate(&self) -> Result<()> {
        validate_query(&self.query)?;
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return Err(Error::InvalidRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        if self.offset > MAX_OFFSET {
            return Err(Error::InvalidRequest(format!(
                "offset must be at most {MAX_OFFSET}"
            )));
        }
        Ok(())
    }
}

/// Checks a query: not empty, not over [`MAX_QUERY_CHARS`] characters.
pub fn validate_query(query: &str) -> Result<()> {
    if query.trim().is_empty() {
        return Err(Error::InvalidRequest("query is empty".into()));
    }
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::InvalidRequest(format!(
            "query is {chars} characters long; the limit is {MAX_QUERY_CHARS}"
        )));
    }
    if query.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(Error::InvalidRequest(
            "query contains control characters".into(),
        ));
    }
    Ok(())
}

/// Search results, as `posfaq search --json` prints them and the API
/// returns them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchResponse {
    pub query: String,
    /// Articles matching, over all pages.
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    /// The fix card that answers the query, when one clearly does: a
    /// featured answer above the results.
    pub fix: Option<Answer>,
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

/// Article counts per category or brand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Facet {
    pub name: String,
    pub count: usize,
}

/// Searches one opened index.
pub struct Engine {
    index: SearchIndex,
    synonyms: Synonyms,
    cards: Cards,
    suggester: Suggester,
    corrector: Corrector,
}

/// An article for the article view: its record, with the Markdown
/// rendered as sanitized HTML whose headings and questions carry their
/// section's anchor as `id`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleView {
    #[serde(flatten)]
    pub record: ArticleRecord,
    pub html: String,
}

impl Engine {
    /// Opens the index in `dir` with the shared analyzer.
    pub fn open(dir: &Path) -> Result<Engine> {
        let index = SearchIndex::open(dir, Analyzer::shared())?;
        let synonyms = Synonyms::new(&index.meta.synonyms, &index.analyzer);
        let vocabulary = crate::index::read_suggestions(&index.generation);
        let corrector = Corrector::new(&vocabulary, &index.analyzer);
        let suggester = Suggester::new(vocabulary, &index.analyzer);
        let mut engine = Engine {
            index,
            synonyms,
            cards: Cards::default(),
            suggester,
            corrector,
        };
        engine.cards = Cards::new(engine.fixes()?, &engine.index.analyzer, &engine.synonyms);
        Ok(engine)
    }

    /// What the index records about itself.
    pub fn meta(&self) -> &IndexMeta {
        &self.index.meta
    }

    /// The opened index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub(crate) fn analyzer(&self) -> &Arc<Analyzer> {
        &self.index.analyzer
    }

    /// Ranked articles for a request, with the fix card that answers it
    /// when one clearly does.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let mut response = self.search_articles(request)?;
        response.fix = self.featured_fix(&request.query)?;
        response.took_ms = elapsed_ms(started);
        Ok(response)
    }

    /// Ranked articles for a request.
    pub fn search_articles(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        request.validate()?;
        let plan = self.plan(&request.query);
        let mut response = SearchResponse {
            query: request.query.clone(),
            total: 0,
            took_ms: 0.0,
            hits: Vec::new(),
            fix: None,
        };
        let f = self.index.fields;
        let fields = [
            Weighted {
                field: f.title,
                boost: 3.0,
            },
            Weighted {
                field: f.keywords,
                boost: 2.5,
            },
            Weighted {
                field: f.headings,
                boost: 1.5,
            },
            Weighted {
                field: f.body,
                boost: 1.0,
            },
        ];
        let phrase_fields = [
            Weighted {
                field: f.title,
                boost: 3.0,
            },
            Weighted {
                field: f.headings,
                boost: 2.0,
            },
            Weighted {
                field: f.body,
                boost: 1.5,
            },
        ];
        if let Some(scoring) = plan.build(self.analyzer(), &fields, &phrase_fields) {
            let mut clauses = vec![
                (Occur::Must, scoring),
                (Occur::Must, query::filter(f.kind, ARTICLE)),
            ];
            if let Some(category) = request.category {
                clauses.push((Occur::Must, query::filter(f.category, category.as_str())));
            }
            if let Some(brand) = &request.brand {
                clauses.push((Occur::Must, query::filter(f.brand, brand)));
            }
            let searcher = self.index.reader.searcher();
            let full = BooleanQuery::new(clauses);
            let depth = (request.offset + request.limit).max(RERANK_WINDOW);
            let (top, total) =
                searcher.search(&full, &(TopDocs::with_limit(depth).order_by_score(), Count))?;
            response.total = total;
            let ranked = self.rerank(&searcher, &request.query, top)?;
            for (score, address, doc) in ranked.into_iter().skip(request.offset).take(request.limit)
            {
                let _ = address;
                response.hits.push(self.hit(&searcher, &plan, score, &doc)?);
            }
        }
        response.took_ms = elapsed_ms(started);
        Ok(response)
    }

    /// The analyzed query: what was typed, its colloquial forms in the
    /// corpus's own words, and low-weight pinyin and typo fallbacks.
    pub(crate) fn plan(&self, query: &str) -> QueryPlan {
        let analyzer = self.analyzer();
        let mut parsed = query::parse(query);
        let typed = analyzer.normalize(&parsed.parts.join(" "));
        let canonical = self.synonyms.canonicalize(typed.as_str());
        if canonical != typed.as_str() {
            parsed.parts.push(canonical);
        }
        let corrections = self.corrector.corrections(typed.as_str(), analyzer);
        QueryPlan::new(&parsed, analyzer).with_fallback(&corrections, analyzer)
    }

    /// Puts candidates whose title (or a part of it) or a key phrase the
    /// query contains ahead of the rest.
    fn rerank(
        &self,
        searcher: &Searcher,
        query: &str,
        top: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<(f32, DocAddress, TantivyDocument)>> {
        let f = self.index.fields;
        let query = self.compact(query);
        let mut out = Vec::with_capacity(top.len());
        for (i, (score, address)) in top.into_iter().enumerate() {
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut score = score;
            if i < RERANK_WINDOW {
                let title = text_of(&doc, f.title);
                let title_hit = self.compact(&title).len() >= 2
                    && query.contains(&self.compact(&title))
                    || title_pieces(&title).any(|p| query.contains(&self.compact(p)));
                let phrase_hit = text_of(&doc, f.keyphrases)
                    .lines()
                    .map(|p| self.compact(p))
                    .any(|p| p.chars().count() >= 2 && query.contains(&p));
                score += TIER_BONUS
                    * (2.0 * f32::from(u8::from(title_hit))
                        + f32::from(u8::from(phrase_hit && !title_hit)));
            }
            out.push((score, address, doc));
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(out)
    }

    /// Normalized text with only letters, digits and ideographs.
    fn compact(&self, text: &str) -> String {
        self.analyzer()
            .normalize(text)
            .as_str()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    }

    fn hit(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        score: f32,
        doc: &TantivyDocument,
    ) -> Result<Hit> {
        let f = self.index.fields;
        let id = text_of(doc, f.id);
        let (section, anchor, text) = self.best_section(searcher, plan, &id)?;
        Ok(Hit {
            snippet: snippet::snippet(
                self.analyzer(),
                &text,
                &plan.highlights(self.analyzer()),
                snippet::WIDTH,
            ),
            title: text_of(doc, f.title),
            section,
            anchor,
            score,
            category: Some(text_of(doc, f.category)).filter(|c| !c.is_empty()),
            brands: doc
                .get_all(f.brand)
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            source: Some(text_of(doc, f.source)).filter(|s| !s.is_empty()),
            id,
        })
    }

    /// The section of `article` that best matches the plan, or its first.
    pub(crate) fn best_section(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        article: &str,
    ) -> Result<(String, String, String)> {
        let f = self.index.fields;
        let fields = [
            Weighted {
                field: f.section,
                boost: 2.0,
            },
            Weighted {
                field: f.text,
                boost: 1.0,
            },
        ];
        let in_article = || -> Vec<(Occur, Box<dyn Query>)> {
            vec![
                (Occur::Must, query::filter(f.article, article)),
                (Occur::Must, query::filter(f.kind, SECTION)),
            ]
        };
        let mut best = None;
        // The words as written count most in a section's own title: the
        // question a Q&A section answers.
        if let Some(scoring) = plan.build(self.analyzer(), &fields, &fields) {
            let mut clauses = in_article();
            clauses.push((Occur::Must, scoring));
            best = searcher
                .search(
                    &BooleanQuery::new(clauses),
                    &TopDocs::with_limit(1).order_by_score(),
                )?
                .first()
                .map(|(_, a)| *a);
        }
        if best.is_none() {
            let first = searcher.search(
                &BooleanQuery::new(in_article()),
                &TopDocs::with_limit(1).order_by_score(),
            )?;
            best = first.first().map(|(_, a)| *a);
        }
        let Some(address) = best else {
            return Ok(Default::default());
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok((
            text_of(&doc, f.section),
            text_of(&doc, f.anchor),
            text_of(&doc, f.text),
        ))
    }

    /// Completions of `prefix` for search-as-you-type.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        self.suggester
            .suggest(prefix, limit.min(suggest::MAX_SUGGESTIONS), self.analyzer())
    }

    /// An article ready for the article view, if the id exists.
    pub fn article_view(&self, id: &str) -> Result<Option<ArticleView>> {
        let Some(mut record) = self.article(id)? else {
            return Ok(None);
        };
        let html = crate::corpus::markdown::render_html(&std::mem::take(&mut record.markdown));
        Ok(Some(ArticleView { record, html }))
    }

    /// An article's stored record, if the id exists.
    pub fn article(&self, id: &str) -> Result<Option<ArticleRecord>> {
        Ok(self
            .stored_data(ARTICLE, id)?
            .and_then(|data| serde_json::from_str(&data).ok()))
    }

    /// A fix card, if the id exists.
    pub fn fix(&self, id: &str) -> Result<Option<FixCard>> {
        Ok(self
            .stored_data(FIX, id)?
            .and_then(|data| serde_json::from_str(&data).ok()))
    }

    /// Every fix card, by id.
    pub fn fixes(&self) -> Result<Vec<FixCard>> {
        let searcher = self.index.reader.searcher();
        let f = self.index.fields;
        let limit = self.index.meta.fixes.max(1);
        let top = searcher.search(
            &query::filter(f.kind, FIX),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let mut cards = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Ok(card) = serde_json::from_str::<FixCard>(&text_of(&doc, f.data)) {
                cards.push(card);
            }
        }
        cards.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(cards)
    }

    fn stored_data(&self, kind: &str, id: &str) -> Result<Option<String>> {
        let searcher = self.index.reader.searcher();
        let f = self.index.fields;
        let q = BooleanQuery::new(vec![
            (Occur::Must, query::filter(f.kind, kind)),
            (Occur::Must, query::filter(f.id, id)),
        ]);
        let Some((_, address)) = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(address)?;
        Ok(Some(text_of(&doc, f.data)))
    }

    /// Article counts per category and per brand.
    pub fn facets(&self) -> (Vec<Facet>, Vec<Facet>) {
        let to_facets = |m: &std::collections::BTreeMap<String, usize>| {
            let mut v: Vec<Facet> = m
                .iter()
                .map(|(name, &count)| Facet {
                    name: name.clone(),
                    count,
                })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
            v
        };
        (
            to_facets(&self.index.meta.categories),
            to_facets(&self.index.meta.brands),
        )
    }
}

/// Milliseconds since `started`, to the microsecond.
fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The first text value of `field` in `doc`, or an empty string.
pub(crate) fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Parts of a title between punctuation, long enough to be a key phrase.
fn title_pieces(title: &str) -> impl Iterator<Item = &str> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| p.chars().count() >= 4)
}
