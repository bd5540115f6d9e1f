//! Faults that will happen in production: a build killed halfway, a build
//! that runs out of space. Neither may change the live index, and the next
//! build must succeed.

mod common;

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn posfaq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn current(index: &Path) -> String {
    std::fs::read_to_string(index.join("CURRENT")).unwrap()
}

fn leftovers(index: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".build-"))
        })
        .collect()
}

/// A live index of the small real corpus, and a large synthetic corpus to
/// rebuild it from.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = posfaq(&[
        "index",
        "--corpus",
        path(&common::real_corpus()),
        "--index",
        path(&index),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let big = dir.path().join("big");
    common::write_synthetic_corpus(&big, 6000);
    (dir, index, big)
}

fn assert_live_index_intact(index: &Path, before: &str) {
    assert_eq!(current(index), before, "CURRENT changed");
    let out = posfaq(&[
        "search",
        "--json",
        "--index",
        path(index),
        "--",
        "83无效终端",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(response["hits"][0]["id"], "lakala-83-invalid-terminal");
}

#[test]
fn kill_9_during_a_build_leaves_the_live_index_and_the_next_build_succeeds() {
    let (_dir, index, big) = setup();
    let before = current(&index);
    let mut child = Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(["index", "--corpus", path(&big), "--index", path(&index)])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it as soon as its new generation is being written.
    let deadline = Instant::now() + Duration::from_secs(120);
    while leftovers(&index).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        assert!(Instant::now() < deadline, "the build never started writing");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the build was not killed mid-way: {status}"
    );
    assert_live_index_intact(&index, &before);

    let out = posfaq(&["index", "--corpus", path(&big), "--index", path(&index)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(current(&index), before);
    assert!(
        leftovers(&index).is_empty(),
        "the dead build's files were not cleared"
    );
    let out = posfaq(&[
        "search",
        "--json",
        "--index",
        path(&index),
        "--",
        "第123号问题说明",
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn running_out_of_space_fails_cleanly_and_changes_nothing() {
    let (_dir, index, big) = setup();
    let before = current(&index);
    // Files may not grow past 256 KiB: writes past it fail with EFBIG, as
    // on a full disk (SIGXFSZ is ignored so the error reaches the program).
    let script = format!(
        "trap '' XFSZ; ulimit -f 256; exec '{}' index --corpus '{}' --index '{}'",
        env!("CARGO_BIN_EXE_posfaq"),
        path(&big),
        path(&index)
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error:"), "{stderr}");
    assert_live_index_intact(&index, &before);
    assert!(
        leftovers(&index).is_empty(),
        "the failed build left files behind"
    );
}

/// The admin token never shows up in logs or error bodies, even with every
/// log level on and the token sent right and wrong.
#[test]
fn the_admin_token_never_reaches_logs_or_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = posfaq(&[
        "index",
        "--corpus",
        path(&common::real_corpus()),
        "--index",
        path(&index),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = "tok-5ecret-9f1c2a7b";
    let log = dir.path().join("serve.log");
    let (server, addr) = common::spawn_server(
        Command::new(env!("CARGO_BIN_EXE_posfaq"))
            .args(["serve", "--index", path(&index)])
            .env("POSFAQ_ADMIN_TOKEN", token)
            .env("RUST_LOG", "trace")
            .stderr(std::fs::File::create(&log).unwrap()),
        Duration::from_secs(60),
    );
    let server = common::KillOnDrop(server);
    // The server printed its address once it was listening: it accepts now.
    let request = |auth: &str| -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let head = format!(
            "POST /api/admin/reload HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    };
    let wrong = request(&format!("Bearer {token}x"));
    let right = request(&format!("Bearer {token}"));
    let bare = request("Bearer");
    drop(server);
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    assert!(right.starts_with("HTTP/1.1 200"), "{right}");
    assert!(bare.starts_with("HTTP/1.1 401"), "{bare}");
    for reply in [&wrong, &right, &bare] {
        assert!(
            !reply.contains(token),
            "the token is in a response: {reply}"
        );
    }
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.contains("reload"), "trace logging did not run: {logs}");
    assert!(!logs.contains(token), "the token is in the logs");
}
