//! `posfaq report`: what was searched and found, from the analytics
//! database that `posfaq serve` and `posfaq mcp` write beside the index;
//! and the analytics options those two share.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use posfaq::analytics::{self, Report, Since};
use posfaq::search::Engine;

/// Whether to record searches, answers and feedback, and for how long.
#[derive(Debug, Clone, clap::Args)]
pub struct AnalyticsArgs {
    /// Record every search, answer and feedback in `analytics.sqlite`
    /// beside the index (`on`), or nothing (`off`). No IP address, header
    /// or token is ever recorded.
    #[arg(long, default_value = "on", value_parser = ["on", "off"], env = "POSFAQ_ANALYTICS")]
    pub analytics: String,
    /// Days recorded queries and feedback are kept.
    #[arg(long, default_value_t = analytics::DEFAULT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650), env = "POSFAQ_ANALYTICS_RETENTION_DAYS")]
    pub analytics_retention_days: u32,
}

impl AnalyticsArgs {
    pub fn enabled(&self) -> bool {
        self.analytics == "on"
    }
}

/// Report the search analytics: top queries, queries that found nothing,
/// low-confidence and unanswered answers, click-through by position, fix
/// cards marked unhelpful, and a to-do list (unanswered queries grouped by
/// their words, with candidate synonyms and fix-card symptoms).
///
/// Example: posfaq report --index index --since 7d
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index whose analytics to read (`INDEX/analytics.sqlite`).
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// The window: days, hours or minutes (7d, 24h, 30m) or `all`.
    #[arg(long, default_value = "7d")]
    pub since: Since,
    /// Entries per list.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// Print the report as JSON (the same as `GET /api/admin/analytics`).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let connection = analytics::open_for_report(&args.index)?;
    // Without the index the report still counts; it only cannot look into
    // articles and cards for the to-do list.
    let engine = Engine::open(&args.index)
        .inspect_err(|e| tracing::warn!(error = %e, "no index: the to-do list only groups queries"))
        .ok();
    let report = analytics::report::build(
        &connection,
        &args.since,
        usize::from(args.limit),
        engine.as_ref(),
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_text(&mut out, &report)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_text(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let t = &r.totals;
    writeln!(
        out,
        "since {}: {} searches, {} answers, {} clicks ({:.1}% of searches with results), {} votes",
        r.since,
        t.searches,
        t.answers,
        t.clicks,
        t.click_through * 100.0,
        t.votes
    )?;
    let clients: Vec<String> = t
        .by_client
        .iter()
        .map(|c| format!("{} {}", c.client, c.queries))
        .collect();
    writeln!(out, "by client: {}", clients.join(", "))?;
    section(out, "top queries", &r.top_queries, |q| {
        format!("{:>6}  {}  ({} hits)", q.count, q.query, q.hits)
    })?;
    section(out, "zero-result queries", &r.zero_result, |q| {
        format!("{:>6}  {}", q.count, q.query)
    })?;
    section(out, "unanswered", &r.unanswered, |q| {
        format!("{:>6}  {}", q.count, q.query)
    })?;
    section(out, "low-confidence answers", &r.low_confidence, |l| {
        format!(
            "{:>6}  {} -> {} ({:.2})",
            l.count, l.query, l.answer, l.confidence
        )
    })?;
    section(out, "clicks by position", &r.clicks_by_position, |p| {
        format!("{:>6}  #{} ({:.1}%)", p.clicks, p.position, p.rate * 100.0)
    })?;
    section(out, "fix cards marked unhelpful", &r.unhelpful_fixes, |f| {
        format!(
            "{:>6}  {} {} ({} helpful)",
            f.unhelpful,
            f.fix,
            f.title.as_deref().unwrap_or(""),
            f.helpful
        )
    })?;
    writeln!(out, "\nto do ({} groups)", r.todo.len())?;
    for group in &r.todo {
        let queries: Vec<&str> = group.queries.iter().map(|q| q.query.as_str()).collect();
        writeln!(
            out,
            "{:>6}  [{}]  {}",
            group.count,
            group.words.join(" "),
            queries.join(" | ")
        )?;
        for s in &group.synonyms {
            writeln!(
                out,
                "        synonym? `{}` for {} {} ({} clicks)",
                s.word,
                s.article,
                s.title.as_deref().unwrap_or(""),
                s.clicks
            )?;
        }
        for s in &group.symptoms {
            match &s.card {
                Some(card) => writeln!(out, "        symptom? `{}` for card {card}", s.symptom)?,
                None => writeln!(out, "        symptom? `{}` for a new card", s.symptom)?,
            }
        }
    }
    Ok(())
}

fn section<T>(
    out: &mut impl Write,
    title: &str,
    items: &[T],
    line: impl Fn(&T) -> String,
) -> std::io::Result<()> {
    writeln!(out, "\n{title}")?;
    if items.is_empty() {
        writeln!(out, "        (none)")?;
    }
    for item in items {
        writeln!(out, "{}", line(item))?;
    }
    Ok(())
}
