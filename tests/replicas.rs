//! Many replicas, one store: three `posfaq serve --follow file://...`
//! processes on loopback follow one shared folder while threads spread
//! searches over them and new releases are published, a corrupt one and an
//! incompatible one among them, and a rollback.
//!
//! Each release's corpus holds a marker article naming the release
//! (`release-marker-N`), so a response shows which release made it; its
//! `X-Posfaq-Generation` header must name the generation of that release.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::http;
use common::releases::{
    MARKER_QUERY, Replica, build, folder_store, marker_corpus, marker_id, posfaq, publish, stderr,
};

const WITHIN: Duration = Duration::from_secs(60);
const REFUSED: &str = "posfaq_releases_total{result=\"refused\"}";

/// What one search of the load saw.
#[derive(Debug)]
enum Seen {
    /// 200, with the generation header and the marker articles among the
    /// hits; `cached` when the response cache answered.
    Answer {
        replica: usize,
        generation: String,
        markers: Vec<String>,
        cached: bool,
    },
    Failure(String),
}

/// Threads that search the replicas in turn until told to stop (or, as a
/// bound, for two minutes).
struct Load {
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
    threads: Vec<std::thread::JoinHandle<Vec<Seen>>>,
}

impl Load {
    fn start(replicas: &[Replica], threads: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let addrs: Vec<_> = replicas.iter().map(|r| r.addr).collect();
        let query: String =
            percent_encoding::utf8_percent_encode(MARKER_QUERY, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let threads = (0..threads)
            .map(|t| {
                let (stop, done, addrs, query) =
                    (stop.clone(), done.clone(), addrs.clone(), query.clone());
                std::thread::spawn(move || {
                    let deadline = Instant::now() + Duration::from_secs(120);
                    let mut seen = Vec::new();
                    let mut i = t;
                    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                        let replica = i % addrs.len();
                        // Half the searches are new (an exclusion that
                        // matches nothing makes each query its own), the
                        // others repeat one of five, from the cache.
                        let path = if i % 2 == 0 {
                            format!("/api/search?q={query}%20-zz{t}x{i}")
                        } else {
                            format!("/api/search?q={query}&limit={}", 1 + i % 5)
                        };
                        seen.push(search(replica, http::get(addrs[replica], &path)));
                        done.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                    seen
                })
            })
            .collect();
        Load {
            stop,
            done,
            threads,
        }
    }

    /// Waits until the load has made `more` searches past now.
    fn wait_for_more(&self, more: usize) {
        let target = self.done.load(Ordering::Relaxed) + more;
        let deadline = Instant::now() + WITHIN;
        while self.done.load(Ordering::Relaxed) < target {
            assert!(Instant::now() < deadline, "the load stalled");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn stop(self) -> Vec<Seen> {
        self.stop.store(true, Ordering::Relaxed);
        self.threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    }
}

fn search(replica: usize, reply: std::io::Result<http::Reply>) -> Seen {
    let reply = match reply {
        Ok(reply) if reply.status == 200 => reply,
        Ok(reply) => return Seen::Failure(format!("{}: {}", reply.status, reply.text())),
        Err(e) => return Seen::Failure(e.to_string()),
    };
    let Some(generation) = reply.header("x-posfaq-generation").map(String::from) else {
        return Seen::Failure("no X-Posfaq-Generation header".into());
    };
    let markers = reply.json()["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["id"].as_str())
        .filter(|id| id.starts_with("release-marker-"))
        .map(String::from)
        .collect();
    Seen::Answer {
        replica,
        generation,
        markers,
        cached: reply
            .header("server-timing")
            .is_some_and(|t| t.contains("desc=\"hit\"")),
    }
}

/// Builds release `n` into `build_dir`, records which marker its generation
/// holds, and returns the generation.
fn next_release(
    dir: &Path,
    build_dir: &Path,
    n: usize,
    markers: &Mutex<HashMap<String, String>>,
) -> String {
    let generation = build(&marker_corpus(dir, n), build_dir);
    markers
        .lock()
        .unwrap()
        .insert(generation.clone(), marker_id(n));
    generation
}

/// Copies release `generation` from the store folder `from` into the store
/// folder `to` and points `to`'s LATEST at it: a release that reached the
/// store as it is in `from`.
fn place(from: &Path, to: &Path, generation: &str) {
    let source = from.join("releases").join(generation);
    let target = to.join("releases").join(generation);
    std::fs::create_dir_all(target.join("files")).unwrap();
    for entry in std::fs::read_dir(source.join("files")).unwrap().flatten() {
        std::fs::copy(entry.path(), target.join("files").join(entry.file_name())).unwrap();
    }
    std::fs::copy(source.join("manifest.json"), target.join("manifest.json")).unwrap();
    std::fs::write(to.join("LATEST"), format!("{generation}\n")).unwrap();
}

/// The largest file of a release in a store folder.
fn largest_file(store: &Path, generation: &str) -> std::path::PathBuf {
    std::fs::read_dir(store.join("releases").join(generation).join("files"))
        .unwrap()
        .flatten()
        .max_by_key(|e| e.metadata().unwrap().len())
        .unwrap()
        .path()
}

fn generations_on_disk(index: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "CURRENT")
        .collect();
    names.sort();
    names
}

#[test]
fn three_replicas_follow_one_folder_through_releases_a_corrupt_one_and_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let (store, url) = folder_store(dir.path(), "store");
    let build_dir = dir.path().join("build");
    let markers = Mutex::new(HashMap::new());

    // Replicas with empty folders and nothing published: up, not ready.
    let replicas: Vec<Replica> = (0..3)
        .map(|i| Replica::start(&dir.path().join(format!("replica-{i}")), &url, &[]))
        .collect();
    for replica in &replicas {
        let reply = http::get(replica.addr, "/readyz").unwrap();
        assert_eq!(reply.status, 503, "{}", reply.text());
        assert_eq!(http::get(replica.addr, "/healthz").unwrap().status, 200);
    }

    let first = next_release(dir.path(), &build_dir, 1, &markers);
    publish(&build_dir, &url, &[]);
    for replica in &replicas {
        replica.wait_for(&first, WITHIN);
    }

    let load = Load::start(&replicas, 4);
    load.wait_for_more(30);
    let second = next_release(dir.path(), &build_dir, 2, &markers);
    publish(&build_dir, &url, &[]);
    load.wait_for_more(30);
    let third = next_release(dir.path(), &build_dir, 3, &markers);
    publish(&build_dir, &url, &[]);
    for replica in &replicas {
        replica.wait_for(&third, WITHIN);
    }
    load.wait_for_more(60);

    // A corrupt release: published elsewhere, one byte of its largest file
    // flipped, then put in the shared store and named by LATEST.
    let (side, side_url) = folder_store(dir.path(), "side");
    let corrupt = next_release(dir.path(), &build_dir, 4, &markers);
    publish(&build_dir, &side_url, &[]);
    let victim = largest_file(&side, &corrupt);
    let mut bytes = std::fs::read(&victim).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&victim, bytes).unwrap();
    place(&side, &store, &corrupt);
    for replica in &replicas {
        replica.wait_for_counter(REFUSED, 1, WITHIN);
        assert_eq!(replica.ready_generation().as_deref(), Some(third.as_str()));
    }
    load.wait_for_more(30);

    // An incompatible release: sound files, a manifest from another index
    // format.
    let incompatible = next_release(dir.path(), &build_dir, 5, &markers);
    publish(&build_dir, &side_url, &[]);
    let manifest_path = side
        .join("releases")
        .join(&incompatible)
        .join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["index_format"] = (manifest["index_format"].as_u64().unwrap() + 1).into();
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    place(&side, &store, &incompatible);
    for replica in &replicas {
        replica.wait_for_counter(REFUSED, 2, WITHIN);
        assert_eq!(replica.ready_generation().as_deref(), Some(third.as_str()));
    }
    load.wait_for_more(30);

    // Every replica kept the release before the one it serves, and nothing
    // of the refused ones.
    for replica in &replicas {
        assert_eq!(
            generations_on_disk(&replica.index),
            vec![second.clone(), third.clone()],
            "{}",
            replica.index.display()
        );
        let log = std::fs::read_to_string(&replica.log).unwrap();
        assert!(
            log.contains(&format!("release {corrupt} refused: file "))
                && log.contains(&format!(
                    "release {incompatible} refused: built by analyzer"
                )),
            "{log}"
        );
    }

    // A rollback: LATEST back on the second release, which every replica
    // still has.
    let out = posfaq(&["publish", "--to", &url, "--rollback", &second], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for replica in &replicas {
        replica.wait_for(&second, WITHIN);
    }
    load.wait_for_more(60);
    let seen = load.stop();

    let markers = markers.into_inner().unwrap();
    let mut per_generation: HashMap<&str, usize> = HashMap::new();
    let mut last_of_replica: HashMap<usize, &str> = HashMap::new();
    let mut hits_from_cache = 0;
    let failures: Vec<&String> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Failure(why) => Some(why),
            Seen::Answer { .. } => None,
        })
        .collect();
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    for s in &seen {
        let Seen::Answer {
            replica,
            generation,
            markers: found,
            cached,
        } = s
        else {
            continue;
        };
        hits_from_cache += usize::from(*cached);
        let expected = markers
            .get(generation)
            .unwrap_or_else(|| panic!("a response from unknown generation {generation}"));
        assert_eq!(
            found,
            &vec![expected.clone()],
            "generation {generation} answered with the markers {found:?}"
        );
        *per_generation.entry(generation).or_default() += 1;
        last_of_replica.insert(*replica, generation);
    }
    eprintln!(
        "{} searches ({hits_from_cache} from the cache), 0 failed, by generation: {per_generation:?}",
        seen.len()
    );
    assert!(hits_from_cache > 0, "no answer came from the cache");
    for generation in [&first, &second, &third] {
        assert!(per_generation.contains_key(generation.as_str()));
    }
    assert!(!per_generation.contains_key(corrupt.as_str()));
    assert!(!per_generation.contains_key(incompatible.as_str()));
    for replica in 0..replicas.len() {
        assert_eq!(last_of_replica.get(&replica), Some(&second.as_str()));
    }
    for replica in &replicas {
        assert_eq!(
            std::fs::read_to_string(replica.index.join("CURRENT")).unwrap(),
            second
        );
        let metrics = http::get(replica.addr, "/metrics").unwrap().text();
        assert!(
            metrics.contains(&format!(
                "posfaq_index_generation{{generation=\"{second}\"}}"
            )),
            "{metrics}"
        );
    }
}
