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
