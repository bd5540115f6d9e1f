//! The MCP server with a real MCP client: the official Python SDK (`mcp`
//! from PyPI) runs `tests/mcp_client.py` against `posfaq mcp` over stdio
//! and against `/mcp` of `posfaq serve` over streamable HTTP, both on an
//! index of the repository's corpus built by the real binary. The script
//! lists the tools and resources, calls every tool, sends bad arguments and
//! unknown ids (tool errors, and the session goes on) and reads a card;
//! then the analytics must hold every search and answer it made, as
//! client `mcp` (over stdio, committed once the client closed standard
//! input).
//!
//! Without the `mcp` package the tests print `SKIPPED: ...` and pass; with
//! `POSFAQ_REQUIRE_MCP=1` (which `.ci/run` sets after installing it) its
//! absence fails them.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::KillOnDrop;

const CLIENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp_client.py");
const TOKEN: &str = "mcp-test-token";

/// Whether Python's `mcp` package is importable; a visible skip otherwise.
fn client_available(test: &str) -> bool {
    let found = Command::new("python3")
        .args(["-c", "import mcp.client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    assert!(
        std::env::var("POSFAQ_REQUIRE_MCP").as_deref() != Ok("1"),
        "POSFAQ_REQUIRE_MCP=1 and Python's `mcp` package is not importable \
         (`python3 -m pip install mcp`; .ci/run installs it)"
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {test}: Python's `mcp` package not found; .ci/run installs it \
         (set POSFAQ_REQUIRE_MCP=1 to fail instead)"
    );
    false
}

/// Runs the client script; the number of searches and answers it made.
fn run_client(args: &[&str]) -> i64 {
    let out: Output = Command::new("python3")
        .arg(CLIENT)
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("MCP CHECK PASSED"),
        "the MCP client failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("recorded "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the client says how many queries it made")
}

/// Queries recorded from client `mcp` in the analytics beside `index`.
fn recorded_from_mcp(index: &Path) -> i64 {
    let connection = posfaq::analytics::open_for_report(index).unwrap();
    connection
        .query_row(
            "SELECT COUNT(*) FROM queries WHERE client = 'mcp'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn python_sdk_over_stdio() {
    if !client_available("python_sdk_over_stdio") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let index = common::index_with_binary(&common::real_corpus(), dir.path());
    let made = run_client(&[
        "stdio",
        env!("CARGO_BIN_EXE_posfaq"),
        index.to_str().unwrap(),
    ]);
    // The client has exited, and with it `posfaq mcp`, which committed
    // what it recorded when its standard input closed.
    assert_eq!(recorded_from_mcp(&index), made);
}

#[test]
fn python_sdk_over_streamable_http() {
    if !client_available("python_sdk_over_streamable_http") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let index = common::index_with_binary(&common::real_corpus(), dir.path());
    let (child, addr) = common::spawn_server(
        Command::new(env!("CARGO_BIN_EXE_posfaq"))
            .arg("serve")
            .arg("--index")
            .arg(&index)
            .args(["--admin-token", TOKEN])
            .env("RUST_LOG", "warn")
            .env_remove("POSFAQ_ANALYTICS"),
        Duration::from_secs(60),
    );
    let mut server = KillOnDrop(child);
    let made = run_client(&["http", &format!("http://{addr}/mcp")]);
    // SIGTERM: the server ends the MCP sessions, commits and exits.
    assert!(common::terminate(&mut server.0).success());
    assert_eq!(recorded_from_mcp(&index), made);
}
