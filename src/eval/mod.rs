//! Quality measured on judged sets, through the same engine the server
//! answers with: ranking on a search set (`search`: nDCG@10, P@1, ...) and
//! fix-card accuracy on an answer set (`answers`).
//!
//! Every judged query belongs to a part: `tuning`, the queries weights and
//! word lists may be fitted on, or `held-out`, the ones nothing is fitted
//! on, which the regression gate runs on. Reports give each part beside the
//! whole, so that a gap between them shows over-fitting.

mod answers;
mod search;

use std::path::Path;

pub use answers::{AnswerCase, AnswerReport, GroupScore, Miss, eval_answers, load_answers};
pub use search::{
    RankScores, SearchCase, SearchReport, WorstQuery, eval_search, load_search_cases, score_ranking,
};

use crate::{Error, Result};

/// The part a judged query belongs to, as its TSV line names it (`tuning`
/// or `held-out`); a set without the column is all `tuning`.
pub type Part = String;

/// The part of a line without a part column.
const DEFAULT_PART: &str = "tuning";

/// The parts a line may name.
const PARTS: [&str; 2] = ["tuning", "held-out"];

/// The data lines of a judged TSV file (header, blank and `#` lines
/// skipped), each as its 1-based line number and trimmed columns.
fn read_rows(path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| (n + 1, l.split('\t').map(|c| c.trim().to_string()).collect()))
        .collect())
}

/// The part named in column `at` of a row, checked.
fn part_of(path: &Path, line: usize, cols: &[String], at: usize) -> Result<Part> {
    match cols.get(at).map(String::as_str) {
        None | Some("") => Ok(DEFAULT_PART.to_string()),
        Some(part) if PARTS.contains(&part) => Ok(part.to_string()),
        Some(other) => Err(Error::corpus(
            path,
            line,
            format!("unknown part `{other}`: expected tuning or held-out"),
        )),
    }
}
