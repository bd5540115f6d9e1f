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
    posfaq::index::build(loaded, dir.path(), Analyzer::shared()).expect("index builds");
    let engine = Engine::open(dir.path()).expect("index opens");
    (dir, engine)
}

/// Writes `n` synthetic articles into `dir/articles`: enough text that
/// indexing takes a while and the index files grow past a few hundred KiB.
pub fn write_synthetic_corpus(dir: &Path, n: usize) {
    let sentences = [
        "刷卡时屏幕提示无效终端，请先检查网络并重新签到。",
        "商户状态异常通常与资料过期或风控有关，需要联系服务商核实。",
        "手续费按费率收取，借记卡和信用卡的费率不同。",
        "终端未登记说明机器没有在收单机构后台开通。",
        "签购单打印空白多半是打印纸装反了或者热敏纸受潮。",
        "到账延迟可以先查结算状态，再联系客服。",
        "流量卡欠费会导致机器连不上网，交易失败。",
        "参数下载失败时先确认网络，再从签到开始重新下载。",
    ];
    let articles = dir.join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    for i in 0..n {
        let mut body = format!("---\nid: synthetic-{i:05}\ntitle: 第{i}号问题说明\n---\n\n");
        for s in 0..6 {
            body.push_str(&format!("## 第{s}部分\n\n"));
            for k in 0..4 {
                body.push_str(sentences[(i * 7 + s * 3 + k) % sentences.len()]);
            }
            body.push_str(&format!("编号{i}-{s}。\n\n"));
        }
        std::fs::write(articles.join(format!("synthetic-{i:05}.md")), body).unwrap();
    }
}
