//! Where the time of a search goes: runs each query of a file once (after
//! one warm-up pass) and prints, per stage, the mean and the 50th and 99th
//! percentile in milliseconds.
//!
//!     cargo run --release --example search_stages INDEX QUERIES [N]

use posfaq::search::{Engine, SearchRequest, Stages};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(index), Some(queries)) = (args.next(), args.next()) else {
        eprintln!("usage: search_stages INDEX QUERIES [N]");
        std::process::exit(2);
    };
    let limit = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let engine = Engine::open(std::path::Path::new(&index)).unwrap_or_else(|err| {
        eprintln!("{index}: {err}");
        std::process::exit(2);
    });
    let text = std::fs::read_to_string(&queries).unwrap_or_else(|err| {
        eprintln!("{queries}: {err}");
        std::process::exit(2);
    });
    let queries: Vec<&str> = text
        .lines()
        .filter(|q| !q.trim().is_empty())
        .take(limit)
        .collect();
    let run = |q: &str| {
        engine
            .search_timed(&SearchRequest::new(q, 10))
            .map(|(r, s)| (r.took_ms, s))
    };
    queries.iter().for_each(|q| drop(run(q)));
    let stages: Vec<(f64, Stages)> = queries.iter().filter_map(|q| run(q).ok()).collect();
    type Column = (&'static str, fn(&(f64, Stages)) -> f64);
    let columns: [Column; 6] = [
        ("plan", |s| s.1.plan),
        ("featured fix", |s| s.1.fix),
        ("rank", |s| s.1.rank),
        ("count", |s| s.1.count),
        ("hits, sections, snippets", |s| s.1.hits),
        ("whole search", |s| s.0),
    ];
    println!(
        "{} queries\n{:<26} {:>8} {:>8} {:>8}",
        stages.len(),
        "stage",
        "mean",
        "p50",
        "p99"
    );
    for (name, of) in columns {
        let mut times: Vec<f64> = stages.iter().map(of).collect();
        times.sort_by(f64::total_cmp);
        let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
        println!("{name:<26} {mean:>8.3} {:>8.3} {:>8.3}", at(0.5), at(0.99));
    }
}
