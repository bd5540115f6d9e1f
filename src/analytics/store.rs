//! The SQLite database: its schema, the batch insert and the retention.
//!
//! Two tables. `queries` has one row per search or answer served: `id`
//! (the query id clients send feedback with, as an integer: the rowid, in
//! time order, so rows are appended), `at` (Unix milliseconds),
//! `kind` (`search` or `answer`), `client` (`page`, `widget`, `api`,
//! `mcp`), `query` (normalized: width and case folded, traditional to
//! simplified, spaces collapsed), `category` and `brand` (the filters),
//! `page_offset`, `hits` (matching articles; for an answer 1 or 0),
//! `top_ids` (the first hits' ids, space-separated), `answer_id` and
//! `confidence` (the answer or featured fix card), `corrected` (the query
//! as searched when it was corrected), `weak` (nothing reliable found) and
//! `latency_ms`. `feedback` has one row per click or vote: `at`,
//! `query_id`, `article_id` or `fix_id`, `clicked`, `helpful` (1, 0 or
//! null) and `position` (1 for the first result).
//!
//! The journal is a write-ahead log with `synchronous = NORMAL`: a commit
//! survives the process being killed (only a power cut may lose the last
//! ones), and a reader (`posfaq report`) never blocks the writer.

use std::path::Path;

use rusqlite::{Connection, params};

use super::{Feedback, QueryEvent, Target};
use crate::{Error, Result};

/// The schema's version, in SQLite's `user_version`.
const VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS queries (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    client      TEXT NOT NULL,
    query       TEXT NOT NULL,
    category    TEXT,
    brand       TEXT,
    page_offset INTEGER NOT NULL,
    hits        INTEGER NOT NULL,
    top_ids     TEXT NOT NULL,
    answer_id   TEXT,
    confidence  REAL,
    corrected   TEXT,
    weak        INTEGER NOT NULL,
    latency_ms  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS queries_at ON queries (at);
CREATE TABLE IF NOT EXISTS feedback (
    at          INTEGER NOT NULL,
    query_id    INTEGER NOT NULL,
    article_id  TEXT,
    fix_id      TEXT,
    clicked     INTEGER NOT NULL,
    helpful     INTEGER,
    position    INTEGER
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
CREATE INDEX IF NOT EXISTS feedback_query ON feedback (query_id);
";

/// A query as stored: the event with its query normalized.
pub(crate) struct Row<'a> {
    pub event: &'a QueryEvent,
    pub normalized: String,
    pub corrected: Option<String>,
}

/// An open database.
pub(crate) struct Store {
    connection: Connection,
    path: std::path::PathBuf,
}

/// Opens (creating if needed) the database at `path` and brings its schema
/// up to date.
pub(crate) fn open(path: &Path) -> Result<Store> {
    let fail = |e: rusqlite::Error| Error::Analytics {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let connection = Connection::open(path).map_err(fail)?;
    // auto_vacuum takes effect only before the first table is created:
    // then deleted rows give their pages back (`incremental_vacuum`).
    connection
        .execute_batch(
            "PRAGMA auto_vacuum = INCREMENTAL;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;",
        )
        .map_err(fail)?;
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(fail)?;
    if version > VERSION {
        return Err(Error::Analytics {
            path: path.to_path_buf(),
            message: format!(
                "written by a newer posfaq (schema {version}, this one knows {VERSION})"
            ),
        });
    }
    connection.execute_batch(SCHEMA).map_err(fail)?;
    connection
        .execute_batch(&format!("PRAGMA user_version = {VERSION}"))
        .map_err(fail)?;
    Ok(Store {
        connection,
        path: path.to_path_buf(),
    })
}

impl Store {
    /// Writes one batch in one transaction.
    pub(crate) fn write(&mut self, queries: &[Row], feedback: &[Feedback]) -> Result<()> {
        self.try_write(queries, feedback).map_err(|e| self.error(e))
    }

    fn try_write(&mut self, queries: &[Row], feedback: &[Feedback]) -> rusqlite::Result<()> {
        let transaction = self.connection.transaction()?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT OR IGNORE INTO queries (id, at, kind, client, query, category, brand,
                     page_offset, hits, top_ids, answer_id, confidence, corrected, weak, latency_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            for row in queries {
                let (event, outcome) = (row.event, &row.event.outcome);
                let Some(id) = super::query_id_number(&event.id) else {
                    continue;
                };
                insert.execute(params![
                    id,
                    event.at_ms,
                    outcome.kind.as_str(),
                    event.client.as_str(),
                    row.normalized,
                    outcome.category,
                    outcome.brand,
                    outcome.offset as i64,
                    outcome.hits as i64,
                    outcome.top.join(" "),
                    outcome.answer,
                    outcome.confidence,
                    row.corrected,
                    outcome.weak,
                    event.latency_ms,
                ])?;
            }
            let mut insert = transaction.prepare_cached(
                "INSERT INTO feedback (at, query_id, article_id, fix_id, clicked, helpful, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for f in feedback {
                let Some(query_id) = super::query_id_number(&f.query_id) else {
                    continue;
                };
                let (article, fix) = match &f.target {
                    Target::Article(id) => (Some(id), None),
                    Target::Fix(id) => (None, Some(id)),
                };
                insert.execute(params![
                    f.at_ms, query_id, article, fix, f.clicked, f.helpful, f.position
                ])?;
            }
        }
        transaction.commit()
    }

    /// Deletes what was recorded before `cutoff_ms` and returns its pages
    /// to the file system. The number of rows deleted.
    pub(crate) fn prune(&mut self, cutoff_ms: i64) -> Result<usize> {
        let run = |c: &Connection| -> rusqlite::Result<usize> {
            let n = c.execute("DELETE FROM queries WHERE at < ?1", [cutoff_ms])?
                + c.execute("DELETE FROM feedback WHERE at < ?1", [cutoff_ms])?;
            if n > 0 {
                c.execute_batch("PRAGMA incremental_vacuum")?;
            }
            Ok(n)
        };
        run(&self.connection).map_err(|e| self.error(e))
    }

    pub(crate) fn into_connection(self) -> Connection {
        self.connection
    }

    fn error(&self, e: rusqlite::Error) -> Error {
        Error::Analytics {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::analytics::{Client, Kind, Outcome};

    fn event(id: &str, at_ms: i64) -> QueryEvent {
        QueryEvent {
            id: id.into(),
            at_ms,
            client: Client::Api,
            latency_ms: 1.5,
            outcome: Arc::new(Outcome {
                kind: Kind::Search,
                query: "刷卡".into(),
                category: None,
                brand: None,
                offset: 0,
                hits: 3,
                top: vec!["a".into(), "b".into()],
                answer: None,
                confidence: None,
                corrected: None,
                weak: false,
            }),
        }
    }

    fn count(store: &Store, table: &str) -> i64 {
        store
            .connection
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn writes_reopens_and_prunes_what_is_past_retention() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let mut store = open(&path).unwrap();
        let (old, new) = (
            event("000000000000000a", 1_000),
            event("000000000000000b", 9_000),
        );
        let rows: Vec<Row> = [&old, &new]
            .into_iter()
            .map(|event| Row {
                event,
                normalized: "刷卡".into(),
                corrected: None,
            })
            .collect();
        let vote = |at_ms| Feedback {
            query_id: "000000000000000b".into(),
            at_ms,
            target: Target::Fix("rc-51".into()),
            clicked: false,
            helpful: Some(false),
            position: None,
        };
        store.write(&rows, &[vote(1_000), vote(9_000)]).unwrap();
        // The same id again is ignored, not an error: a retried batch.
        store.write(&rows[1..], &[]).unwrap();
        drop(store);
        let mut store = open(&path).unwrap();
        assert_eq!(
            (count(&store, "queries"), count(&store, "feedback")),
            (2, 2)
        );
        assert_eq!(store.prune(5_000).unwrap(), 2);
        assert_eq!(
            (count(&store, "queries"), count(&store, "feedback")),
            (1, 1)
        );
        let top: String = store
            .connection
            .query_row("SELECT top_ids FROM queries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(top, "a b");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        drop(open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let error = open(&path).err().unwrap().to_string();
        assert!(error.contains("newer"), "{error}");
    }
}
