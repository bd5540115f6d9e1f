//! The search page in a real browser: the `posfaq` binary indexes the
//! repository's own corpus and serves it, headless Chromium (driven through
//! chromedriver with fantoccini) types `83无效终端` into the search box, and
//! the page must show the `invalid-terminal` fix card, highlighted hits with
//! the Lakala 83 article first, and no JavaScript error. A screenshot goes to
//! `target/browser-83.png`.
//!
//! A second test serves `tests/fixtures/xss-corpus`, whose article and fix
//! card carry script payloads in every field, types hostile queries, opens
//! the suggestion list, the article view and the embeddable widget, and after
//! each step requires that no payload ran or became markup (no
//! `window.__xss`, no dialog, no handler attribute, no inline script, no
//! console error). Its screenshot goes to `target/browser-xss.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages. Without them
//! the tests print `SKIPPED: ...` and pass, so `cargo test` passes on a
//! machine without a browser; with `POSFAQ_REQUIRE_BROWSER=1` (which
//! `.ci/run` sets, after installing both) their absence fails the tests.
//!
//! Both services bind port 0 and report the port they got (`posfaq serve`
//! prints `listening on http://ADDR`, chromedriver `... started successfully
//! on port N.`), which the tests read from their stdout: no port is chosen
//! beforehand, so no other process can take it first.

#[path = "browser/agents.rs"]
mod agents;
mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

const QUERY: &str = "83无效终端";
const FIX_ID: &str = "invalid-terminal";
const FIRST_HIT_ID: &str = "lakala-83-invalid-terminal";

/// How long a service may take to report its port, and the page to settle.
/// These are deadlines for waiting, not sleeps: a healthy run takes far less.
const SERVER_READY: Duration = Duration::from_secs(60);
const DRIVER_READY: Duration = Duration::from_secs(30);
const PAGE_READY: Duration = Duration::from_secs(20);
const POLL_EVERY: Duration = Duration::from_millis(50);

#[test]
fn search_page_shows_fix_card_and_highlighted_hits() {
    if !browser_available("search_page_shows_fix_card_and_highlighted_hits") {
        return;
    }
    let started = Instant::now();
    let harness = Harness::start(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let setup = started.elapsed();

    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-83.png");
    let server_port = harness.server.port;
    harness.run(async |client: &Client| check_page(client, server_port, &screenshot).await);
    eprintln!(
        "browser test passed in {:.1} s (setup {:.1} s); screenshot: {}",
        started.elapsed().as_secs_f64(),
        setup.as_secs_f64(),
        screenshot.display()
    );
}

/// What a browser test runs against: the real binary's index of a corpus,
/// `posfaq serve` over it, and chromedriver. Fields drop in declaration
/// order: chromedriver (and with it Chromium) first, then the server, then
/// the temp dir holding the index and the Chromium profile.
struct Harness {
    driver: Service,
    server: Service,
    profile: PathBuf,
    _work: tempfile::TempDir,
}

impl Harness {
    /// Indexes `corpus` with `posfaq index`, serves it and starts
    /// chromedriver; returns once both answer.
    fn start(corpus: &Path) -> Harness {
        Harness::start_with(corpus, &[])
    }

    /// [`Harness::start`] with more `posfaq serve` options.
    fn start_with(corpus: &Path, serve_args: &[String]) -> Harness {
        let work = tempfile::tempdir().expect("temp dir");
        let index = work.path().join("index");
        let profile = work.path().join("chrome-profile");
        std::fs::create_dir_all(&profile).expect("profile dir");

        // 1. Index the corpus with the real binary.
        let out = Command::new(env!("CARGO_BIN_EXE_posfaq"))
            .arg("index")
            .arg("--corpus")
            .arg(corpus)
            .arg("--index")
            .arg(&index)
            .env("RUST_LOG", "warn")
            .output()
            .expect("posfaq index runs");
        assert!(
            out.status.success(),
            "posfaq index of {} failed ({}):\n{}",
            corpus.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );

        // 2. Serve it, on the port the server picks. It prints its address
        //    once it has opened the index and bound the socket.
        let server = Service::spawn(
            "posfaq serve",
            Command::new(env!("CARGO_BIN_EXE_posfaq"))
                .arg("serve")
                .arg("--index")
                .arg(&index)
                .arg("--addr")
                .arg("127.0.0.1:0")
                .args(serve_args)
                .env("RUST_LOG", "info")
                .env_remove("POSFAQ_ADDR")
                .env_remove("POSFAQ_ADMIN_TOKEN")
                .env_remove("POSFAQ_CORS_ORIGINS")
                .env_remove("POSFAQ_REQUEST_TIMEOUT")
                .env_remove("POSFAQ_MAX_CONCURRENCY"),
            &work.path().join("server.log"),
            SERVER_READY,
            |line| common::listening_addr(line).map(|addr| addr.port()),
            false,
        );
        server.expect_ok("/readyz");

        // 3. chromedriver, on the port it picks.
        let driver = Service::spawn(
            "chromedriver",
            Command::new(CHROMEDRIVER).arg("--port=0"),
            &work.path().join("chromedriver.log"),
            DRIVER_READY,
            chromedriver_port,
            true,
        );
        driver.expect_ok("/status");

        Harness {
            driver,
            server,
            profile,
            _work: work,
        }
    }

    /// Opens a Chromium session, runs `check` on it and the console check
    /// after it; panics with both services' logs when either fails.
    fn run(&self, check: impl AsyncFnOnce(&Client) -> Result<(), String>) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let outcome = runtime.block_on(drive(self.driver.port, &self.profile, check));
        if let Err(message) = outcome {
            panic!(
                "{message}\n--- server log (tail) ---\n{}\n--- chromedriver log (tail) ---\n{}",
                self.server.log_tail(),
                self.driver.log_tail()
            );
        }
    }
}

/// Whether Chromium and chromedriver are installed. Without them the test
/// is skipped with a notice, or fails when `POSFAQ_REQUIRE_BROWSER=1`.
fn browser_available(test: &str) -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).is_file())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("POSFAQ_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "POSFAQ_REQUIRE_BROWSER=1 and the browser test needs {} (missing: {}). Install Debian's \
         chromium and chromium-driver packages (`apt-get install chromium chromium-driver`; \
         .ci/run installs them).",
        [CHROMIUM, CHROMEDRIVER].join(" and "),
        missing.join(", ")
    );
    // Straight to the process's stderr: the test harness shows what a
    // passing test `eprintln!`s only with --nocapture.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {test}: chromium/chromedriver not found ({} missing); .ci/run installs them \
         (set POSFAQ_REQUIRE_BROWSER=1 to fail instead)",
        missing.join(", ")
    );
    false
}

/// The port in chromedriver's `ChromeDriver was started successfully on
/// port N.`
fn chromedriver_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once("started successfully on port ")?;
    rest.trim().trim_end_matches('.').parse().ok()
}

/// A child process killed when the test ends, however it ends.
struct Service {
    name: &'static str,
    child: Child,
    /// The port it bound and reported.
    port: u16,
    log: PathBuf,
    /// chromedriver: asked to shut down (which also quits Chromium) before
    /// it is killed.
    shutdown: bool,
}

impl Service {
    /// Starts `command` with its output going to `log`, and returns once it
    /// has printed the port it listens on (read by `port_in` from a line of
    /// its stdout); panics, with the log, if it exits or `within` passes
    /// first.
    fn spawn(
        name: &'static str,
        command: &mut Command,
        log: &Path,
        within: Duration,
        port_in: fn(&str) -> Option<u16>,
        shutdown: bool,
    ) -> Service {
        let file = File::create(log).expect("log file");
        let command = command
            .stdin(Stdio::null())
            .stderr(file.try_clone().expect("log file"));
        let (child, port) = common::spawn_announced(command, within, Some(file), port_in)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", tail(log)));
        Service {
            name,
            child,
            port,
            log: log.to_path_buf(),
            shutdown,
        }
    }

    /// `GET path` must answer 200: the service said it listens, so one
    /// request tells whether it is ready.
    fn expect_ok(&self, path: &str) {
        match http(self.port, "GET", path, None) {
            Ok((200, _)) => {}
            other => panic!(
                "{} on port {} is not ready (GET {path}: {other:?})\n{}",
                self.name,
                self.port,
                self.log_tail()
            ),
        }
    }

    fn log_tail(&self) -> String {
        tail(&self.log)
    }
}

/// The last 40 lines of the file at `log`.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.shutdown {
            let _ = http(self.port, "GET", "/shutdown", None);
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(POLL_EVERY);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 request to 127.0.0.1: (status, body).
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // Servers may keep the connection open despite `Connection: close`, so
    // the response ends where its headers say, not at EOF.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(len) = complete_response(&raw) {
            raw.truncate(len);
            break;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {head:?}")))?;
    let payload = if is_chunked(head) {
        dechunk(payload)
    } else {
        payload.to_string()
    };
    Ok((status, payload))
}

/// The length of the response in `raw` once all of it has arrived.
fn complete_response(raw: &[u8]) -> Option<usize> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&raw[..head_end]);
    if is_chunked(&head) {
        return raw.ends_with(b"\r\n0\r\n\r\n").then_some(raw.len());
    }
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    })?;
    (raw.len() >= head_end + length).then_some(head_end + length)
}

fn is_chunked(head: &str) -> bool {
    head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    })
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// Opens a session, runs the checks, and always closes the session (which
/// quits Chromium) before reporting.
async fn drive(
    driver_port: u16,
    profile: &Path,
    check: impl AsyncFnOnce(&Client) -> Result<(), String>,
) -> Result<(), String> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    // Lets the test read the console, which also sees errors thrown while
    // the page loads, before any listener of ours could be installed.
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));

    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .map_err(|e| format!("cannot start a Chromium session through chromedriver: {e}"))?;
    let session = client.session_id().await.ok().flatten();

    let checked = check(&client).await;
    // Read the console before the session goes away.
    let console = match session {
        Some(id) => tokio::task::spawn_blocking(move || browser_console(driver_port, &id))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r),
        None => Err("no session id".to_string()),
    };
    let closed = client.close().await;

    checked?;
    let console = match console {
        Ok(entries) => entries,
        // A chromedriver without the (non-W3C) log endpoint: the in-page
        // listener still saw everything after the page loaded.
        Err(e) if e.starts_with("HTTP 404") => {
            eprintln!("note: chromedriver cannot return the browser console ({e}); not checked");
            Vec::new()
        }
        Err(e) => return Err(format!("cannot read the browser console: {e}")),
    };
    for entry in &console {
        eprintln!("browser console: {entry}");
    }
    let severe: Vec<&String> = console.iter().filter(|e| e.starts_with("SEVERE")).collect();
    if !severe.is_empty() {
        return Err(format!("the browser console reported errors:\n{severe:#?}"));
    }
    closed.map_err(|e| format!("closing the session: {e}"))
}

/// The browser's console log since the last read, as "LEVEL message".
fn browser_console(driver_port: u16, session: &str) -> Result<Vec<String>, String> {
    let (status, body) = http(
        driver_port,
        "POST",
        &format!("/session/{session}/se/log"),
        Some(r#"{"type":"browser"}"#),
    )
    .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("HTTP {status}: {body}"));
    }
    let value: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    Ok(value["value"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["level"].as_str().unwrap_or("?"),
                        e["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Records errors that happen after the page loaded: exceptions, failed
/// resources, rejected promises and CSP violations.
const ERROR_LISTENER: &str = r#"
    window.__posfaqErrors = [];
    const push = (kind, detail) => window.__posfaqErrors.push(`${kind}: ${detail}`);
    window.addEventListener('error', (e) => {
        const target = e.target && e.target !== window ? (e.target.src || e.target.href || e.target.tagName) : '';
        push('error', e.message || target || 'unknown');
    }, true);
    window.addEventListener('unhandledrejection', (e) => push('unhandledrejection', String(e.reason)));
    document.addEventListener('securitypolicyviolation', (e) => push('csp', `${e.violatedDirective} ${e.blockedURI}`));
    return true;
"#;

/// True once the search for the typed query (not a half-typed prefix) has
/// finished: `runSearch` puts the query into the URL and marks the results
/// busy in the same task, and clears the flag when that request is done.
const SETTLED: &str = r#"
    const results = document.getElementById('results');
    return new URLSearchParams(location.search).get('q') === arguments[0]
        && document.getElementById('q').value === arguments[0]
        && results.getAttribute('aria-busy') === 'false';
"#;

async fn check_page(client: &Client, server_port: u16, screenshot: &Path) -> Result<(), String> {
    let e = |what: &str| {
        let what = what.to_string();
        move |err: fantoccini::error::CmdError| format!("{what}: {err}")
    };
    let base = format!("http://127.0.0.1:{server_port}/");
    client.goto(&base).await.map_err(e("loading the page"))?;
    client
        .execute(ERROR_LISTENER, vec![])
        .await
        .map_err(e("installing the error listener"))?;

    let input = client
        .wait()
        .at_most(PAGE_READY)
        .for_element(Locator::Css("#q"))
        .await
        .map_err(e("the search box #q"))?;
    input
        .send_keys(QUERY)
        .await
        .map_err(e("typing the query"))?;

    let fix_selector = format!(r#"#fix:not([hidden])[data-id="{FIX_ID}"]"#);
    client
        .wait()
        .at_most(PAGE_READY)
        .every(POLL_EVERY)
        .for_element(Locator::Css(&fix_selector))
        .await
        .map_err(e(&format!("waiting for the fix card `{fix_selector}`")))?;
    client
        .wait()
        .at_most(PAGE_READY)
        .every(POLL_EVERY)
        .for_element(Locator::Css("#hits .hit .hit-snippet mark"))
        .await
        .map_err(e(
            "waiting for a highlighted snippet `#hits .hit .hit-snippet mark`",
        ))?;

    // The elements above may come from a search for a prefix of the query
    // (typing is faster than the debounce, but nothing guarantees it): wait
    // for the search of the whole query, then look at fresh elements.
    let deadline = Instant::now() + PAGE_READY;
    loop {
        let settled = client
            .execute(SETTLED, vec![json!(QUERY)])
            .await
            .map_err(e("checking that the search settled"))?;
        if settled == json!(true) {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the search for {QUERY:?} did not settle within {PAGE_READY:?}"
            ));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }

    // The fix card.
    let fix = client.find(Locator::Css("#fix")).await.map_err(e("#fix"))?;
    let fix_id = fix.attr("data-id").await.map_err(e("#fix data-id"))?;
    if fix_id.as_deref() != Some(FIX_ID) {
        return Err(format!(
            "fix card data-id is {fix_id:?}, expected {FIX_ID:?}"
        ));
    }
    if !fix.is_displayed().await.map_err(e("#fix visibility"))? {
        return Err("the fix card #fix is not displayed".into());
    }
    let fix_text = fix.text().await.map_err(e("#fix text"))?;
    let title = client
        .find(Locator::Css("#fix-title"))
        .await
        .map_err(e("#fix-title"))?
        .text()
        .await
        .map_err(e("#fix-title text"))?;
    if title.trim().is_empty() {
        return Err(format!("the fix card has no title:\n{fix_text}"));
    }
    if !fix_text.contains("解决步骤") {
        return Err(format!("the fix card has no 解决步骤 section:\n{fix_text}"));
    }
    let steps = client
        .find_all(Locator::Css("#fix-steps li"))
        .await
        .map_err(e("#fix-steps li"))?;
    if steps.len() < 2 {
        return Err(format!(
            "the fix card lists {} step(s), expected at least 2:\n{fix_text}",
            steps.len()
        ));
    }
    for (i, step) in steps.iter().enumerate() {
        if step.text().await.map_err(e("step text"))?.trim().is_empty() {
            return Err(format!(
                "step {} of the fix card is empty:\n{fix_text}",
                i + 1
            ));
        }
    }

    // The hits.
    let hits = client
        .find_all(Locator::Css("#hits .hit[data-id]"))
        .await
        .map_err(e("#hits .hit"))?;
    let Some(first) = hits.first() else {
        return Err("no hits are shown".into());
    };
    let first_id = first
        .attr("data-id")
        .await
        .map_err(e("first hit data-id"))?;
    if first_id.as_deref() != Some(FIRST_HIT_ID) {
        return Err(format!(
            "the first hit is {first_id:?}, expected {FIRST_HIT_ID:?}"
        ));
    }
    let marks = first
        .find_all(Locator::Css(".hit-snippet mark"))
        .await
        .map_err(e("first hit marks"))?;
    let mut marked = Vec::new();
    for mark in &marks {
        marked.push(mark.text().await.map_err(e("mark text"))?);
    }
    if !marked
        .iter()
        .any(|m| !m.is_empty() && QUERY.contains(m.as_str()))
    {
        return Err(format!(
            "the first hit highlights {marked:?}, none of which is part of {QUERY:?}"
        ));
    }

    // No error message, no "no results", no JavaScript error.
    let error_box = client
        .find(Locator::Css("#error"))
        .await
        .map_err(e("#error"))?;
    if error_box
        .is_displayed()
        .await
        .map_err(e("#error visibility"))?
    {
        let text = error_box.text().await.unwrap_or_default();
        return Err(format!("the page shows an error: {text}"));
    }
    let no_results = client
        .find(Locator::Css("#no-results"))
        .await
        .map_err(e("#no-results"))?;
    if no_results
        .is_displayed()
        .await
        .map_err(e("#no-results visibility"))?
    {
        return Err("the page says there are no results".into());
    }
    let errors = client
        .execute("return window.__posfaqErrors;", vec![])
        .await
        .map_err(e("reading window.__posfaqErrors"))?;
    if errors != json!([]) {
        return Err(format!("JavaScript errors on the page: {errors}"));
    }

    // The screenshot. Leaving the search box closes the suggestion list,
    // which would otherwise cover the filters, and keeps a late answer from
    // reopening it (Escape is no good: with the list already closed it
    // clears a type=search box). Then the window grows to the page's height
    // so the picture holds the whole page, not just the viewport.
    client
        .execute("document.getElementById('q').blur(); return true;", vec![])
        .await
        .map_err(e("leaving the search box"))?;
    client
        .wait()
        .at_most(PAGE_READY)
        .every(POLL_EVERY)
        .for_element(Locator::Css("#suggestions[hidden]"))
        .await
        .map_err(e("waiting for the suggestions to close"))?;
    full_page_screenshot(client, screenshot).await
}

/// Grows the window to the page's height, so the picture holds the whole
/// page, not just the viewport, and saves a screenshot to `screenshot`.
async fn full_page_screenshot(client: &Client, screenshot: &Path) -> Result<(), String> {
    let e = |what: &str| {
        let what = what.to_string();
        move |err: fantoccini::error::CmdError| format!("{what}: {err}")
    };
    let size = client
        .execute(
            "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .map_err(e("page height"))?;
    let page = size[0].as_u64().unwrap_or(900);
    let frame = size[1].as_u64().unwrap_or(0);
    let height = u32::try_from((page + frame).clamp(900, 6000)).unwrap_or(900);
    client
        .set_window_size(1280, height)
        .await
        .map_err(e("resizing the window"))?;
    let png = client
        .screenshot()
        .await
        .map_err(e("taking the screenshot"))?;
    if let Some(dir) = screenshot.parent() {
        std::fs::create_dir_all(dir).map_err(|err| format!("creating {}: {err}", dir.display()))?;
    }
    std::fs::write(screenshot, png)
        .map_err(|err| format!("writing {}: {err}", screenshot.display()))?;
    Ok(())
}

/* ---------------------------------------------------------------------- */
/* Hostile corpus text and queries                                         */
/* ---------------------------------------------------------------------- */

/// The fixture corpus whose titles, tags, bodies and fix card carry script
/// payloads, each setting its own `window.__xss` value when it runs.
const XSS_CORPUS: &str = "tests/fixtures/xss-corpus";
const XSS_FIX_ID: &str = "evil-card";
const XSS_ARTICLE_ID: &str = "evil-article";
/// Queries that carry payloads themselves.
const HOSTILE_QUERIES: [&str; 2] = [
    "<img src=x onerror=window.__xss=9>无效终端",
    r#""><script>window.__xss=10</script>"#,
];
/// A prefix whose suggestions include the card's hostile symptom.
const HOSTILE_SUGGESTION_PREFIX: &str = "刷卡提示";
const HOSTILE_SUGGESTION: &str = "<svg onload=window.__xss=13>";

#[test]
fn hostile_corpus_text_and_queries_stay_inert() {
    if !browser_available("hostile_corpus_text_and_queries_stay_inert") {
        return;
    }
    let started = Instant::now();
    let harness = Harness::start(&Path::new(env!("CARGO_MANIFEST_DIR")).join(XSS_CORPUS));
    let setup = started.elapsed();

    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-xss.png");
    let (server_port, driver_port) = (harness.server.port, harness.driver.port);
    harness.run(async |client: &Client| {
        check_xss(client, server_port, driver_port, &screenshot).await
    });
    eprintln!(
        "browser XSS test passed in {:.1} s (setup {:.1} s); screenshot: {}",
        started.elapsed().as_secs_f64(),
        setup.as_secs_f64(),
        screenshot.display()
    );
}

/// Run on every freshly loaded document (WebDriver cannot get in before the
/// page's own scripts): reports a `window.__xss` already set, then turns
/// the variable into a recorder and the dialogs into loggers, so a payload
/// that runs later leaves a trace even if another one overwrites it.
const ARM_PROBES: &str = r#"
    const before = '__xss' in window ? String(window.__xss) : null;
    window.__posfaqXss = [];
    let value;
    Object.defineProperty(window, '__xss', {
        configurable: true,
        get() { return value; },
        set(v) { value = v; window.__posfaqXss.push(String(v)); },
    });
    window.__posfaqDialogs = [];
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {
        window[name] = (...args) => {
            window.__posfaqDialogs.push(`${name}(${args.map(String).join(', ')})`);
            return name === 'confirm' ? false : null;
        };
    }
    return before;
"#;

/// Everything that would show a payload became markup, as a list of
/// findings with the offending DOM (empty when the page is clean).
const INERT_CHECK: &str = r#"
    const problems = [];
    const show = (node) => (node.outerHTML || String(node)).slice(0, 400);
    if (window.__xss !== undefined || (window.__posfaqXss || []).length) {
        problems.push(`window.__xss was set to ${JSON.stringify(window.__posfaqXss)} (now ${String(window.__xss)})`);
    }
    if ((window.__posfaqDialogs || []).length) {
        problems.push(`dialogs were opened: ${window.__posfaqDialogs.join('; ')}`);
    }
    const pwned = document.querySelector('#pwned');
    if (pwned) problems.push(`#pwned exists: ${show(pwned.parentElement || pwned)}`);
    const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'];
    for (const node of document.querySelectorAll('*')) {
        for (const attr of node.attributes) {
            const name = attr.name.toLowerCase();
            if (name.startsWith('on')) {
                problems.push(`<${node.localName}> has the handler attribute ${attr.name}: ${show(node)}`);
            }
            const value = attr.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
            if (urlAttrs.includes(name) && (name === 'srcdoc' || value.startsWith('javascript:') || value.startsWith('data:text/html'))) {
                problems.push(`<${node.localName}> has ${attr.name}=${JSON.stringify(attr.value)}: ${show(node)}`);
            }
        }
    }
    for (const node of document.querySelectorAll('a[href^="javascript:"], script:not([src]), iframe, frame, object, embed')) {
        problems.push(`a <${node.localName}> element exists: ${show(node)}`);
    }
    const regions = '#results, #fix, #article, #suggestions, .posfaq-w-results';
    const banned = 'svg, math, img, script, style, link, meta, base, form, input, iframe, object, embed, b';
    for (const region of document.querySelectorAll(regions)) {
        const where = region.id ? `#${region.id}` : `.${region.className}`;
        for (const node of region.querySelectorAll(banned)) {
            problems.push(`a <${node.localName}> element inside ${where}: ${show(node)}`);
        }
    }
    for (const error of window.__posfaqErrors || []) problems.push(`page error: ${error}`);
    return problems;
"#;

/// The text content of the first element matching `arguments[0]`, or null.
const TEXT_OF: &str = r#"
    const node = document.querySelector(arguments[0]);
    return node ? node.textContent : null;
"#;

/// True once widget number `arguments[0]` shows the answer for exactly
/// `arguments[1]`: not loading, and its "all results" link (or its
/// no-results message) names that query.
const WIDGET_SETTLED: &str = r#"
    const root = document.querySelectorAll('.posfaq-w')[arguments[0]];
    if (!root) return false;
    const q = arguments[1];
    if (root.querySelector('.posfaq-w-input').value !== q) return false;
    if (root.querySelector('.posfaq-w-form').classList.contains('posfaq-w-is-loading')) return false;
    const results = root.querySelector('.posfaq-w-results');
    const all = results.querySelector('.posfaq-w-all');
    if (all) return new URL(all.href).searchParams.get('q') === q;
    const message = results.querySelector('.posfaq-w-message');
    return !!message && message.textContent.includes(q);
"#;

fn cmd_err(what: &str) -> impl FnOnce(fantoccini::error::CmdError) -> String + use<> {
    let what = what.to_string();
    move |err| format!("{what}: {err}")
}

/// Installs the error listener and the probes on a freshly loaded page.
async fn arm(client: &Client, page: &str) -> Result<(), String> {
    client
        .execute(ERROR_LISTENER, vec![])
        .await
        .map_err(cmd_err("installing the error listener"))?;
    let before = client
        .execute(ARM_PROBES, vec![])
        .await
        .map_err(cmd_err("installing the probes"))?;
    if !before.is_null() {
        return Err(format!(
            "{page}: window.__xss was already {before} right after the page loaded"
        ));
    }
    Ok(())
}

/// Fails `step` when the page holds any trace of a payload that ran or
/// became markup, or the browser console reported an error since the
/// previous step.
async fn assert_inert(client: &Client, driver_port: u16, step: &str) -> Result<(), String> {
    let problems = client
        .execute(INERT_CHECK, vec![])
        .await
        .map_err(cmd_err(&format!("{step}: running the DOM check")))?;
    let problems: Vec<String> = problems
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| p.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    let console = console_since_last_read(client, driver_port).await?;
    for entry in &console {
        eprintln!("browser console ({step}): {entry}");
    }
    let severe: Vec<&String> = console.iter().filter(|e| e.starts_with("SEVERE")).collect();
    if problems.is_empty() && severe.is_empty() {
        eprintln!("inert: {step}");
        return Ok(());
    }
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    Err(format!(
        "step {step} ({url}): a payload became live\n{}\nconsole errors: {severe:#?}",
        problems.join("\n")
    ))
}

/// The browser console since it was last read (empty if this chromedriver
/// cannot return it; the in-page listener still sees errors then).
async fn console_since_last_read(client: &Client, driver_port: u16) -> Result<Vec<String>, String> {
    let id = client
        .session_id()
        .await
        .map_err(cmd_err("session id"))?
        .ok_or("no session id")?;
    match tokio::task::spawn_blocking(move || browser_console(driver_port, &id))
        .await
        .map_err(|e| e.to_string())?
    {
        Ok(entries) => Ok(entries),
        Err(e) if e.starts_with("HTTP 404") => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read the browser console: {e}")),
    }
}

/// Fails unless the element matching `selector` shows `needle` as text:
/// the payload was escaped, not dropped and not parsed.
async fn expect_text(client: &Client, selector: &str, needle: &str) -> Result<(), String> {
    let text = client
        .execute(TEXT_OF, vec![json!(selector)])
        .await
        .map_err(cmd_err(&format!("text of {selector}")))?;
    match text.as_str() {
        Some(text) if text.contains(needle) => Ok(()),
        _ => Err(format!(
            "{selector} should show {needle:?} as text, but its text is {text}"
        )),
    }
}

/// Polls `script` (with `args`) until it returns true.
async fn wait_true(
    client: &Client,
    script: &str,
    args: Vec<Value>,
    what: &str,
) -> Result<(), String> {
    let deadline = Instant::now() + PAGE_READY;
    loop {
        let done = client
            .execute(script, args.clone())
            .await
            .map_err(cmd_err(what))?;
        if done == json!(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{what}: not done within {PAGE_READY:?}"));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

async fn wait_css(
    client: &Client,
    selector: &str,
) -> Result<fantoccini::elements::Element, String> {
    client
        .wait()
        .at_most(PAGE_READY)
        .every(POLL_EVERY)
        .for_element(Locator::Css(selector))
        .await
        .map_err(cmd_err(&format!("waiting for `{selector}`")))
}

/// Replaces the text of the search box with `text`, typed key by key.
async fn type_query(client: &Client, text: &str) -> Result<(), String> {
    let input = wait_css(client, "#q").await?;
    input.clear().await.map_err(cmd_err("clearing #q"))?;
    input
        .send_keys(text)
        .await
        .map_err(cmd_err(&format!("typing {text:?} into #q")))
}

async fn check_xss(
    client: &Client,
    server_port: u16,
    driver_port: u16,
    screenshot: &Path,
) -> Result<(), String> {
    let base = format!("http://127.0.0.1:{server_port}/");
    client
        .goto(&base)
        .await
        .map_err(cmd_err("loading the page"))?;
    arm(client, "the search page").await?;
    assert_inert(client, driver_port, "load: the search page").await?;

    // (a) The query that answers with the hostile fix card and article.
    type_query(client, QUERY).await?;
    wait_css(
        client,
        &format!(r#"#fix:not([hidden])[data-id="{XSS_FIX_ID}"]"#),
    )
    .await?;
    wait_css(client, "#hits .hit .hit-snippet mark").await?;
    wait_true(
        client,
        SETTLED,
        vec![json!(QUERY)],
        &format!("the search for {QUERY:?}"),
    )
    .await?;
    wait_css(
        client,
        &format!(r#"#hits .hit[data-id="{XSS_ARTICLE_ID}"]"#),
    )
    .await?;
    expect_text(client, "#fix-title", "<img src=x onerror=window.__xss=11>").await?;
    expect_text(
        client,
        "#fix-summary",
        "<img src=x onerror=window.__xss=15>",
    )
    .await?;
    expect_text(client, "#fix-causes", "<script>window.__xss=18</script>").await?;
    expect_text(client, "#fix-steps", "<svg onload=window.__xss=21>").await?;
    expect_text(
        client,
        "#fix-escalation",
        "<script>window.__xss=25</script>",
    )
    .await?;
    expect_text(
        client,
        &format!(r#"#hits .hit[data-id="{XSS_ARTICLE_ID}"] .hit-title"#),
        "<img src=x onerror=window.__xss=1>",
    )
    .await?;
    assert_inert(client, driver_port, &format!("(a) query {QUERY:?}")).await?;

    // (b) Queries that are payloads themselves.
    for query in HOSTILE_QUERIES {
        type_query(client, query).await?;
        wait_true(
            client,
            SETTLED,
            vec![json!(query)],
            &format!("the search for {query:?}"),
        )
        .await?;
        assert_inert(client, driver_port, &format!("(b) query {query:?}")).await?;
    }

    // (c) The suggestion list, first for a plain prefix, then for one whose
    //     suggestions carry a payload; picking that one searches for it.
    type_query(client, "无效").await?;
    wait_css(client, "#suggestions:not([hidden]) [role=option]").await?;
    assert_inert(client, driver_port, "(c) suggestions for \"无效\"").await?;

    type_query(client, HOSTILE_SUGGESTION_PREFIX).await?;
    wait_css(client, "#suggestions:not([hidden]) [role=option]").await?;
    let options = client
        .find_all(Locator::Css("#suggestions [role=option] .suggestion-text"))
        .await
        .map_err(cmd_err("the suggestions"))?;
    let mut hostile = None;
    let mut texts = Vec::new();
    for option in options {
        let text = option.text().await.map_err(cmd_err("suggestion text"))?;
        if text.contains(HOSTILE_SUGGESTION) {
            hostile = Some((option, text.clone()));
        }
        texts.push(text);
    }
    let Some((option, picked)) = hostile else {
        return Err(format!(
            "no suggestion for {HOSTILE_SUGGESTION_PREFIX:?} shows {HOSTILE_SUGGESTION:?} as text: {texts:?}"
        ));
    };
    assert_inert(
        client,
        driver_port,
        &format!("(c) suggestions for {HOSTILE_SUGGESTION_PREFIX:?}"),
    )
    .await?;
    option
        .click()
        .await
        .map_err(cmd_err("picking the hostile suggestion"))?;
    wait_true(
        client,
        SETTLED,
        vec![json!(picked)],
        &format!("the search for {picked:?}"),
    )
    .await?;
    assert_inert(
        client,
        driver_port,
        &format!("(c) picked suggestion {picked:?}"),
    )
    .await?;

    // (d) The article view, through the hit's own link.
    client
        .execute("document.getElementById('q').blur(); return true;", vec![])
        .await
        .map_err(cmd_err("leaving the search box"))?;
    wait_css(client, "#suggestions[hidden]").await?;
    let link = wait_css(
        client,
        &format!(r#"#hits .hit[data-id="{XSS_ARTICLE_ID}"] .hit-title a"#),
    )
    .await?;
    link.click().await.map_err(cmd_err("opening the article"))?;
    wait_css(
        client,
        &format!(
            r#"#article-view:not([hidden])[aria-busy="false"] #article:not([hidden])[data-id="{XSS_ARTICLE_ID}"] #article-body > *"#
        ),
    )
    .await?;
    expect_text(
        client,
        "#article-title",
        "<img src=x onerror=window.__xss=1>",
    )
    .await?;
    expect_text(client, "#article-badges", "<script>window.__xss=2</script>").await?;
    expect_text(client, "#article-badges", r#"<b id="pwned">拉卡拉</b>"#).await?;
    // `source` (the import file's name, here a payload) is internal: the
    // article view shows it neither as text nor as markup.
    let meta = client
        .execute(TEXT_OF, vec![json!("#article-meta")])
        .await
        .map_err(cmd_err("text of #article-meta"))?;
    if meta.as_str().is_none_or(|m| m.contains("evil")) {
        return Err(format!("#article-meta shows the import file name: {meta}"));
    }
    expect_text(
        client,
        "#article-body",
        "<img src=x onerror=window.__xss=4>",
    )
    .await?;
    expect_text(client, "#article-body", "<svg onload=window.__xss=7>").await?;
    expect_text(
        client,
        "#article-body",
        r#""><script>window.__xss=8</script>"#,
    )
    .await?;
    assert_inert(client, driver_port, "(d) the article view").await?;
    full_page_screenshot(client, screenshot).await?;
    client
        .set_window_size(1280, 900)
        .await
        .map_err(cmd_err("restoring the window size"))?;

    // (e) The embeddable widget, if this build has its example page.
    let embed = "/embed-example.html";
    let status = tokio::task::spawn_blocking(move || http(server_port, "GET", embed, None))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("GET {embed}: {e}"))?
        .0;
    if status != 200 {
        eprintln!("note: GET {embed} answers {status}; the widget is not checked");
        return Ok(());
    }
    client
        .goto(&format!("http://127.0.0.1:{server_port}{embed}"))
        .await
        .map_err(cmd_err("loading the embed example"))?;
    arm(client, "the embed example").await?;
    let inputs = {
        wait_css(client, ".posfaq-w-input").await?;
        client
            .find_all(Locator::Css(".posfaq-w-input"))
            .await
            .map_err(cmd_err("the widget inputs"))?
    };
    assert_inert(client, driver_port, "load: the embed example").await?;
    let queries = [QUERY, HOSTILE_QUERIES[0]];
    for (n, (input, query)) in inputs.iter().zip(queries).enumerate() {
        input
            .send_keys(query)
            .await
            .map_err(cmd_err(&format!("typing {query:?} into widget {n}")))?;
        wait_true(
            client,
            WIDGET_SETTLED,
            vec![json!(n), json!(query)],
            &format!("widget {n}'s answer for {query:?}"),
        )
        .await?;
        if query == QUERY {
            let fix = format!(r#".posfaq-w-results .posfaq-w-fix[data-id="{XSS_FIX_ID}"]"#);
            wait_css(client, &fix).await?;
            wait_css(client, ".posfaq-w-results .posfaq-w-hit").await?;
            expect_text(client, &fix, "<img src=x onerror=window.__xss=11>").await?;
        }
        assert_inert(
            client,
            driver_port,
            &format!("(e) widget {n}, query {query:?}"),
        )
        .await?;
    }
    Ok(())
}
