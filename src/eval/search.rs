//! Ranking quality on a judged search set (`queries.tsv`: qid, query,
//! group, part; `qrels.tsv`: qid, article id, grade).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{Part, part_of, read_rows};
use crate::search::Engine;
use crate::{Error, Result};

/// One judged search query.
#[derive(Debug, Clone)]
pub struct SearchCase {
    pub id: String,
    pub query: String,
    pub group: String,
    pub part: Part,
    /// Article id to grade: 2 answers the query, 1 is related.
    pub judgments: BTreeMap<String, u8>,
}

/// Reads `queries.tsv` (`qid<TAB>query<TAB>group<TAB>part`, group and
/// part optional) and `qrels.tsv` (`qid<TAB>article id<TAB>grade`), both
/// with a header line. A query without judgments is one with no answer in
/// the knowledge base.
pub fn load_search_cases(queries: &Path, qrels: &Path) -> Result<Vec<SearchCase>> {
    let mut judgments: BTreeMap<String, BTreeMap<String, u8>> = BTreeMap::new();
    for (line, cols) in read_rows(qrels)? {
        let grade = cols
            .get(2)
            .and_then(|g| g.parse::<u8>().ok())
            .filter(|g| *g <= 2);
        let (Some(qid), Some(doc), Some(grade)) = (cols.first(), cols.get(1), grade) else {
            return Err(Error::corpus(
                qrels,
                line,
                "expected `qid<TAB>article id<TAB>grade (0, 1 or 2)`",
            ));
        };
        judgments
            .entry(qid.clone())
            .or_default()
            .insert(doc.clone(), grade);
    }
    let mut cases = Vec::new();
    for (line, cols) in read_rows(queries)? {
        let (Some(qid), Some(query)) = (cols.first(), cols.get(1).filter(|q| !q.is_empty())) else {
            return Err(Error::corpus(
                queries,
                line,
                "expected `qid<TAB>query<TAB>group[<TAB>part]`",
            ));
        };
        cases.push(SearchCase {
            id: qid.clone(),
            query: query.clone(),
            group: cols.get(2).map_or("all", |g| g).to_string(),
            part: part_of(queries, line, &cols, 3)?,
            judgments: judgments.remove(qid).unwrap_or_default(),
        });
    }
    if let Some(qid) = judgments.keys().next() {
        return Err(Error::corpus(
            qrels,
            1,
            format!("judgments for unknown query `{qid}`"),
        ));
    }
    Ok(cases)
}

/// Ranking metrics at a cutoff of 10, averaged over queries that have an
/// answer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RankScores {
    pub queries: usize,
    pub ndcg_at_10: f64,
    pub mrr_at_10: f64,
    pub p_at_1: f64,
    pub recall_at_10: f64,
}

/// How a judged search set came out.
#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    pub overall: RankScores,
    pub groups: BTreeMap<String, RankScores>,
    /// Each part (`tuning`, `held-out`) on its own.
    pub parts: BTreeMap<String, RankScores>,
    /// Queries without an answer in the knowledge base; how many of them
    /// got a confident answer (a featured fix) anyway, and how many were
    /// listed hits not flagged weak.
    pub no_answer_queries: usize,
    pub no_answer_confident: usize,
    pub no_answer_listed: Vec<String>,
    /// Queries with an answer whose results were flagged weak anyway.
    pub answered_weak: Vec<String>,
    /// The lowest-scoring queries with what came back.
    pub worst: Vec<WorstQuery>,
}

/// A query that ranked badly.
#[derive(Debug, Clone, Serialize)]
pub struct WorstQuery {
    pub query: String,
    pub ndcg_at_10: f64,
    pub expected: Vec<String>,
    pub got: Vec<String>,
}

/// Scores one ranking against graded judgments.
pub fn score_ranking(ranked: &[String], judgments: &BTreeMap<String, u8>) -> RankScores {
    let gain = |id: &String| f64::from(judgments.get(id).copied().unwrap_or(0));
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, id)| (2f64.powf(gain(id)) - 1.0) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<f64> = judgments.values().map(|&g| f64::from(g)).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| (2f64.powf(*g) - 1.0) / (i as f64 + 2.0).log2())
        .sum();
    let relevant = judgments.values().filter(|&&g| g > 0).count();
    let found = ranked.iter().take(10).filter(|id| gain(id) > 0.0).count();
    let first = ranked.iter().take(10).position(|id| gain(id) > 0.0);
    RankScores {
        queries: 1,
        ndcg_at_10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        mrr_at_10: first.map_or(0.0, |p| 1.0 / (p as f64 + 1.0)),
        p_at_1: ranked
            .first()
            .map_or(0.0, |id| if gain(id) > 0.0 { 1.0 } else { 0.0 }),
        recall_at_10: if relevant > 0 {
            found as f64 / relevant as f64
        } else {
            0.0
        },
    }
}

impl RankScores {
    fn add(&mut self, other: &RankScores) {
        self.queries += other.queries;
        self.ndcg_at_10 += other.ndcg_at_10;
        self.mrr_at_10 += other.mrr_at_10;
        self.p_at_1 += other.p_at_1;
        self.recall_at_10 += other.recall_at_10;
    }

    fn averaged(mut self) -> RankScores {
        let n = self.queries.max(1) as f64;
        for value in [
            &mut self.ndcg_at_10,
            &mut self.mrr_at_10,
            &mut self.p_at_1,
            &mut self.recall_at_10,
        ] {
            *value = (*value / n * 1000.0).round() / 1000.0;
        }
        self
    }
}

/// Runs every case through `engine.search` (the server's code path).
pub fn eval_search(engine: &Engine, cases: &[SearchCase], worst: usize) -> Result<SearchReport> {
    let mut overall = RankScores::default();
    let mut groups: BTreeMap<String, RankScores> = BTreeMap::new();
    let mut parts: BTreeMap<String, RankScores> = BTreeMap::new();
    let mut scored = Vec::new();
    let (mut no_answer_queries, mut no_answer_confident) = (0, 0);
    let mut no_answer_listed = Vec::new();
    let mut answered_weak = Vec::new();
    for case in cases {
        let response = engine.search(&crate::search::SearchRequest::new(case.query.clone(), 10))?;
        let ranked: Vec<String> = response.hits.iter().map(|h| h.id.clone()).collect();
        if case.judgments.values().all(|&g| g == 0) {
            no_answer_queries += 1;
            no_answer_confident += usize::from(response.fix.is_some());
            if !response.hits.is_empty() && !response.weak {
                no_answer_listed.push(case.query.clone());
            }
            continue;
        }
        if response.weak {
            answered_weak.push(case.query.clone());
        }
        let scores = score_ranking(&ranked, &case.judgments);
        overall.add(&scores);
        groups.entry(case.group.clone()).or_default().add(&scores);
        parts.entry(case.part.clone()).or_default().add(&scores);
        scored.push((scores.ndcg_at_10, case, ranked));
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(SearchReport {
        overall: overall.averaged(),
        groups: groups.into_iter().map(|(g, s)| (g, s.averaged())).collect(),
        parts: parts.into_iter().map(|(p, s)| (p, s.averaged())).collect(),
        no_answer_queries,
        no_answer_confident,
        no_answer_listed,
        answered_weak,
        worst: scored
            .into_iter()
            .take(worst)
            .filter(|(ndcg, ..)| *ndcg < 1.0)
            .map(|(ndcg, case, ranked)| WorstQuery {
                query: case.query.clone(),
                ndcg_at_10: (ndcg * 1000.0).round() / 1000.0,
                expected: case
                    .judgments
                    .iter()
                    .filter(|(_, g)| **g > 0)
                    .map(|(id, g)| format!("{id}:{g}"))
                    .collect(),
                got: ranked.into_iter().take(5).collect(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u8)]) -> BTreeMap<String, u8> {
        pairs.iter().map(|(id, g)| (id.to_string(), *g)).collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let s = score_ranking(&ids(&["a", "b", "c"]), &judged(&[("a", 2), ("b", 1)]));
        assert_eq!(
            (s.ndcg_at_10, s.mrr_at_10, s.p_at_1, s.recall_at_10),
            (1.0, 1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn a_late_answer_scores_less() {
        let s = score_ranking(&ids(&["x", "a"]), &judged(&[("a", 2)]));
        assert_eq!(s.mrr_at_10, 0.5);
        assert_eq!(s.p_at_1, 0.0);
        assert!((s.ndcg_at_10 - 1.0 / 3f64.log2()).abs() < 1e-9);
        assert_eq!(
            score_ranking(&ids(&["x"]), &judged(&[("a", 2)])).ndcg_at_10,
            0.0
        );
    }
}
