//! Releases through a real S3-protocol server: `moto` in server mode
//! (PyPI `moto[server]`), started by the test on a port it picks itself
//! and announces. `posfaq publish` writes to it and a `posfaq serve
//! --follow s3://...` replica follows it, configured only by the standard
//! AWS_* variables, through two releases and a rollback.
//!
//! Without moto (`python3 -m moto.server`) the test prints `SKIPPED: ...`
//! and passes; with `POSFAQ_REQUIRE_S3=1` (which `.ci/run` sets, after
//! installing moto) its absence fails the test.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use common::releases::{MARKER_QUERY, Replica, build, marker_corpus, marker_id, posfaq, publish};
use common::{KillOnDrop, http, spawn_announced};

const WITHIN: Duration = Duration::from_secs(60);
const BUCKET: &str = "posfaq-releases";

/// Starts moto's S3 server on a free port of loopback, or says why not.
fn moto() -> Option<(KillOnDrop, SocketAddr)> {
    let installed = Command::new("python3")
        .args(["-c", "import moto.server"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var("POSFAQ_REQUIRE_S3").as_deref() != Ok("1"),
            "POSFAQ_REQUIRE_S3=1 and moto's server is not installed \
             (`pip install 'moto[server]'`; .ci/run installs it)"
        );
        // Straight to the process's stderr: the harness shows what a
        // passing test `eprintln!`s only with --nocapture.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: release_s3: moto's server not found (python3 -m moto.server); .ci/run installs it \
             (set POSFAQ_REQUIRE_S3=1 to fail instead)"
        );
        return None;
    }
    // Port 0: the server takes a free port and prints ` * Running on
    // http://127.0.0.1:PORT` (on stderr, hence the 2>&1).
    let (child, addr) = spawn_announced(
        Command::new("sh").args(["-c", "exec python3 -m moto.server -H 127.0.0.1 -p 0 2>&1"]),
        WITHIN,
        None,
        |line| line.split_once("Running on http://")?.1.trim().parse().ok(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Some((KillOnDrop(child), addr))
}

#[test]
fn a_replica_follows_releases_published_to_s3() {
    let Some((_moto, addr)) = moto() else {
        return;
    };
    let created = http::request(addr, "PUT", &format!("/{BUCKET}"), b"").unwrap();
    assert_eq!(created.status, 200, "{}", created.text());
    let endpoint = format!("http://{addr}");
    let env = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
    ];
    let url = format!("s3://{BUCKET}/kb");
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");

    let first = build(&marker_corpus(dir.path(), 1), &index);
    publish(&index, &url, &env);

    let replica = Replica::start(&dir.path().join("replica"), &url, &env);
    replica.wait_for(&first, WITHIN);
    assert_serves(&replica, &first, 1);

    let second = build(&marker_corpus(dir.path(), 2), &index);
    publish(&index, &url, &env);
    replica.wait_for(&second, WITHIN);
    assert_serves(&replica, &second, 2);

    let out = posfaq(&["publish", "--to", &url, "--rollback", &first], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    replica.wait_for(&first, WITHIN);
    assert_serves(&replica, &first, 1);
}

/// A search on `replica` is answered by `generation`, whose marker is that
/// of release `n`.
fn assert_serves(replica: &Replica, generation: &str, n: usize) {
    let query =
        percent_encoding::utf8_percent_encode(MARKER_QUERY, percent_encoding::NON_ALPHANUMERIC);
    let reply = http::get(replica.addr, &format!("/api/search?q={query}")).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-posfaq-generation"), Some(generation));
    assert_eq!(reply.json()["hits"][0]["id"], marker_id(n).as_str());
}
