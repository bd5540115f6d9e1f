//! Helpers shared by the integration tests: the fixture corpus and a fresh
//! index of it in a temporary directory.

#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use posfaq::analysis::Analyzer;
use posfaq::search::Engine;

pub mod http;
pub mod releases;

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

/// The address in the line `posfaq serve` prints on stdout once it is
/// listening: `listening on http://127.0.0.1:PORT`.
pub fn listening_addr(line: &str) -> Option<SocketAddr> {
    line.strip_prefix("listening on http://")?
        .trim()
        .parse()
        .ok()
}

/// Starts `command` with its stdout piped and returns once a line of it
/// makes `announce` return `Some`: how a server that bound port 0 reports
/// the port it got (`posfaq serve --addr 127.0.0.1:0` prints `listening on
/// http://ADDR`; chromedriver `--port=0` prints `... started successfully on
/// port N.`). Every stdout line also goes to `log`, if given, and stdout is
/// read to its end, so the child never blocks on it. An error (the child
/// killed) if the child closes its stdout or `within` passes before the line
/// comes.
pub fn spawn_announced<T: Send + 'static>(
    command: &mut Command,
    within: Duration,
    log: Option<File>,
    announce: impl Fn(&str) -> Option<T> + Send + 'static,
) -> Result<(Child, T), String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{command:?} does not start: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, announced) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut log = log;
        let mut sender = Some(sender);
        let mut before = Vec::new();
        let mut line = Vec::new();
        while stdout.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            line.clear();
            if let Some(log) = log.as_mut() {
                // The log is for reading after a failure; losing it is no
                // reason to stop draining the pipe.
                let _ = writeln!(log, "{text}");
            }
            if let Some(waiting) = sender.take() {
                match announce(&text) {
                    Some(value) => {
                        // Fails only when the test has stopped waiting.
                        let _ = waiting.send(Ok(value));
                    }
                    None => {
                        before.push(text);
                        sender = Some(waiting);
                    }
                }
            }
        }
        if let Some(waiting) = sender {
            let _ = waiting.send(Err(before));
        }
    });
    let failed = match announced.recv_timeout(within) {
        Ok(Ok(value)) => return Ok((child, value)),
        Ok(Err(before)) => format!(
            "{command:?} closed its stdout before announcing where it listens; it printed:\n{}",
            before.join("\n")
        ),
        Err(_) => format!("{command:?} did not announce where it listens within {within:?}"),
    };
    let _ = child.kill();
    let status = child.wait();
    Err(format!("{failed}\n(exit: {status:?})"))
}

/// `command` (a `posfaq serve` without `--addr`) on a port the server picks
/// itself, and the address it bound: no other process can take the port
/// between a test choosing it and the server binding it.
pub fn spawn_server(command: &mut Command, within: Duration) -> (Child, SocketAddr) {
    spawn_announced(
        command.args(["--addr", "127.0.0.1:0"]),
        within,
        None,
        listening_addr,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A child process killed (and reaped) when dropped, however the test ends.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // It may have exited already: nothing to kill then.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `command` (the real binary, usually) to its end with `RUST_LOG=warn`;
/// its output, once it is known to have succeeded.
pub fn run_ok(command: &mut Command) -> std::process::Output {
    let out = command
        .env("RUST_LOG", "warn")
        .output()
        .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An index of `corpus` built by the real binary (`posfaq index`) in
/// `dir/index`.
pub fn index_with_binary(corpus: &Path, dir: &Path) -> PathBuf {
    let index = dir.join("index");
    run_ok(
        Command::new(env!("CARGO_BIN_EXE_posfaq"))
            .arg("index")
            .arg("--corpus")
            .arg(corpus)
            .arg("--index")
            .arg(&index),
    );
    index
}

/// Sends `child` SIGTERM and waits for it to exit: how a service manager
/// stops a server.
pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status();
    assert!(
        sent.as_ref().is_ok_and(|s| s.success()),
        "kill -TERM {pid}: {sent:?}"
    );
    child.wait().unwrap()
}
