//! How the server runs: the settings `posfaq serve` reads from its flags
//! and environment, with their defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::follow;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub index: PathBuf,
    pub addr: SocketAddr,
    /// Enables `POST /api/admin/reload` when set; without it the route
    /// refuses every request (401).
    pub admin_token: Option<String>,
    /// Origins allowed to call the API from other sites (`*` for any);
    /// empty means same-origin only.
    pub cors_origins: Vec<String>,
    pub request_timeout: Duration,
    /// Requests handled at once; more wait their turn.
    pub max_concurrency: usize,
    /// Searches whose results are kept for when they are asked again (0:
    /// none). The cache belongs to the live index and goes with it.
    pub cache_entries: usize,
    /// Fetch the releases of a store into `index`, serving each in turn.
    pub follow: Option<follow::Follow>,
    /// Record searches, answers and feedback in the analytics database
    /// beside the index (see [`crate::analytics`]).
    pub analytics: bool,
    /// Days the analytics keep what they record.
    pub analytics_retention_days: u32,
    /// Where the page sends people when nothing reliable was found.
    pub contact: Option<String>,
    /// Host names (or `host:port`) the MCP endpoint answers to: a
    /// request naming another host is refused (DNS rebinding). Loopback
    /// names are always allowed.
    pub mcp_allowed_hosts: Vec<String>,
}

impl Config {
    /// Defaults for an index directory and an address.
    pub fn new(index: PathBuf, addr: SocketAddr) -> Config {
        Config {
            index,
            addr,
            admin_token: None,
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(10),
            max_concurrency: 256,
            cache_entries: 4096,
            follow: None,
            analytics: true,
            analytics_retention_days: crate::analytics::DEFAULT_RETENTION_DAYS,
            contact: None,
            mcp_allowed_hosts: Vec::new(),
        }
    }
}

pub(super) fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET])
            .expose_headers([super::analytics::QUERY_ID]),
    )
}
