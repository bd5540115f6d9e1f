//! Search: one engine behind the CLI and the server.
//!
//! [`Engine::search`] ranks articles (title > keywords > headings > body,
//! plus a boost where the query's words appear together as written), keeps
//! one hit per article, finds each hit's best section and cuts a snippet
//! from it. A query that contains an article's title, a part of its title or
//! one of its key phrases (tags, codes) puts that article ahead of the rest.
//!
//! A search runs in two passes. The first is cheap: the best articles by
//! the query's terms on `body`, which holds all of an article's text
//! ([`QueryPlan::recall`]), found with tantivy's block-max pruning (when
//! every term is common, the articles with all of them first), plus the
//! articles whose title or key phrase the query contains (`tier`), the
//! articles the featured fix card draws on, and, for a query with phrases
//! or exclusions, the first articles that satisfy them. The second scores
//! only those candidates with the full expression (`scoring`): every word
//! on every field, as a term, as its characters in a row and through its
//! sub-words, the phrase bonus and the tiers. When fewer articles match
//! than the first pass keeps, as in a knowledge base of a few thousand
//! articles, the result is the one scoring every article would give;
//! beyond that the first pass is an approximation (BENCHMARKS.md measures
//! how close). Matches are counted up to [`TOTAL_CAP`].

pub mod answer;
mod correct;
mod fuzzy;
pub mod query;
mod scoring;
pub mod snippet;
pub mod suggest;
pub mod synonyms;
mod tier;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tantivy::collector::TopDocs;

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::corpus::{Category, FixCard};
use crate::index::schema::{ARTICLE, ArticleRecord, FIX, RECORD};
use crate::index::{IndexMeta, SearchIndex};
use crate::{Error, Result};
use answer::{Answer, Cards};
use correct::Corrector;
use query::{QueryPlan, Weighted};
use scoring::{Probe, Scoring};
use suggest::{Suggester, Suggestion};
use synonyms::Synonyms;
use tier::Tiers;
use utoipa::ToSchema;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most hits one request may ask for.
pub const MAX_LIMIT: usize = 50;
/// The deepest page one request may ask for.
pub const MAX_OFFSET: usize = 1000;
/// Added to the score of an article whose title (or a long part of it) the
/// query contains, twice, or once for one of its key phrases (tags, codes):
/// such an article ranks ahead of those that only share words.
const TIER_BONUS: f32 = 100.0;
/// Added to the score of an article that the featured fix card draws on.
const RELATED_BONUS: f32 = 10.0;
/// How many candidates the first pass of a search hands to the second.
const CANDIDATES: usize = 50;
/// Where a search stops counting its matches (see [`SearchResponse::total`]).
/// Above [`MAX_OFFSET`], so every page a client may ask for is counted.
pub const TOTAL_CAP: usize = 1000;
/// The most articles with a title or key phrase of the query that are
/// scored one by one (see [`Engine::search`]).
const MAX_ANCHORED: usize = 20_000;

/// A search as the CLI and the API receive it; the server's response
/// cache is keyed by it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
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
    /// The articles the featured fix draws on get [`RELATED_BONUS`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        self.search_in(request, Pass::Pruned)
    }

    /// [`Engine::search`] with every term kept and every matching article
    /// scored: the ranking the first pass approximates, for measuring how
    /// close it comes. Slow on a big index.
    #[doc(hidden)]
    pub fn search_exhaustively(&self, request: &SearchRequest) -> Result<SearchResponse> {
        self.search_in(request, Pass::Exhaustive)
    }

    fn search_in(&self, request: &SearchRequest, pass: Pass) -> Result<SearchResponse> {
        let started = Instant::now();
        request.validate()?;
        let plan = self.plan(&request.query);
        let fix = self.featured_fix(&request.query, &plan)?;
        let related: Vec<&str> = fix
            .iter()
            .flat_map(|f| f.sources.iter().map(|s| s.id.as_str()))
            .collect();
        let mut response = self.ranked(request, &plan, &related, pass)?;
        response.fix = fix;
        response.took_ms = elapsed_ms(started);
        Ok(response)
    }

    /// Ranked articles for a request.
    pub fn search_articles(&self, request: &SearchRequest) -> Result<SearchResponse> {
        request.validate()?;
        self.ranked(request, &self.plan(&request.query), &[], Pass::Pruned)
    }

    /// Ranked articles for a validated request whose query `plan` is,
    /// `related` ones boosted.
    fn ranked(
        &self,
        request: &SearchRequest,
        plan: &QueryPlan,
        related: &[&str],
        pass: Pass,
    ) -> Result<SearchResponse> {
        let started = Instant::now();
        let mut response = SearchResponse {
            query: request.query.clone(),
            total: 0,
            total_exact: true,
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
        let searcher = self.index.reader.searcher();
        let population = match pass {
            Pass::Pruned => self.index.meta.articles as u64,
            // No term is common in an index this big: all are kept.
            Pass::Exhaustive => u64::MAX,
        };
        let doc_freq = |t: &Term| searcher.doc_freq(t).unwrap_or(0);
        let (Some(scoring), Some(terms)) = (
            plan.scoring(self.analyzer(), &fields, &phrase_fields),
            plan.recall(
                self.analyzer(),
                &[f.title, f.body],
                f.body,
                &doc_freq,
                population,
            ),
        ) else {
            response.took_ms = elapsed_ms(started);
            return Ok(response);
        };
        let recall = terms.any();
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(category) = request.category {
            filters.push(query::filter(f.category, category.as_str()));
        }
        if let Some(brand) = &request.brand {
            filters.push(query::filter(f.brand, brand));
        }
        let filtered = |clauses: Vec<(Occur, Box<dyn Query>)>| {
            let filters = filters.iter().map(|q| (Occur::Must, q.box_clone()));
            BooleanQuery::new(clauses.into_iter().chain(filters).collect())
        };
        // `body` holds all of an article's text: a phrase or an excluded
        // word is looked for there alone.
        let constraints = plan.constraints(f.body);
        let articles = query::filter(f.kind, ARTICLE);
        let mut positive = vec![
            (Occur::Must, recall.box_clone()),
            (Occur::Must, articles.box_clone()),
        ];
        positive.extend(
            constraints
                .required
                .iter()
                .map(|q| (Occur::Must, q.box_clone())),
        );
        let matching = filtered(positive);
        let depth = request.offset + request.limit;
        let limit = CANDIDATES.max(2 * depth);
        // First pass: the best by the recall query alone, which tantivy
        // prunes (with a filter, the best of the filtered articles, every
        // one scored), plus, when phrases or exclusions may rule some of
        // those out, the first articles that satisfy everything, so that a
        // small result set is complete. When every term is common, the
        // articles with all of them come first, with the best titles:
        // pruning a conjunction skips far more than pruning a disjunction
        // of such terms, and the disjunction is searched only if too few
        // have them all.
        let best = |q: &dyn Query| -> Result<Vec<DocAddress>> {
            let top = searcher.search(q, &TopDocs::with_limit(limit).order_by_score())?;
            Ok(top.into_iter().map(|(_, a)| a).collect())
        };
        let mut candidates = if pass == Pass::Exhaustive {
            Vec::new()
        } else if !filters.is_empty() {
            best(&filtered(vec![(Occur::Must, recall.box_clone())]))?
        } else if terms.all_common {
            // Titles are short: the best titles are cheap to find, and they
            // weigh most in the second pass.
            let mut all = best(terms.all().as_ref())?;
            all.extend(best(terms.any_in(f.title).as_ref())?);
            if all.len() < limit {
                all.extend(best(recall.as_ref())?);
            }
            all
        } else {
            best(recall.as_ref())?
        };
        let (cap, keep) = match pass {
            Pass::Exhaustive => (usize::MAX, usize::MAX),
            Pass::Pruned if constraints.is_empty() => (TOTAL_CAP, 0),
            Pass::Pruned => (TOTAL_CAP, limit),
        };
        let matches = first_matches(&searcher, &matching, &constraints.excluded, cap, keep)?;
        response.total = matches.count;
        response.total_exact = matches.complete;
        candidates.extend(matches.docs);
        // The articles whose title or key phrase the query contains are
        // candidates however their words score. Up to `MAX_ANCHORED` of
        // them (a code's articles: about 5,000 at 100k), each is scored on
        // the recall terms alone, where intersecting them with the recall
        // query would run through all of its postings; beyond that, the
        // intersection is cheaper.
        let tiers = Tiers::find(&searcher, f, &self.analyzer().compact(&request.query))?;
        if !tiers.is_empty() {
            let anchors = tiers.any(f);
            let anchored = filtered(vec![(Occur::Must, anchors.box_clone())]);
            let found = first_matches(&searcher, &anchored, &[], MAX_ANCHORED, usize::MAX)?;
            if found.complete {
                let scores = terms
                    .any_scoring()
                    .score_docs(&searcher, &found.docs, &[], &[])?;
                let ranked = best_first(scores, found.docs);
                candidates.extend(ranked.into_iter().take(limit).map(|(_, a)| a));
            } else {
                let anchored = filtered(vec![
                    (Occur::Must, anchors),
                    (Occur::Must, recall.box_clone()),
                ]);
                candidates.extend(best(&anchored)?);
            }
        }
        let related_scoring = Scoring::Max(
            related
                .iter()
                .map(|id| Scoring::Leaf(query::bonus(f.id, id)).boosted(RELATED_BONUS))
                .collect(),
        );
        if !related.is_empty() {
            let any = related
                .iter()
                .map(|id| (Occur::Should, query::filter(f.id, id)));
            let any: Box<dyn Query> = Box::new(BooleanQuery::new(any.collect()));
            candidates.extend(
                searcher
                    .search(
                        &filtered(vec![(Occur::Must, any)]),
                        &TopDocs::with_limit(limit).order_by_score(),
                    )?
                    .into_iter()
                    .map(|(_, a)| a),
            );
        }
        // Second pass: the full scoring, of the candidates only.
        candidates.sort();
        candidates.dedup();
        let scoring = Scoring::Sum(vec![scoring, tiers.scoring(f, TIER_BONUS), related_scoring]);
        let mut required = vec![articles];
        required.extend(constraints.required);
        let scores =
            scoring.score_docs(&searcher, &candidates, &required, &constraints.excluded)?;
        let top = best_first(scores, candidates);
        // Related articles may match none of the words.
        response.total = response.total.max(top.len());
        let shown = top
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .map(|(score, address)| Ok((score, searcher.doc::<TantivyDocument>(address)?)))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = shown.iter().map(|(_, doc)| text_of(doc, f.id)).collect();
        let mut sections = self.best_sections(&searcher, plan, &ids)?;
        for ((score, doc), id) in shown.into_iter().zip(ids) {
            let section = sections.remove(&id).unwrap_or_default();
            response.hits.push(self.hit(plan, score, &doc, section));
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

    fn hit(
        &self,
        plan: &QueryPlan,
        score: f32,
        doc: &TantivyDocument,
        (section, anchor, text): (String, String, String),
    ) -> Hit {
        let f = self.index.fields;
        Hit {
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
            id: text_of(doc, f.id),
        }
    }

    /// The section of each of `articles` that best matches the plan, or the
    /// article's first: (title, anchor, text) by article id. One search
    /// covers all the articles.
    pub(crate) fn best_sections(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        articles: &[String],
    ) -> Result<HashMap<String, (String, String, String)>> {
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
        // Every section of the articles: the postings of their ids.
        let mut sections: Vec<(DocAddress, usize)> = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(f.article)?;
            for (k, id) in articles.iter().enumerate() {
                let term = Term::from_field_text(f.article, id);
                let postings = inverted
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?;
                let Some(mut postings) = postings else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if reader
                        .alive_bitset()
                        .is_none_or(|alive| alive.is_alive(doc))
                    {
                        sections.push((DocAddress::new(ord as u32, doc), k));
                    }
                    doc = postings.advance();
                }
            }
        }
        sections.sort();
        let addresses: Vec<DocAddress> = sections.iter().map(|s| s.0).collect();
        // Scored where they match: the words as written count most in a
        // section's own title, the question a Q&A section answers.
        let scores = match plan.scoring(self.analyzer(), &fields, &fields) {
            Some(scoring) => scoring.score_docs(searcher, &addresses, &[], &[])?,
            None => vec![None; addresses.len()],
        };
        // Per article, the best section; ties go to the earlier one, the
        // first section when none matches.
        let mut best: HashMap<&str, (f32, DocAddress)> = HashMap::new();
        for (score, (address, k)) in scores.into_iter().zip(sections) {
            let score = score.unwrap_or(0.0);
            let article = articles[k].as_str();
            match best.get(article) {
                Some(&(s, a)) if s > score || (s == score && a < address) => {}
                _ => {
                    best.insert(article, (score, address));
                }
            }
        }
        let mut out = HashMap::with_capacity(best.len());
        for (article, (_, address)) in best {
            let doc: TantivyDocument = searcher.doc(address)?;
            out.insert(
                article.to_string(),
                (
                    text_of(&doc, f.section),
                    text_of(&doc, f.anchor),
                    text_of(&doc, f.text),
                ),
            );
        }
        Ok(out)
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
            .stored_data(RECORD, id)?
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

    /// An article's title, if the id exists: from the article's own small
    /// document, not its record.
    pub fn article_title(&self, id: &str) -> Result<Option<String>> {
        let f = self.index.fields;
        Ok(self.stored(ARTICLE, id)?.map(|doc| text_of(&doc, f.title)))
    }

    fn stored_data(&self, kind: &str, id: &str) -> Result<Option<String>> {
        let f = self.index.fields;
        Ok(self.stored(kind, id)?.map(|doc| text_of(&doc, f.data)))
    }

    /// The stored document of kind `kind` with id `id`.
    fn stored(&self, kind: &str, id: &str) -> Result<Option<TantivyDocument>> {
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
        Ok(Some(searcher.doc(address)?))
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

/// How a search picks the candidates it scores in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The best by a pruned first pass (see the module's documentation).
    Pruned,
    /// Every article that matches any of the query's terms.
    Exhaustive,
}

/// The first documents matching a query, in index order.
struct Matches {
    /// How many match, up to the cap.
    count: usize,
    /// Whether `count` is all of them.
    complete: bool,
    docs: Vec<DocAddress>,
}

/// Walks the documents matching `query` and none of `excluded`, without
/// scoring them, keeping the first `keep` and stopping at `cap`: a count that
/// costs little when many documents match.
fn first_matches(
    searcher: &Searcher,
    query: &dyn Query,
    excluded: &[Box<dyn Query>],
    cap: usize,
    keep: usize,
) -> Result<Matches> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let excluded = excluded
        .iter()
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut matches = Matches {
        count: 0,
        complete: true,
        docs: Vec::new(),
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut probes: Vec<Probe> = excluded
            .iter()
            .map(|w| Probe::new(w.as_ref(), reader))
            .collect();
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            let mut ruled_out = !alive.is_none_or(|a| a.is_alive(doc));
            for probe in &mut probes {
                ruled_out |= probe.score(doc)?.is_some();
            }
            if !ruled_out {
                if matches.count == cap {
                    matches.complete = false;
                    return Ok(matches);
                }
                if matches.docs.len() < keep {
                    matches.docs.push(DocAddress::new(ord as u32, doc));
                }
                matches.count += 1;
            }
            doc = scorer.advance();
        }
    }
    Ok(matches)
}

/// The documents that scored, best first; ties go to the earlier document.
fn best_first(scores: Vec<Option<f32>>, docs: Vec<DocAddress>) -> Vec<(f32, DocAddress)> {
    let mut scored: Vec<(f32, DocAddress)> = scores
        .into_iter()
        .zip(docs)
        .filter_map(|(score, address)| Some((score?, address)))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}

fn exact() -> bool {
    true
}

/// Milliseconds since `started`, to the microsecond.
pub(crate) fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The first text value of `field` in `doc`, or an empty string.
pub(crate) fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}
