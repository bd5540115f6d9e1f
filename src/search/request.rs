//! What a search is asked and what it answers: the request with its
//! bounds, the response and its hits, as the CLI and the API see them.
//! The response's JSON, with each snippet as HTML, is the server's
//! (`server::json`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::corpus::Category;
use crate::search::answer::Answer;
use crate::search::snippet::Snippet;
use crate::{Error, Result};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The longest customer message an answer accepts, in characters: a
/// message pasted from a chat is longer than what a search box takes.
pub const MAX_MESSAGE_CHARS: usize = 1000;
/// The most hits one request may ask for.
pub const MAX_LIMIT: usize = 50;
/// The deepest page one request may ask for.
pub const MAX_OFFSET: usize = 1000;
/// Where a search stops counting its matches (see [`SearchResponse::total`]).
/// Above [`MAX_OFFSET`], so every page a client may ask for is counted.
pub const TOTAL_CAP: usize = 1000;

/// A search as the CLI and the API receive it; the server's response
/// cache is keyed by it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub category: Option<Category>,
    pub brand: Option<String>,
}

impl SearchRequest {
    /// A request for the first `limit` hits of `query`.
    pub fn new(query: impl Into<String>, limit: usize) -> Self {
        SearchRequest {
            query: query.into(),
            limit,
            ..SearchRequest::default()
        }
    }

    /// Checks the request's bounds: a non-empty query of at most
    /// [`MAX_QUERY_CHARS`] characters, a limit of 1 to [`MAX_LIMIT`].
    pub fn validate(&self) -> Result<()> {
        validate_query(&self.query)?;
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return Err(Error::InvalidRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        if self.offset > MAX_OFFSET {
            return Err(Error::InvalidRequest(format!(
                "offset must be at most {MAX_OFFSET}"
            )));
        }
        Ok(())
    }
}

/// Checks a query: not empty, not over [`MAX_QUERY_CHARS`] characters.
pub fn validate_query(query: &str) -> Result<()> {
    validate_text(query, MAX_QUERY_CHARS)
}

/// Checks a customer message for an answer: not empty, not over
/// [`MAX_MESSAGE_CHARS`] characters.
pub fn validate_message(message: &str) -> Result<()> {
    validate_text(message, MAX_MESSAGE_CHARS)
}

fn validate_text(query: &str, max_chars: usize) -> Result<()> {
    if query.trim().is_empty() {
        return Err(Error::InvalidRequest("query is empty".into()));
    }
    let chars = query.chars().count();
    if chars > max_chars {
        return Err(Error::InvalidRequest(format!(
            "query is {chars} characters long; the limit is {max_chars}"
        )));
    }
    if query.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(Error::InvalidRequest(
            "query contains control characters".into(),
        ));
    }
    Ok(())
}

/// Search results, for the CLI and the API to show.
#[derive(Debug, Clone)]
pub struct SearchResponse {
    pub query: String,
    /// Articles matching, over all pages: exact up to 1,000; a search
    /// that matches more stops counting there.
    pub total: usize,
    /// Whether `total` is the exact count; false when it stopped at 1,000.
    pub total_exact: bool,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    /// The fix card that answers the query, when one clearly does: a
    /// featured answer above the results.
    pub fix: Option<Answer>,
    /// The query as searched when it was corrected (a typo, pinyin): what
    /// the results are for.
    pub corrected: Option<String>,
    /// No hit is a reliable match: the query is likely off topic, and a
    /// client should say so rather than list the hits as answers.
    pub weak: bool,
}

/// One article in the results, with its best section.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub section: String,
    pub anchor: String,
    pub score: f32,
    /// A window of the section, with the query's words marked.
    pub snippet: Snippet,
    pub category: Option<String>,
    pub brands: Vec<String>,
    pub source: Option<String>,
}

/// Article counts per category or brand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Facet {
    pub name: String,
    pub count: usize,
}
