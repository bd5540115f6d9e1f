//! `posfaq answer`: the one best fix (or FAQ section) for a query.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use posfaq::search::Engine;
use posfaq::search::answer::AnswerResponse;

/// Answer a question with the canonical fix card, or a FAQ section.
///
/// Prints the meaning, causes, numbered steps and when to escalate, with a
/// confidence; says so when nothing fits.
///
/// Example: posfaq answer -- 刷卡显示51
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index to search.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// Print the response as JSON (the same shape as the HTTP API's).
    #[arg(long)]
    pub json: bool,
    /// The question; words may be separate arguments.
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub query: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index)?;
    let response = engine.answer(&args.query.join(" "))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &response)?;
        writeln!(out)?;
    } else {
        print_text(&mut out, &response)?;
    }
    out.flush()?;
    Ok(if response.answer.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_text(out: &mut impl Write, response: &AnswerResponse) -> std::io::Result<()> {
    let Some(answer) = &response.answer else {
        writeln!(out, "no answer for {}", response.query)?;
        return Ok(());
    };
    writeln!(
        out,
        "{} [{}:{}] confidence {:.2}",
        answer.title, answer.kind, answer.id, answer.confidence
    )?;
    writeln!(out, "\n{}", answer.summary)?;
    if !answer.causes.is_empty() {
        writeln!(out, "\n可能原因:")?;
        for cause in &answer.causes {
            writeln!(out, "  - {cause}")?;
        }
    }
    if !answer.steps.is_empty() {
        writeln!(out, "\n解决步骤:")?;
        for (i, step) in answer.steps.iter().enumerate() {
            writeln!(out, "  {}. {step}", i + 1)?;
        }
    }
    if !answer.escalation.is_empty() {
        writeln!(out, "\n仍未解决: {}", answer.escalation)?;
    }
    for source in &answer.sources {
        writeln!(
            out,
            "\n来源: {} ({}) § {}",
            source.title, source.id, source.section
        )?;
    }
    for alt in &response.alternatives {
        writeln!(
            out,
            "另见: {} [{}] {:.2}",
            alt.title, alt.id, alt.confidence
        )?;
    }
    Ok(())
}
