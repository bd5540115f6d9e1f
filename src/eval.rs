//! Quality measured on judged sets: fix-card accuracy on `answers.tsv`
//! (query, expected card id or `-` for no answer, group). The same engine
//! as the server answers every query.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::search::Engine;
use crate::{Error, Result};

/// One judged answer query.
#[derive(Debug, Clone)]
pub struct AnswerCase {
    pub query: String,
    /// The card that should answer, or `None` when nothing should.
    pub expected: Option<String>,
    pub group: String,
}

/// Reads a judged answer set (TSV with a header line).
pub fn load_answers(path: &Path) -> Result<Vec<AnswerCase>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 || cols[0].trim().is_empty() {
            return Err(Error::corpus(
                path,
                n + 1,
                "expected `query<TAB>expected[<TAB>group]`",
            ));
        }
        cases.push(AnswerCase {
            query: cols[0].trim().to_string(),
            expected: Some(cols[1].trim()).filter(|e| *e != "-").map(String::from),
            group: cols.get(2).map_or("all", |g| g.trim()).to_string(),
        });
    }
    Ok(cases)
}

/// How an answer set came out.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerReport {
    pub queries: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Queries judged to have no answer that got one anyway.
    pub answered_when_none_expected: usize,
    pub groups: BTreeMap<String, GroupScore>,
    /// Accuracy of the answers given, by confidence band (`0.5-0.6`, ...).
    pub calibration: BTreeMap<String, GroupScore>,
    pub misses: Vec<Miss>,
}

/// Correct answers in a group.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupScore {
    pub queries: usize,
    pub correct: usize,
}

/// A query answered wrongly.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub query: String,
    pub expected: String,
    pub got: String,
    pub confidence: f64,
}

/// Answers every case with `engine` and scores the top answer.
pub fn eval_answers(engine: &Engine, cases: &[AnswerCase]) -> Result<AnswerReport> {
    let mut report = AnswerReport {
        queries: cases.len(),
        correct: 0,
        accuracy: 0.0,
        answered_when_none_expected: 0,
        groups: BTreeMap::new(),
        calibration: BTreeMap::new(),
        misses: Vec::new(),
    };
    for case in cases {
        let response = engine.answer(&case.query)?;
        let got = response
            .answer
            .as_ref()
            .map(|a| format!("{}:{}", a.kind, a.id));
        let confidence = response.answer.as_ref().map_or(0.0, |a| a.confidence);
        let correct = match (&case.expected, &response.answer) {
            (Some(expected), Some(answer)) => answer.kind == "fix" && &answer.id == expected,
            (None, None) => true,
            _ => false,
        };
        if case.expected.is_none() && response.answer.is_some() {
            report.answered_when_none_expected += 1;
        }
        let group = report.groups.entry(case.group.clone()).or_default();
        group.queries += 1;
        group.correct += usize::from(correct);
        if response.answer.is_some() {
            let band = ((confidence * 10.0).floor() / 10.0).min(0.9);
            let band = report
                .calibration
                .entry(format!("{band:.1}-{:.1}", band + 0.1))
                .or_default();
            band.queries += 1;
            band.correct += usize::from(correct);
        }
        if correct {
            report.correct += 1;
        } else {
            report.misses.push(Miss {
                query: case.query.clone(),
                expected: case.expected.clone().unwrap_or_else(|| "-".into()),
                got: got.unwrap_or_else(|| "-".into()),
                confidence,
            });
        }
    }
    report.accuracy = if cases.is_empty() {
        0.0
    } else {
        report.correct as f64 / cases.len() as f64
    };
    Ok(report)
}

/// One judged search query.
#[derive(Debug, Clone)]
pub struct SearchCase {
    pub id: String,
    pub query: String,
    pub group: String,
    /// Article id to grade: 2 answers the query, 1 is related.
    pub judgments: BTreeMap<String, u8>,
}

/// Reads `queries.tsv` (`qid<TAB>query<TAB>group`) and `qrels.tsv`
/// (`qid<TAB>article id<TAB>grade`), both with a header line. A query
/// without judgments is one with no answer in the knowledge base.
pub fn load_search_cases(queries: &Path, qrels: &Path) -> Result<Vec<SearchCase>> {
    let mut judgments: BTreeMap<String, BTreeMap<String, u8>> = BTreeMap::new();
    let text = std::fs::read_to_string(qrels).map_err(|e| Error::io(qrels, e))?;
    for (n, line) in text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let grade = cols
            .get(2)
            .and_then(|g| g.parse::<u8>().ok())
            .filter(|g| *g <= 2);
        let (Some(qid), Some(doc), Some(grade)) = (cols.first(), cols.get(1), grade) else {
            return Err(Error::corpus(
                qrels,
                n + 1,
                "expected `qid<TAB>article id<TAB>grade (0, 1 or 2)`",
            ));
        };
        judgments
            .entry(qid.to_string())
            .or_default()
            .insert(doc.to_string(), grade);
    }
    let text = std::fs::read_to_string(queries).map_err(|e| Error::io(queries, e))?;
    let mut cases = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let (Some(qid), Some(query)) = (cols.first(), cols.get(1).filter(|q| !q.is_empty())) else {
            return Err(Error::corpus(
                queries,
                n + 1,
                "expected `qid<TAB>query<TAB>group`",
            ));
        };
        cases.push(SearchCase {
            id: qid.to_string(),
            query: query.to_string(),
            group: cols.get(2).map_or("all", |g| g).to_string(),
            judgments: judgments.remove(*qid).unwrap_or_default(),
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
    /// Queries without an answer in the knowledge base, and how many of
    /// them got a confident answer (a featured fix) anyway.
    pub no_answer_queries: usize,
    pub no_answer_confident: usize,
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
    let mut scored = Vec::new();
    let (mut no_answer_queries, mut no_answer_confident) = (0, 0);
    for case in cases {
        let response = engine.search(&crate::search::SearchRequest::new(case.query.clone(), 10))?;
        let ranked: Vec<String> = response.hits.iter().map(|h| h.id.clone()).collect();
        if case.judgments.values().all(|&g| g == 0) {
            no_answer_queries += 1;
            no_answer_confident += usize::from(response.fix.is_some());
            continue;
        }
        let scores = score_ranking(&ranked, &case.judgments);
        overall.add(&scores);
        groups.entry(case.group.clone()).or_default().add(&scores);
        scored.push((scores.ndcg_at_10, case, ranked));
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(SearchReport {
        overall: overall.averaged(),
        groups: groups.into_iter().map(|(g, s)| (g, s.averaged())).collect(),
        no_answer_queries,
        no_answer_confident,
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
