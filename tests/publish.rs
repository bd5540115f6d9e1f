//! `posfaq publish` on bad input and when it fails: a clear error and exit
//! code 2, never a panic, and `LATEST` left on the release it named.

mod common;

use std::path::Path;

use common::releases::{build, folder_store, marker_corpus, path, posfaq, publish, stderr};

/// Credentials, so that no S3 client looks for others (an instance
/// metadata service) when a test points it at a store on loopback.
const S3_ENV: [(&str, &str); 4] = [
    ("AWS_ACCESS_KEY_ID", "test"),
    ("AWS_SECRET_ACCESS_KEY", "test"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_ALLOW_HTTP", "true"),
];

fn assert_clear_failure(out: &std::process::Output, says: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(says), "expected {says:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn latest(store: &Path) -> String {
    std::fs::read_to_string(store.join("LATEST"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn targets_it_cannot_use_or_reach_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    build(&marker_corpus(dir.path(), 1), &index);
    let schemes = "use file:///folder, s3://bucket/prefix";
    for (to, says) in [
        ("ftp://example.org/kb", schemes),
        ("memory:///kb", schemes),
        ("kb", schemes),
        ("file://elsewhere/kb", schemes),
        ("file:///proc/posfaq/kb", "Unable to create dir"),
    ] {
        let out = posfaq(&["publish", "--index", path(&index), "--to", to], &[]);
        assert_clear_failure(&out, says);
    }
    // Nothing listens on port 1 of loopback: refused at once, a few
    // retries, then the error.
    let mut env = S3_ENV.to_vec();
    env.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:1"));
    let out = posfaq(
        &[
            "publish",
            "--index",
            path(&index),
            "--to",
            "s3://kb/releases",
        ],
        &env,
    );
    assert_clear_failure(&out, "release store s3://kb/releases");
    // A replica refuses a store it cannot use before it listens.
    let out = posfaq(
        &[
            "serve",
            "--index",
            path(&index),
            "--follow",
            "ftp://example.org/kb",
        ],
        &[],
    );
    assert_clear_failure(&out, schemes);
    let out = posfaq(
        &["serve", "--follow", "file:///tmp/kb", "--poll", "soon"],
        &[],
    );
    assert_clear_failure(&out, "--poll");
}

#[test]
fn an_index_that_is_not_there_is_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let (_, to) = folder_store(dir.path(), "store");
    let missing = dir.path().join("nothing");
    let out = posfaq(&["publish", "--index", path(&missing), "--to", &to], &[]);
    assert_clear_failure(&out, "no index at");
    assert!(!dir.path().join("store").exists());
}

/// A temporary folder holding an index and a store folder, to which the
/// index's first release was published.
struct PublishedOnce {
    dir: tempfile::TempDir,
    store: std::path::PathBuf,
    to: String,
    index: std::path::PathBuf,
    generation: String,
}

fn published_once() -> PublishedOnce {
    let dir = tempfile::tempdir().unwrap();
    let (store, to) = folder_store(dir.path(), "store");
    let index = dir.path().join("index");
    let generation = build(&marker_corpus(dir.path(), 1), &index);
    publish(&index, &to, &[]);
    assert_eq!(latest(&store), generation);
    PublishedOnce {
        dir,
        store,
        to,
        index,
        generation,
    }
}

#[test]
fn a_publish_that_fails_halfway_leaves_latest_on_the_previous_release() {
    let PublishedOnce {
        dir,
        store,
        to,
        index,
        generation: first,
    } = published_once();

    // A folder where one of the second release's files must go: the files
    // before it are uploaded, that one fails.
    let second = build(&marker_corpus(dir.path(), 2), &index);
    let files = store.join("releases").join(&second).join("files");
    std::fs::create_dir_all(files.join("posfaq.json").join("in-the-way")).unwrap();
    let out = posfaq(&["publish", "--index", path(&index), "--to", &to], &[]);
    assert_clear_failure(&out, "posfaq.json");
    assert!(
        files.join("meta.json").exists(),
        "it failed before any upload"
    );
    assert!(
        !store
            .join("releases")
            .join(&second)
            .join("manifest.json")
            .exists()
    );
    assert_eq!(latest(&store), first);

    // Run again once the way is clear, it finishes the job; once more, it
    // finds the release there.
    std::fs::remove_dir_all(files.join("posfaq.json")).unwrap();
    publish(&index, &to, &[]);
    assert_eq!(latest(&store), second);
    let out = posfaq(&["publish", "--index", path(&index), "--to", &to], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("already"), "{}", stderr(&out));

    // Rolling back needs a release that is there.
    let out = posfaq(&["publish", "--to", &to, "--rollback", "gen-1"], &[]);
    assert_clear_failure(&out, "no such release");
    let out = posfaq(&["publish", "--to", &to, "--rollback", "../gen-1"], &[]);
    assert_clear_failure(&out, "refused");
    assert_eq!(latest(&store), second);
    let out = posfaq(&["publish", "--to", &to, "--rollback", &first], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(latest(&store), first);
}

#[test]
fn a_release_is_never_changed() {
    let PublishedOnce {
        dir: _dir,
        store,
        to,
        index,
        generation,
    } = published_once();
    let manifest = store
        .join("releases")
        .join(&generation)
        .join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut changed: serde_json::Value = serde_json::from_str(&text).unwrap();
    changed["files"][0]["sha256"] = "0".repeat(64).into();
    std::fs::write(&manifest, serde_json::to_vec(&changed).unwrap()).unwrap();
    let out = posfaq(&["publish", "--index", path(&index), "--to", &to], &[]);
    assert_clear_failure(&out, "is there already with other files");
}
