//! Search analytics end to end through the real router (`oneshot`, no
//! socket) over an index of the repository's corpus, with the real SQLite
//! file beside it: searches (cache hits among them), answers, clicks and
//! votes go in over HTTP; the admin report and `posfaq report` (the real
//! binary, on the same file) must count them exactly; bad input is a JSON
//! 4xx; with analytics off nothing is recorded.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use posfaq::analysis::Analyzer;
use posfaq::server::{AppState, Config, router};
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "analytics-admin-token";
/// A client address as a proxy would forward it: it must not be stored.
const FORWARDED_FOR: &str = "203.0.113.77";

struct Site {
    _dir: tempfile::TempDir,
    index: PathBuf,
    app: Router,
}

fn site(configure: impl FnOnce(&mut Config)) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let corpus = posfaq::corpus::load_dir(&common::real_corpus()).unwrap();
    posfaq::index::build(corpus, &index, Analyzer::shared()).unwrap();
    let mut config = Config::new(index.clone(), "127.0.0.1:0".parse().unwrap());
    config.admin_token = Some(TOKEN.into());
    configure(&mut config);
    Site {
        app: router(AppState::new(&config), &config),
        index,
        _dir: dir,
    }
}

/// Status, headers and JSON body (null when empty) of one request.
async fn call(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let (parts, body) = app.clone().oneshot(request).await.unwrap().into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let value = match bytes.is_empty() {
        true => Value::Null,
        false => serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes))),
    };
    (parts.status, parts.headers, value)
}

fn q(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// A GET as a browser behind a proxy sends it.
async fn get(app: &Router, uri: &str) -> (StatusCode, HeaderMap, Value) {
    let request = Request::get(uri)
        .header("x-forwarded-for", FORWARDED_FOR)
        .body(Body::empty())
        .unwrap();
    call(app, request).await
}

/// A search or answer, and the query id it was recorded under.
async fn ask(app: &Router, uri: &str) -> (Value, String) {
    let (status, headers, body) = get(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    let id = headers
        .get("posfaq-query-id")
        .unwrap_or_else(|| panic!("{uri}: no Posfaq-Query-Id header"))
        .to_str()
        .unwrap()
        .to_string();
    (body, id)
}

async fn feedback(app: &Router, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/api/feedback")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, body) = call(app, request).await;
    (status, body)
}

async fn admin_report(app: &Router) -> Value {
    let request = Request::get("/api/admin/analytics?since=all&limit=50")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, report) = call(app, request).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

/// The report's lists as (key, count) pairs, for comparing.
fn pairs(list: &Value, key: &str, count: &str) -> Vec<(String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[key].as_str().unwrap().to_string(),
                e[count].as_i64().unwrap(),
            )
        })
        .collect()
}

fn normalized_text(article: &Value) -> String {
    Analyzer::shared()
        .normalize(&format!("{}\n{}", article["title"], article["html"]))
        .as_str()
        .to_string()
}

#[tokio::test]
async fn searches_answers_clicks_and_votes_add_up_in_the_report() {
    let s = site(|_| {});
    let app = &s.app;
    // Three searches for one query: the second and third come from the
    // response cache, and are recorded all the same, each under its own id.
    let mut first = Vec::new();
    for _ in 0..3 {
        first.push(
            ask(
                app,
                &format!("/api/search?q={}&client=page", q("83无效终端")),
            )
            .await,
        );
    }
    assert_eq!(first[0].0["fix"]["id"], "invalid-terminal");
    assert_ne!(first[0].1, first[1].1);
    assert_ne!(first[1].1, first[2].1);
    let (nothing, _) = ask(app, "/api/search?q=xyzzyqq&client=widget").await;
    assert_eq!(nothing["total"], 0, "{nothing}");
    let weather = q("今天天气怎么样");
    for _ in 0..2 {
        let (answer, _) = ask(app, &format!("/api/answer?q={weather}")).await;
        assert!(answer["answer"].is_null(), "{answer}");
    }
    let (unsure, _) = ask(app, &format!("/api/answer?q={}", q("屏幕黑了不亮"))).await;
    // The article a visitor clicks after searching `天气 刷卡`: one whose
    // text lacks 天气, so the report may propose 天气 as a synonym for it.
    let (mixed, mixed_id) = ask(
        app,
        &format!("/api/search?q={}&client=page", q("天气 刷卡")),
    )
    .await;
    let mut clicked = None;
    for hit in mixed["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap();
        let (_, _, article) = get(app, &format!("/api/articles/{id}")).await;
        if !normalized_text(&article).contains("天气") {
            clicked = Some(id.to_string());
            break;
        }
    }
    let clicked = clicked.expect("a hit for 天气 刷卡 without 天气");
    let second_hit = first[0].0["hits"][1]["id"].as_str().unwrap().to_string();

    for body in [
        json!({"query_id": mixed_id, "kind": "article", "id": clicked, "clicked": true, "position": 1}),
        json!({"query_id": first[0].1, "kind": "article", "id": second_hit, "clicked": true, "position": 2.0}),
        json!({"query_id": first[0].1, "kind": "fix", "id": "invalid-terminal", "helpful": false}),
        json!({"query_id": first[1].1, "kind": "fix", "id": "invalid-terminal", "helpful": true}),
        // A well-formed id no query was recorded under: accepted, counted nowhere.
        json!({"query_id": "0123456789abcdef", "kind": "fix", "id": "rc-51", "helpful": false, "clicked": true, "position": 1}),
    ] {
        let (status, reply) = feedback(app, body.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}: {reply}");
    }

    let report = admin_report(app).await;
    let totals = &report["totals"];
    assert_eq!(
        (totals["searches"].as_i64(), totals["answers"].as_i64()),
        (Some(5), Some(3)),
        "{totals}"
    );
    assert_eq!(
        pairs(&totals["by_client"], "client", "queries"),
        [
            ("api".to_string(), 3),
            ("page".to_string(), 4),
            ("widget".to_string(), 1)
        ]
    );
    assert_eq!(
        (totals["clicks"].as_i64(), totals["votes"].as_i64()),
        (Some(2), Some(2)),
        "{totals}"
    );
    // Four searches had results; two of them were clicked.
    assert_eq!(totals["click_through"], 0.5);
    assert_eq!(
        pairs(&report["top_queries"], "query", "count")[0],
        ("83无效终端".to_string(), 3)
    );
    assert_eq!(
        pairs(&report["zero_result"], "query", "count"),
        [("xyzzyqq".to_string(), 1)]
    );
    assert_eq!(
        pairs(&report["unanswered"], "query", "count"),
        [
            ("今天天气怎么样".to_string(), 2),
            ("xyzzyqq".to_string(), 1)
        ]
    );
    let positions: Vec<(i64, i64, f64)> = report["clicks_by_position"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["position"].as_i64().unwrap(),
                p["clicks"].as_i64().unwrap(),
                p["rate"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(positions, [(1, 1, 0.25), (2, 1, 0.25)]);
    assert_eq!(
        report["unhelpful_fixes"],
        json!([{"fix": "invalid-terminal", "title": first[0].0["fix"]["title"], "unhelpful": 1, "helpful": 1}])
    );
    // Low confidence: exactly the answers given below 0.75.
    let expected_low: Vec<(String, i64)> = match unsure["answer"]["confidence"].as_f64() {
        Some(c) if c < 0.75 => vec![("屏幕黑了不亮".to_string(), 1)],
        _ => vec![],
    };
    assert_eq!(
        pairs(&report["low_confidence"], "query", "count"),
        expected_low
    );

    // The to-do list: the unanswered weather question, with 天气 proposed
    // as a synonym for the article clicked after `天气 刷卡`.
    let todo = report["todo"].as_array().unwrap();
    let weather_group = todo
        .iter()
        .find(|g| g["queries"][0]["query"] == "今天天气怎么样")
        .unwrap_or_else(|| panic!("no group for 今天天气怎么样: {todo:?}"));
    assert_eq!(weather_group["count"], 2);
    assert_eq!(weather_group["synonyms"][0]["word"], "天气");
    assert_eq!(weather_group["synonyms"][0]["article"], clicked.as_str());
    assert_eq!(weather_group["synonyms"][0]["clicks"], 1);
    assert_eq!(weather_group["symptoms"][0]["symptom"], "今天天气怎么样");

    // `posfaq report` reads the same file and says the same.
    let out = common::run_ok(
        Command::new(env!("CARGO_BIN_EXE_posfaq"))
            .args([
                "report", "--since", "all", "--limit", "50", "--json", "--index",
            ])
            .arg(&s.index),
    );
    let mut cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut http = report.clone();
    for r in [&mut cli, &mut http] {
        r["to_ms"] = Value::Null;
    }
    assert_eq!(cli, http);
    let text = Command::new(env!("CARGO_BIN_EXE_posfaq"))
        .args(["report", "--since", "7d", "--index"])
        .arg(&s.index)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("5 searches, 3 answers, 2 clicks"), "{text}");
    assert!(text.contains("synonym? `天气`"), "{text}");

    // Neither the admin token nor the forwarded address is in the file.
    for file in database_files(&s.index) {
        let bytes = std::fs::read(&file).unwrap();
        for secret in [TOKEN, FORWARDED_FOR] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} stored in {}",
                file.display()
            );
        }
    }
}

fn database_files(index: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("analytics.sqlite"))
        .collect()
}

#[tokio::test]
async fn bad_feedback_clients_and_windows_are_json_4xx() {
    let s = site(|_| {});
    let app = &s.app;
    let error = |status: StatusCode, body: &Value, what: &str, expected: StatusCode| {
        assert_eq!(status, expected, "{what}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{what}: {body}"
        );
    };
    for uri in [
        "/api/search?q=a&client=robot",
        "/api/answer?q=a&client=mcp",
        "/api/search?q=a&client=page&client=api",
        "/api/search?q=a&client=",
        "/api/articles/pos-unusable?q=",
        "/api/articles/pos-unusable?q=%20",
    ] {
        let (status, _, body) = get(app, uri).await;
        error(status, &body, uri, StatusCode::BAD_REQUEST);
    }
    let id = "0123456789abcdef";
    for (body, expected) in [
        (
            json!({"query_id": "nope", "kind": "fix", "id": "rc-51", "helpful": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"query_id": id, "kind": "fix", "id": "../etc", "helpful": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"query_id": id, "kind": "article", "id": "a", "clicked": true, "position": 0}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"query_id": id, "kind": "article", "id": "a", "clicked": true, "position": 2.5}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"query_id": id, "kind": "card", "id": "a"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"query_id": id, "id": "a"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"query_id": id, "kind": "fix", "id": "a", "ip": "1.2.3.4"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"query_id": id, "kind": "fix", "id": "a", "helpful": "yes"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, reply) = feedback(app, body.clone()).await;
        error(status, &reply, &body.to_string(), expected);
    }
    let not_json = Request::post("/api/feedback")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{"))
        .unwrap();
    let (status, _, body) = call(app, not_json).await;
    error(status, &body, "not JSON", StatusCode::BAD_REQUEST);
    let no_type = Request::post("/api/feedback")
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, body) = call(app, no_type).await;
    error(
        status,
        &body,
        "no content type",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    );
    for (uri, auth, expected) in [
        ("/api/admin/analytics", None, StatusCode::UNAUTHORIZED),
        (
            "/api/admin/analytics",
            Some("wrong"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/admin/analytics?since=",
            Some(TOKEN),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/admin/analytics?since=1w",
            Some(TOKEN),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/admin/analytics?limit=0",
            Some(TOKEN),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let mut request = Request::get(uri);
        if let Some(token) = auth {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, _, body) = call(app, request.body(Body::empty()).unwrap()).await;
        error(status, &body, uri, expected);
    }
}

#[tokio::test]
async fn with_analytics_off_nothing_is_recorded() {
    let s = site(|c| {
        c.analytics = false;
        c.contact = Some("客服热线 95000".into());
    });
    let (status, headers, body) = get(&s.app, &format!("/api/search?q={}", q("83无效终端"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.get("posfaq-query-id").is_none());
    let (status, reply) = feedback(
        &s.app,
        json!({"query_id": "0123456789abcdef", "kind": "fix", "id": "rc-51", "helpful": true}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{reply}");
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("analytics is off")
    );
    let (_, _, config) = get(&s.app, "/api/config").await;
    assert_eq!(
        config,
        json!({"contact": "客服热线 95000", "feedback": false})
    );
    assert!(
        database_files(&s.index).is_empty(),
        "{:?}",
        database_files(&s.index)
    );
}

#[tokio::test]
async fn the_page_config_says_feedback_is_on() {
    let s = site(|_| {});
    let (_, _, config) = get(&s.app, "/api/config").await;
    assert_eq!(config, json!({"contact": null, "feedback": true}));
}
