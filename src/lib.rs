//! posfaq: a Chinese search engine for a POS-terminal FAQ knowledge base.
//!
//! Data flow, one module per step:
//!
//! ```text
//! corpus/ (Markdown + YAML front matter)
//!   └─ corpus::load_dir ──> Corpus { articles, fixes }
//!        └─ index::build (through analysis::Analyzer) ──> index/ (tantivy, atomic swap)
//!             └─ index::SearchIndex::open (checks the analyzer fingerprint)
//!                  └─ search::Engine::{search, answer} ──> SearchResponse / AnswerResponse
//!                       ├─ cli (text or JSON)
//!                       ├─ mcp (MCP tools for chatbots, over stdio or /mcp)
//!                       └─ server (axum JSON API + the page in web/)
//!                            └─ analytics (what was served, clicked, voted) ──> analytics.sqlite
//!
//! index/ ──release::publish──> a store (folder, S3, GCS, Azure): releases + LATEST
//!        <──release::fetch (server::follow, on every replica)──
//! ```
//!
//! The same [`analysis::Analyzer`] normalizes and segments text at index and
//! query time, so a query matches exactly what was indexed.

pub mod analysis;
pub mod analytics;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod index;
pub mod mcp;
pub mod release;
pub mod search;
pub mod server;

pub use error::{Error, Result};
