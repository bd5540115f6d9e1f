//! Analytics over HTTP: recording every search and answer served,
//! `POST /api/feedback` for clicks and votes, and the report at `GET
//! /api/admin/analytics`.
//!
//! The search and answer handlers put the [`Outcome`] of what they served
//! into the response's extensions; the response cache keeps it with the
//! bytes and puts it back on a hit. [`record`], a middleware outside the
//! cache, takes it out, names the query with a new id (the
//! `Posfaq-Query-Id` response header, which feedback quotes), and queues it
//! with the client (the `client` parameter: `page`, `widget`, or `api` when
//! absent) and the milliseconds the request took, cache hits included.
//! Nothing of the request itself (address, headers, token) is recorded.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::params::Params;
use crate::analytics::{self, Client, Feedback, Outcome, QueryEvent, Report, Since, Target};

/// The response header naming a recorded query.
pub const QUERY_ID: HeaderName = HeaderName::from_static("posfaq-query-id");

/// The `client` parameter, `api` when absent; a 400 when it names no
/// client (given empty, as in `client=`, it names none).
pub(crate) fn client(params: &Params) -> Result<Client, ApiError> {
    params.given("client").map_or(Ok(Client::Api), |c| {
        c.parse().map_err(ApiError::bad_request)
    })
}

/// The client a query string names, without decoding it: the handler has
/// checked it already (a response with an outcome had a valid one), and
/// its values need no decoding.
fn client_in(query: Option<&str>) -> Client {
    query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("client="))
        .and_then(|value| value.parse().ok())
        .unwrap_or(Client::Api)
}

/// `response` carrying the outcome of what it serves, for [`record`].
pub(crate) fn with_outcome(mut response: Response, outcome: Option<Outcome>) -> Response {
    if let Some(outcome) = outcome {
        response.extensions_mut().insert(Arc::new(outcome));
    }
    response
}

/// Middleware: records the outcome a response carries, and names it in
/// the `Posfaq-Query-Id` header.
pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(analytics) = state.analytics() else {
        return next.run(request).await;
    };
    let client = client_in(request.uri().query());
    let started = Instant::now();
    let mut response = next.run(request).await;
    let Some(outcome) = response.extensions_mut().remove::<Arc<Outcome>>() else {
        return response;
    };
    let id = analytics::new_query_id();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(QUERY_ID, value);
    }
    analytics.record(QueryEvent {
        id,
        at_ms: analytics::now_ms(),
        client,
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        outcome,
    });
    response
}

/// What feedback is about.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FeedbackKind {
    /// An article: a result, or a source of a fix card.
    Article,
    /// A fix card.
    Fix,
}

/// A click on a result, or a vote on a fix card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// The `Posfaq-Query-Id` header of the search or answer it is about.
    #[schema(pattern = "^[0-9a-f]{16}$")]
    pub query_id: String,
    pub kind: FeedbackKind,
    /// The article's or card's id.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,128}$")]
    pub id: String,
    /// The visitor opened it.
    #[serde(default)]
    pub clicked: bool,
    /// "有帮助" (true) or "没帮助" (false); left out for a click.
    pub helpful: Option<bool>,
    /// Its position in the results, 1 for the first. A JSON number that is
    /// a whole number (`3` or `3.0`, as JSON Schema's integers are).
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub position: Option<f64>,
}

/// Records a click on a result or a vote on a fix card, for the report.
#[utoipa::path(post, path = "/api/feedback", tag = "analytics",
    request_body = FeedbackRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, description = "Not valid JSON, or a field out of range", body = ErrorBody),
        (status = 404, description = "Analytics is off on this server", body = ErrorBody),
        (status = 413, description = "Body over 16 KiB", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "A field missing or of the wrong type", body = ErrorBody),
    ))]
pub async fn feedback(
    State(state): State<AppState>,
    body: Result<Json<FeedbackRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let analytics = state.analytics().ok_or_else(off)?;
    let Json(request) = body.map_err(|rejection| ApiError {
        status: rejection.status(),
        message: rejection.body_text(),
    })?;
    if !analytics::is_query_id(&request.query_id) {
        return Err(ApiError::bad_request(
            "`query_id` must be the 16 hex digits of a Posfaq-Query-Id header",
        ));
    }
    if !super::handlers::is_id(&request.id) {
        return Err(ApiError::bad_request(
            "`id` must be 1 to 128 letters, digits, `-` or `_`",
        ));
    }
    let position = match request.position {
        Some(p) if p.fract() == 0.0 && (1.0..=1000.0).contains(&p) => Some(p as u32),
        Some(_) => {
            return Err(ApiError::bad_request(
                "`position` must be a whole number from 1 to 1000",
            ));
        }
        None => None,
    };
    analytics.feedback(Feedback {
        query_id: request.query_id,
        at_ms: analytics::now_ms(),
        target: match request.kind {
            FeedbackKind::Article => Target::Article(request.id),
            FeedbackKind::Fix => Target::Fix(request.id),
        },
        clicked: request.clicked,
        helpful: request.helpful,
        position,
    });
    Ok(StatusCode::NO_CONTENT)
}

/// The analytics report (as `posfaq report --json` prints it), with
/// everything served until now.
#[utoipa::path(get, path = "/api/admin/analytics", tag = "analytics",
    security(("bearer" = [])),
    params(
        ("since" = Option<String>, Query, description = "The window: days, hours or minutes (`7d`, `24h`, `30m`) or `all` (default 7d)", pattern = "^(all|[1-9][0-9]{0,4}[dhm])$"),
        ("limit" = Option<usize>, Query, description = "Entries per list, 1 to 100 (default 20)", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 401, description = "Missing or wrong token; always, when no admin token is configured", body = ErrorBody),
        (status = 404, description = "Analytics is off on this server", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Json<Report>, ApiError> {
    super::handlers::require_admin(&state, &headers)?;
    let analytics = state.analytics().ok_or_else(off)?;
    let params = Params::parse(uri.query(), &["since", "limit"])?;
    let since: Since = params
        .given("since")
        .map_or(Ok(Since::default()), str::parse)
        .map_err(ApiError::bad_request)?;
    let limit = params.number("limit", 20, 1..=100)?;
    let engine = state.engine().ok();
    let index = state.index_dir().to_path_buf();
    tokio::task::spawn_blocking(move || {
        if !analytics.flush() {
            tracing::warn!("analytics writer did not flush in time; the report may lag");
        }
        let connection = analytics::open_for_report(&index).map_err(ApiError::internal)?;
        analytics::report::build(&connection, &since, limit, engine.as_deref())
            .map(Json)
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

fn off() -> ApiError {
    ApiError::not_found("analytics is off on this server (`--analytics off`)")
}
