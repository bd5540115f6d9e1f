//! Helpers shared by the integration tests: the fixture corpus and a fresh
//! index of it in a temporary directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use posfaq::analysis::Analyzer;
use posfaq::search::Engine;

/// `tests/fixtures/corpus`.
pub fn fixture_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The repository's own `corpus/`.
pub fn real_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// An index of `corpus` in a new temporary directory (kept alive by the
/// returned guard).
pub fn index_of(corpus: &Path) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let loaded = posfaq::corpus::load_dir(corpus).expect("corpus loads");
    posfaq::index::build(&loaded, dir.path(), Analyzer::shared()).expect("index builds");
    let engine = Engine::open(dir.path()).expect("index opens");
    (dir, engine)
}
