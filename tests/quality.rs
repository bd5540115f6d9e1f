//! The search-quality gates, on the held-out parts of the judged sets in
//! `tests/eval/` (nothing is fitted on them): nDCG@10 and P@1 must not drop
//! below the recorded baseline by more than its tolerance. On the main set
//! queries with no answer must not get a confident fix; on the cold set
//! (raw articles imported with no review), the passage set (FAQ passages
//! cut from scraped pages, ads kept) and the seed set (the passages of the
//! five seed articles alone) chit-chat is never listed as if it were an
//! answer.

mod common;

use std::path::{Path, PathBuf};

use posfaq::search::{Engine, SearchRequest};

fn eval_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval")
}

/// Indexes `corpus`, ranks the held-out queries of `judged` (a folder with
/// `queries.tsv` and `qrels.tsv`, at least `min_cases` of them held out),
/// and holds them to the baseline's `set`.
fn gate(
    corpus: &Path,
    judged: &Path,
    set: &str,
    min_cases: usize,
) -> (tempfile::TempDir, Engine, posfaq::eval::SearchReport) {
    let mut cases =
        posfaq::eval::load_search_cases(&judged.join("queries.tsv"), &judged.join("qrels.tsv"))
            .unwrap();
    cases.retain(|c| c.part == "held-out");
    assert!(
        cases.len() >= min_cases,
        "{} held-out queries in {set}",
        cases.len()
    );
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(eval_dir().join("baseline.json")).unwrap())
            .unwrap();
    let baseline = &baseline[set];
    let floor = |metric: &str| {
        baseline["held_out"][metric].as_f64().unwrap() - baseline["tolerance"].as_f64().unwrap()
    };
    let (dir, engine) = common::index_of(corpus);
    let report = posfaq::eval::eval_search(&engine, &cases, 20).unwrap();
    let worst = serde_json::to_string_pretty(&report.worst).unwrap();
    for (metric, value) in [
        ("ndcg_at_10", report.overall.ndcg_at_10),
        ("p_at_1", report.overall.p_at_1),
    ] {
        assert!(
            value >= floor(metric),
            "{set} held-out {metric} {value:.3} fell below the baseline; worst queries: {worst}"
        );
    }
    (dir, engine, report)
}

#[test]
fn judged_search_quality_holds_on_the_held_out_part() {
    let (_dir, _engine, report) = gate(&common::real_corpus(), &eval_dir(), "search", 50);
    assert_eq!(
        report.no_answer_confident, 0,
        "a query with no answer got a confident fix"
    );
}

/// Off-topic chit-chat: never listed as if it were an answer.
const CHIT_CHAT: [&str; 5] = [
    "今天天气怎么样",
    "附近有什么好吃的",
    "帮我写一首诗",
    "你好",
    "红烧肉怎么做",
];

fn assert_chit_chat_not_listed(engine: &Engine) {
    for off_topic in CHIT_CHAT {
        let response = engine.search(&SearchRequest::new(off_topic, 10)).unwrap();
        assert!(
            response.hits.is_empty() || response.weak,
            "{off_topic} listed"
        );
    }
}

#[test]
fn cold_search_quality_holds_on_the_held_out_part() {
    let cold = eval_dir().join("cold");
    let (_dir, engine, _report) = gate(&cold.join("corpus"), &cold, "cold", 50);
    assert_chit_chat_not_listed(&engine);
}

#[test]
fn passage_search_quality_holds_on_the_held_out_part() {
    let passages = eval_dir().join("passages");
    let (_dir, engine, _report) = gate(&passages.join("corpus"), &passages, "passages", 50);
    assert_chit_chat_not_listed(&engine);
}

#[test]
fn seed_search_quality_holds_on_the_held_out_part() {
    let seeds = eval_dir().join("seeds");
    let (_dir, engine, _report) = gate(&seeds.join("corpus"), &seeds, "seeds", 30);
    assert_chit_chat_not_listed(&engine);
}
