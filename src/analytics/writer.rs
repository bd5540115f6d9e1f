//! The writer: a thread that owns the database connection and commits what
//! the request path queues, off that path.
//!
//! Requests hand events to a bounded channel and never wait on it: when it
//! is full (the disk far behind the traffic) an event is dropped and
//! counted. The thread blocks until something arrives, lets the batch
//! gather for [`BATCH_WINDOW`], takes everything queued (up to
//! [`MAX_BATCH`]) and commits it in one transaction. So a process killed
//! outright loses at most the last 50 ms or so of events: those queued and
//! not yet committed.
//! [`Analytics::flush`] waits until everything queued before it is
//! committed; [`Analytics::close`] commits the rest and stops the thread.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::store::{self, Row, Store};
use super::{Feedback, QueryEvent, database_path, now_ms};
use crate::Result;
use crate::analysis::Analyzer;

/// Events the channel holds before new ones are dropped.
const CAPACITY: usize = 16_384;
/// The most events one transaction commits.
const MAX_BATCH: usize = 4_096;
/// How long the writer lets a batch gather after its first event: what a
/// process killed outright loses at most (with what is still queued).
const BATCH_WINDOW: Duration = Duration::from_millis(50);
/// How often rows past the retention are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// How long [`Analytics::flush`] waits for the writer.
const FLUSH_WAIT: Duration = Duration::from_secs(10);

enum Message {
    Query(QueryEvent),
    Feedback(Feedback),
    /// Answered once everything before it is committed.
    Flush(mpsc::Sender<()>),
    Stop,
}

/// The handle the servers record through; cheap to share (`Arc`).
pub struct Analytics {
    sender: SyncSender<Message>,
    dropped: AtomicU64,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Analytics {
    /// Opens (or creates) the database beside the index in `index_dir` and
    /// starts its writer, which deletes rows older than `retention_days`
    /// now and every hour.
    pub fn open(index_dir: &Path, retention_days: u32) -> Result<Arc<Analytics>> {
        let mut store = store::open(&database_path(index_dir))?;
        let retention = Duration::from_secs(u64::from(retention_days.max(1)) * 86_400);
        prune(&mut store, retention);
        let (sender, receiver) = mpsc::sync_channel(CAPACITY);
        let writer = std::thread::Builder::new()
            .name("analytics".into())
            .spawn(move || run(store, receiver, retention))
            .map_err(|e| crate::Error::io(database_path(index_dir), e))?;
        Ok(Arc::new(Analytics {
            sender,
            dropped: AtomicU64::new(0),
            writer: Mutex::new(Some(writer)),
        }))
    }

    /// Queues a search or answer served.
    pub fn record(&self, event: QueryEvent) {
        self.send(Message::Query(event));
    }

    /// Queues a click or a vote.
    pub fn feedback(&self, feedback: Feedback) {
        self.send(Message::Feedback(feedback));
    }

    fn send(&self, message: Message) {
        match self.sender.try_send(message) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if dropped.is_power_of_two() {
                    tracing::warn!(dropped, "analytics queue full; events dropped");
                }
            }
            // Closed: the server is shutting down.
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Waits until everything queued before this call is committed; false
    /// when the writer did not answer in time (or has stopped).
    pub fn flush(&self) -> bool {
        let (done, wait) = mpsc::channel();
        if self.sender.send(Message::Flush(done)).is_err() {
            return false;
        }
        wait.recv_timeout(FLUSH_WAIT).is_ok()
    }

    /// Commits what is queued and stops the writer; later events are
    /// ignored. Called on shutdown; idempotent.
    pub fn close(&self) {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = writer {
            let _ = self.sender.send(Message::Stop);
            let _ = writer.join();
        }
    }
}

impl Drop for Analytics {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer thread: batch, commit, answer flushes, prune now and then.
fn run(mut store: Store, receiver: Receiver<Message>, retention: Duration) {
    let analyzer = Analyzer::shared();
    let mut normalized = Normalized::default();
    let mut pruned = Instant::now();
    let mut queries = Vec::new();
    let mut feedback = Vec::new();
    let mut flushes = Vec::new();
    while let Ok(first) = receiver.recv() {
        let mut stop = false;
        if matches!(first, Message::Query(_) | Message::Feedback(_)) {
            // Let the batch gather: while this thread is not waiting on
            // the channel, sending to it wakes nobody (no system call on
            // the request path), and one transaction takes all of it.
            std::thread::sleep(BATCH_WINDOW);
        }
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Query(event) => queries.push(event),
                Message::Feedback(f) => feedback.push(f),
                Message::Flush(done) => flushes.push(done),
                Message::Stop => stop = true,
            }
            next = (!stop && queries.len() + feedback.len() < MAX_BATCH)
                .then(|| receiver.try_recv().ok())
                .flatten();
        }
        let rows: Vec<Row> = queries
            .iter()
            .map(|event| Row {
                event,
                normalized: normalized.of(&analyzer, &event.outcome.query),
                corrected: event
                    .outcome
                    .corrected
                    .as_deref()
                    .map(|c| normalized.of(&analyzer, c)),
            })
            .collect();
        if let Err(e) = store.write(&rows, &feedback) {
            tracing::error!(error = %e, events = rows.len() + feedback.len(), "analytics batch lost");
        }
        drop(rows);
        queries.clear();
        feedback.clear();
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            prune(&mut store, retention);
            pruned = Instant::now();
        }
        if stop {
            break;
        }
    }
}

fn prune(store: &mut Store, retention: Duration) {
    let cutoff = now_ms() - retention.as_millis() as i64;
    match store.prune(cutoff) {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, "analytics past retention deleted"),
        Err(e) => tracing::warn!(error = %e, "analytics retention failed"),
    }
}

/// The normalized forms of the queries seen lately: the same queries come
/// again and again (the cache serves them), and normalizing is much of the
/// writer's work per event.
#[derive(Default)]
struct Normalized {
    forms: std::collections::HashMap<String, String>,
}

impl Normalized {
    const KEEP: usize = 8192;

    fn of(&mut self, analyzer: &Analyzer, query: &str) -> String {
        if let Some(form) = self.forms.get(query) {
            return form.clone();
        }
        if self.forms.len() >= Self::KEEP {
            self.forms.clear();
        }
        let form = normalize(analyzer, query);
        self.forms.insert(query.to_string(), form.clone());
        form
    }
}

/// A query as stored: normalized as the index sees text, runs of spaces
/// made one.
pub(crate) fn normalize(analyzer: &Analyzer, query: &str) -> String {
    analyzer
        .normalize(query)
        .as_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{Client, Kind, Outcome, Target, new_query_id};

    fn search(query: &str) -> QueryEvent {
        QueryEvent {
            id: new_query_id(),
            at_ms: now_ms(),
            client: Client::Page,
            latency_ms: 0.5,
            outcome: Arc::new(Outcome {
                kind: Kind::Search,
                query: query.into(),
                category: None,
                brand: None,
                offset: 0,
                hits: 1,
                top: vec!["x".into()],
                answer: None,
                confidence: None,
                corrected: None,
                weak: false,
            }),
        }
    }

    fn queries(dir: &Path) -> Vec<String> {
        let connection = rusqlite::Connection::open(database_path(dir)).unwrap();
        let mut statement = connection
            .prepare("SELECT query FROM queries ORDER BY rowid")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn flush_commits_everything_queued_and_close_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let analytics = Analytics::open(dir.path(), 90).unwrap();
        analytics.record(search("  刷卡　　失敗 "));
        analytics.feedback(Feedback {
            query_id: new_query_id(),
            at_ms: now_ms(),
            target: Target::Article("a".into()),
            clicked: true,
            helpful: None,
            position: Some(1),
        });
        assert!(analytics.flush());
        assert_eq!(queries(dir.path()), ["刷卡 失败"]);
        for i in 0..50 {
            analytics.record(search(&format!("q{i}")));
        }
        analytics.close();
        assert_eq!(queries(dir.path()).len(), 51);
        // After close, events are ignored and flush says it was not done.
        analytics.record(search("late"));
        assert!(!analytics.flush());
        assert_eq!(queries(dir.path()).len(), 51);
    }
}
