//! The analytics database survives the server stopping, on a real
//! `posfaq serve` writing a real SQLite file: SIGTERM commits everything
//! queued; `kill -9` loses at most what was queued and not yet committed,
//! leaves a database SQLite reads as sound, and a restarted server goes on
//! writing to it. Nothing here sleeps: a request's response comes once its
//! query is queued, and the admin report commits the queue before it
//! answers.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use common::KillOnDrop;

const TOKEN: &str = "durability-token";

fn serve(index: &Path) -> (Child, SocketAddr) {
    common::spawn_server(
        Command::new(env!("CARGO_BIN_EXE_posfaq"))
            .arg("serve")
            .arg("--index")
            .arg(index)
            .args(["--admin-token", TOKEN])
            .env("RUST_LOG", "warn")
            .env_remove("POSFAQ_ANALYTICS"),
        Duration::from_secs(60),
    )
}

/// One HTTP/1.1 GET; the status line and the body.
fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

fn search(addr: SocketAddr, query: &str) {
    let (status, body) = get(addr, &format!("/api/search?q={query}"), None);
    assert!(status.contains(" 200 "), "{status}: {body}");
}

/// The admin report, which commits the queue first.
fn flushed(addr: SocketAddr) {
    let (status, body) = get(addr, "/api/admin/analytics?since=all", Some(TOKEN));
    assert!(status.contains(" 200 "), "{status}: {body}");
}

/// The recorded queries in the order they were committed, once SQLite's
/// own check (`PRAGMA integrity_check`) says the file is sound.
fn recorded(index: &Path) -> Vec<String> {
    let connection = posfaq::analytics::open_for_report(index).unwrap();
    let check: String = connection
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut statement = connection
        .prepare("SELECT query FROM queries ORDER BY rowid")
        .unwrap();
    statement
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn sigterm_commits_everything_queued() {
    let dir = tempfile::tempdir().unwrap();
    let index = common::index_with_binary(&common::fixture_corpus(), dir.path());
    let (child, addr) = serve(&index);
    let mut server = KillOnDrop(child);
    let queries: Vec<String> = (0..40).map(|i| format!("sigterm{i}")).collect();
    for q in &queries {
        search(addr, q);
    }
    let status = common::terminate(&mut server.0);
    assert!(status.success(), "{status}");
    assert_eq!(recorded(&index), queries);
}

#[test]
fn kill_9_loses_at_most_the_uncommitted_batch_and_the_file_stays_sound() {
    let dir = tempfile::tempdir().unwrap();
    let index = common::index_with_binary(&common::fixture_corpus(), dir.path());
    let (child, addr) = serve(&index);
    let mut server = KillOnDrop(child);
    let queries: Vec<String> = (0..60).map(|i| format!("killed{i}")).collect();
    for q in &queries[..30] {
        search(addr, q);
    }
    flushed(addr);
    for q in &queries[30..] {
        search(addr, q);
    }
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();

    // The committed part is all of the first half and a prefix of the
    // rest, in order: no hole, no row half-written.
    let kept = recorded(&index);
    assert!(kept.len() >= 30, "{} rows kept", kept.len());
    assert_eq!(kept[..], queries[..kept.len()]);

    // A new server opens the same file and goes on recording.
    let (child, addr) = serve(&index);
    let _server = KillOnDrop(child);
    search(addr, "restarted");
    flushed(addr);
    let after = recorded(&index);
    assert_eq!(after.len(), kept.len() + 1);
    assert_eq!(after.last().map(String::as_str), Some("restarted"));
}
