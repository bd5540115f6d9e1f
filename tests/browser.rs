//! The search page in a real browser: the `posfaq` binary indexes the
//! repository's own corpus and serves it, headless Chromium (driven through
//! chromedriver with fantoccini) types `83无效终端` into the search box, and
//! the page must show the `invalid-terminal` fix card, highlighted hits with
//! the Lakala 83 article first, and no JavaScript error. A screenshot goes to
//! `target/browser-83.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages (CI installs
//! them). Without them the test fails, unless `POSFAQ_SKIP_BROWSER=1` is set:
//! then it prints a note and skips.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
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

/// How long a service may take to come up, and the page to settle. These
/// are deadlines for polling, not sleeps: a healthy run takes far less.
const SERVER_READY: Duration = Duration::from_secs(60);
const DRIVER_READY: Duration = Duration::from_secs(30);
const PAGE_READY: Duration = Duration::from_secs(20);
const POLL_EVERY: Duration = Duration::from_millis(50);

#[test]
fn search_page_shows_fix_card_and_highlighted_hits() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let harness = Harness::start(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let setup = started.elapsed();

    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-83.png");
    let server_port = harness.server_port;
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
    server_port: u16,
    driver_port: u16,
    profile: PathBuf,
    _work: tempfile::TempDir,
}

impl Harness {
    /// Indexes `corpus` with `posfaq index`, serves it and starts
    /// chromedriver; returns once both answer.
    fn start(corpus: &Path) -> Harness {
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

        // 2. Serve it.
        let server_port = free_port();
        let mut server = Service::spawn(
            "posfaq serve",
            Command::new(env!("CARGO_BIN_EXE_posfaq"))
                .arg("serve")
                .arg("--index")
                .arg(&index)
                .arg("--addr")
                .arg(format!("127.0.0.1:{server_port}"))
                .env("RUST_LOG", "info")
                .env_remove("POSFAQ_ADMIN_TOKEN")
                .env_remove("POSFAQ_CORS_ORIGINS")
                .env_remove("POSFAQ_REQUEST_TIMEOUT")
                .env_remove("POSFAQ_MAX_CONCURRENCY"),
            &work.path().join("server.log"),
            None,
        );
        server.wait_ready(server_port, "/readyz", SERVER_READY);

        // 3. chromedriver.
        let driver_port = free_port();
        let mut driver = Service::spawn(
            "chromedriver",
            Command::new(CHROMEDRIVER).arg(format!("--port={driver_port}")),
            &work.path().join("chromedriver.log"),
            Some(driver_port),
        );
        driver.wait_ready(driver_port, "/status", DRIVER_READY);

        Harness {
            driver,
            server,
            server_port,
            driver_port,
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
        let outcome = runtime.block_on(drive(self.driver_port, &self.profile, check));
        if let Err(message) = outcome {
            panic!(
                "{message}\n--- server log (tail) ---\n{}\n--- chromedriver log (tail) ---\n{}",
                self.server.log_tail(),
                self.driver.log_tail()
            );
        }
    }
}

/// Whether Chromium and chromedriver are installed. Missing ones fail the
/// test unless the reader opted out with `POSFAQ_SKIP_BROWSER=1`.
fn browser_available() -> bool {
    if std::env::var("POSFAQ_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("note: POSFAQ_SKIP_BROWSER=1 is set; skipping the browser test");
        return false;
    }
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "the browser test needs {} (missing: {}). Install Debian's chromium and chromium-driver \
         packages (`sudo apt-get install chromium chromium-driver`; CI installs them), or set \
         POSFAQ_SKIP_BROWSER=1 to skip this test.",
        [CHROMIUM, CHROMEDRIVER].join(" and "),
        missing.join(", ")
    );
    true
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// A child process killed when the test ends, however it ends.
struct Service {
    name: &'static str,
    child: Child,
    log: PathBuf,
    /// chromedriver: asked to shut down (which also quits Chromium) before
    /// it is killed.
    shutdown_port: Option<u16>,
}

impl Service {
    fn spawn(
        name: &'static str,
        command: &mut Command,
        log: &Path,
        shutdown_port: Option<u16>,
    ) -> Service {
        let file = File::create(log).expect("log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        Service {
            name,
            child,
            log: log.to_path_buf(),
            shutdown_port,
        }
    }

    /// Polls `GET path` until it answers 200; panics (with the log) when the
    /// process exits or the deadline passes.
    fn wait_ready(&mut self, port: u16, path: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before it was ready\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            let last = match http(port, "GET", path, None) {
                Ok((200, _)) => return,
                Ok((status, body)) => format!("HTTP {status}: {body}"),
                Err(e) => e.to_string(),
            };
            assert!(
                Instant::now() < deadline,
                "{} not ready on port {port} within {within:?} (GET {path}: {last})\n{}",
                self.name,
                self.log_tail()
            );
            std::thread::sleep(POLL_EVERY);
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(port) = self.shutdown_port {
            let _ = http(port, "GET", "/shutdown", None);
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
