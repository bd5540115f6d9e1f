//! The report the knowledge team reads (`posfaq report`, `GET
//! /api/admin/analytics`): over a window of time, the most frequent
//! queries, those that found nothing, answers given with little
//! confidence and queries left unanswered, click-through by result
//! position, the fix cards people said did not help, and the to-do list
//! built from what went unanswered (`suggest`).
//!
//! Every figure is a query of the database; feedback counts only when it
//! names a query that was recorded (a made-up query id counts nowhere).
//! Queries are counted on their first page only (`page_offset = 0`).

use std::str::FromStr;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{now_ms, suggest};
use crate::search::Engine;
use crate::{Error, Result};

/// An answer or featured fix below this confidence is listed as
/// low-confidence: the page shows it as not a sure match.
pub const LOW_CONFIDENCE: f64 = 0.75;

/// The window a report covers: the last `7d`, `24h`, `30m`, or `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Since {
    label: String,
    millis: Option<i64>,
}

impl Since {
    /// The earliest time (Unix milliseconds) the window includes.
    pub fn cutoff(&self, now_ms: i64) -> i64 {
        self.millis.map_or(i64::MIN, |m| now_ms - m)
    }
}

impl Default for Since {
    fn default() -> Self {
        "7d".parse().expect("a valid window")
    }
}

impl FromStr for Since {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || {
            format!(
                "`{s}` is not a window: a number of days, hours or minutes (7d, 24h, 30m) or `all`"
            )
        };
        if s == "all" {
            return Ok(Since {
                label: s.into(),
                millis: None,
            });
        }
        let unit = match s.chars().last() {
            Some('d') => 86_400_000,
            Some('h') => 3_600_000,
            Some('m') => 60_000,
            _ => return Err(bad()),
        };
        let n: i64 = s[..s.len() - 1].parse().map_err(|_| bad())?;
        if !(1..=99_999).contains(&n) {
            return Err(bad());
        }
        Ok(Since {
            label: s.into(),
            millis: Some(n * unit),
        })
    }
}

/// What was searched and found, over a window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The window, as asked (`7d`, `all`).
    pub since: String,
    /// The window's start and end, Unix milliseconds (start 0 for `all`).
    pub from_ms: i64,
    pub to_ms: i64,
    pub totals: Totals,
    /// The most frequent queries, searches and answers alike.
    pub top_queries: Vec<QueryCount>,
    /// Searches that matched no article.
    pub zero_result: Vec<QueryCount>,
    /// Answers and featured fixes given below [`LOW_CONFIDENCE`].
    pub low_confidence: Vec<LowConfidence>,
    /// Answers that found no card, and searches that found nothing or
    /// nothing reliable.
    pub unanswered: Vec<QueryCount>,
    /// Clicks on results by position (1 for the first), as a share of
    /// the searches that had results.
    pub clicks_by_position: Vec<PositionClicks>,
    /// Fix cards people said did not help, the most such votes first.
    pub unhelpful_fixes: Vec<FixVotes>,
    /// The unanswered queries grouped by their words, with candidate
    /// synonyms and fix-card symptoms: what to add to the knowledge base.
    pub todo: Vec<TodoGroup>,
}

/// Totals over the window.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub searches: i64,
    pub answers: i64,
    /// Recorded queries by client (`page`, `widget`, `api`, `mcp`).
    pub by_client: Vec<ClientCount>,
    pub clicks: i64,
    /// Helpful and unhelpful votes on fix cards.
    pub votes: i64,
    /// Searches with results of which a result was clicked, as a share.
    pub click_through: f64,
}

/// Queries recorded from one client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientCount {
    pub client: String,
    pub queries: i64,
}

/// A normalized query and how often it was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueryCount {
    pub query: String,
    pub count: i64,
    /// The most articles it matched (for an answer, 1 or 0).
    pub hits: i64,
}

/// A query answered with little confidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowConfidence {
    pub query: String,
    /// The card (or FAQ article) given.
    pub answer: String,
    /// Its mean confidence.
    pub confidence: f64,
    pub count: i64,
}

/// Clicks on one result position.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PositionClicks {
    pub position: u32,
    pub clicks: i64,
    /// Clicks per search with results.
    pub rate: f64,
}

/// Votes on one fix card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FixVotes {
    pub fix: String,
    pub title: Option<String>,
    pub unhelpful: i64,
    pub helpful: i64,
}

/// Unanswered queries that share their words, and what might answer them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TodoGroup {
    /// The normalized words the queries share (question words left out).
    pub words: Vec<String>,
    pub count: i64,
    pub queries: Vec<QueryCount>,
    /// Query words people used when they clicked an article that lacks
    /// them: a synonym for a word of that article.
    pub synonyms: Vec<SynonymCandidate>,
    /// Phrases to add as a fix card's symptoms (to the card named, or to a
    /// new card when none is).
    pub symptoms: Vec<SymptomCandidate>,
}

/// A query word used to reach an article that does not contain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SynonymCandidate {
    pub word: String,
    pub article: String,
    pub title: Option<String>,
    pub clicks: i64,
}

/// A phrase people typed that no card's symptoms cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SymptomCandidate {
    pub symptom: String,
    /// The card it belongs to, when the clicks point at one; none: a new card.
    pub card: Option<String>,
    pub title: Option<String>,
}

/// The report over `since`, each list at most `limit` long. With the
/// engine, the to-do list names titles and looks inside articles and
/// cards; without it (no index), it only groups the queries.
pub fn build(
    connection: &Connection,
    since: &Since,
    limit: usize,
    engine: Option<&Engine>,
) -> Result<Report> {
    let to_ms = now_ms();
    let from = since.cutoff(to_ms);
    let fail = |e: rusqlite::Error| Error::Analytics {
        path: connection.path().unwrap_or_default().into(),
        message: e.to_string(),
    };
    let limit = limit.clamp(1, 1000) as i64;
    let counts = |sql: &str, limit: i64| -> rusqlite::Result<Vec<QueryCount>> {
        let mut statement = connection.prepare(sql)?;
        let rows = statement.query_map(params![from, limit], |r| {
            Ok(QueryCount {
                query: r.get(0)?,
                count: r.get(1)?,
                hits: r.get(2)?,
            })
        })?;
        rows.collect()
    };
    let top_queries = counts(
        "SELECT query, COUNT(*), MAX(hits) FROM queries WHERE at >= ?1 AND page_offset = 0
         GROUP BY query ORDER BY 2 DESC, 1 LIMIT ?2",
        limit,
    )
    .map_err(fail)?;
    let zero_result = counts(
        "SELECT query, COUNT(*), MAX(hits) FROM queries
         WHERE at >= ?1 AND page_offset = 0 AND kind = 'search' AND hits = 0
         GROUP BY query ORDER BY 2 DESC, 1 LIMIT ?2",
        limit,
    )
    .map_err(fail)?;
    // All of them: the to-do list groups them before it is cut.
    let unanswered_all = counts(
        "SELECT query, COUNT(*), MAX(hits) FROM queries
         WHERE at >= ?1 AND page_offset = 0
           AND ((kind = 'answer' AND answer_id IS NULL)
             OR (kind = 'search' AND (hits = 0 OR weak = 1)))
         GROUP BY query ORDER BY 2 DESC, 1 LIMIT ?2",
        i64::MAX,
    )
    .map_err(fail)?;
    let totals = totals(connection, from).map_err(fail)?;
    let searched = searches_with_hits(connection, from).map_err(fail)?;
    let report = Report {
        since: since.label.clone(),
        from_ms: from.max(0),
        to_ms,
        low_confidence: low_confidence(connection, from, limit).map_err(fail)?,
        clicks_by_position: clicks_by_position(connection, from, searched).map_err(fail)?,
        unhelpful_fixes: unhelpful_fixes(connection, from, limit, engine).map_err(fail)?,
        todo: suggest::todo(
            &unanswered_all,
            &article_clicks(connection, from).map_err(fail)?,
            engine,
            limit as usize,
        ),
        unanswered: unanswered_all.into_iter().take(limit as usize).collect(),
        top_queries,
        zero_result,
        totals,
    };
    Ok(report)
}

fn totals(c: &Connection, from: i64) -> rusqlite::Result<Totals> {
    let mut totals = Totals::default();
    let mut statement =
        c.prepare("SELECT kind, COUNT(*) FROM queries WHERE at >= ?1 GROUP BY kind")?;
    for row in statement.query_map([from], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
        match row? {
            (kind, n) if kind == "search" => totals.searches = n,
            (_, n) => totals.answers += n,
        }
    }
    let mut statement = c.prepare(
        "SELECT client, COUNT(*) FROM queries WHERE at >= ?1 GROUP BY client ORDER BY client",
    )?;
    totals.by_client = statement
        .query_map([from], |r| {
            Ok(ClientCount {
                client: r.get(0)?,
                queries: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    (totals.clicks, totals.votes) = c.query_row(
        "SELECT COALESCE(SUM(f.clicked), 0), COUNT(f.helpful)
         FROM feedback f JOIN queries q ON q.id = f.query_id WHERE q.at >= ?1",
        [from],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let clicked: i64 = c.query_row(
        "SELECT COUNT(DISTINCT f.query_id) FROM feedback f JOIN queries q ON q.id = f.query_id
         WHERE q.at >= ?1 AND q.kind = 'search' AND f.clicked = 1",
        [from],
        |r| r.get(0),
    )?;
    totals.click_through = share(clicked, searches_with_hits(c, from)?);
    Ok(totals)
}

fn searches_with_hits(c: &Connection, from: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT COUNT(*) FROM queries WHERE at >= ?1 AND kind = 'search' AND hits > 0",
        [from],
        |r| r.get(0),
    )
}

fn low_confidence(c: &Connection, from: i64, limit: i64) -> rusqlite::Result<Vec<LowConfidence>> {
    let mut statement = c.prepare(
        "SELECT query, answer_id, AVG(confidence), COUNT(*) FROM queries
         WHERE at >= ?1 AND page_offset = 0 AND answer_id IS NOT NULL AND confidence < ?2
         GROUP BY query, answer_id ORDER BY 4 DESC, 1, 2 LIMIT ?3",
    )?;
    let rows = statement.query_map(params![from, LOW_CONFIDENCE, limit], |r| {
        Ok(LowConfidence {
            query: r.get(0)?,
            answer: r.get(1)?,
            confidence: (r.get::<_, f64>(2)? * 1000.0).round() / 1000.0,
            count: r.get(3)?,
        })
    })?;
    rows.collect()
}

fn clicks_by_position(
    c: &Connection,
    from: i64,
    searched: i64,
) -> rusqlite::Result<Vec<PositionClicks>> {
    let mut statement = c.prepare(
        "SELECT f.position, COUNT(*) FROM feedback f JOIN queries q ON q.id = f.query_id
         WHERE q.at >= ?1 AND f.clicked = 1 AND f.position IS NOT NULL
         GROUP BY f.position ORDER BY f.position",
    )?;
    let rows = statement.query_map([from], |r| {
        let clicks: i64 = r.get(1)?;
        Ok(PositionClicks {
            position: r.get(0)?,
            clicks,
            rate: share(clicks, searched),
        })
    })?;
    rows.collect()
}

fn unhelpful_fixes(
    c: &Connection,
    from: i64,
    limit: i64,
    engine: Option<&Engine>,
) -> rusqlite::Result<Vec<FixVotes>> {
    let mut statement = c.prepare(
        "SELECT f.fix_id, SUM(f.helpful = 0), SUM(f.helpful = 1)
         FROM feedback f JOIN queries q ON q.id = f.query_id
         WHERE q.at >= ?1 AND f.fix_id IS NOT NULL AND f.helpful IS NOT NULL
         GROUP BY f.fix_id HAVING SUM(f.helpful = 0) > 0 ORDER BY 2 DESC, 1 LIMIT ?2",
    )?;
    let rows = statement.query_map(params![from, limit], |r| {
        let fix: String = r.get(0)?;
        Ok(FixVotes {
            title: engine
                .and_then(|e| e.fix(&fix).ok().flatten())
                .map(|card| card.title),
            fix,
            unhelpful: r.get(1)?,
            helpful: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Clicks on articles: (normalized query, article id, clicks).
fn article_clicks(c: &Connection, from: i64) -> rusqlite::Result<Vec<(String, String, i64)>> {
    let mut statement = c.prepare(
        "SELECT q.query, f.article_id, COUNT(*) FROM feedback f JOIN queries q ON q.id = f.query_id
         WHERE q.at >= ?1 AND f.clicked = 1 AND f.article_id IS NOT NULL
         GROUP BY q.query, f.article_id ORDER BY 3 DESC, 1, 2",
    )?;
    let rows = statement.query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 1000.0).round() / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_and_bad_ones_say_why() {
        assert_eq!(
            "7d".parse::<Since>().unwrap().cutoff(10 * 86_400_000),
            3 * 86_400_000
        );
        assert_eq!(
            "2h".parse::<Since>().unwrap().cutoff(3_600_000 * 5),
            3_600_000 * 3
        );
        assert_eq!("all".parse::<Since>().unwrap().cutoff(5), i64::MIN);
        for bad in ["", "7", "d", "-1d", "0d", "1w", "100000d", "7天"] {
            let error = bad.parse::<Since>().unwrap_err();
            assert!(error.contains("not a window"), "{bad}: {error}");
        }
    }
}
