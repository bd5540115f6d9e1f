//! The `posfaq` command line: clap arguments and one `run` per subcommand.
//! Each subcommand returns the process exit code: 0 on success, 1 when a
//! search finds nothing, 2 on error (mapped in `main`).

pub mod answer;
pub mod eval;
pub mod import;
pub mod index;
pub mod mcp;
pub mod publish;
pub mod report;
pub mod search;
pub mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Search engine for a Chinese POS-terminal FAQ knowledge base.
///
/// With no command, indexes `corpus/` when `index/` is missing or older than
/// the corpus, then serves the page and the API on http://127.0.0.1:8080.
#[derive(Debug, Parser)]
#[command(name = "posfaq", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no command: the corpus to index when the index is stale.
    #[arg(long, default_value = "corpus", env = "POSFAQ_CORPUS")]
    pub corpus: std::path::PathBuf,
    #[command(flatten)]
    pub serve: serve::Args,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Index(index::Args),
    Search(search::Args),
    Answer(answer::Args),
    Eval(eval::Args),
    Import(import::Args),
    Serve(serve::Args),
    Publish(publish::Args),
    Report(report::Args),
    Mcp(mcp::Args),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Some(Command::Index(args)) => index::run(args),
            Some(Command::Search(args)) => search::run(args),
            Some(Command::Answer(args)) => answer::run(args),
            Some(Command::Eval(args)) => eval::run(args),
            Some(Command::Import(args)) => import::run(args),
            Some(Command::Serve(args)) => serve::run(args),
            Some(Command::Publish(args)) => publish::run(args),
            Some(Command::Report(args)) => report::run(args),
            Some(Command::Mcp(args)) => mcp::run(args),
            None => serve::run_default(self.corpus, self.serve),
        }
    }
}
