//! A scoring expression: how leaf queries (terms and phrases) combine into
//! a document's score.
//!
//! The same expression is either one tantivy query, to search the whole
//! index with, or a scorer for a few given documents: the second pass of a
//! search scores only the first pass's candidates, asking each leaf about
//! those documents alone. tantivy's union scorer cannot do that cheaply (each
//! seek refills a window of thousands of documents), so the combination is
//! evaluated here, with the same arithmetic tantivy uses: a boolean query of
//! `Should` clauses sums, a disjunction-max query takes the best, a boost
//! multiplies.

use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur, Query, Scorer, Weight,
};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader};

use crate::Result;

/// A scoring expression over leaf queries.
#[derive(Debug)]
pub enum Scoring {
    Leaf(Box<dyn Query>),
    /// Matches when any part does; scores their sum.
    Sum(Vec<Scoring>),
    /// Matches when any part does; scores the best of them.
    Max(Vec<Scoring>),
    Boost(Score, Box<Scoring>),
}

impl Clone for Scoring {
    fn clone(&self) -> Self {
        match self {
            Scoring::Leaf(q) => Scoring::Leaf(q.box_clone()),
            Scoring::Sum(parts) => Scoring::Sum(parts.clone()),
            Scoring::Max(parts) => Scoring::Max(parts.clone()),
            Scoring::Boost(b, inner) => Scoring::Boost(*b, inner.clone()),
        }
    }
}

impl Scoring {
    /// `self` boosted by `boost`, unchanged for a boost of one.
    pub fn boosted(self, boost: Score) -> Scoring {
        if (boost - 1.0).abs() < f32::EPSILON {
            self
        } else {
            Scoring::Boost(boost, Box::new(self))
        }
    }

    /// The expression as one tantivy query.
    pub fn to_query(&self) -> Box<dyn Query> {
        match self {
            Scoring::Leaf(q) => q.box_clone(),
            Scoring::Sum(parts) => Box::new(BooleanQuery::new(
                parts
                    .iter()
                    .map(|p| (Occur::Should, p.to_query()))
                    .collect(),
            )),
            Scoring::Max(parts) => Box::new(DisjunctionMaxQuery::new(
                parts.iter().map(Scoring::to_query).collect(),
            )),
            Scoring::Boost(boost, inner) => Box::new(BoostQuery::new(inner.to_query(), *boost)),
        }
    }

    /// Scores `docs` (sorted, without duplicates): `None` for a document
    /// the expression does not match, that misses one of `required` or that
    /// matches one of `excluded`. BM25 statistics come from the whole index,
    /// so a score is the one a search with [`Scoring::to_query`] gives the
    /// same document.
    pub fn score_docs(
        &self,
        searcher: &Searcher,
        docs: &[DocAddress],
        required: &[Box<dyn Query>],
        excluded: &[Box<dyn Query>],
    ) -> Result<Vec<Option<Score>>> {
        let mut leaves = Vec::new();
        self.collect_leaves(&mut leaves);
        let per_leaf = leaves
            .iter()
            .map(|leaf| leaf_scores(searcher, *leaf, docs))
            .collect::<Result<Vec<_>>>()?;
        let matches = |queries: &[Box<dyn Query>]| {
            queries
                .iter()
                .map(|q| leaf_scores(searcher, q.as_ref(), docs))
                .collect::<Result<Vec<_>>>()
        };
        let (required, excluded) = (matches(required)?, matches(excluded)?);
        Ok((0..docs.len())
            .map(|k| {
                if required.iter().any(|r| r[k].is_none())
                    || excluded.iter().any(|e| e[k].is_some())
                {
                    return None;
                }
                let mut next = 0;
                self.evaluate(&per_leaf, k, &mut next)
            })
            .collect())
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a dyn Query>) {
        match self {
            Scoring::Leaf(q) => out.push(q.as_ref()),
            Scoring::Sum(parts) | Scoring::Max(parts) => {
                parts.iter().for_each(|p| p.collect_leaves(out))
            }
            Scoring::Boost(_, inner) => inner.collect_leaves(out),
        }
    }

    /// The score of document `k`; `next` walks the leaves in the order
    /// [`Scoring::collect_leaves`] listed them.
    fn evaluate(&self, leaves: &[Vec<Option<Score>>], k: usize, next: &mut usize) -> Option<Score> {
        match self {
            Scoring::Leaf(_) => {
                *next += 1;
                leaves[*next - 1][k]
            }
            Scoring::Sum(parts) => {
                parts
                    .iter()
                    .map(|p| p.evaluate(leaves, k, next))
                    .fold(None, |acc, s| match (acc, s) {
                        (Some(a), Some(b)) => Some(a + b),
                        (a, b) => a.or(b),
                    })
            }
            Scoring::Max(parts) => {
                parts
                    .iter()
                    .map(|p| p.evaluate(leaves, k, next))
                    .fold(None, |acc, s| match (acc, s) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    })
            }
            Scoring::Boost(boost, inner) => inner.evaluate(leaves, k, next).map(|s| s * boost),
        }
    }
}

/// One leaf's score for each of `docs`: a [`Probe`] per segment.
fn leaf_scores(
    searcher: &Searcher,
    leaf: &dyn Query,
    docs: &[DocAddress],
) -> Result<Vec<Option<Score>>> {
    let weight = leaf.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut out = Vec::with_capacity(docs.len());
    for group in docs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let mut probe = Probe::new(
            weight.as_ref(),
            searcher.segment_reader(group[0].segment_ord),
        );
        for address in group {
            out.push(probe.score(address.doc_id)?);
        }
    }
    Ok(out)
}

/// Asks one query about documents of a segment, in increasing order,
/// seeking its scorer straight to each: a term skips through its postings,
/// a phrase checks positions only where its terms meet. The scorer is
/// opened at the first document asked about (`scorer_danger`): opened at
/// the segment's start, a phrase scorer would first scan for the phrase's
/// first occurrence, all of its terms' postings for a phrase that occurs
/// nowhere.
pub struct Probe<'a> {
    weight: &'a dyn Weight,
    reader: &'a SegmentReader,
    scorer: Option<Box<dyn Scorer>>,
    /// Below this no document can match; seeking below it is not allowed.
    floor: DocId,
}

impl<'a> Probe<'a> {
    pub fn new(weight: &'a dyn Weight, reader: &'a SegmentReader) -> Probe<'a> {
        Probe {
            weight,
            reader,
            scorer: None,
            floor: 0,
        }
    }

    /// The score of `doc`, `None` when it does not match. Documents must be
    /// asked about in increasing order.
    pub fn score(&mut self, doc: DocId) -> Result<Option<Score>> {
        if doc < self.floor {
            return Ok(None);
        }
        let result = match self.scorer.as_mut() {
            Some(scorer) => scorer.seek_danger(doc),
            None => {
                let (result, scorer) = self.weight.scorer_danger(self.reader, doc, 1.0)?;
                self.scorer = Some(scorer);
                result
            }
        };
        Ok(match result {
            SeekDangerResult::Found => {
                self.floor = doc + 1;
                self.scorer.as_mut().map(|s| s.score())
            }
            SeekDangerResult::SeekLowerBound(bound) => {
                self.floor = bound.max(doc + 1);
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::collector::TopDocs;

    use super::*;
    use crate::analysis::Analyzer;
    use crate::search::Engine;
    use crate::search::query::Weighted;

    /// Scoring a handful of documents gives each the score that searching
    /// the whole index with the same expression gives it.
    #[test]
    fn scores_match_a_full_search() {
        let dir = tempfile::tempdir().unwrap();
        let corpus =
            crate::corpus::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap();
        crate::index::build(corpus, dir.path(), Analyzer::shared()).unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        let f = engine.index().fields;
        let fields = [
            Weighted {
                field: f.title,
                boost: 3.0,
            },
            Weighted {
                field: f.body,
                boost: 1.0,
            },
        ];
        let searcher = engine.index().reader.searcher();
        for query in [
            "83无效终端",
            "终端未登记怎么办",
            "\"商户 状态\" 手续费",
            "手续费 费率",
        ] {
            let plan = engine.plan(query);
            let scoring = plan
                .scoring(engine.analyzer(), &fields, &fields)
                .expect("the query has words");
            let full = searcher
                .search(
                    scoring.to_query().as_ref(),
                    &TopDocs::with_limit(50).order_by_score(),
                )
                .unwrap();
            assert!(full.len() > 3, "{query} matches several documents");
            // Every other hit, plus documents that do not match at all.
            let mut docs: Vec<DocAddress> = full.iter().step_by(2).map(|(_, a)| *a).collect();
            docs.extend((0..3).map(|d| DocAddress::new(0, d)));
            docs.sort();
            docs.dedup();
            let scored = scoring.score_docs(&searcher, &docs, &[], &[]).unwrap();
            for (address, score) in docs.iter().zip(scored) {
                let expected = full.iter().find(|(_, a)| a == address).map(|(s, _)| *s);
                match (expected, score) {
                    (Some(e), Some(s)) => assert!((e - s).abs() < 1e-4, "{query}: {e} vs {s}"),
                    (None, None) => {}
                    // Outside the full search's top 50, a low score is fine.
                    (None, Some(s)) => assert!(s <= full.last().unwrap().0, "{query}: {s}"),
                    (Some(e), None) => panic!("{query}: {address:?} scored {e} but not matched"),
                }
            }
        }
    }
}
