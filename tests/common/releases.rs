//! Releases for the replica tests: a corpus whose marker article names the
//! release it went into, built and published with the real binary, and
//! replicas (`posfaq serve --follow`) started on port 0.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::http;
use super::{KillOnDrop, fixture_corpus, spawn_server};

/// What every marker article's title holds: a search for it finds the
/// marker of the release served, and nothing else.
pub const MARKER_QUERY: &str = "发布标记";

/// The id of the marker article of release number `n`.
pub fn marker_id(n: usize) -> String {
    format!("release-marker-{n}")
}

/// A store folder `name` in `dir`, and its `file://` URL.
pub fn folder_store(dir: &Path, name: &str) -> (PathBuf, String) {
    let store = dir.join(name);
    let url = format!("file://{}", store.display());
    (store, url)
}

/// `posfaq ARGS` with `env`, to its end.
pub fn posfaq(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// The fixture corpus plus the marker article of release `n`, in `dir`.
pub fn marker_corpus(dir: &Path, n: usize) -> PathBuf {
    let corpus = dir.join(format!("corpus-{n}"));
    copy_dir(&fixture_corpus(), &corpus);
    let id = marker_id(n);
    std::fs::write(
        corpus.join("articles").join(format!("{id}.md")),
        format!(
            "---\nid: {id}\ntitle: {MARKER_QUERY}第{n}版\n---\n\n## 说明\n\n{MARKER_QUERY}：知识库第{n}版的标记文章。\n"
        ),
    )
    .unwrap();
    corpus
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Builds `corpus` into `index` with `posfaq index` and returns the name
/// of the generation it made: the id its release will have.
pub fn build(corpus: &Path, index: &Path) -> String {
    let out = posfaq(
        &["index", "--corpus", path(corpus), "--index", path(index)],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(index.join("CURRENT"))
        .unwrap()
        .trim()
        .to_string()
}

/// `posfaq publish --index INDEX --to URL`, which must succeed.
pub fn publish(index: &Path, url: &str, env: &[(&str, &str)]) {
    let out = posfaq(&["publish", "--index", path(index), "--to", url], env);
    assert!(out.status.success(), "publish failed: {}", stderr(&out));
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A `posfaq serve --follow` process, killed when dropped.
pub struct Replica {
    pub addr: SocketAddr,
    pub index: PathBuf,
    pub log: PathBuf,
    _process: KillOnDrop,
}

impl Replica {
    /// Starts a replica with its own (new, empty) index folder `index`,
    /// following `url` every 100 ms; its log goes to `index` + `.log`.
    pub fn start(index: &Path, url: &str, env: &[(&str, &str)]) -> Replica {
        let log = index.with_extension("log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_posfaq"));
        command
            .args(["serve", "--index", path(index), "--follow", url])
            .args(["--poll", "100ms"])
            .envs(env.iter().copied())
            .env("RUST_LOG", "info,tantivy=warn")
            .stderr(std::fs::File::create(&log).unwrap());
        let (child, addr) = spawn_server(&mut command, Duration::from_secs(60));
        Replica {
            addr,
            index: index.to_path_buf(),
            log,
            _process: KillOnDrop(child),
        }
    }

    /// The generation `/readyz` reports, `None` while it is not ready.
    pub fn ready_generation(&self) -> Option<String> {
        let reply = http::get(self.addr, "/readyz").ok()?;
        if reply.status != 200 {
            return None;
        }
        reply.json()["generation"].as_str().map(String::from)
    }

    /// Waits, at most `within`, until `/readyz` reports `generation`.
    pub fn wait_for(&self, generation: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while self.ready_generation().as_deref() != Some(generation) {
            assert!(
                Instant::now() < deadline,
                "replica {} is not on {generation} after {within:?}; it serves {:?}; log:\n{}",
                self.addr,
                self.ready_generation(),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The value of the counter line `name` in `/metrics` (0 when absent).
    pub fn counter(&self, name: &str) -> u64 {
        let text = http::get(self.addr, "/metrics")
            .map(|r| r.text())
            .unwrap_or_default();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Waits, at most `within`, until the counter `name` reaches `at_least`.
    pub fn wait_for_counter(&self, name: &str, at_least: u64, within: Duration) {
        let deadline = Instant::now() + within;
        while self.counter(name) < at_least {
            assert!(
                Instant::now() < deadline,
                "replica {}: {name} is {} after {within:?}, not {at_least}; log:\n{}",
                self.addr,
                self.counter(name),
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
