//! `posfaq mcp`: the MCP tools over standard input and output, for a
//! chatbot platform that starts posfaq itself.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use posfaq::analytics::Analytics;
use posfaq::mcp::{EngineSource, Posfaq};
use posfaq::search::Engine;

/// Serve the MCP tools (search, answer, get_fix, get_article) and the fix
/// cards as resources over standard input and output, until the client
/// closes standard input; logs go to standard error. What the tools serve
/// is recorded in the analytics beside the index (client `mcp`).
///
/// Example, in a chatbot platform's configuration:
/// {"mcpServers": {"posfaq": {"command": "posfaq", "args": ["mcp", "--index", "/srv/posfaq/index"]}}}
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index to serve.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    #[command(flatten)]
    pub analytics: super::report::AnalyticsArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Arc::new(Engine::open(&args.index)?);
    let analytics = match args.analytics.enabled() {
        true => Analytics::open(&args.index, args.analytics.analytics_retention_days)
            .inspect_err(|e| tracing::error!(error = %e, "analytics off"))
            .ok(),
        false => None,
    };
    let source: EngineSource = Arc::new(move || Ok(engine.clone()));
    let server = Posfaq::new(source, analytics.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let served = runtime.block_on(posfaq::mcp::serve_stdio(server));
    // Standard input closed: commit what the tools recorded, then exit.
    if let Some(analytics) = analytics {
        analytics.close();
    }
    served?;
    Ok(ExitCode::SUCCESS)
}
