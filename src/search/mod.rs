//! Search: one engine behind the CLI and the server.
//!
//! A search runs in stages, each in its own module:
//!
//! 1. `query`: the query's syntax, then its plan: the words to score, the
//!    corpus's synonyms, low-weight corrections (`suggest::correct`);
//! 2. `answer`: the featured fix card, when one clearly answers the query;
//! 3. `rank`: every hit ordered by tier, score and id, exactly;
//! 4. `sections`: the best section of each hit on the page;
//! 5. `snippet`: a window of that section with the query's words marked.
//!
//! [`Engine`] ties them together and reads stored documents.

pub mod answer;
mod floor;
pub mod query;
pub mod rank;
pub mod request;
pub mod sections;
pub mod snippet;
pub mod suggest;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{Searcher, TantivyDocument};

use crate::Result;
use crate::analysis::Analyzer;
use crate::corpus::FixCard;
use crate::index::schema::{ArticleRecord, DocKind};
use crate::index::{IndexMeta, SearchIndex};
use answer::Cards;
use query::QueryPlan;
use query::build::{Constraints, Terms, Weighted, any_of, filter};
use query::negation::Negations;
pub use query::synonyms;
use query::synonyms::Synonyms;
use rank::anchors::Anchors;
use rank::{Ranked, Ranking, Tier, WEIGHTS};
pub use request::{
    Facet, Hit, MAX_LIMIT, MAX_MESSAGE_CHARS, MAX_OFFSET, MAX_QUERY_CHARS, SearchRequest,
    SearchResponse, TOTAL_CAP, validate_message, validate_query,
};
use suggest::correct::Corrector;
use suggest::{Suggester, Suggestion};

/// Searches one opened index.
pub struct Engine {
    index: SearchIndex,
    synonyms: Synonyms,
    negations: Negations,
    cards: Cards,
    suggester: Suggester,
    corrector: Corrector,
}

/// Milliseconds a search spent in each stage.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stages {
    /// Parsing, synonyms, corrections.
    pub plan: f64,
    /// The featured fix card.
    pub fix: f64,
    /// Ranking: the tiers' and the rest's top hits.
    pub rank: f64,
    /// Counting the hits up to [`TOTAL_CAP`].
    pub count: f64,
    /// Loading the page's hits, their best sections and snippets.
    pub hits: f64,
}

/// How a search finds its top hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collect {
    /// Pruned: what every client gets.
    Top,
    /// Every hit scored: the reference the tests hold `Top` to.
    Exhaustive,
}

impl Engine {
    /// Opens the live index in `dir` with the shared analyzer.
    pub fn open(dir: &Path) -> Result<Engine> {
        Self::with_index(SearchIndex::open(dir, Analyzer::shared())?)
    }

    /// Opens the generation folder `generation` of `dir`, live or not.
    pub fn open_generation(dir: &Path, generation: PathBuf) -> Result<Engine> {
        Self::with_index(SearchIndex::open_generation(
            dir,
            generation,
            Analyzer::shared(),
        )?)
    }

    fn with_index(index: SearchIndex) -> Result<Engine> {
        let mut groups = crate::analysis::words::lexicon();
        groups.extend(index.meta.synonyms.iter().cloned());
        let synonyms = Synonyms::new(&groups, &index.analyzer);
        let vocabulary = crate::index::suggestions::read(&index.generation);
        let words = index.words(&index.reader.searcher())?;
        let corrector = Corrector::new(&vocabulary, &groups, &words, &index.analyzer);
        let suggester = Suggester::new(vocabulary, &index.analyzer);
        let mut engine = Engine {
            index,
            synonyms,
            negations: Negations::shipped(),
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
    /// when one clearly does; the articles that card cites rank next after
    /// those whose title or key phrase the query contains.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        Ok(self.run(request, true, Collect::Top)?.0)
    }

    /// [`Engine::search`] with the time each stage took: for finding where
    /// the time of a search goes.
    #[doc(hidden)]
    pub fn search_timed(&self, request: &SearchRequest) -> Result<(SearchResponse, Stages)> {
        self.run(request, true, Collect::Top)
    }

    /// [`Engine::search`] with every hit scored and sorted, no pruning:
    /// the same results, slower. For tests and benchmarks.
    #[doc(hidden)]
    pub fn search_exhaustively(&self, request: &SearchRequest) -> Result<SearchResponse> {
        Ok(self.run(request, true, Collect::Exhaustive)?.0)
    }

    /// Ranked articles for a request, without a featured fix.
    pub fn search_articles(&self, request: &SearchRequest) -> Result<SearchResponse> {
        Ok(self.run(request, false, Collect::Top)?.0)
    }

    fn run(
        &self,
        request: &SearchRequest,
        featured: bool,
        collect: Collect,
    ) -> Result<(SearchResponse, Stages)> {
        let started = Instant::now();
        let mut stages = Stages::default();
        let mut lap = Instant::now();
        let mut time = |stage: &mut f64| {
            *stage = elapsed_ms(lap);
            lap = Instant::now();
        };
        request.validate()?;
        let plan = self.plan(&request.query);
        time(&mut stages.plan);
        let fix = match featured {
            true => self.featured_fix(&request.query, &plan)?,
            false => None,
        };
        time(&mut stages.fix);
        let cited: Vec<&str> = fix
            .iter()
            .flat_map(|f| f.sources.iter().map(|s| s.id.as_str()))
            .collect();
        let searcher = self.index.reader.searcher();
        let mut response = SearchResponse {
            query: request.query.clone(),
            total: 0,
            total_exact: true,
            took_ms: 0.0,
            hits: Vec::new(),
            fix: None,
            corrected: plan.corrected.clone(),
            weak: false,
        };
        if let Some(ranking) = self.ranking(&searcher, request, &plan, &cited)? {
            let depth = request.offset + request.limit;
            let ranked = match collect {
                Collect::Top => ranking.top(&searcher, depth)?,
                Collect::Exhaustive => ranking.top_exhaustively(&searcher, depth)?,
            };
            time(&mut stages.rank);
            (response.total, response.total_exact) = ranking.count(&searcher, TOTAL_CAP)?;
            time(&mut stages.count);
            response.weak = match (&fix, ranked.first()) {
                (None, Some(best)) => floor::is_weak(
                    &searcher,
                    self.index.fields,
                    self.analyzer(),
                    &plan,
                    best.address,
                )?,
                _ => false,
            };
            let page: Vec<Ranked> = ranked.into_iter().skip(request.offset).collect();
            response.hits = self.hits(&searcher, &plan, &page)?;
            time(&mut stages.hits);
        }
        response.fix = fix;
        response.took_ms = elapsed_ms(started);
        Ok((response, stages))
    }

    /// The ranking of a request's hits (see `rank`); `None` when the plan
    /// has nothing to look for.
    fn ranking(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        plan: &QueryPlan,
        cited: &[&str],
    ) -> Result<Option<Ranking>> {
        let f = self.index.fields;
        // The body holds the title's text too: a word's parts are looked
        // for there (see `Weights::title`).
        let fields = [
            Weighted::words_only(f.title, WEIGHTS.title),
            Weighted::new(f.body, WEIGHTS.body),
        ];
        let terms = Terms::of(plan, self.analyzer(), &fields, &WEIGHTS);
        if terms.is_empty() {
            return Ok(None);
        }
        let anchors = Anchors::find(searcher, f, &self.analyzer().compact(&request.query))?;
        let mut tiers = Vec::new();
        tiers.extend(anchors.keys(f).map(|q| (Tier::KeyPhrase, q)));
        // A response code the query names as one (`刷卡提示05`, `返回码51`,
        // `83` alone), not a quantity (`12个月`): the articles whose text
        // holds it come next, as the most specific thing a merchant types.
        let normalized = self.analyzer().normalize(&request.query);
        let codes: Vec<String> = answer::code_mentions(normalized.as_str())
            .into_iter()
            .filter(|m| m.strong)
            .map(|m| m.code.to_lowercase())
            .collect();
        if !codes.is_empty() {
            tiers.push((
                Tier::KeyPhrase,
                any_of(f.body, codes.iter().map(String::as_str)),
            ));
        }
        if !cited.is_empty() {
            let articles: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (Occur::Must, any_of(f.id, cited.iter().copied())),
                (Occur::Must, filter(f.kind, DocKind::Article.as_str())),
            ]));
            tiers.push((Tier::Cited, articles));
        }
        let mut restrictions: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(category) = request.category {
            restrictions.push((Occur::Must, filter(f.category, category.as_str())));
        }
        if let Some(brand) = &request.brand {
            restrictions.push((Occur::Must, filter(f.brand, brand)));
        }
        // `body` holds all of an article's text: phrases and exclusions are
        // looked for there.
        restrictions.extend(Constraints::of(plan, f.body).clauses());
        Ok(Some(Ranking::new(&terms, tiers, restrictions)))
    }

    /// The analyzed query: what was typed, its colloquial forms and spoken
    /// negations in the corpus's own words, the word of the section that
    /// answers its kind of question, and low-weight pinyin and typo
    /// fallbacks.
    pub(crate) fn plan(&self, query: &str) -> QueryPlan {
        let analyzer = self.analyzer();
        let mut parsed = query::parse(query);
        let typed = analyzer.normalize(&parsed.parts.join(" "));
        let canonical = self.synonyms.canonicalize(typed.as_str());
        for written in self.negations.rewrite(&analyzer.words(typed.as_str())) {
            if !canonical.contains(&written) {
                parsed.parts.push(written);
            }
        }
        if canonical != typed.as_str() {
            parsed.parts.push(canonical);
        }
        let corrections = self.corrector.corrections(typed.as_str(), analyzer);
        let mut terms: Vec<String> = corrections.iter().map(|c| c.term.clone()).collect();
        let corrected = suggest::correct::corrected(typed.as_str(), &corrections);
        // What the corrected query means in the knowledge base's words
        // (`kaibuliaoji`, read as 开不了机, is 无法启动) is a guess too.
        if let Some(meant) = corrected.as_deref().map(|c| self.synonyms.canonicalize(c)) {
            terms.push(meant);
        }
        let mut plan = QueryPlan::new(&parsed, analyzer)
            .with_answering(analyzer)
            .with_fallback(&terms, analyzer);
        plan.corrected = corrected;
        plan
    }

    /// The page's hits: each article with its best section and a snippet.
    fn hits(&self, searcher: &Searcher, plan: &QueryPlan, page: &[Ranked]) -> Result<Vec<Hit>> {
        let f = self.index.fields;
        let docs = page
            .iter()
            .map(|r| Ok(searcher.doc::<TantivyDocument>(r.address)?))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<String> = docs.iter().map(|doc| text_of(doc, f.id)).collect();
        let mut sections = sections::best_sections(searcher, f, self.analyzer(), plan, &ids)?;
        let highlights = plan.highlights(self.analyzer());
        let hits = page.iter().zip(docs).zip(ids).map(|((ranked, doc), id)| {
            let section = sections.remove(&id).unwrap_or_default();
            Hit {
                snippet: snippet::snippet(
                    self.analyzer(),
                    &section.text,
                    &highlights,
                    snippet::WIDTH,
                ),
                title: text_of(&doc, f.title),
                section: section.title,
                anchor: section.anchor,
                score: ranked.score,
                category: Some(text_of(&doc, f.category)).filter(|c| !c.is_empty()),
                brands: doc
                    .get_all(f.brand)
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                source: Some(text_of(&doc, f.source)).filter(|s| !s.is_empty()),
                id,
            }
        });
        Ok(hits.collect())
    }

    /// Completions of `prefix` for search-as-you-type.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        self.suggester
            .suggest(prefix, limit.min(suggest::MAX_SUGGESTIONS), self.analyzer())
    }

    /// An article's stored record, if the id exists.
    pub fn article(&self, id: &str) -> Result<Option<ArticleRecord>> {
        Ok(self
            .stored_data(DocKind::Record, id)?
            .and_then(|data| serde_json::from_str(&data).ok()))
    }

    /// A fix card, if the id exists.
    pub fn fix(&self, id: &str) -> Result<Option<FixCard>> {
        Ok(self
            .stored_data(DocKind::Fix, id)?
            .and_then(|data| serde_json::from_str(&data).ok()))
    }

    /// Every fix card, by id.
    pub fn fixes(&self) -> Result<Vec<FixCard>> {
        let searcher = self.index.reader.searcher();
        let f = self.index.fields;
        let limit = self.index.meta.fixes.max(1);
        let top = searcher.search(
            &filter(f.kind, DocKind::Fix.as_str()),
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
        Ok(self
            .stored(DocKind::Article, id)?
            .map(|doc| text_of(&doc, f.title)))
    }

    fn stored_data(&self, kind: DocKind, id: &str) -> Result<Option<String>> {
        let f = self.index.fields;
        Ok(self.stored(kind, id)?.map(|doc| text_of(&doc, f.data)))
    }

    /// The stored document of kind `kind` with id `id`.
    fn stored(&self, kind: DocKind, id: &str) -> Result<Option<TantivyDocument>> {
        let searcher = self.index.reader.searcher();
        let f = self.index.fields;
        let q = BooleanQuery::new(vec![
            (Occur::Must, filter(f.kind, kind.as_str())),
            (Occur::Must, filter(f.id, id)),
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
