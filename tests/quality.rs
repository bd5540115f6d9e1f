//! The search-quality gate, on the held-out part of the judged set in
//! `tests/eval/` (nothing is fitted on it): nDCG@10 and P@1 must not drop
//! below the recorded baseline by more than its tolerance, and queries with
//! no answer must not get a confident fix.

mod common;

use std::path::Path;

#[test]
fn judged_search_quality_holds_on_the_held_out_part() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let mut cases =
        posfaq::eval::load_search_cases(&dir.join("queries.tsv"), &dir.join("qrels.tsv")).unwrap();
    cases.retain(|c| c.part == "held-out");
    assert!(cases.len() >= 75, "{} held-out judged queries", cases.len());
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    let search = &baseline["search"];
    let tolerance = search["tolerance"].as_f64().unwrap();
    let (_dir, engine) = common::index_of(&common::real_corpus());
    let report = posfaq::eval::eval_search(&engine, &cases, 20).unwrap();
    let worst = serde_json::to_string_pretty(&report.worst).unwrap();
    let floor = |metric: &str| search["held_out"][metric].as_f64().unwrap() - tolerance;
    assert!(
        report.overall.ndcg_at_10 >= floor("ndcg_at_10"),
        "held-out nDCG@10 {:.3} fell below the baseline; worst queries: {worst}",
        report.overall.ndcg_at_10
    );
    assert!(
        report.overall.p_at_1 >= floor("p_at_1"),
        "held-out P@1 {:.3} fell below the baseline; worst queries: {worst}",
        report.overall.p_at_1
    );
    assert_eq!(
        report.no_answer_confident, 0,
        "a query with no answer got a confident fix"
    );
}

/// The same gate on the cold set's held-out part: raw articles imported
/// with no review, no tags, synonyms or fix cards.
#[test]
fn cold_search_quality_holds_on_the_held_out_part() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let cold = dir.join("cold");
    let mut cases =
        posfaq::eval::load_search_cases(&cold.join("queries.tsv"), &cold.join("qrels.tsv"))
            .unwrap();
    cases.retain(|c| c.part == "held-out");
    assert!(cases.len() >= 60, "{} held-out cold queries", cases.len());
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    let set = &baseline["cold"];
    let floor = |metric: &str| {
        set["held_out"][metric].as_f64().unwrap() - set["tolerance"].as_f64().unwrap()
    };
    let (_dir, engine) = common::index_of(&cold.join("corpus"));
    let report = posfaq::eval::eval_search(&engine, &cases, 20).unwrap();
    let worst = serde_json::to_string_pretty(&report.worst).unwrap();
    assert!(
        report.overall.ndcg_at_10 >= floor("ndcg_at_10"),
        "cold held-out nDCG@10 {:.3} fell below the baseline; worst queries: {worst}",
        report.overall.ndcg_at_10
    );
    assert!(
        report.overall.p_at_1 >= floor("p_at_1"),
        "cold held-out P@1 {:.3} fell below the baseline; worst queries: {worst}",
        report.overall.p_at_1
    );
    // Chit-chat is never listed as if it were an answer.
    for off_topic in [
        "今天天气怎么样",
        "附近有什么好吃的",
        "帮我写一首诗",
        "你好",
        "红烧肉怎么做",
    ] {
        let response = engine
            .search(&posfaq::search::SearchRequest::new(off_topic, 10))
            .unwrap();
        assert!(
            response.hits.is_empty() || response.weak,
            "{off_topic} listed"
        );
    }
}
