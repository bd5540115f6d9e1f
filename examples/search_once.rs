//! Runs each of a file's queries once against an index, for instruction
//! counts of the search path that do not depend on the machine's load:
//!
//!     cargo build --release --example search_once
//!     valgrind --tool=callgrind target/release/examples/search_once INDEX QUERIES [N]
//!
//! QUERIES has one query per line; the first N (all by default) are run,
//! each as the server runs a search of ten hits. The time spent searching
//! is printed too, for comparing two builds in one run.

use posfaq::search::{Engine, SearchRequest};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(index), Some(queries)) = (args.next(), args.next()) else {
        eprintln!("usage: search_once INDEX QUERIES [N]");
        std::process::exit(2);
    };
    let limit = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let engine = match Engine::open(std::path::Path::new(&index)) {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("{index}: {err}");
            std::process::exit(2);
        }
    };
    let queries = match std::fs::read_to_string(&queries) {
        Ok(queries) => queries,
        Err(err) => {
            eprintln!("{queries}: {err}");
            std::process::exit(2);
        }
    };
    let (mut searched, mut hits) = (0, 0);
    let started = std::time::Instant::now();
    for query in queries.lines().filter(|q| !q.trim().is_empty()).take(limit) {
        match engine.search(&SearchRequest::new(query, 10)) {
            Ok(response) => hits += response.hits.len(),
            Err(err) => eprintln!("{query}: {err}"),
        }
        searched += 1;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("{searched} queries, {hits} hits, {ms:.0} ms searching");
}
