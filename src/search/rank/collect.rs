//! Ways of collecting that tantivy does not ship: every match with its
//! score, unpruned (the reference ranking); a count that stops at a cap (a
//! query of common words can match most of a big index, and the response
//! only says "more than 1,000"); and the scores of given documents.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED,
};

use crate::Result;

/// Collects every matching document with its score.
pub struct AllScored;

pub struct AllScoredSegment {
    segment: SegmentOrdinal,
    found: Vec<(Score, DocAddress)>,
}

impl Collector for AllScored {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = AllScoredSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<AllScoredSegment> {
        Ok(AllScoredSegment {
            segment,
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for AllScoredSegment {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.found.push((score, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}

/// How many live documents match `query`, counted up to `cap`: (count,
/// whether it is all of them). Stops at the cap.
pub fn count_up_to(searcher: &Searcher, query: &dyn Query, cap: usize) -> Result<(usize, bool)> {
    let mut count = 0;
    let complete = walk(searcher, query, |_| {
        if count == cap {
            return false;
        }
        count += 1;
        true
    })?;
    Ok((count, complete))
}

/// The live documents matching `query`, in index order, unscored.
pub fn matching_docs(searcher: &Searcher, query: &dyn Query) -> Result<Vec<DocAddress>> {
    let mut docs = Vec::new();
    walk(searcher, query, |address| {
        docs.push(address);
        true
    })?;
    Ok(docs)
}

/// Visits the live documents matching `query` in index order, without
/// scoring them, while `visit` says to go on; whether it saw them all.
fn walk(
    searcher: &Searcher,
    query: &dyn Query,
    mut visit: impl FnMut(DocAddress) -> bool,
) -> Result<bool> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut matches = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = matches.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc))
                && !visit(DocAddress::new(ord as SegmentOrdinal, doc))
            {
                return Ok(false);
            }
            doc = matches.advance();
        }
    }
    Ok(true)
}

/// The sum of `terms`' scores for each of `docs` (in index order), `None`
/// for a document none of them matches. Each term's postings are sought to
/// each document in turn and its score added, term after term, so every
/// document's sum is added in the same order. Scoring a few hundred or
/// thousand given documents this way reads far less than a union of the
/// terms asked about each of them, which decodes every posting of every
/// term in a window of thousands of documents around each (BENCHMARKS.md).
pub fn score_docs(
    searcher: &Searcher,
    terms: &[Box<dyn Query>],
    docs: &[DocAddress],
) -> Result<Vec<Option<Score>>> {
    let mut scores: Vec<Option<Score>> = vec![None; docs.len()];
    for term in terms {
        let weight = term.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut first = 0;
        for group in docs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
            let reader = searcher.segment_reader(group[0].segment_ord);
            let mut postings = weight.scorer(reader, 1.0)?;
            for (k, address) in group.iter().enumerate() {
                let mut doc = postings.doc();
                if doc < address.doc_id {
                    doc = postings.seek(address.doc_id);
                }
                if doc == TERMINATED {
                    break;
                }
                if doc == address.doc_id {
                    *scores[first + k].get_or_insert(0.0) += postings.score();
                }
            }
            first += group.len();
        }
    }
    Ok(scores)
}
