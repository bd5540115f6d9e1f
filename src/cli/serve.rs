//! `posfaq serve`, and what `posfaq` does with no command: index the corpus
//! when the index is missing or older than it, then serve.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use posfaq::analysis::Analyzer;
use posfaq::index;
use posfaq::release::Store;
use posfaq::server::follow::Follow;
use posfaq::server::{self, Config};

/// Serve the JSON API and the search page.
///
/// With --follow, serve the releases `posfaq publish` puts in a store: the
/// one its LATEST names is fetched into --index (which may start empty;
/// /readyz answers 503 until it is in), and each new one is fetched,
/// checked, and swapped in as it is published.
///
/// Examples:
///   POSFAQ_ADMIN_TOKEN=secret posfaq serve --addr 127.0.0.1:8080
///   posfaq serve --index /var/lib/posfaq --follow s3://kb-releases/posfaq --poll 30s
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index to serve.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// Address to listen on; port 0 takes any free port. Once the server has
    /// opened the index (or failed to: /readyz then says why) and bound the
    /// socket, it prints `listening on http://ADDR` on stdout, with the
    /// address it bound.
    #[arg(long, default_value = "127.0.0.1:8080", env = "POSFAQ_ADDR")]
    pub addr: SocketAddr,
    /// Bearer token for POST /api/admin/reload (without it the route answers 401).
    #[arg(long, env = "POSFAQ_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Origins allowed to call the API from other sites, comma-separated
    /// (`*` for any); same-origin only by default.
    #[arg(long, env = "POSFAQ_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Seconds a request may take.
    #[arg(long, default_value_t = 10, env = "POSFAQ_REQUEST_TIMEOUT")]
    pub request_timeout: u64,
    /// Requests handled at once.
    #[arg(long, default_value_t = 256, env = "POSFAQ_MAX_CONCURRENCY")]
    pub max_concurrency: usize,
    /// Searches whose results are kept for when they are asked again
    /// (0: no cache). Emptied when the index is reloaded.
    #[arg(long, default_value_t = 4096, env = "POSFAQ_CACHE_ENTRIES")]
    pub cache_entries: usize,
    /// Follow a release store: file:///folder, s3://bucket/prefix,
    /// gs://bucket/prefix or az://container/prefix.
    #[arg(long, value_name = "URL", env = "POSFAQ_FOLLOW")]
    pub follow: Option<String>,
    /// How often a follower reads the store's LATEST (500ms, 30s, 5m).
    #[arg(long, default_value = "30s", env = "POSFAQ_POLL", value_parser = humantime::parse_duration)]
    pub poll: Duration,
    #[command(flatten)]
    pub analytics: super::report::AnalyticsArgs,
    /// Where the page sends people when nothing reliable was found, shown
    /// under "没有找到可靠答案" (e.g. "客服热线 95xxx，工作日 9:00–18:00").
    #[arg(long, env = "POSFAQ_CONTACT")]
    pub contact: Option<String>,
    /// Host names (or host:port) the MCP endpoint `/mcp` answers to, besides
    /// the loopback names, comma-separated: a request for another host is
    /// refused, as a guard against DNS rebinding.
    #[arg(long, env = "POSFAQ_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub mcp_allowed_hosts: Vec<String>,
}

impl Args {
    fn config(self) -> anyhow::Result<Config> {
        let mut config = Config::new(self.index, self.addr);
        config.admin_token = self.admin_token;
        config.cors_origins = self
            .cors_origins
            .into_iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect();
        config.request_timeout = Duration::from_secs(self.request_timeout.max(1));
        config.max_concurrency = self.max_concurrency.max(1);
        config.cache_entries = self.cache_entries;
        config.analytics = self.analytics.enabled();
        config.analytics_retention_days = self.analytics.analytics_retention_days;
        config.contact = self.contact;
        config.mcp_allowed_hosts = self
            .mcp_allowed_hosts
            .into_iter()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(url) = &self.follow {
            config.follow = Some(Follow {
                store: Store::open(url)?,
                poll: self.poll.max(Duration::from_millis(10)),
            });
        }
        Ok(config)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = args.config()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}

/// No command: refresh the index of `corpus/` if needed, then serve.
pub fn run_default(corpus: PathBuf, args: Args) -> anyhow::Result<ExitCode> {
    let analyzer = Analyzer::shared();
    if args.follow.is_none() && corpus.is_dir() && index::is_stale(&args.index, &corpus, &analyzer)
    {
        tracing::info!(corpus = %corpus.display(), index = %args.index.display(), "index missing or older than the corpus; indexing");
        let summary = super::index::build(&corpus, &args.index)?;
        tracing::info!(
            articles = summary.meta.articles,
            sections = summary.meta.sections,
            fixes = summary.meta.fixes,
            seconds = summary.seconds,
            "indexed"
        );
    }
    run(args)
}
