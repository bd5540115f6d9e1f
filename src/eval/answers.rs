//! Fix-card accuracy on a judged answer set (`answers.tsv`: query,
//! expected card id or `-` for no answer, group, part).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::{Part, part_of, read_rows};
use crate::Result;
use crate::search::Engine;

/// One judged answer query.
#[derive(Debug, Clone)]
pub struct AnswerCase {
    pub query: String,
    /// The card that should answer, or `None` when nothing should.
    pub expected: Option<String>,
    pub group: String,
    pub part: Part,
}

/// Reads a judged answer set: `query<TAB>expected<TAB>group<TAB>part`
/// with a header line; group and part may be left out.
pub fn load_answers(path: &Path) -> Result<Vec<AnswerCase>> {
    let mut cases = Vec::new();
    for (line, cols) in read_rows(path)? {
        if cols.len() < 2 || cols[0].is_empty() {
            return Err(crate::Error::corpus(
                path,
                line,
                "expected `query<TAB>expected[<TAB>group[<TAB>part]]`",
            ));
        }
        cases.push(AnswerCase {
            query: cols[0].clone(),
            expected: Some(cols[1].as_str())
                .filter(|e| *e != "-")
                .map(String::from),
            group: cols.get(2).map_or("all", |g| g).to_string(),
            part: part_of(path, line, &cols, 3)?,
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
    /// Correct answers in each part (`tuning`, `held-out`).
    pub parts: BTreeMap<String, GroupScore>,
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
        parts: BTreeMap::new(),
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
        for score in [
            report.groups.entry(case.group.clone()).or_default(),
            report.parts.entry(case.part.clone()).or_default(),
        ] {
            score.queries += 1;
            score.correct += usize::from(correct);
        }
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
