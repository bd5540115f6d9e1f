//! Search analytics: what people searched for and asked, what the engine
//! answered, and what they did with it, for the knowledge team.
//!
//! Every search and answer served (through the page, the widget, the API or
//! the MCP tools) becomes a [`QueryEvent`]; a click on a result and a vote
//! on a fix card ("有帮助 / 没帮助") become [`Feedback`]. The request path only
//! hands them to [`Analytics`], which queues them on a bounded channel (what
//! does not fit is dropped and counted, never waited for); a writer thread
//! (`writer`) normalizes each query and commits whatever has queued up since
//! its last commit in one transaction of the SQLite database (`store`).
//! Closing the handle, on shutdown, commits what is queued and waits for it;
//! a process killed outright loses at most the batch it had not committed.
//! `report` reads the database back for `posfaq report` and the admin route,
//! and `suggest` turns what went unanswered into the knowledge team's to-do
//! list.
//!
//! The database is `analytics.sqlite` beside the index. It holds the
//! normalized query and what the engine answered; never an IP address, a
//! header or a token. Rows older than the retention (90 days by default)
//! are deleted.

pub mod report;
mod store;
mod suggest;
mod writer;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::search::SearchRequest;
use crate::search::SearchResponse;
use crate::search::answer::AnswerResponse;
use crate::{Error, Result};
pub use report::{Report, Since};
pub use writer::Analytics;

/// The database's file name, in the index folder.
pub const FILE_NAME: &str = "analytics.sqlite";
/// How long rows are kept by default, in days.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// How many of a search's first hits are recorded.
pub const TOP_IDS: usize = 5;

/// The database beside the index in `index_dir`.
pub fn database_path(index_dir: &Path) -> PathBuf {
    index_dir.join(FILE_NAME)
}

/// Who asked: the search page, the embedded widget, a script calling the
/// API, or a chatbot through the MCP tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    Page,
    Widget,
    Api,
    Mcp,
}

impl Client {
    /// The name stored in the database and accepted as `client=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Client::Page => "page",
            Client::Widget => "widget",
            Client::Api => "api",
            Client::Mcp => "mcp",
        }
    }
}

impl FromStr for Client {
    type Err = String;

    /// `page`, `widget` or `api`: what an HTTP caller may say it is. `mcp`
    /// is set by the MCP layer itself.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "page" => Ok(Client::Page),
            "widget" => Ok(Client::Widget),
            "api" => Ok(Client::Api),
            _ => Err(format!(
                "unknown client `{s}`: one of page, widget, api (or leave it out)"
            )),
        }
    }
}

/// A search or an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Search,
    Answer,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Search => "search",
            Kind::Answer => "answer",
        }
    }
}

/// What was asked and what the engine answered: the part of a recorded
/// query that the response itself determines (a cached response carries
/// the outcome of the search that filled the cache).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub kind: Kind,
    /// As typed; the writer stores it normalized.
    pub query: String,
    pub category: Option<String>,
    pub brand: Option<String>,
    pub offset: usize,
    /// Matching articles (`total`), or for an answer 1 or 0.
    pub hits: usize,
    /// The ids of the first hits, or the answer's and its alternatives'.
    pub top: Vec<String>,
    /// The fix card (or FAQ article) given as the answer or featured fix.
    pub answer: Option<String>,
    pub confidence: Option<f64>,
    /// The query as searched, when the engine corrected it.
    pub corrected: Option<String>,
    /// The engine found nothing reliable.
    pub weak: bool,
}

impl Outcome {
    /// The outcome of a search.
    pub fn search(request: &SearchRequest, response: &SearchResponse) -> Outcome {
        Outcome {
            kind: Kind::Search,
            query: request.query.clone(),
            category: request.category.map(|c| c.as_str().to_string()),
            brand: request.brand.clone(),
            offset: request.offset,
            hits: response.total,
            top: response
                .hits
                .iter()
                .take(TOP_IDS)
                .map(|h| h.id.clone())
                .collect(),
            answer: response.fix.as_ref().map(|f| f.id.clone()),
            confidence: response.fix.as_ref().map(|f| f.confidence),
            corrected: response.corrected.clone(),
            weak: response.weak,
        }
    }

    /// The outcome of an answer.
    pub fn answer(response: &AnswerResponse) -> Outcome {
        let answer = response.answer.as_ref();
        Outcome {
            kind: Kind::Answer,
            query: response.query.clone(),
            category: None,
            brand: None,
            offset: 0,
            hits: usize::from(answer.is_some()),
            top: answer
                .map(|a| a.id.clone())
                .into_iter()
                .chain(response.alternatives.iter().map(|a| a.id.clone()))
                .take(TOP_IDS)
                .collect(),
            answer: answer.map(|a| a.id.clone()),
            confidence: answer.map(|a| a.confidence),
            corrected: None,
            weak: answer.is_none(),
        }
    }
}

/// One search or answer served.
#[derive(Debug, Clone)]
pub struct QueryEvent {
    /// The query id clients send feedback with ([`new_query_id`]).
    pub id: String,
    pub at_ms: i64,
    pub client: Client,
    pub latency_ms: f64,
    pub outcome: Arc<Outcome>,
}

/// What feedback is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Article(String),
    Fix(String),
}

/// A click on a result, or a vote on whether a fix card helped.
#[derive(Debug, Clone)]
pub struct Feedback {
    pub query_id: String,
    pub at_ms: i64,
    pub target: Target,
    pub clicked: bool,
    pub helpful: Option<bool>,
    /// The result's position, 1 for the first.
    pub position: Option<u32>,
}

/// A new query id: 16 lowercase hex digits, increasing. The milliseconds
/// since 2020 (41 bits, until 2089) and a counter (22 bits) that starts at
/// a random value in each process: no system call and no lock on the
/// request path, ids in time order (so the database appends them), and two
/// processes writing one database meet only if both start their counters
/// within a few of each other in the same millisecond.
pub fn new_query_id() -> String {
    static COUNTER: OnceLock<AtomicU64> = OnceLock::new();
    let counter = COUNTER.get_or_init(|| AtomicU64::new(uuid::Uuid::new_v4().as_u64_pair().0));
    let ms = (now_ms() - EPOCH_2020_MS).max(0) as u64 & ((1 << 41) - 1);
    let id = (ms << 22) | (counter.fetch_add(1, Ordering::Relaxed) & ((1 << 22) - 1));
    format!("{id:016x}")
}

/// 2020-01-01T00:00:00Z in Unix milliseconds: where query ids count from.
const EPOCH_2020_MS: i64 = 1_577_836_800_000;

/// Whether `id` has the form of a query id.
pub fn is_query_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A query id as the database stores it (an integer; 63 bits, so positive).
pub(crate) fn query_id_number(id: &str) -> Option<i64> {
    u64::from_str_radix(id, 16)
        .ok()
        .and_then(|n| i64::try_from(n).ok())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Opens the database of the index in `index_dir` to report on it: an
/// error when nothing has been recorded there yet.
pub fn open_for_report(index_dir: &Path) -> Result<rusqlite::Connection> {
    let path = database_path(index_dir);
    if !path.is_file() {
        return Err(Error::Analytics {
            path,
            message: "no analytics recorded here yet (`posfaq serve` and `posfaq mcp` write it)"
                .into(),
        });
    }
    store::open(&path).map(store::Store::into_connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_ids_are_16_hex_digits_in_time_order() {
        let ids: Vec<String> = (0..1000).map(|_| new_query_id()).collect();
        assert!(ids.iter().all(|id| is_query_id(id)), "{ids:?}");
        let numbers: Vec<i64> = ids.iter().map(|id| query_id_number(id).unwrap()).collect();
        // Increasing, but where the counter wraps within one millisecond.
        let wraps = numbers.windows(2).filter(|w| w[0] >= w[1]).count();
        assert!(wraps <= 1, "{wraps} decreases");
        for bad in [
            "",
            "ABCDEF0123456789",
            "0123",
            "gggggggggggggggg",
            "0123456789abcdef0",
        ] {
            assert!(!is_query_id(bad), "{bad}");
        }
    }

    #[test]
    fn clients_parse_from_what_http_callers_may_say() {
        for client in [Client::Page, Client::Widget, Client::Api] {
            assert_eq!(client.as_str().parse::<Client>(), Ok(client));
        }
        assert!("mcp".parse::<Client>().is_err());
        assert!("".parse::<Client>().is_err());
    }
}
