//! The real `posfaq` binary: the CLI contract (output shapes, exit codes),
//! corpus errors that must name the file and line and leave the live index
//! untouched, and the import of the raw seed articles.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn posfaq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("POSFAQ_INDEX")
        .env_remove("POSFAQ_CORPUS")
        .output()
        .expect("posfaq runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn index(corpus: &Path, index: &Path) -> Output {
    posfaq(&["index", "--corpus", path(corpus), "--index", path(index)])
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn search_json(index: &Path, query: &str) -> serde_json::Value {
    let out = posfaq(&["search", "--json", "--index", path(index), "--", query]);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn first_source(response: &serde_json::Value) -> String {
    response["hits"][0]["source"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Builds the repository's own corpus once per test binary run.
fn real_index() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = index(&common::real_corpus(), dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        dir
    })
    .path()
}

#[test]
fn seed_questions_find_their_articles() {
    // The core issue's acceptance queries over the imported seeds.
    for (query, source) in [
        ("83无效终端", "003_1e0cf13f601712b3.txt"),
        ("立刷商户状态异常", "001_4f60dbe8eb96cdc1.txt"),
        ("终端未登记", "004_d816e69a78913e39.txt"),
        ("終端未登記", "004_d816e69a78913e39.txt"),
    ] {
        assert_eq!(
            first_source(&search_json(real_index(), query)),
            source,
            "{query}"
        );
    }
}

#[test]
fn words_of_the_seeds_are_findable() {
    for query in ["登记", "冻结", "死机", "手續費", "刷卡", "身份证"] {
        let response = search_json(real_index(), query);
        assert!(response["total"].as_u64().unwrap() > 0, "{query}");
    }
}

#[test]
fn seed_spam_is_not_findable() {
    for query in [
        "185-8483-9115",
        "18584839115",
        "mepos.cn",
        "soupos",
        "lftpos",
        "\"微信复制成功\"",
    ] {
        let out = posfaq(&["search", "--index", path(real_index()), "--", query]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{query}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn json_output_has_the_documented_shape() {
    let response = search_json(real_index(), "83无效终端");
    assert_eq!(response["query"], "83无效终端");
    assert!(response["took_ms"].is_number());
    let hit = &response["hits"][0];
    for key in [
        "id", "title", "section", "score", "snippet", "category", "brands", "source",
    ] {
        assert!(hit.get(key).is_some(), "missing {key} in {hit}");
    }
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
}

#[test]
fn text_output_and_exit_codes() {
    let out = posfaq(&[
        "search",
        "--index",
        path(real_index()),
        "--limit",
        "2",
        "--",
        "死机",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("pos-unusable") && text.contains("[死机]"),
        "{text}"
    );
    let out = posfaq(&["search", "--index", path(real_index()), "--", "xyzzy"]);
    assert_eq!(out.status.code(), Some(1));
    let out = posfaq(&[
        "search",
        "--index",
        path(real_index()),
        "--limit",
        "99",
        "--",
        "刷卡",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("limit"), "{}", stderr(&out));
    let missing = tempfile::tempdir().unwrap();
    let out = posfaq(&["search", "--index", path(missing.path()), "--", "刷卡"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("posfaq index"), "{}", stderr(&out));
}

/// One snippet of `tests/fixtures/xss-corpus`, shown both ways: plain text
/// with the marks in brackets, and in `--json` the API's HTML, escaped but
/// for the marks.
#[test]
fn snippets_are_plain_text_in_the_terminal_and_escaped_html_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xss-corpus");
    let out = index(&corpus, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let query = ["--limit", "1", "--", "无效终端", "script"];
    let out = posfaq(&[&["search", "--index", path(dir.path())][..], &query].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "\n   这是一段文字 \"><[script]>window.__xss=8</[script]>，刷卡签到都不受影响。\n"
        ),
        "{text}"
    );
    let out = posfaq(
        &[
            &["search", "--json", "--index", path(dir.path())][..],
            &query,
        ]
        .concat(),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(
        json["hits"][0]["snippet"],
        "这是一段文字 &quot;&gt;&lt;<mark>script</mark>&gt;window.__xss=8&lt;/<mark>script</mark>&gt;，刷卡签到都不受影响。"
    );
}

#[test]
fn a_folder_of_minimal_articles_is_a_corpus() {
    let corpus = tempfile::tempdir().unwrap();
    let nested = corpus.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(
        corpus.path().join("one.md"),
        "---\nid: kb-1\ntitle: 签购单打印不出来\n---\n换打印纸。\n",
    )
    .unwrap();
    std::fs::write(
        nested.join("two.md"),
        "---\nid: kb-2\ntitle: 退货流程\n---\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = index(corpus.path(), dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("indexed 2 articles"),
        "{}",
        stderr(&out)
    );
    assert_eq!(search_json(dir.path(), "签购单")["hits"][0]["id"], "kb-1");
    assert_eq!(search_json(dir.path(), "退货")["hits"][0]["id"], "kb-2");
}

/// A corpus with one good article plus `name` containing `bytes`.
fn corpus_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let corpus = tempfile::tempdir().unwrap();
    std::fs::write(
        corpus.path().join("good.md"),
        "---\nid: good\ntitle: 好文章\n---\n内容。\n",
    )
    .unwrap();
    std::fs::write(corpus.path().join(name), bytes).unwrap();
    corpus
}

#[test]
fn corpus_errors_name_file_and_line_and_keep_the_live_index() {
    let live = tempfile::tempdir().unwrap();
    let out = index(
        corpus_with("other.md", b"---\nid: other\ntitle: t\n---\n").path(),
        live.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read_to_string(live.path().join("CURRENT")).unwrap();

    let cases: [(&str, &[u8], &str); 6] = [
        ("fence.md", b"id: x\ntitle: t\n", "fence.md:1:"),
        (
            "dup.md",
            b"---\nid: good\ntitle: t\n---\n",
            "duplicate id `good`",
        ),
        (
            "key.md",
            b"---\nid: k\ntitle: t\ncategry: fees\n---\n",
            "key.md:4:",
        ),
        (
            "utf8.md",
            b"---\nid: u\ntitle: t\n---\nok\n\xff\xfe\n",
            "utf8.md:6: invalid UTF-8",
        ),
        ("empty.md", b"", "empty.md:1: empty file"),
        (
            "category.md",
            b"---\nid: c\ntitle: t\ncategory: misc\n---\n",
            "category.md:4:",
        ),
    ];
    for (name, bytes, expected) in cases {
        let corpus = corpus_with(name, bytes);
        let out = index(corpus.path(), live.path());
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(live.path().join("CURRENT")).unwrap(),
            before,
            "{name}"
        );
        // The live index still answers.
        assert_eq!(
            search_json(live.path(), "好文章")["hits"][0]["id"],
            "good",
            "{name}"
        );
    }
}

#[test]
fn a_missing_corpus_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = index(&dir.path().join("nope"), &dir.path().join("index"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
}

#[test]
fn an_index_from_another_analyzer_must_be_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let out = index(
        corpus_with("x.md", b"---\nid: x\ntitle: t\n---\n").path(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let generation: PathBuf = dir.path().join(
        std::fs::read_to_string(dir.path().join("CURRENT"))
            .unwrap()
            .trim(),
    );
    let meta_path = generation.join("posfaq.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    let mut meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["fingerprint"] = "v0-0000000000000000".into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let out = posfaq(&["search", "--index", path(dir.path()), "--", "好文章"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("rebuild"), "{}", stderr(&out));
}

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seeds")
        .join(name)
}

fn import_seed(name: &str) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let out = posfaq(&["import", path(&seed(name)), "--out", path(out_dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(report.contains("structure:"), "{report}");
    let stem = Path::new(name)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .replace('_', "-");
    std::fs::read_to_string(out_dir.path().join(format!("{stem}.md"))).unwrap()
}

fn assert_clean(markdown: &str) {
    for spam in [
        "http",
        "mepos",
        "soupos",
        "lftpos",
        "办理电话",
        "微信复制成功",
        "相关文章",
        "相关POS机产品",
    ] {
        assert!(!markdown.contains(spam), "{spam} left in the import");
    }
    for obfuscated in [
        "ka卡",
        "KA卡",
        "zheng证",
        "xi息",
        "XI信息",
        "shu书",
        "身份pos",
        "非常后",
    ] {
        assert!(
            !markdown.contains(obfuscated),
            "{obfuscated} left in the import"
        );
    }
    let phone = regex::Regex::new(r"1[3-9]\d-?\d{4}-?\d{4}").unwrap();
    assert!(!phone.is_match(markdown), "a phone number is left");
    posfaq::corpus::parse_article(Path::new("import.md"), markdown)
        .expect("the import is a valid article");
}

#[test]
fn import_user_status_seed_keeps_its_questions() {
    let md = import_seed("000_ecd1f362cf291c8a.txt");
    assert_clean(&md);
    assert_eq!(md.matches("\n问：").count(), 6, "{md}");
    assert!(
        md.contains("## 引言") && md.contains("### 选择办理渠道"),
        "{md}"
    );
    assert!(
        md.contains("刷卡指示灯")
            && md.contains("身份证、营业执照")
            && md.contains("最后尝试重启设备")
    );
}

#[test]
fn import_merchant_status_seed_keeps_its_structure() {
    let md = import_seed("001_4f60dbe8eb96cdc1.txt");
    assert_clean(&md);
    assert!(
        md.contains("## 原因分析") && md.contains("### 系统故障") && md.contains("## 解决方法"),
        "{md}"
    );
    assert!(md.contains("1. 重启POS机"), "{md}");
    assert!(md.contains("个人信息"), "信xi息 repaired");
}

#[test]
fn import_unusable_seed_keeps_q_and_a() {
    let md = import_seed("002_3e78d77d0568228e.txt");
    assert_clean(&md);
    assert_eq!(md.matches("\n问：").count(), 3, "{md}");
    assert!(md.contains("### POS机无法启动或频繁死机"), "{md}");
}

#[test]
fn import_invalid_terminal_seed_repairs_words() {
    let md = import_seed("003_1e0cf13f601712b3.txt");
    assert_clean(&md);
    assert!(
        md.contains("codes: [\"83\"]") && md.contains("brands: [\"拉卡拉\"]"),
        "{md}"
    );
    assert!(
        md.contains("证书过期") && md.contains("身份信息") && md.contains("通过刷卡"),
        "{md}"
    );
    assert!(md.contains("## 解决无效终端问题的步骤"), "{md}");
}

#[test]
fn import_unregistered_seed_drops_the_link_farm() {
    let md = import_seed("004_d816e69a78913e39.txt");
    assert_clean(&md);
    assert!(
        md.contains("## 拉卡拉POS终端未登记的原因及解决方案"),
        "{md}"
    );
    assert!(md.contains("### 商户未注册或激活POS终端"), "{md}");
    assert!(
        !md.contains("\n1. 拉卡拉POS终端未登记的原因及解决方案"),
        "table of contents left: {md}"
    );
    assert_eq!(
        md.matches("拉卡拉POS终端未登记或停止使用问题及解决方案详解")
            .count(),
        2,
        "title in front matter and heading only"
    );
}

#[test]
fn import_never_overwrites_without_force() {
    let out_dir = tempfile::tempdir().unwrap();
    let seed = seed("003_1e0cf13f601712b3.txt");
    let target = out_dir.path().join("003-1e0cf13f601712b3.md");
    std::fs::write(&target, "edited by hand").unwrap();
    let out = posfaq(&["import", path(&seed), "--out", path(out_dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "edited by hand");
    let out = posfaq(&[
        "import",
        "--force",
        path(&seed),
        "--out",
        path(out_dir.path()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("---\n")
    );
}

#[test]
fn import_reports_bad_input_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"title\nline two\n\xff\n").unwrap();
    let out = posfaq(&["import", path(&bad), "--out", path(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.txt:3: invalid UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_fix_card_naming_a_missing_article_fails_the_build() {
    let corpus = corpus_with("x.md", b"---\nid: x\ntitle: t\n---\n");
    std::fs::create_dir(corpus.path().join("fixes")).unwrap();
    let card = "---\nid: c\ntitle: 卡\nrelated: [nope]\n---\n\n## 解决步骤\n\n1. 重启\n";
    std::fs::write(corpus.path().join("fixes/c.md"), card).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = index(corpus.path(), dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("c.md:4: related article `nope` does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn answer_command_prints_the_fix() {
    let out = posfaq(&[
        "answer",
        "--json",
        "--index",
        path(real_index()),
        "--",
        "83无效终端",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(response["answer"]["id"], "invalid-terminal");
    let out = posfaq(&[
        "answer",
        "--index",
        path(real_index()),
        "--",
        "今天天气怎么样",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = posfaq(&["answer", "--index", path(real_index()), "--", "刷卡显示51"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("解决步骤") && text.contains("1. "), "{text}");
}
