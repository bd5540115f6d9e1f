//! How a query ranks articles, all in one place.
//!
//! Every article that matches the query's terms is a hit, and so is every
//! article the featured fix card cites.
//! Hits are ordered by a key compared part by part:
//!
//! 1. the **tier**: [`Tier::KeyPhrase`], an article whose tag or code the
//!    query contains, then one whose text holds a code the query names as
//!    one (`刷卡提示05`, not `12个月`), then [`Tier::Cited`], one the
//!    featured fix card cites, then the rest. A tier is compared before
//!    the score, so no score, however long the query, lifts an article
//!    over a higher tier.
//!    A title the query contains is not a tier: the title's weight in the
//!    score ranks its article (`Weights::title` says how that was chosen);
//! 2. the **score**: the weighted sum of BM25 term scores of the query's
//!    units on the article's fields (`query::build`, numbers in
//!    `weights.rs`);
//! 3. the **id**: the index stores articles in id order
//!    (`index::schema::order`), so scores that tie (equal to within
//!    [`Weights::tie`], see [`settle_ties`]) are put in document order,
//!    which is id order, whatever order the files were indexed in.
//!
//! The top of this order is found exactly. Each tier's articles (a few
//! thousand at most, a code's) are each scored; the rest are collected by
//! tantivy's `TopDocs` over the flat sum, which tantivy prunes with
//! block-max WAND, skipping only documents whose best possible score cannot
//! enter the top. Nothing is dropped or approximated by index size:
//! [`Ranking::top_exhaustively`] scores every hit without pruning, and the
//! tests check that both agree.

pub mod anchors;
pub(crate) mod collect;
mod weights;

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::{DocAddress, Score, Searcher};

use crate::Result;
use crate::search::query::build::{self, Terms};
pub use collect::{AllScored, count_up_to, matching_docs, score_docs};
pub use weights::{WEIGHTS, Weights};

/// Where an article stands before its score is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Rest,
    Cited,
    KeyPhrase,
}

impl Tier {
    /// Whether an article of the tier must also match the query's terms.
    /// A key phrase must (`83` inside a phone number is no code);
    /// an article the featured card cites is a hit for the card's sake.
    fn must_match(self) -> bool {
        self != Tier::Cited
    }
}

/// One ranked article.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub tier: Tier,
    pub score: Score,
    pub address: DocAddress,
}

/// A query ready to rank: its matches and each tier's articles.
pub struct Ranking {
    /// The query's weighted terms (`query::build::Terms::queries`).
    terms: Vec<Box<dyn Query>>,
    /// Documents with any of the terms, scored by their sum.
    sum: Box<dyn Query>,
    /// Higher tiers first: the articles of each, restricted, unscored.
    tiers: Vec<(Tier, Box<dyn Query>)>,
    /// The articles with any of the query's terms, scored by their sum.
    matches: Box<dyn Query>,
    /// Every hit, unscored: for counting.
    hits: Box<dyn Query>,
}

impl Ranking {
    /// `terms` score a document; `tiers` lists, best first, the articles
    /// of each tier; every hit must also satisfy `restrictions` (filters,
    /// phrases, exclusions).
    pub fn new(
        terms: &Terms,
        tiers: Vec<(Tier, Box<dyn Query>)>,
        restrictions: Vec<(Occur, Box<dyn Query>)>,
    ) -> Ranking {
        let terms = terms.queries();
        let sum = build::sum(&terms);
        let restricted = |mut clauses: Vec<(Occur, Box<dyn Query>)>| -> Box<dyn Query> {
            clauses.extend(restrictions.iter().map(|(o, q)| (*o, q.box_clone())));
            Box::new(BooleanQuery::new(clauses))
        };
        // With no restriction the sum stands alone, as block-max WAND needs.
        let matches = if restrictions.is_empty() {
            sum.box_clone()
        } else {
            restricted(vec![(Occur::Must, sum.box_clone())])
        };
        let cited = tiers.iter().filter(|(t, _)| !t.must_match());
        let any_hit = std::iter::once(sum.box_clone())
            .chain(cited.map(|(_, q)| q.box_clone()))
            .map(|q| (Occur::Should, q))
            .collect();
        let hits = restricted(vec![(Occur::Must, Box::new(BooleanQuery::new(any_hit)))]);
        let tiers = tiers
            .into_iter()
            .map(|(tier, articles)| (tier, restricted(vec![(Occur::Must, articles)])))
            .collect();
        Ranking {
            terms,
            sum,
            tiers,
            matches,
            hits,
        }
    }

    /// The first `depth` hits in ranking order.
    pub fn top(&self, searcher: &Searcher, depth: usize) -> Result<Vec<Ranked>> {
        let mut out: Vec<Ranked> = Vec::with_capacity(depth);
        let mut seen: HashSet<DocAddress> = HashSet::new();
        // A tier's articles, a few thousand at most (a code's), are each
        // scored by seeking the terms' postings to them.
        for (tier, articles) in &self.tiers {
            let wanted = depth - out.len();
            if wanted == 0 {
                break;
            }
            let docs = collect::matching_docs(searcher, articles.as_ref())?;
            let scores = collect::score_docs(searcher, &self.terms, &docs)?;
            let mut members: Vec<Ranked> = scores
                .into_iter()
                .zip(docs)
                .filter(|(_, address)| !seen.contains(address))
                .filter_map(|(score, address)| {
                    let score = if tier.must_match() {
                        score?
                    } else {
                        score.unwrap_or(0.0)
                    };
                    Some(Ranked {
                        tier: *tier,
                        score,
                        address,
                    })
                })
                .collect();
            members.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.address.cmp(&b.address)));
            settle_ties(&mut members);
            members.truncate(wanted);
            seen.extend(members.iter().map(|r| r.address));
            out.extend(members);
        }
        // The rest by the sum over every match, pruned by block-max WAND.
        let wanted = depth - out.len();
        if wanted > 0 {
            // At most `seen.len()` of the best are in a tier already, so at
            // least `wanted` are new; one more tells whether the last of
            // them ties with the next, and more are fetched while it does.
            let mut limit = wanted + seen.len() + 1;
            let mut rest = loop {
                let best = searcher.search(
                    self.matches.as_ref(),
                    &TopDocs::with_limit(limit).order_by_score(),
                )?;
                let complete = best.len() < limit;
                let rest: Vec<Ranked> = best
                    .into_iter()
                    .filter(|(_, address)| !seen.contains(address))
                    .map(|(score, address)| Ranked {
                        tier: Tier::Rest,
                        score,
                        address,
                    })
                    .collect();
                let settled = rest.len() > wanted
                    && rest[rest.len() - 1].score < tie_floor(rest[wanted - 1].score);
                if complete || settled {
                    break rest;
                }
                limit *= 2;
            };
            settle_ties(&mut rest);
            rest.truncate(wanted);
            out.extend(rest);
        }
        Ok(out)
    }

    /// [`Ranking::top`] by scoring every hit, without pruning: the
    /// reference the tests and the latency bench hold `top` to.
    pub fn top_exhaustively(&self, searcher: &Searcher, depth: usize) -> Result<Vec<Ranked>> {
        let mut out: Vec<Ranked> = Vec::new();
        let mut seen: HashSet<DocAddress> = HashSet::new();
        for (tier, query) in self.levels() {
            let mut all: Vec<Ranked> = searcher
                .search(query.as_ref(), &collect::AllScored)?
                .into_iter()
                .filter(|(_, address)| !seen.contains(address))
                .map(|(score, address)| Ranked {
                    tier,
                    score,
                    address,
                })
                .collect();
            all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.address.cmp(&b.address)));
            settle_ties(&mut all);
            seen.extend(all.iter().map(|r| r.address));
            out.extend(all);
        }
        out.truncate(depth);
        Ok(out)
    }

    /// Each tier's query scored by the terms' sum through tantivy's union
    /// scorer, best tier first, the rest last: the reference's way.
    fn levels(&self) -> impl Iterator<Item = (Tier, Box<dyn Query>)> + '_ {
        let tiers = self.tiers.iter().map(|(tier, articles)| {
            let by_sum = if tier.must_match() {
                Occur::Must
            } else {
                Occur::Should
            };
            let scored = vec![
                (Occur::Must, articles.box_clone()),
                (by_sum, self.sum.box_clone()),
            ];
            let query: Box<dyn Query> = Box::new(BooleanQuery::new(scored));
            (*tier, query)
        });
        tiers.chain([(Tier::Rest, self.matches.box_clone())])
    }

    /// How many hits there are, counted up to `cap`: (count, whether it is
    /// all of them).
    pub fn count(&self, searcher: &Searcher, cap: usize) -> Result<(usize, bool)> {
        count_up_to(searcher, self.hits.as_ref(), cap)
    }
}

/// The lowest score that ties with `score` (see [`Weights::tie`]).
fn tie_floor(score: Score) -> Score {
    score - score.abs() * WEIGHTS.tie
}

/// Puts runs of tied scores in id order. `ranked` is sorted by score, best
/// first; a run is every score down to its first one's [`tie_floor`].
/// Two sums of the same BM25 scores added in another order can differ in
/// their last bits, and tantivy adds them in the order its pruning left its
/// scorers in, so scores that are equal may come out a rounding apart.
fn settle_ties(ranked: &mut [Ranked]) {
    let mut start = 0;
    while start < ranked.len() {
        let floor = tie_floor(ranked[start].score);
        let run = ranked[start..]
            .iter()
            .take_while(|r| r.score >= floor)
            .count();
        ranked[start..start + run].sort_by_key(|r| r.address);
        start += run;
    }
}
