//! `posfaq import`: raw scraped articles to clean Markdown articles.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use posfaq::analysis::Analyzer;
use posfaq::corpus::import::{self, Report, Rules};

/// Import raw article text (as scraped) into Markdown articles.
///
/// Removes ads, phone numbers, promotional links and link farms, repairs
/// obfuscated words (刷ka卡 → 刷卡), recovers headings, Q&A pairs and lists,
/// and prints a report per file for an editor to review.
///
/// Example: posfaq import ../shared/seeds/*.txt --out corpus/articles
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Raw article files (UTF-8 text; the first line is the title).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Folder to write the articles to.
    #[arg(long)]
    pub out: PathBuf,
    /// Overwrite articles that already exist.
    #[arg(long)]
    pub force: bool,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let rules = Rules::new(Analyzer::shared().repairs());
    let date = import::today();
    let mut outputs = Vec::new();
    for file in &args.files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let raw = posfaq::corpus::decode(file, bytes)?;
        if raw.trim().is_empty() {
            bail!("{}:1: empty file", file.display());
        }
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = file
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = import::id_from_file_name(&stem);
        let target = args.out.join(format!("{id}.md"));
        if target.exists() && !args.force {
            bail!(
                "{} already exists (use --force to overwrite it)",
                target.display()
            );
        }
        let (markdown, report) = import::import_text(&raw, &name, &id, &date, &rules);
        outputs.push((target, markdown, report));
    }
    // Everything is checked before anything is written.
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut stdout = std::io::stdout().lock();
    let mut reports = Vec::new();
    for (target, markdown, report) in outputs {
        write_file(&target, &markdown)?;
        if !args.json {
            print_report(&mut stdout, &target, &report)?;
        }
        reports.push(report);
    }
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &reports)?;
        writeln!(stdout)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_file(target: &Path, text: &str) -> anyhow::Result<()> {
    let temp = target.with_extension("md.tmp");
    std::fs::write(&temp, text).with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, target).with_context(|| format!("writing {}", target.display()))
}

fn print_report(out: &mut impl Write, target: &Path, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{} -> {} ({})",
        report.source,
        target.display(),
        report.title
    )?;
    writeln!(
        out,
        "  structure: {} headings, {} questions, {} list items, {} paragraphs",
        report.headings, report.questions, report.list_items, report.paragraphs
    )?;
    for (label, tallies) in [("removed", &report.removed), ("repaired", &report.repaired)] {
        for (kind, tally) in tallies {
            writeln!(
                out,
                "  {label} {kind}: {} (e.g. {})",
                tally.count,
                tally.examples.join(" | ")
            )?;
        }
    }
    Ok(())
}
