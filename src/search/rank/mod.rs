//! How a query ranks articles, all in one place.
//!
//! Every article that matches the query's terms is a hit, and so is every
//! article the featured fix card cites.
//! Hits are ordered by a key compared part by part:
//!
//! 1. the **tier**: [`Tier::Title`], an article whose title (or a long part
//!    of its title) the query contains, then [`Tier::KeyPhrase`], one whose
//!    tag or code it contains, then [`Tier::Cited`], one the featured fix
//!    card cites, then the rest. A tier is compared before the score, so no
//!    score, however long the query, lifts an article over a higher tier;
//! 2. the **score**: the weighted sum of BM25 term scores of the query's
//!    units on the article's fields (`query::build`, numbers in
//!    `weights.rs`);
//! 3. the **id**: the index stores articles in id order
//!    (`index::schema::order`), so scores that tie (equal to within
//!    [`Weights::tie`], see [`settle_ties`]) are put in document order,
//!    which is id order, whatever order the files were indexed in.
//!
//! The top of this order is found exactly. Each tier's articles are
//! collected best first by tantivy's `TopDocs`; the rest by `TopDocs` over
//! the flat sum, which tantivy prunes with block-max WAND, skipping only
//! documents whose best possible score cannot enter the top. Nothing is
//! dropped or approximated by index size: [`Ranking::top_exhaustively`]
//! scores every hit without pruning, and the tests check that both agree.

pub mod anchors;
mod collect;
mod weights;

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::{DocAddress, Score, Searcher};

use crate::Result;
pub use collect::{AllScored, count_up_to};
pub use weights::{WEIGHTS, Weights};

/// Where an article stands before its score is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Rest,
    Cited,
    KeyPhrase,
    Title,
}

impl Tier {
    /// Whether an article of the tier must also match the query's terms.
    /// A title or key phrase must (`83` inside a phone number is no code);
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
    /// Higher tiers first: the articles of each, scored by the sum.
    tiers: Vec<(Tier, Box<dyn Query>)>,
    /// The articles with any of the query's terms, scored by their sum.
    matches: Box<dyn Query>,
    /// Every hit, unscored: for counting.
    hits: Box<dyn Query>,
}

impl Ranking {
    /// `sum` scores a document (`query::build::Terms::sum`); `tiers` lists,
    /// best first, the articles of each tier; every hit must also satisfy
    /// `restrictions` (filters, phrases, exclusions).
    pub fn new(
        sum: Box<dyn Query>,
        tiers: Vec<(Tier, Box<dyn Query>)>,
        restrictions: Vec<(Occur, Box<dyn Query>)>,
    ) -> Ranking {
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
            .map(|(tier, articles)| {
                let by_sum = if tier.must_match() {
                    Occur::Must
                } else {
                    Occur::Should
                };
                let scored = vec![(Occur::Must, articles), (by_sum, sum.box_clone())];
                (tier, restricted(scored))
            })
            .collect();
        Ranking {
            tiers,
            matches,
            hits,
        }
    }

    /// The first `depth` hits in ranking order.
    pub fn top(&self, searcher: &Searcher, depth: usize) -> Result<Vec<Ranked>> {
        let mut out: Vec<Ranked> = Vec::with_capacity(depth);
        let mut seen: HashSet<DocAddress> = HashSet::new();
        for (tier, query) in self.levels() {
            let wanted = depth - out.len();
            if wanted == 0 {
                break;
            }
            // At most `seen.len()` of the best are in a higher tier already,
            // so at least `wanted` are new; one more tells whether the last
            // of them ties with the next, and more are fetched while it does.
            let mut limit = wanted + seen.len() + 1;
            let fresh = loop {
                let best = searcher.search(query, &TopDocs::with_limit(limit).order_by_score())?;
                let complete = best.len() < limit;
                let fresh: Vec<Ranked> = best
                    .into_iter()
                    .filter(|(_, address)| !seen.contains(address))
                    .map(|(score, address)| Ranked {
                        tier,
                        score,
                        address,
                    })
                    .collect();
                let settled = fresh.len() > wanted
                    && fresh[fresh.len() - 1].score < tie_floor(fresh[wanted - 1].score);
                if complete || settled {
                    break fresh;
                }
                limit *= 2;
            };
            let mut fresh = fresh;
            settle_ties(&mut fresh);
            fresh.truncate(wanted);
            seen.extend(fresh.iter().map(|r| r.address));
            out.extend(fresh);
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
                .search(query, &collect::AllScored)?
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

    /// Each tier's query, best tier first, the rest last.
    fn levels(&self) -> impl Iterator<Item = (Tier, &dyn Query)> {
        let tiers = self.tiers.iter().map(|(t, q)| (*t, q.as_ref()));
        tiers.chain([(Tier::Rest, self.matches.as_ref())])
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
