//! The ranking is exact and deterministic: the pruned search gives the same
//! page as scoring every hit, equal scores come in id order, and the order
//! in which a corpus's files are indexed changes nothing.

mod common;

use std::path::Path;

use posfaq::analysis::Analyzer;
use posfaq::corpus::Corpus;
use posfaq::search::{Engine, SearchRequest, SearchResponse};

/// (id, score) of every hit.
fn page(response: &SearchResponse) -> Vec<(String, f32)> {
    response
        .hits
        .iter()
        .map(|h| (h.id.clone(), h.score))
        .collect()
}

fn ids(response: &SearchResponse) -> Vec<&str> {
    response.hits.iter().map(|h| h.id.as_str()).collect()
}

/// The queries of a judged file's second column, after its header.
fn eval_queries(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/eval")
        .join(file);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1).map(String::from))
        .collect()
}

/// A corpus of `n` generated articles with many near and exact duplicates,
/// so that scores tie and pruning has plenty to skip.
fn generated(dir: &Path, n: usize) -> Corpus {
    let phrases = [
        "终端未登记",
        "83无效终端",
        "商户状态异常",
        "交易失败",
        "手续费",
        "费率",
        "激活",
        "签到失败",
        "密码错误次数超限",
        "结算卡",
        "到账延迟",
        "流量卡欠费",
        "打印空白",
        "参数下载",
        "刷卡提示",
        "联系客服",
        "重新签到",
        "pos机",
    ];
    let articles = dir.join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % m
    };
    let mut text = String::new();
    for i in 0..n {
        // Every third article repeats the previous one's text word for word.
        if i % 3 != 2 || text.is_empty() {
            let title = format!(
                "{}{}",
                phrases[next(phrases.len())],
                phrases[next(phrases.len())]
            );
            let mut body = String::new();
            for s in 0..3 {
                body.push_str(&format!("## {}\n\n", phrases[next(phrases.len())]));
                for _ in 0..1 + next(4) {
                    body.push_str(phrases[next(phrases.len())]);
                    body.push_str("，请按提示处理。");
                }
                body.push_str(&format!("第{s}步。\n\n"));
            }
            text = format!("title: {title}\n---\n\n{body}");
        }
        let file = format!("---\nid: g{:05}\n{text}", (i * 7_919) % 100_000);
        std::fs::write(articles.join(format!("a{i:05}.md")), file).unwrap();
    }
    posfaq::corpus::load_dir(&articles).unwrap()
}

fn open(corpus: Corpus) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    posfaq::index::build(corpus, dir.path(), Analyzer::shared()).unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    (dir, engine)
}

const GENERATED_QUERIES: &[&str] = &[
    "终端未登记",
    "83无效终端怎么办",
    "商户状态异常 交易失败",
    "手续费 费率",
    "pos机",
    "刷卡提示密码错误次数超限",
    "签到",
    "激活 结算卡",
    "\"重新签到\"",
    "交易失败 -手续费",
    "流量卡欠费打印空白参数下载",
    "请按提示处理",
];

#[test]
fn search_equals_exhaustive_scoring_on_every_judged_query() {
    let (_dir, engine) = common::index_of(&common::real_corpus());
    let queries: Vec<String> = eval_queries("queries.tsv")
        .into_iter()
        .chain(eval_queries("answers.tsv"))
        .collect();
    assert!(queries.len() > 300, "{} queries", queries.len());
    for query in &queries {
        let request = SearchRequest::new(query.as_str(), 10);
        let pruned = engine.search(&request).unwrap();
        let exhaustive = engine.search_exhaustively(&request).unwrap();
        assert_eq!(ids(&pruned), ids(&exhaustive), "{query}");
        assert_eq!(pruned.total, exhaustive.total, "{query}");
    }
}

#[test]
fn pruning_changes_nothing_on_a_bigger_index() {
    let work = tempfile::tempdir().unwrap();
    let (_dir, engine) = open(generated(work.path(), 1_500));
    for query in GENERATED_QUERIES {
        for (limit, offset) in [(10, 0), (5, 20)] {
            let mut request = SearchRequest::new(*query, limit);
            request.offset = offset;
            let pruned = engine.search(&request).unwrap();
            assert!(pruned.total > 20, "{query} matches {}", pruned.total);
            let exhaustive = engine.search_exhaustively(&request).unwrap();
            assert_eq!(ids(&pruned), ids(&exhaustive), "{query} at {offset}");
        }
    }
}

#[test]
fn equal_scores_come_in_id_order() {
    let work = tempfile::tempdir().unwrap();
    let (_dir, engine) = open(generated(work.path(), 300));
    let mut ties = 0;
    for query in GENERATED_QUERIES {
        let response = engine.search(&SearchRequest::new(*query, 50)).unwrap();
        for pair in response.hits.windows(2) {
            if pair[0].score == pair[1].score {
                ties += 1;
                assert!(
                    pair[0].id < pair[1].id,
                    "{query}: {} before {}",
                    pair[0].id,
                    pair[1].id
                );
            }
        }
    }
    assert!(
        ties > 20,
        "only {ties} ties: the corpus no longer tests them"
    );
}

#[test]
fn the_order_files_are_indexed_in_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let forward = generated(work.path(), 1_200);
    let mut backward = forward.clone();
    backward.articles.reverse();
    let (_a, first) = open(forward);
    let (_b, second) = open(backward);
    for query in GENERATED_QUERIES {
        let request = SearchRequest::new(*query, 20);
        let (one, two) = (
            first.search(&request).unwrap(),
            second.search(&request).unwrap(),
        );
        assert!(!one.hits.is_empty(), "{query}");
        assert_eq!(page(&one), page(&two), "{query}");
        assert_eq!(one.total, two.total, "{query}");
    }
}
