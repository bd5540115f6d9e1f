//! The HTTP API through the real router (`tower::ServiceExt::oneshot`, no
//! socket): every endpoint, its errors, the headers, admin reload and a
//! reload racing concurrent searches.

mod common;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use posfaq::analysis::Analyzer;
use posfaq::server::{AppState, Config, router};
use tower::ServiceExt;

const TOKEN: &str = "test-admin-token";

struct Fixture {
    _dir: tempfile::TempDir,
    index: std::path::PathBuf,
    app: Router,
}

fn app_for(index: &Path, token: Option<&str>) -> Router {
    let mut config = Config::new(index.to_path_buf(), "127.0.0.1:0".parse().unwrap());
    config.admin_token = token.map(String::from);
    router(AppState::new(&config), &config)
}

/// The router over `index` with the response cache turned off.
fn uncached_app_for(index: &Path) -> Router {
    let mut config = Config::new(index.to_path_buf(), "127.0.0.1:0".parse().unwrap());
    config.cache_entries = 0;
    router(AppState::new(&config), &config)
}

fn fixture(token: Option<&str>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let corpus = posfaq::corpus::load_dir(&common::real_corpus()).unwrap();
    posfaq::index::build(corpus, &index, Analyzer::shared()).unwrap();
    Fixture {
        app: app_for(&index, token),
        index,
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    headers: header::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

fn encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// An error is JSON `{"error": "..."}` with the given status.
fn assert_error(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.text());
    let json = reply.json();
    assert!(
        json["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{json}"
    );
}

#[tokio::test]
async fn search_returns_the_cli_shape_with_the_fix() {
    let f = fixture(None);
    let reply = get(
        &f.app,
        &format!("/api/search?q={}&limit=3", encode("83无效终端")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let json = reply.json();
    assert_eq!(json["query"], "83无效终端");
    assert_eq!(json["hits"][0]["source"], "003_1e0cf13f601712b3.txt");
    assert!(json["hits"].as_array().unwrap().len() <= 3);
    assert_eq!(json["fix"]["id"], "invalid-terminal");
    assert!(json["took_ms"].is_number() && json["total"].is_number());
}

/// A hit's `snippet` is HTML, the query's words in `<mark>`: the
/// documented string, not the engine's text and ranges.
#[tokio::test]
async fn search_snippets_are_html_with_marks() {
    let f = fixture(None);
    let reply = get(&f.app, &format!("/api/search?q={}&limit=1", encode("死机"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    let hit = &reply.json()["hits"][0];
    assert_eq!(
        hit["snippet"],
        "如果遇到POS机无法启动或频繁<mark>死机</mark>的情况，可能是由于设备硬件故障、软件冲突或系统设置不当等原因导致的，应首先尝试重新启动设备并检查是否有异常声音或气味，如果问题…",
        "{hit}"
    );
}

#[tokio::test]
async fn search_filters_and_pages() {
    let f = fixture(None);
    let q = encode("刷卡");
    let all = get(&f.app, &format!("/api/search?q={q}")).await.json();
    let second = get(&f.app, &format!("/api/search?q={q}&limit=1&offset=1"))
        .await
        .json();
    assert_eq!(second["hits"][0]["id"], all["hits"][1]["id"]);
    let filtered = get(
        &f.app,
        &format!("/api/search?q={q}&brand={}", encode("立刷")),
    )
    .await
    .json();
    for hit in filtered["hits"].as_array().unwrap() {
        assert!(
            hit["brands"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b == "立刷"),
            "{hit}"
        );
    }
    let fees = get(&f.app, &format!("/api/search?q={q}&category=fees")).await;
    assert_eq!(fees.status, StatusCode::OK);
}

#[tokio::test]
async fn answer_returns_a_card_or_null() {
    let f = fixture(None);
    let json = get(&f.app, &format!("/api/answer?q={}", encode("83无效终端")))
        .await
        .json();
    assert_eq!(json["answer"]["id"], "invalid-terminal");
    assert!(json["answer"]["steps"].as_array().unwrap().len() >= 2);
    let json = get(
        &f.app,
        &format!("/api/answer?q={}", encode("今天天气怎么样")),
    )
    .await
    .json();
    assert!(json["answer"].is_null(), "{json}");
}

#[tokio::test]
async fn suggest_completes_text_pinyin_and_initials() {
    let f = fixture(None);
    for (typed, expected) in [
        ("lakala", "拉卡拉"),
        ("lkl", "拉卡拉"),
        ("wuxiao", "无效终端"),
        (&*encode("无效"), "无效终端"),
    ] {
        let json = get(&f.app, &format!("/api/suggest?q={typed}")).await.json();
        let texts: Vec<&str> = json["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["text"].as_str())
            .collect();
        assert!(texts.contains(&expected), "{typed}: {texts:?}");
    }
}

#[tokio::test]
async fn browse_fixes_articles_and_facets() {
    let f = fixture(None);
    let fixes = get(&f.app, "/api/fixes").await.json();
    assert!(fixes["fixes"].as_array().unwrap().len() >= 88);
    let card = get(&f.app, "/api/fixes/rc-51").await.json();
    assert_eq!(card["codes"][0], "51");
    assert!(card["steps"].as_array().unwrap().len() >= 2);
    let article = get(&f.app, "/api/articles/lakala-83-invalid-terminal")
        .await
        .json();
    assert_eq!(article["source"], "003_1e0cf13f601712b3.txt");
    let html = article["html"].as_str().unwrap();
    assert!(html.contains("id=\"s-1\""), "{html}");
    assert!(!html.contains("<script"), "{html}");
    let anchors: Vec<&str> = article["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["anchor"].as_str())
        .collect();
    for anchor in anchors.iter().filter(|a| **a != "s-0") {
        assert!(
            html.contains(&format!("id=\"{anchor}\"")),
            "{anchor} not in the html"
        );
    }
    let facets = get(&f.app, "/api/facets").await.json();
    assert!(
        facets["brands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "拉卡拉")
    );
    assert!(
        facets["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "status-error")
    );
}

#[tokio::test]
async fn bad_parameters_are_json_400s() {
    let f = fixture(None);
    let long = "a".repeat(201);
    let longer_than_a_message = "a".repeat(1001);
    for uri in [
        "/api/search".to_string(),
        "/api/search?q=".to_string(),
        "/api/search?q=%20%20".to_string(),
        format!("/api/search?q={long}"),
        "/api/search?q=a&limit=51".to_string(),
        "/api/search?q=a&limit=0".to_string(),
        "/api/search?q=a&limit=-1".to_string(),
        "/api/search?q=a&limit=abc".to_string(),
        "/api/search?q=a&offset=99999999999999999999".to_string(),
        "/api/search?q=a&category=misc".to_string(),
        // Given empty is not left out: the spec's integer and enum forbid it.
        "/api/search?q=a&category=".to_string(),
        "/api/search?q=a&limit=".to_string(),
        "/api/search?q=a&limit".to_string(),
        "/api/search?q=a&offset=".to_string(),
        "/api/suggest?q=a&limit=".to_string(),
        "/api/search?q=a&q=b".to_string(),
        "/api/search?q=%FF%FE".to_string(),
        "/api/search?q=%ED%A0%80".to_string(),
        "/api/search?q=a%00b".to_string(),
        "/api/answer?q=".to_string(),
        format!("/api/answer?q={longer_than_a_message}"),
        "/api/suggest?q=".to_string(),
        "/api/suggest?q=a&limit=9".to_string(),
    ] {
        assert_error(&get(&f.app, &uri).await, StatusCode::BAD_REQUEST);
    }
    // 200 characters is the limit, not over it; unknown parameters are ignored.
    assert_eq!(
        get(&f.app, &format!("/api/search?q={}&foo=1", "a".repeat(200)))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_things_are_json_404s() {
    let f = fixture(None);
    for uri in [
        "/api/articles/..%2F..%2Fetc%2Fpasswd",
        "/api/articles/../../etc/passwd",
        "/api/articles/nope",
        "/api/fixes/nope",
        "/api/fixes/%2e%2e",
        "/api/nope",
        "/nope.js",
        "/web/index.html",
        "/../Cargo.toml",
    ] {
        assert_error(&get(&f.app, uri).await, StatusCode::NOT_FOUND);
    }
    let reply = send(
        &f.app,
        Request::post("/api/search?q=a")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_error(&reply, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn operations_endpoints() {
    let f = fixture(None);
    assert_eq!(get(&f.app, "/healthz").await.status, StatusCode::OK);
    assert_eq!(get(&f.app, "/readyz").await.json()["status"], "ready");
    get(&f.app, "/api/search?q=a").await;
    let metrics = get(&f.app, "/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.text();
    // Prometheus text: comments, or `name{labels} value` with a numeric value.
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (_, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad line {line}"));
        assert!(value.parse::<f64>().is_ok(), "bad value in {line}");
    }
    assert!(
        text.contains("posfaq_http_requests_total{route=\"/api/search\",status=\"200\"}"),
        "{text}"
    );
    assert!(
        text.contains("posfaq_http_request_duration_seconds_bucket"),
        "{text}"
    );
    let articles = posfaq::corpus::load_dir(&common::real_corpus())
        .unwrap()
        .articles
        .len();
    let documents = format!("posfaq_documents{{kind=\"articles\"}} {articles}");
    assert!(text.contains(&documents), "{text}");
    assert!(text.contains("posfaq_index_size_bytes"), "{text}");
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let f = fixture(Some(TOKEN));
    let doc = get(&f.app, "/api/openapi.json").await.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for route in [
        "/api/search",
        "/api/answer",
        "/api/suggest",
        "/api/facets",
        "/api/fixes",
        "/api/fixes/{id}",
        "/api/articles/{id}",
        "/api/admin/reload",
        "/api/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
        "/",
        "/widget.js",
    ] {
        assert!(paths.contains_key(route), "{route} missing");
    }
    // Every schema reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{name} is not defined"
        );
    }
}

#[tokio::test]
async fn the_page_is_served_with_strict_headers() {
    let f = fixture(None);
    let page = get(&f.app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("id=\"q\""));
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    for asset in ["/app.js", "/style.css", "/widget.js"] {
        assert_eq!(get(&f.app, asset).await.status, StatusCode::OK, "{asset}");
    }
    let widget = get(&f.app, "/widget.js").await;
    assert_eq!(
        widget.headers["cross-origin-resource-policy"],
        "cross-origin"
    );
    assert!(
        widget.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}

fn reload_request(token: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/api/admin/reload");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn reload_needs_the_token() {
    let f = fixture(Some(TOKEN));
    assert_error(
        &send(&f.app, reload_request(None)).await,
        StatusCode::UNAUTHORIZED,
    );
    let wrong = send(&f.app, reload_request(Some("wrong"))).await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED);
    assert!(!wrong.text().contains(TOKEN));
    let ok = send(&f.app, reload_request(Some(TOKEN))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let articles = posfaq::corpus::load_dir(&common::real_corpus())
        .unwrap()
        .articles
        .len();
    assert_eq!(ok.json()["articles"], articles);
}

/// Without a configured token reload is off: every request is refused
/// with the 401 the OpenAPI document gives, saying why, not a 404.
#[tokio::test]
async fn reload_without_a_configured_token_is_a_documented_401() {
    let off = fixture(None);
    for token in [None, Some(TOKEN), Some("")] {
        let reply = send(&off.app, reload_request(token)).await;
        assert_error(&reply, StatusCode::UNAUTHORIZED);
        assert!(
            reply.json()["error"]
                .as_str()
                .unwrap()
                .contains("no admin token"),
            "{}",
            reply.text()
        );
        assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer");
    }
    let doc = get(&off.app, "/api/openapi.json").await.json();
    let responses = doc["paths"]["/api/admin/reload"]["post"]["responses"]
        .as_object()
        .unwrap();
    let documented: Vec<&str> = responses.keys().map(String::as_str).collect();
    assert_eq!(documented, ["200", "401", "503"]);
    assert!(
        responses["401"]["description"]
            .as_str()
            .unwrap()
            .contains("no admin token is configured"),
        "{}",
        responses["401"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_during_concurrent_searches_loses_none() {
    let f = fixture(Some(TOKEN));
    let app = Arc::new(f.app.clone());
    let corpus = posfaq::corpus::load_dir(&common::real_corpus()).unwrap();
    let mut searches = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        searches.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for j in 0..40 {
                let q = if (i + j) % 2 == 0 {
                    "83无效终端"
                } else {
                    "终端未登记"
                };
                let reply = get(&app, &format!("/api/search?q={}", encode(q))).await;
                statuses.push((
                    reply.status,
                    reply.json()["hits"].as_array().map_or(0, |h| h.len()),
                ));
            }
            statuses
        }));
    }
    for _ in 0..5 {
        tokio::task::block_in_place(|| {
            posfaq::index::build(corpus.clone(), &f.index, Analyzer::shared()).unwrap()
        });
        let reply = send(&app, reload_request(Some(TOKEN))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    for task in searches {
        for (status, hits) in task.await.unwrap() {
            assert_eq!(status, StatusCode::OK);
            assert!(hits > 0);
        }
    }
}

#[tokio::test]
async fn without_an_index_the_service_is_up_but_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_for(&dir.path().join("missing"), None);
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        ready.json()["error"]
            .as_str()
            .unwrap()
            .contains("posfaq index")
    );
    assert_error(
        &get(&app, "/api/search?q=a").await,
        StatusCode::SERVICE_UNAVAILABLE,
    );
    assert_eq!(get(&app, "/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_corrupt_index_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("CURRENT"), "gen-1").unwrap();
    std::fs::create_dir(dir.path().join("gen-1")).unwrap();
    std::fs::write(dir.path().join("gen-1/posfaq.json"), "{not json").unwrap();
    let app = app_for(dir.path(), None);
    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        ready.json()["error"].as_str().unwrap().contains("corrupt"),
        "{}",
        ready.text()
    );
}

/// The count of searches answered from the cache (`hit`) or not (`miss`),
/// from `/metrics`.
async fn cache_count(app: &Router, result: &str) -> u64 {
    metric(
        app,
        &format!("posfaq_search_cache_total{{result=\"{result}\"}}"),
    )
    .await
}

/// A counter's value in `/metrics`, 0 when it is not there.
async fn metric(app: &Router, series: &str) -> u64 {
    let metrics = get(app, "/metrics").await.text();
    let prefix = format!("{series} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// What the `Server-Timing` header says of the cache: `hit` or `miss`
/// (checking its form), or `None` when there is no such header.
fn cache_timing(reply: &Reply) -> Option<&'static str> {
    let value = reply.headers.get("server-timing")?.to_str().unwrap();
    let rest = value
        .strip_prefix("cache;desc=\"")
        .unwrap_or_else(|| panic!("{value}"));
    let (what, dur) = rest
        .split_once("\";dur=")
        .unwrap_or_else(|| panic!("{value}"));
    let dur: f64 = dur.parse().unwrap_or_else(|_| panic!("{value}"));
    assert!(dur >= 0.0 && dur.is_finite(), "{value}");
    match what {
        "hit" => Some("hit"),
        "miss" => Some("miss"),
        _ => panic!("{value}"),
    }
}

const CACHED_SEARCH: &str = "/api/search?q=%E6%97%A0%E6%95%88%E7%BB%88%E7%AB%AF&limit=3";

/// A second identical search is the first one's bytes: marked as a hit,
/// with the first search's `took_ms` and hits, and counted as a request.
#[tokio::test]
async fn a_repeated_search_is_a_marked_cache_hit_with_the_first_took_ms() {
    let f = fixture(None);
    let first = get(&f.app, CACHED_SEARCH).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(cache_timing(&first), Some("miss"));
    assert_eq!(
        (
            cache_count(&f.app, "hit").await,
            cache_count(&f.app, "miss").await
        ),
        (0, 1)
    );
    let again = get(&f.app, CACHED_SEARCH).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(cache_timing(&again), Some("hit"));
    assert_eq!(
        (
            cache_count(&f.app, "hit").await,
            cache_count(&f.app, "miss").await
        ),
        (1, 1)
    );
    let (first, again_json) = (first.json(), again.json());
    assert!(!first["hits"].as_array().unwrap().is_empty(), "{first}");
    assert!(first["took_ms"].as_f64().is_some(), "{first}");
    assert_eq!(again_json["took_ms"], first["took_ms"]);
    assert_eq!(again_json["hits"], first["hits"]);
    assert_eq!(again_json, first);
    // A hit carries the headers of the response it repeats.
    assert_eq!(again.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(again.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // Hits are requests like any other in the metrics.
    assert_eq!(
        metric(
            &f.app,
            "posfaq_http_requests_total{route=\"/api/search\",status=\"200\"}"
        )
        .await,
        2
    );
    // Another page is another search; a bad search is never looked up.
    assert_eq!(
        cache_timing(&get(&f.app, &format!("{CACHED_SEARCH}&offset=1")).await),
        Some("miss")
    );
    for _ in 0..2 {
        let bad = get(&f.app, "/api/search?q=a&limit=").await;
        assert_error(&bad, StatusCode::BAD_REQUEST);
        assert_eq!(cache_timing(&bad), None);
    }
    assert_eq!(
        (
            cache_count(&f.app, "hit").await,
            cache_count(&f.app, "miss").await
        ),
        (1, 2)
    );
}

#[tokio::test]
async fn a_reload_empties_the_cache() {
    let f = fixture(Some(TOKEN));
    let first = get(&f.app, CACHED_SEARCH).await;
    assert_eq!(cache_timing(&get(&f.app, CACHED_SEARCH).await), Some("hit"));
    let reload = send(&f.app, reload_request(Some(TOKEN))).await;
    assert_eq!(reload.status, StatusCode::OK, "{}", reload.text());
    let after = get(&f.app, CACHED_SEARCH).await;
    assert_eq!(cache_timing(&after), Some("miss"));
    assert_eq!(
        (
            cache_count(&f.app, "hit").await,
            cache_count(&f.app, "miss").await
        ),
        (1, 2)
    );
    // The new index's own answer fills the new cache.
    let (first, after) = (first.json(), after.json());
    assert_eq!(after["hits"], first["hits"]);
    let again = get(&f.app, CACHED_SEARCH).await;
    assert_eq!(cache_timing(&again), Some("hit"));
    assert_eq!(again.json()["took_ms"], after["took_ms"]);
}

/// A search sent with `accept`, and its body gunzipped when it is gzip
/// (the decoder checks the trailer's CRC and length).
async fn gzipped_search(app: &Router, uri: &str, accept: &str) -> (Reply, Vec<u8>) {
    let request = Request::get(uri)
        .header(header::ACCEPT_ENCODING, accept)
        .body(Body::empty())
        .unwrap();
    let reply = send(app, request).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = match reply.headers.get(header::CONTENT_ENCODING) {
        Some(encoding) => {
            assert_eq!(encoding, "gzip");
            let mut plain = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(&reply.body[..]),
                &mut plain,
            )
            .unwrap();
            plain
        }
        None => reply.body.clone(),
    };
    (reply, body)
}

fn without_took(body: &[u8]) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert!(json["took_ms"].as_f64().is_some(), "{json}");
    json.as_object_mut().unwrap().remove("took_ms");
    json
}

/// A gzip request to a cached search gets the gzip bytes the compression
/// layer made for the search that filled the entry: valid gzip of the same
/// JSON. The response varies by `Accept-Encoding`, so each form of the
/// header has its own entry.
#[tokio::test]
async fn a_cached_search_is_served_gzipped_to_who_accepts_it() {
    let f = fixture(None);
    let uri = CACHED_SEARCH;
    let accept = "br;q=1.0, gzip;q=0.8";
    let plain = get(&f.app, uri).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    let (filled, filled_json) = gzipped_search(&f.app, uri, accept).await;
    assert_eq!(cache_timing(&filled), Some("miss"));
    assert_eq!(filled.headers[header::CONTENT_ENCODING], "gzip");
    let (hit, hit_json) = gzipped_search(&f.app, uri, accept).await;
    assert_eq!(cache_timing(&hit), Some("hit"));
    assert_eq!(hit.headers[header::CONTENT_ENCODING], "gzip");
    assert!(
        hit.headers
            .get_all(header::VARY)
            .iter()
            .any(|v| v.to_str().unwrap().contains("accept-encoding")),
        "{:?}",
        hit.headers
    );
    assert_eq!(hit.body, filled.body);
    assert_ne!(hit.body, hit_json, "not compressed");
    assert_eq!(hit_json, filled_json);
    assert_eq!(without_took(&hit_json), without_took(&plain.body));
    // The plain entry is still there, and a client refusing gzip gets
    // plain JSON of the same search.
    assert_eq!(cache_timing(&get(&f.app, uri).await), Some("hit"));
    for _ in 0..2 {
        let (refused, json) = gzipped_search(&f.app, uri, "gzip;q=0").await;
        assert!(refused.headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(without_took(&json), without_took(&plain.body));
    }
    assert_eq!(
        (
            cache_count(&f.app, "hit").await,
            cache_count(&f.app, "miss").await
        ),
        (3, 3)
    );
}

#[tokio::test]
async fn searches_are_gzipped_without_the_cache_too() {
    let f = fixture(None);
    let app = uncached_app_for(&f.index);
    let plain = get(&app, CACHED_SEARCH).await;
    for _ in 0..2 {
        let (reply, json) = gzipped_search(&app, CACHED_SEARCH, "gzip").await;
        assert_eq!(reply.headers[header::CONTENT_ENCODING], "gzip");
        assert_eq!(without_took(&json), without_took(&plain.body));
    }
}

/// `--cache-entries 0`: every search is the engine's, none is marked.
#[tokio::test]
async fn no_cache_when_it_is_turned_off() {
    let f = fixture(None);
    let app = uncached_app_for(&f.index);
    let uri = "/api/search?q=%E6%89%8B%E7%BB%AD%E8%B4%B9";
    let first = get(&app, uri).await;
    let again = get(&app, uri).await;
    for reply in [&first, &again] {
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(cache_timing(reply), None, "{:?}", reply.headers);
    }
    assert_eq!(again.json()["hits"], first.json()["hits"]);
    assert_eq!(
        (
            cache_count(&app, "hit").await,
            cache_count(&app, "miss").await
        ),
        (0, 0)
    );
    assert_eq!(
        metric(
            &app,
            "posfaq_http_requests_total{route=\"/api/search\",status=\"200\"}"
        )
        .await,
        2
    );
}
