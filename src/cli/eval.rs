//! `posfaq eval`: quality on judged sets, through the server's engine.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

use posfaq::eval::{self, AnswerReport, RankScores, SearchReport};
use posfaq::search::Engine;

/// Measure search and answer quality on judged sets.
///
/// `--queries FILE --qrels FILE` ranks every query as the server does and
/// reports nDCG@10, MRR@10, P@1 and Recall@10, overall and per group, with
/// the worst queries. `--answers FILE` reports fix-card top-1 accuracy per
/// group and per confidence band, with every miss.
///
/// Example: posfaq eval --queries tests/eval/queries.tsv --qrels tests/eval/qrels.tsv
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index to evaluate.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// Judged search queries: `qid<TAB>query<TAB>group`.
    #[arg(long, requires = "qrels")]
    pub queries: Option<PathBuf>,
    /// Graded judgments: `qid<TAB>article id<TAB>grade` (2 answers, 1 related).
    #[arg(long, requires = "queries")]
    pub qrels: Option<PathBuf>,
    /// A judged answer set: `query<TAB>expected card id or -<TAB>group`.
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Only the queries of this part of the sets: `tuning` (weights may be
    /// fitted on it) or `held-out` (nothing is).
    #[arg(long, value_parser = ["tuning", "held-out"])]
    pub part: Option<String>,
    /// How many of the worst queries to list.
    #[arg(long, default_value_t = 10)]
    pub worst: usize,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.answers.is_none() && args.queries.is_none() {
        bail!("give --queries and --qrels, or --answers");
    }
    let engine = Engine::open(&args.index)?;
    let in_part = |part: &String| args.part.as_ref().is_none_or(|p| p == part);
    let search = match (&args.queries, &args.qrels) {
        (Some(queries), Some(qrels)) => {
            let mut cases = eval::load_search_cases(queries, qrels)?;
            cases.retain(|c| in_part(&c.part));
            Some(eval::eval_search(&engine, &cases, args.worst)?)
        }
        _ => None,
    };
    let answers = match &args.answers {
        Some(path) => {
            let mut cases = eval::load_answers(path)?;
            cases.retain(|c| in_part(&c.part));
            Some(eval::eval_answers(&engine, &cases)?)
        }
        None => None,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "search": search, "answers": answers }),
        )?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(report) = &search {
        print_search(&mut out, report)?;
    }
    if let Some(report) = &answers {
        print_answers(&mut out, report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_scores(out: &mut impl Write, name: &str, s: &RankScores) -> std::io::Result<()> {
    writeln!(
        out,
        "{name:<14} {:>7} {:>8.3} {:>8.3} {:>8.3} {:>9.3}",
        s.queries, s.ndcg_at_10, s.mrr_at_10, s.p_at_1, s.recall_at_10
    )
}

fn print_search(out: &mut impl Write, report: &SearchReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<14} {:>7} {:>8} {:>8} {:>8} {:>9}",
        "group", "queries", "nDCG@10", "MRR@10", "P@1", "Recall@10"
    )?;
    for (name, scores) in &report.groups {
        print_scores(out, name, scores)?;
    }
    print_scores(out, "overall", &report.overall)?;
    for (name, scores) in &report.parts {
        print_scores(out, &format!("part {name}"), scores)?;
    }
    writeln!(
        out,
        "\nqueries with no answer: {}, given a confident fix anyway: {}, \
         listed hits not flagged weak: {} {:?}",
        report.no_answer_queries,
        report.no_answer_confident,
        report.no_answer_listed.len(),
        report.no_answer_listed
    )?;
    writeln!(
        out,
        "queries with an answer flagged weak: {} {:?}",
        report.answered_weak.len(),
        report.answered_weak
    )?;
    if !report.worst.is_empty() {
        writeln!(out, "\nworst queries:")?;
        for w in &report.worst {
            writeln!(
                out,
                "  {:.3}  {}  expected {}  got {}",
                w.ndcg_at_10,
                w.query,
                w.expected.join(" "),
                w.got.join(" ")
            )?;
        }
    }
    writeln!(out)
}

fn print_answers(out: &mut impl Write, report: &AnswerReport) -> std::io::Result<()> {
    writeln!(
        out,
        "top-1 accuracy {:.3} ({}/{})",
        report.accuracy, report.correct, report.queries
    )?;
    for (name, g) in &report.parts {
        writeln!(
            out,
            "part {name}: {:.3} ({}/{})",
            g.correct as f64 / g.queries as f64,
            g.correct,
            g.queries
        )?;
    }
    writeln!(
        out,
        "answered although none expected: {}",
        report.answered_when_none_expected
    )?;
    writeln!(
        out,
        "\n{:<14} {:>7} {:>7} {:>8}",
        "group", "queries", "correct", "accuracy"
    )?;
    for (name, g) in &report.groups {
        writeln!(
            out,
            "{name:<14} {:>7} {:>7} {:>8.3}",
            g.queries,
            g.correct,
            g.correct as f64 / g.queries as f64
        )?;
    }
    writeln!(
        out,
        "\n{:<14} {:>7} {:>7} {:>8}",
        "confidence", "answers", "correct", "accuracy"
    )?;
    for (band, g) in &report.calibration {
        writeln!(
            out,
            "{band:<14} {:>7} {:>7} {:>8.3}",
            g.queries,
            g.correct,
            g.correct as f64 / g.queries as f64
        )?;
    }
    if !report.misses.is_empty() {
        writeln!(out, "\nmisses:")?;
        for m in &report.misses {
            writeln!(
                out,
                "  {}  expected {}  got {} ({:.2})",
                m.query, m.expected, m.got, m.confidence
            )?;
        }
    }
    Ok(())
}
