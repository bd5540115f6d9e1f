//! The page as an agent works from it, in Chromium at a phone's width (390
//! px): the fix card's first step on screen without scrolling, meaning and
//! causes folded below the steps, the steps copied as plain text to the
//! real clipboard, "也可能是" with the answer's close alternatives (and one
//! of them shown on a click), "有帮助 / 没帮助" and clicks on results sent
//! as feedback and counted by the admin report, the article view marking
//! the query's words and naming no import file, at most six suggestions
//! with a card among them, "没有找到可靠答案" with the configured contact
//! route; and the widget embedded in a page of another origin (a second
//! server, allowed with `--cors-origins`), its searches recorded as
//! `widget`.

use super::*;

const CONTACT: &str = "客服热线 95000-1234（工作日 9:00–18:00）";
const TOKEN: &str = "browser-admin-token";
/// A query whose answer comes with close alternatives, the first of these
/// that does (the test says which, and fails when none does).
const CLOSE_CANDIDATES: [&str; 3] = [
    "商户状态异常",
    "系统日切，请稍后重试",
    "MAC校验错，请重新签到",
];

/// The port in `python3 -m http.server`'s `Serving HTTP on 127.0.0.1 port N`.
fn http_server_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once(" port ")?;
    rest.split_whitespace().next()?.parse().ok()
}

#[test]
fn agent_page_on_a_phone_with_feedback_and_the_widget_from_another_origin() {
    if !browser_available("agent_page_on_a_phone_with_feedback_and_the_widget_from_another_origin")
    {
        return;
    }
    // The other origin: a plain static server for the embedding page.
    let site = tempfile::tempdir().expect("temp dir");
    let host = Service::spawn(
        "embedding site",
        Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(site.path()),
        &site.path().join("site.log"),
        SERVER_READY,
        http_server_port,
        false,
    );
    let origin = format!("http://127.0.0.1:{}", host.port);
    let harness = Harness::start_with(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        &[
            "--contact".into(),
            CONTACT.into(),
            "--admin-token".into(),
            TOKEN.into(),
            "--cors-origins".into(),
            origin.clone(),
        ],
    );
    let server = harness.server.port;
    let driver = harness.driver.port;
    std::fs::write(
        site.path().join("host.html"),
        format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <link rel=\"icon\" href=\"data:,\"><title>商户服务中心</title>\
             <script src=\"http://127.0.0.1:{server}/widget.js\" defer></script></head>\
             <body><h1>商户服务中心</h1><div data-posfaq-search></div></body></html>"
        ),
    )
    .expect("host page");
    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-phone.png");
    harness.run(async |client: &Client| {
        check_phone(client, server, driver, &screenshot).await?;
        check_suggestions_and_no_answer(client, server).await?;
        check_widget(client, server, &origin).await
    });
    drop(host);
}

/// Loads the page for `query` and waits until its search has settled.
async fn search_for(client: &Client, server: u16, query: &str) -> Result<(), String> {
    let url = format!("http://127.0.0.1:{server}/?q={}", percent(query));
    client
        .goto(&url)
        .await
        .map_err(cmd_err("loading the page"))?;
    arm(client, "the search page").await?;
    wait_true(
        client,
        SETTLED,
        vec![json!(query)],
        &format!("the search for {query}"),
    )
    .await
}

fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn js(client: &Client, script: &str, args: Vec<Value>) -> Result<Value, String> {
    client.execute(script, args).await.map_err(cmd_err(script))
}

/// The admin report, fetched by the page itself (same origin).
async fn report(client: &Client) -> Result<Value, String> {
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('api/admin/analytics?since=all', {headers: {Authorization: 'Bearer ' + arguments[0]}})
               .then((r) => r.json()).then(done, (e) => done({error: String(e)}));",
            vec![json!(TOKEN)],
        )
        .await
        .map_err(cmd_err("the admin report"))
}

/// Grants the page the clipboard, through chromedriver's permissions
/// extension, so the test can read back what the copy button wrote.
async fn grant_clipboard(client: &Client, driver: u16) -> Result<(), String> {
    let session = client
        .session_id()
        .await
        .map_err(cmd_err("session id"))?
        .ok_or("no session id")?;
    for name in ["clipboard-read", "clipboard-write"] {
        let body = json!({"descriptor": {"name": name}, "state": "granted"}).to_string();
        let path = format!("/session/{session}/permissions");
        let (status, reply) =
            tokio::task::spawn_blocking(move || http(driver, "POST", &path, Some(&body)))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("granting {name}: HTTP {status}: {reply}"));
        }
    }
    Ok(())
}

async fn check_phone(
    client: &Client,
    server: u16,
    driver: u16,
    screenshot: &Path,
) -> Result<(), String> {
    client
        .set_window_size(390, 844)
        .await
        .map_err(cmd_err("a 390 px window"))?;
    search_for(client, server, QUERY).await?;
    wait_css(
        client,
        &format!(r#"#fix:not([hidden])[data-id="{FIX_ID}"]"#),
    )
    .await?;
    let layout = js(
        client,
        "const first = document.querySelector('#fix-steps li').getBoundingClientRect();
         const details = document.getElementById('fix-details');
         return {width: window.innerWidth, height: window.innerHeight, scrolled: window.scrollY,
                 top: first.top, bottom: first.bottom, folded: !details.open,
                 below: details.getBoundingClientRect().top > first.bottom};",
        vec![],
    )
    .await?;
    let visible = layout["width"].as_f64().is_some_and(|w| w <= 390.0)
        && layout["scrolled"] == json!(0)
        && layout["top"].as_f64().is_some_and(|t| t >= 0.0)
        && layout["bottom"].as_f64() <= layout["height"].as_f64();
    if !visible || layout["folded"] != json!(true) || layout["below"] != json!(true) {
        full_page_screenshot(client, screenshot).await?;
        return Err(format!(
            "at 390 px the first step must show unscrolled, meaning and causes folded below it: {layout}"
        ));
    }

    // Copy the steps: the clipboard holds them as numbered plain text.
    grant_clipboard(client, driver).await?;
    let steps = js(
        client,
        "return [...document.querySelectorAll('#fix-steps li')].map((li) => li.textContent);",
        vec![],
    )
    .await?;
    let expected: Vec<String> = steps
        .as_array()
        .ok_or("no steps")?
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {}", i + 1, s.as_str().unwrap_or_default()))
        .collect();
    wait_css(client, "#fix-copy")
        .await?
        .click()
        .await
        .map_err(cmd_err("the copy button"))?;
    wait_true(
        client,
        "return document.getElementById('fix-copy').textContent === '已复制';",
        vec![],
        "the copy button says 已复制",
    )
    .await?;
    let copied = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.clipboard.readText().then(done, (e) => done('error: ' + e));",
            vec![],
        )
        .await
        .map_err(cmd_err("reading the clipboard"))?;
    if copied != json!(expected.join("\n")) {
        return Err(format!(
            "the clipboard holds {copied}, expected {:?}",
            expected.join("\n")
        ));
    }

    // Vote, and click the second result.
    wait_css(
        client,
        "#fix-vote:not([hidden]) button[data-helpful=\"false\"]",
    )
    .await?
    .click()
    .await
    .map_err(cmd_err("没帮助"))?;
    wait_css(client, "#fix-vote-thanks:not([hidden])").await?;
    let second = wait_css(client, "#hits .hit[data-position=\"2\"]").await?;
    let second_id = second
        .attr("data-id")
        .await
        .map_err(cmd_err("second hit id"))?
        .ok_or("no id")?;
    second
        .find(Locator::Css(".hit-title a"))
        .await
        .map_err(cmd_err("second hit link"))?
        .click()
        .await
        .map_err(cmd_err("clicking the second hit"))?;

    // The article view: the query's words marked, no import file named.
    wait_css(
        client,
        &format!(r#"#article:not([hidden])[data-id="{second_id}"]"#),
    )
    .await?;
    let marks = js(
        client,
        "return [...document.querySelectorAll('#article-body mark')].map((m) => m.textContent);",
        vec![],
    )
    .await?;
    let marks: Vec<String> = marks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_lowercase))
        .collect();
    if marks.is_empty()
        || !marks
            .iter()
            .all(|m| QUERY.to_lowercase().contains(m.as_str()))
    {
        return Err(format!(
            "the article should mark the query's words, marks {marks:?}"
        ));
    }
    let page_text = js(client, "return document.body.innerText;", vec![]).await?;
    let named_file = regex_like_import_file(page_text.as_str().unwrap_or_default());
    if let Some(file) = named_file {
        return Err(format!("the article view names the import file {file}"));
    }
    full_page_screenshot(client, screenshot).await?;

    // The admin report counts the vote and the click at position 2.
    let report = report(client).await?;
    let clicked = report["clicks_by_position"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["position"] == 2 && p["clicks"] == 1);
    let voted = report["unhelpful_fixes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["fix"] == FIX_ID && f["unhelpful"] == 1);
    if !clicked || !voted {
        return Err(format!(
            "the report should count the click at 2 and the vote on {FIX_ID}: {report}"
        ));
    }

    // "也可能是": exactly the answer's alternatives close to the card shown.
    for query in CLOSE_CANDIDATES {
        search_for(client, server, query).await?;
        let answer = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch('api/answer?q=' + encodeURIComponent(arguments[0])).then((r) => r.json()).then(done);",
                vec![json!(query)],
            )
            .await
            .map_err(cmd_err("the answer"))?;
        let Some(shown) = answer["answer"]["confidence"].as_f64() else {
            continue;
        };
        let close: Vec<Value> = answer["alternatives"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["confidence"].as_f64().is_some_and(|c| c >= shown - 0.35))
            .map(|a| a["id"].clone())
            .collect();
        if close.is_empty() {
            continue;
        }
        wait_css(client, "#fix-alternatives-block:not([hidden])").await?;
        let listed = js(client, "return [...document.querySelectorAll('#fix-alternatives button')].map((b) => b.dataset.id);", vec![]).await?;
        if listed != json!(close) {
            return Err(format!(
                "{query}: 也可能是 lists {listed}, expected {close:?}"
            ));
        }
        let first = close[0].as_str().unwrap_or_default().to_string();
        wait_css(
            client,
            &format!(r#"#fix-alternatives button[data-id="{first}"]"#),
        )
        .await?
        .click()
        .await
        .map_err(cmd_err("an alternative"))?;
        wait_css(client, &format!(r#"#fix:not([hidden])[data-id="{first}"]"#)).await?;
        return Ok(());
    }
    Err(format!(
        "none of {CLOSE_CANDIDATES:?} has close alternatives to show"
    ))
}

/// A name like the importer's files (`003_1e0cf13f601712b3.txt`) in `text`.
fn regex_like_import_file(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .find(|w| {
            w.ends_with(".txt")
                && w.len() == 24
                && w.as_bytes()[3] == b'_'
                && w[..3].bytes().all(|b| b.is_ascii_digit())
        })
        .map(String::from)
}

async fn check_suggestions_and_no_answer(client: &Client, server: u16) -> Result<(), String> {
    search_for(client, server, "xyzzyqq").await?;
    wait_css(client, "#no-results:not([hidden])").await?;
    expect_text(client, "#no-results", "没有找到可靠答案").await?;
    expect_text(client, "#no-results", CONTACT).await?;
    let hits = js(
        client,
        "return document.querySelectorAll('#hits .hit').length;",
        vec![],
    )
    .await?;
    if hits != json!(0) {
        return Err(format!("no reliable answer, yet {hits} hits are listed"));
    }
    type_query(client, "无效").await?;
    wait_css(client, "#suggestions:not([hidden]) [role=option]").await?;
    wait_true(
        client,
        "return document.getElementById('q').value === '无效' && !document.getElementById('suggestions').hidden;",
        vec![],
        "suggestions for 无效",
    )
    .await?;
    let options = js(client, "return [...document.querySelectorAll('#suggestions [role=option]')].map((o) => [o.textContent, o.dataset.kind]);", vec![]).await?;
    let options = options.as_array().cloned().unwrap_or_default();
    let cards = options
        .iter()
        .filter(|o| o[1] == "fix" || o[1] == "symptom")
        .count();
    if options.is_empty() || options.len() > 6 || cards == 0 {
        return Err(format!(
            "suggestions: at most six with a card among them, got {options:?}"
        ));
    }
    Ok(())
}

async fn check_widget(client: &Client, server: u16, origin: &str) -> Result<(), String> {
    client
        .goto(&format!("{origin}/host.html"))
        .await
        .map_err(cmd_err("the embedding page"))?;
    arm(client, "the embedding page").await?;
    let input = wait_css(client, ".posfaq-w-input").await?;
    input
        .send_keys(QUERY)
        .await
        .map_err(cmd_err("typing into the widget"))?;
    wait_css(client, &format!(r#".posfaq-w-fix[data-id="{FIX_ID}"]"#)).await?;
    wait_css(client, ".posfaq-w-hit[data-id]").await?;
    let errors = js(client, "return window.__posfaqErrors;", vec![]).await?;
    if errors != json!([]) {
        return Err(format!("errors on the embedding page: {errors}"));
    }
    // Back on the server's own page, the report counts the widget's searches.
    search_for(client, server, QUERY).await?;
    let report = report(client).await?;
    let widget = report["totals"]["by_client"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["client"] == "widget" && c["queries"].as_i64() > Some(0));
    if !widget {
        return Err(format!(
            "no search recorded from the widget: {}",
            report["totals"]
        ));
    }
    Ok(())
}

/// An off-topic query says "没有找到可靠答案" with the contact route and
/// lists no hits; a corrected query says what was searched (the search
/// response's `weak` and `corrected`).
#[test]
fn weak_and_corrected_searches_say_so() {
    if !browser_available("weak_and_corrected_searches_say_so") {
        return;
    }
    let harness = Harness::start_with(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        &["--contact".into(), CONTACT.into()],
    );
    let server = harness.server.port;
    harness.run(async |client: &Client| {
        search_for(client, server, "今天天气怎么样").await?;
        wait_css(client, "#no-results:not([hidden])").await?;
        expect_text(client, "#no-results", "没有找到可靠答案").await?;
        expect_text(client, "#no-results", CONTACT).await?;
        let hits = js(client, "return document.querySelectorAll('#hits .hit').length;", vec![]).await?;
        if hits != json!(0) {
            return Err(format!("an off-topic query lists {hits} hits"));
        }
        search_for(client, server, "拉卡啦").await?;
        let corrected = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch('api/search?q=' + encodeURIComponent(arguments[0])).then((r) => r.json()).then((d) => done(d.corrected));",
                vec![json!("拉卡啦")],
            )
            .await
            .map_err(cmd_err("the search response"))?;
        let Some(corrected) = corrected.as_str() else {
            return Err(format!("the engine did not correct 拉卡啦: corrected is {corrected}"));
        };
        wait_css(client, "#corrected:not([hidden])").await?;
        expect_text(client, "#corrected", &format!("显示‘{corrected}’的结果")).await
    });
}
