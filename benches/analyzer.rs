//! Analyzer throughput in MB/s next to its bound: raw jieba-rs search-mode
//! segmentation of the same text. Over the seed articles and over text from
//! the synthetic benchmark corpus (`../shared/bench/gen_corpus.py`, or the
//! folder in `POSFAQ_BENCH_CORPUS`).
//!
//!     cargo bench --bench analyzer

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jieba_rs::Jieba;
use posfaq::analysis::{Analyzer, PosfaqTokenizer};
use tantivy::tokenizer::{TokenStream, Tokenizer};

fn seeds() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// About 1 MB of synthetic articles, generated when no folder is given.
fn synthetic() -> String {
    let dir = match std::env::var_os("POSFAQ_BENCH_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let out = std::env::temp_dir().join("posfaq-bench-analyzer");
            if !out.join("articles").exists() {
                let script =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_corpus.py");
                let status = std::process::Command::new("python3")
                    .arg(script)
                    .args(["--articles", "800", "--queries", "10", "--out"])
                    .arg(&out)
                    .status()
                    .expect("python3 runs gen_corpus.py");
                assert!(status.success());
            }
            out
        }
    };
    let mut text = String::new();
    let mut stack = vec![dir.join("articles")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(t) = std::fs::read_to_string(&path) {
                text.push_str(&t);
                if text.len() > 1_000_000 {
                    return text;
                }
            }
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::shared();
    let jieba = Jieba::new();
    for (name, text) in [("seeds", seeds()), ("synthetic", synthetic())] {
        // Count the work so a regression that drops tokens cannot look fast.
        let tokens = analyzer.tokens(&text).len();
        assert!(
            tokens > text.chars().count() / 2,
            "{name}: only {tokens} tokens"
        );
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.sample_size(20);
        group.bench_function("jieba-rs cut_for_search (bound)", |b| {
            b.iter(|| jieba.cut_for_search(&text, false).len())
        });
        // What indexing runs: the tokenizer tantivy calls, each token
        // copied into one reused buffer.
        let mut tokenizer = PosfaqTokenizer::new(analyzer.clone());
        group.bench_function("posfaq tokenizer (indexing)", |b| {
            b.iter(|| {
                let mut stream = tokenizer.token_stream(&text);
                let mut n = 0;
                while stream.advance() {
                    n += stream.token().text.len();
                }
                n
            })
        });
        // What a query runs: owned tokens.
        group.bench_function("posfaq analyzer tokens (queries)", |b| {
            b.iter(|| analyzer.tokens(&text).len())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
