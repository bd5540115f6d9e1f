//! Hostile input against every endpoint, table-driven: each request gets a
//! 2xx with sane content or a 4xx JSON error, never a 5xx, and the service
//! keeps answering afterwards.

mod common;

use std::io::{Read, Write};
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use posfaq::server::{AppState, Config, router};
use tower::ServiceExt;

fn app() -> Router {
    static APP: OnceLock<(tempfile::TempDir, Router)> = OnceLock::new();
    APP.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = posfaq::corpus::load_dir(&common::real_corpus()).unwrap();
        posfaq::index::build(corpus, dir.path(), posfaq::analysis::Analyzer::shared()).unwrap();
        let mut config = Config::new(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap());
        config.admin_token = Some("hostile-test-token".into());
        let app = router(AppState::new(&config), &config);
        (dir, app)
    })
    .1
    .clone()
}

/// Query values that must never break anything.
fn nasty_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        " ",
        "%20%20%20",
        "%09%0A",
        "%00",
        "a%00b",
        "%01%02%7F",
        "%FF",
        "%C3%28",
        "%ED%A0%80",
        "%F0%28%8C%BC",
        "%22%22%22",
        "((((",
        "-",
        "--",
        "title:",
        "*",
        "~",
        "%5C",
        "%22unclosed",
        "-%E5%88%B7",
        "%E2%80%8B",
        "%F0%9F%98%80%F0%9F%8E%89",
        "pos%E6%9C%BA%F0%9F%98%80%D9%85%D8%B1%D8%AD%D8%A8%D8%A7",
        "%3Cscript%3Ealert(1)%3C/script%3E",
        "javascript:alert(1)",
        "%26%26%26",
        "q=q",
        "%25",
        "%",
        "%E5",
        "+++",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push("a".repeat(10_000));
    values.push("%E7%BB%88".repeat(3_400));
    values
}

async fn send(request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = app().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, body)
}

fn check(what: &str, status: StatusCode, body: &[u8]) {
    assert!(!status.is_server_error(), "{what}: {status}");
    if status.is_client_error() {
        let json: serde_json::Value = serde_json::from_slice(body)
            .unwrap_or_else(|_| panic!("{what}: {status} body is not JSON"));
        assert!(json["error"].is_string(), "{what}: {json}");
    }
    // A 2xx from the API is a JSON document; a search's has hits and a total.
    if status.is_success() && what.starts_with("/api/") {
        let json: serde_json::Value = serde_json::from_slice(body)
            .unwrap_or_else(|_| panic!("{what}: {status} body is not JSON"));
        assert!(json.is_object() || json.is_array(), "{what}: {json}");
        if what.starts_with("/api/search") {
            assert!(
                json["hits"].is_array() && json["total"].is_u64(),
                "{what}: {json}"
            );
        }
    }
}

#[tokio::test]
async fn nasty_queries_on_every_query_endpoint() {
    let routes = ["/api/search", "/api/answer", "/api/suggest"];
    for route in routes {
        for value in nasty_values() {
            for uri in [
                format!("{route}?q={value}"),
                format!("{route}?q=a&limit={value}"),
                format!("{route}?q=a&offset={value}"),
                format!("{route}?q=a&category={value}"),
                format!("{route}?q=a&brand={value}"),
                format!("{route}?q={value}&q={value}"),
                format!("{route}?{value}={value}"),
            ] {
                let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) else {
                    continue; // not even a valid URI: the HTTP layer refuses it
                };
                let (status, body) = send(request).await;
                check(&uri.chars().take(80).collect::<String>(), status, &body);
            }
        }
    }
}

#[tokio::test]
async fn numbers_out_of_every_range() {
    for value in [
        "-1",
        "0",
        "51",
        "1e3",
        "1.5",
        "18446744073709551616",
        "99999999999999999999999999",
        "0x10",
        " 5",
        "５",
    ] {
        for param in ["limit", "offset"] {
            let uri = format!("/api/search?q=a&{param}={}", value.replace(' ', "%20"));
            let (status, body) =
                send(Request::get(uri.as_str()).body(Body::empty()).unwrap()).await;
            check(&uri, status, &body);
        }
    }
}

#[tokio::test]
async fn path_traversal_on_every_path_parameter_and_static_route() {
    let attacks = [
        "..",
        "...",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%5C..%5Cwindows",
        "%252e%252e%252f",
        "a%00b",
        "%C0%AE%C0%AE%2F",
        "CON",
        "a/../../b",
        "%2F",
        "%00",
        "x".repeat(300).leak(),
    ];
    for base in [
        "/api/articles/",
        "/api/fixes/",
        "/",
        "/web/",
        "/static/",
        "/api/",
    ] {
        for attack in attacks {
            let uri = format!("{base}{attack}");
            let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) else {
                continue;
            };
            let (status, body) = send(request).await;
            check(&uri, status, &body);
            assert!(
                !String::from_utf8_lossy(&body).contains("root:"),
                "{uri} leaked a file"
            );
        }
    }
}

#[tokio::test]
async fn disallowed_methods() {
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        for route in [
            "/api/search?q=a",
            "/api/answer?q=a",
            "/api/fixes",
            "/healthz",
            "/metrics",
            "/",
        ] {
            let (status, body) = send(
                Request::builder()
                    .method(method.clone())
                    .uri(route)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            check(&format!("{method} {route}"), status, &body);
            assert!(status.is_client_error(), "{method} {route}: {status}");
        }
    }
    let (status, _) = send(
        Request::get("/api/admin/reload")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn oversized_bodies_and_bad_tokens_on_reload() {
    let big = vec![b'x'; 1024 * 1024];
    let request = Request::post("/api/admin/reload")
        .header("authorization", "Bearer hostile-test-token")
        .body(Body::from(big))
        .unwrap();
    let (status, body) = send(request).await;
    check("1 MB reload body", status, &body);
    // The body is either refused or, unread by the route, ignored.
    if status == StatusCode::OK {
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(json["generation"].is_string(), "{json}");
    } else {
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }
    for auth in [
        "",
        "Bearer",
        "Bearer ",
        "Basic abc",
        "bearer hostile-test-token",
        "Bearer hostile-test-tokenX",
        "Bearer \u{1f600}",
    ] {
        let mut request = Request::post("/api/admin/reload");
        if let Ok(value) = axum::http::HeaderValue::from_str(auth) {
            request = request.header("authorization", value);
        }
        let (status, body) = send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(!String::from_utf8_lossy(&body).contains("hostile-test-token"));
    }
}

#[tokio::test]
async fn still_serving_after_all_that() {
    nasty_queries_on_every_query_endpoint_inner().await;
    let (status, body) = send(
        Request::get("/api/search?q=%E5%88%B7%E5%8D%A1")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(json["total"].as_u64().unwrap() > 0);
}

async fn nasty_queries_on_every_query_endpoint_inner() {
    for value in nasty_values().into_iter().take(10) {
        let uri = format!("/api/search?q={value}");
        if let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) {
            let (status, body) = send(request).await;
            check(&uri, status, &body);
        }
    }
}

/// Oversized request lines and headers on a real socket: the HTTP layer
/// refuses them with a 4xx and the server keeps serving.
#[test]
fn oversized_headers_and_request_lines_on_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = posfaq::corpus::load_dir(&common::real_corpus()).unwrap();
    posfaq::index::build(corpus, dir.path(), posfaq::analysis::Analyzer::shared()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config::new(dir.path().to_path_buf(), addr);
    let app = router(AppState::new(&config), &config);
    runtime.spawn(async move { axum::serve(listener, app).await });

    let raw = |request: Vec<u8>| -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        // The server may answer and close before the whole request is sent,
        // which resets the connection: the write and the end of the read can
        // fail, and what matters is the reply read before that.
        let _ = stream.write_all(&request);
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        String::from_utf8_lossy(&reply).into_owned()
    };
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let reply = raw(huge_header.into_bytes());
    assert!(
        reply.starts_with("HTTP/1.1 431"),
        "{}",
        &reply[..reply.len().min(200)]
    );
    let huge_line = format!(
        "GET /api/search?q={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let reply = raw(huge_line.into_bytes());
    assert!(
        reply.starts_with("HTTP/1.1 431") || reply.starts_with("HTTP/1.1 414"),
        "{}",
        &reply[..reply.len().min(200)]
    );
    let reply = raw(b"GARBAGE\r\n\r\n".to_vec());
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    let reply = raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec());
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}
