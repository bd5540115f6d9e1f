//! `posfaq eval`: quality on a judged set, through the server's engine.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use posfaq::eval;
use posfaq::search::Engine;

/// Measure answer quality on a judged set.
///
/// `--answers FILE` reads `query<TAB>expected card id or -<TAB>group` and
/// reports top-1 accuracy overall, per group and per confidence band, with
/// every miss.
///
/// Example: posfaq eval --answers tests/eval/answers.tsv
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index to evaluate.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// A judged answer set.
    #[arg(long)]
    pub answers: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index)?;
    let cases = eval::load_answers(&args.answers)?;
    let report = eval::eval_answers(&engine, &cases)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "top-1 accuracy {:.3} ({}/{})",
        report.accuracy, report.correct, report.queries
    )?;
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
    Ok(ExitCode::SUCCESS)
}
