//! `posfaq index`: builds the index from a corpus folder.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use posfaq::analysis::Analyzer;
use posfaq::{corpus, index};

/// Build the search index from a folder of Markdown articles and fix cards.
///
/// The new index is written beside the live one and swapped in only when it
/// is complete: a failed or interrupted build leaves the live index as it was.
///
/// Example: posfaq index --corpus corpus --index index
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of articles (any `*.md` below it) and fix cards (`fixes/*.md`).
    #[arg(long, default_value = "corpus", env = "POSFAQ_CORPUS")]
    pub corpus: PathBuf,
    /// Where to put the index.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let summary = build(&args.corpus, &args.index)?;
    eprintln!(
        "indexed {} articles, {} sections, {} fix cards in {:.2} s into {}",
        summary.meta.articles,
        summary.meta.sections,
        summary.meta.fixes,
        summary.seconds,
        args.index.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Loads and validates the corpus, then builds the index.
pub fn build(
    corpus_dir: &std::path::Path,
    index_dir: &std::path::Path,
) -> anyhow::Result<index::BuildSummary> {
    let corpus = corpus::load_dir(corpus_dir)?;
    index::build(corpus, index_dir, Analyzer::shared())
        .with_context(|| format!("building the index in {}", index_dir.display()))
}
