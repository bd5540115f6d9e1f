//! Faults that will happen in production: a build killed halfway, a build
//! that runs out of space. Neither may change the live index, and the next
//! build must succeed.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::inotify;

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
    assert_eq!(first_hit(index, "83无效终端"), "lakala-83-invalid-terminal");
}

/// The id of the first hit of `posfaq search --json` over `index`.
fn first_hit(index: &Path, query: &str) -> String {
    let out = posfaq(&["search", "--json", "--index", path(index), "--", query]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    response["hits"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// What the held build logs: nothing but tantivy's index writer, whose first
/// line comes once documents are being added to the new generation (at the
/// latest when they are committed), after its folder exists and before it
/// can be made live.
const HOLD_AT: &str = "off,tantivy::indexer::index_writer=debug";

/// A pipe whose buffer is full and whose read end the caller keeps and never
/// reads: a child given the write end blocks at its first write to it, until
/// it dies.
fn full_pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    let (reader, mut writer) = std::io::pipe().unwrap();
    rustix::io::ioctl_fionbio(&writer, true).unwrap();
    // A page at a time (writes of up to a page are all or nothing), then
    // bytes, until nothing more fits.
    for chunk in [&[b'.'; 4096][..], b"."] {
        loop {
            match writer.write(chunk) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("filling the pipe: {e}"),
            }
        }
    }
    rustix::io::ioctl_fionbio(&writer, false).unwrap();
    (reader, writer)
}

/// Waits, at most `within`, for the kernel to report (through `watch`, an
/// inotify watch of `index`) that a build made its new generation's folder;
/// returns that folder.
fn build_folder_made(watch: &OwnedFd, index: &Path, within: Duration) -> Option<PathBuf> {
    let deadline = Instant::now() + within;
    let mut buffer = [MaybeUninit::uninit(); 4096];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let mut fds = [PollFd::new(watch, PollFlags::IN)];
        if poll(&mut fds, Some(&Timespec::try_from(left).unwrap())).unwrap() == 0 {
            return None;
        }
        let mut events = inotify::Reader::new(watch, &mut buffer);
        loop {
            match events.next() {
                Ok(event) => {
                    let name = event
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if name.starts_with(".build-") {
                        return Some(index.join(name));
                    }
                }
                Err(rustix::io::Errno::AGAIN) => break,
                Err(e) => panic!("reading the inotify watch: {e}"),
            }
        }
    }
}

/// The build is killed at a point it cannot leave: the test hears from the
/// kernel (inotify) that the new generation's folder exists, and the build
/// cannot finish before the kill because its first log line goes to a full
/// pipe (see [`HOLD_AT`]). No polling loop, no sleep, nothing to race.
#[test]
fn kill_9_during_a_build_leaves_the_live_index_and_the_next_build_succeeds() {
    let (_dir, index, big) = setup();
    let before = current(&index);
    let watch =
        inotify::init(inotify::CreateFlags::CLOEXEC | inotify::CreateFlags::NONBLOCK).unwrap();
    inotify::add_watch(&watch, &index, inotify::WatchFlags::CREATE).unwrap();
    let (held, stderr) = full_pipe();
    let mut child = Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(["index", "--corpus", path(&big), "--index", path(&index)])
        .env("RUST_LOG", HOLD_AT)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let Some(building) = build_folder_made(&watch, &index, Duration::from_secs(120)) else {
        child.kill().unwrap();
        panic!(
            "the build never made its generation's folder: {:?}",
            child.wait()
        );
    };
    child.kill().unwrap();
    let status = child.wait().unwrap();
    drop(held);
    assert_eq!(
        status.signal(),
        Some(9),
        "the build was not killed mid-way: {status}"
    );
    assert_eq!(
        leftovers(&index),
        [building],
        "the killed build's folder is not the one left"
    );
    assert_live_index_intact(&index, &before);

    // The next build, logging as the held one did: the line the held build
    // blocked on comes before the build ends, so it was held inside it.
    let out = Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(["index", "--corpus", path(&big), "--index", path(&index)])
        .env("RUST_LOG", HOLD_AT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let held_at = stderr.find("tantivy::indexer::index_writer");
    let finished = stderr.find("indexed 6000 articles");
    assert!(
        held_at.is_some() && finished.is_some() && held_at < finished,
        "the index writer's log line does not come before the build ends:\n{stderr}"
    );
    assert_ne!(current(&index), before);
    assert!(
        leftovers(&index).is_empty(),
        "the dead build's files were not cleared"
    );
    assert_eq!(first_hit(&index, "第123号问题说明"), "synthetic-00123");
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
