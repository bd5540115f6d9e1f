//! Query latency in process over the generated load queries, per query
//! class (one term, several terms, phrase, code, long sentence): criterion
//! measures each class, then every query is timed on its own and p50/p99
//! are printed per class.
//!
//! By default a 2,000-article corpus is generated (scripts/bench_corpus.sh)
//! and indexed. For the figures in BENCHMARKS.md, point it at a big index
//! and its queries:
//!
//!     scripts/bench_corpus.sh /tmp/c100k 100000
//!     posfaq index --corpus /tmp/c100k/articles --index /tmp/i100k
//!     POSFAQ_BENCH_INDEX=/tmp/i100k POSFAQ_BENCH_QUERIES=/tmp/c100k/queries.txt \
//!         cargo bench --bench query_latency

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::Criterion;
use posfaq::analysis::Analyzer;
use posfaq::search::{Engine, SearchRequest};

/// Index and queries to use: from the environment, or generated.
fn setup() -> (PathBuf, PathBuf) {
    if let (Some(index), Some(queries)) = (
        std::env::var_os("POSFAQ_BENCH_INDEX"),
        std::env::var_os("POSFAQ_BENCH_QUERIES"),
    ) {
        return (index.into(), queries.into());
    }
    let out = std::env::temp_dir().join("posfaq-bench-corpus-2000");
    let index = out.join("index");
    if !index.join("CURRENT").exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_corpus.sh");
        let status = std::process::Command::new(script)
            .arg(&out)
            .arg("2000")
            .status()
            .expect("scripts/bench_corpus.sh runs");
        assert!(status.success());
        let corpus = posfaq::corpus::load_dir(&out.join("articles")).expect("corpus loads");
        posfaq::index::build(corpus, &index, Analyzer::shared()).expect("index builds");
    }
    (index, out.join("queries.txt"))
}

/// The class of a generated query, as the issue names them.
fn class(query: &str) -> &'static str {
    let parts: Vec<&str> = query.split_whitespace().collect();
    let is_code = |p: &str| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphanumeric());
    if query.starts_with('"') {
        "phrase"
    } else if parts.first().is_some_and(|p| is_code(p)) {
        "code"
    } else if parts.len() > 1 {
        "several terms"
    } else if query.chars().count() >= 10 {
        "long sentence"
    } else {
        "one term"
    }
}

fn main() {
    let (index, queries) = setup();
    let engine = Engine::open(&index).expect("index opens");
    let text = std::fs::read_to_string(&queries).expect("queries file");
    let mut queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(String::from)
        .collect();
    // Exact phrases: every tenth query quoted.
    let quoted: Vec<String> = queries
        .iter()
        .step_by(10)
        .map(|q| format!("\"{}\"", q.split_whitespace().last().unwrap_or(q)))
        .collect();
    queries.extend(quoted);
    let mut by_class: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for q in &queries {
        by_class.entry(class(q)).or_default().push(q.clone());
    }
    let search = |q: &str| {
        engine
            .search(&SearchRequest::new(q, 10))
            .map(|r| r.hits.len())
            .unwrap_or(0)
    };
    let hits: usize = queries.iter().map(|q| search(q)).sum();
    assert!(
        hits > queries.len(),
        "the queries find almost nothing ({hits} hits)"
    );

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    for (name, list) in &by_class {
        // A sample per class keeps a run bounded on a big index.
        let sample: Vec<&String> = list.iter().take(50).collect();
        criterion.bench_function(&format!("search/{name} ({} queries)", sample.len()), |b| {
            b.iter(|| sample.iter().map(|q| search(q)).sum::<usize>())
        });
    }
    criterion.final_summary();

    println!(
        "\n{:<15} {:>8} {:>10} {:>10} {:>10}",
        "class", "queries", "p50 ms", "p99 ms", "max ms"
    );
    let mut all = Vec::new();
    for (name, list) in &by_class {
        let mut times: Vec<f64> = Vec::new();
        for _ in 0..3 {
            for q in list {
                let started = Instant::now();
                std::hint::black_box(search(q));
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        all.extend_from_slice(&times);
        print_row(name, list.len(), &mut times);
    }
    print_row("all", queries.len(), &mut all);

    // How close the pruned first pass comes to scoring every matching
    // article: the same top hit, and the share of the top 10 in common.
    let ids =
        |r: posfaq::search::SearchResponse| r.hits.into_iter().map(|h| h.id).collect::<Vec<_>>();
    let (mut same_first, mut overlap, mut compared) = (0, 0.0, 0);
    for q in queries.iter().step_by(22) {
        let request = SearchRequest::new(q.as_str(), 10);
        let (Ok(pruned), Ok(full)) = (
            engine.search(&request),
            engine.search_exhaustively(&request),
        ) else {
            continue;
        };
        let (pruned, full) = (ids(pruned), ids(full));
        if full.is_empty() {
            continue;
        }
        compared += 1;
        same_first += usize::from(pruned.first() == full.first());
        overlap += pruned.iter().filter(|id| full.contains(id)).count() as f64 / full.len() as f64;
    }
    println!(
        "\nagainst scoring every match, {compared} queries: same top hit {:.3}, top-10 overlap {:.3}",
        same_first as f64 / compared.max(1) as f64,
        overlap / compared.max(1) as f64
    );
}

fn print_row(name: &str, n: usize, times: &mut [f64]) {
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{name:<15} {n:>8} {:>10.3} {:>10.3} {:>10.3}",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
