//! `posfaq search`: ranked articles for a query, as text or JSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use posfaq::corpus::Category;
use posfaq::search::{Engine, SearchRequest, SearchResponse};
use posfaq::server::json;

/// Search the knowledge base.
///
/// Words are matched anywhere (sub-words and single characters too),
/// "quoted text" must appear as written, -word must not appear.
///
/// Example: posfaq search --limit 5 -- 终端未登记 -立刷
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index to search.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// How many hits to show (1 to 50).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// How many hits to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Only articles of this category (status-error, fees, application, usage, brand).
    #[arg(long)]
    pub category: Option<Category>,
    /// Only articles about this brand.
    #[arg(long)]
    pub brand: Option<String>,
    /// Print the response as JSON (the same shape as the HTTP API's).
    #[arg(long)]
    pub json: bool,
    /// The query; words may be separate arguments.
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub query: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.index)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        limit: args.limit,
        offset: args.offset,
        category: args.category,
        brand: args.brand,
    };
    let response = engine.search(&request)?;
    let empty = response.hits.is_empty();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &json::SearchResponse::from(response))?;
        writeln!(out)?;
    } else {
        print_text(&mut out, &response, std::io::stdout().is_terminal())?;
    }
    out.flush()?;
    Ok(if empty {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_text(out: &mut impl Write, response: &SearchResponse, color: bool) -> std::io::Result<()> {
    let more = if response.total_exact { "" } else { "+" };
    writeln!(
        out,
        "{}{more} results for {} ({} ms)",
        response.total, response.query, response.took_ms
    )?;
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    for (i, hit) in response.hits.iter().enumerate() {
        writeln!(
            out,
            "\n{}. {}  {}  (score {:.2})",
            i + 1,
            hit.id,
            hit.title,
            hit.score
        )?;
        writeln!(out, "   § {}", hit.section)?;
        write!(out, "   ")?;
        for (piece, marked) in hit.snippet.pieces() {
            match marked {
                true => write!(out, "{open}{piece}{close}")?,
                false => write!(out, "{piece}")?,
            }
        }
        writeln!(out)?;
    }
    Ok(())
}
