//! Route handlers. Search work runs on the blocking pool, off the async
//! runtime; each request takes the engine that is live when it starts and
//! finishes on it even if a reload swaps in another meanwhile, and names
//! that engine's generation in its response (see `served`).

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::analytics::with_outcome;
use super::error::{ApiError, ErrorBody};
use super::json::{ArticleView, SearchResponse};
use super::params::Params;
use super::served::Served;
use crate::analytics::Outcome;
use crate::corpus::{Category, FixCard};
use crate::search::answer::AnswerResponse;
use crate::search::suggest::Suggestion;
use crate::search::{Engine, Facet, SearchRequest};

/// Runs `work` with the live engine on the blocking pool, once a worker
/// is free.
async fn with_engine<T, F>(state: &AppState, work: F) -> Result<Served<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
{
    let engine = state.engine()?;
    let worker = state.worker().await;
    tokio::task::spawn_blocking(move || {
        let _worker = worker;
        Ok(Served::by(&engine, work(&engine)?))
    })
    .await
    .map_err(ApiError::internal)?
}

/// The id in the path. Ids are URL-safe by construction, so one that is
/// not (or does not even decode) cannot exist: a JSON 404 either way.
fn checked_id(path: Result<Path<String>, PathRejection>, what: &str) -> Result<String, ApiError> {
    let not_found = || ApiError::not_found(format!("no {what} with that id"));
    let Ok(Path(id)) = path else {
        return Err(not_found());
    };
    if is_id(&id) { Ok(id) } else { Err(not_found()) }
}

/// Whether `id` has the form of an article or card id: 1 to 128 letters,
/// digits, `-` or `_`.
pub(crate) fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Ranked articles, one per article, with the featured fix.
#[utoipa::path(get, path = "/api/search", tag = "search",
    params(
        ("q" = String, Query, description = "The query: words, \"exact phrases\", -excluded words (1 to 200 characters, not blank, no control characters)", min_length = 1, max_length = 200, pattern = r"^(?=[\s\S]*\S)[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$"),
        ("limit" = Option<usize>, Query, description = "Hits per page, 1 to 50 (default 10)", minimum = 1, maximum = 50),
        ("offset" = Option<usize>, Query, description = "Hits to skip, 0 to 1000 (default 0)", minimum = 0, maximum = 1000),
        ("category" = Option<Category>, Query, description = "Only this category"),
        ("brand" = Option<String>, Query, description = "Only this brand"),
        ("client" = Option<String>, Query, description = "Who asks, for the analytics: `page`, `widget` or `api` (the default)", pattern = "^(page|widget|api)$"),
    ),
    responses(
        (status = 200, description = "Results. A repeated search may be answered from the response cache, with the `took_ms` of the search that filled it", body = SearchResponse,
            headers(
                ("Server-Timing" = String, description = "With the cache on: `cache;desc=\"hit\";dur=MS` for an answer from the cache, `cache;desc=\"miss\";dur=MS` for one the engine made"),
                ("X-Posfaq-Generation" = String, description = "The index generation (`gen-<ms>`, a release's id) whose engine made these results, the same for a cached answer"),
                ("Posfaq-Query-Id" = String, description = "With analytics on: the id this search is recorded under, for `POST /api/feedback`"),
            )),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 503, description = "No index loaded", body = ErrorBody),
    ))]
pub async fn search(State(state): State<AppState>, uri: Uri) -> Result<Served<Response>, ApiError> {
    let request = search_request(uri.query())?;
    let record = state.analytics().is_some();
    let served = with_engine(&state, move |engine| {
        let response = engine.search(&request)?;
        let outcome = record.then(|| Outcome::search(&request, &response));
        let json =
            serde_json::to_vec(&SearchResponse::from(response)).map_err(ApiError::internal)?;
        Ok((json, outcome))
    })
    .await?;
    Ok(served.map(|(json, outcome)| with_outcome(json_body(json), outcome)))
}

/// The search a query string asks for, checked; the response cache keys
/// its entries by it too.
pub(crate) fn search_request(query: Option<&str>) -> Result<SearchRequest, ApiError> {
    let params = Params::parse(
        query,
        &["q", "limit", "offset", "category", "brand", "client"],
    )?;
    super::analytics::client(&params)?;
    let request = SearchRequest {
        query: params.query()?,
        limit: params.number("limit", 10, 1..=crate::search::MAX_LIMIT)?,
        offset: params.number("offset", 0, 0..=crate::search::MAX_OFFSET)?,
        category: params.category()?,
        brand: params.get("brand").map(String::from),
    };
    request.validate()?;
    Ok(request)
}

/// A response of JSON serialized already.
fn json_body(body: impl IntoResponse) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The one best answer, with a confidence, or `"answer": null`.
#[utoipa::path(get, path = "/api/answer", tag = "search",
    params(
        ("q" = String, Query, description = "A symptom, a terminal code or a customer's message (1 to 1,000 characters, not blank, no control characters)", min_length = 1, max_length = 1000, pattern = r"^(?=[\s\S]*\S)[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$"),
        ("client" = Option<String>, Query, description = "Who asks, for the analytics: `page`, `widget` or `api` (the default)", pattern = "^(page|widget|api)$"),
    ),
    responses(
        (status = 200, description = "The answer, or null", body = AnswerResponse,
            headers(("Posfaq-Query-Id" = String, description = "With analytics on: the id this answer is recorded under, for `POST /api/feedback`"))),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 503, description = "No index loaded", body = ErrorBody),
    ))]
pub async fn answer(State(state): State<AppState>, uri: Uri) -> Result<Served<Response>, ApiError> {
    let params = Params::parse(uri.query(), &["q", "client"])?;
    let query = params.query()?;
    crate::search::validate_message(&query)?;
    super::analytics::client(&params)?;
    let record = state.analytics().is_some();
    let served = with_engine(&state, move |engine| {
        let answer = engine.answer(&query)?;
        let outcome = record.then(|| Outcome::answer(&answer));
        Ok((answer, outcome))
    })
    .await?;
    Ok(served.map(|(answer, outcome)| with_outcome(Json(answer).into_response(), outcome)))
}

/// Completions for search-as-you-type.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
}

/// Completions of a prefix: titles, symptoms, terms; pinyin and initials too.
#[utoipa::path(get, path = "/api/suggest", tag = "search",
    params(
        ("q" = String, Query, description = "What has been typed so far (1 to 200 characters, not blank, no control characters)", min_length = 1, max_length = 200, pattern = r"^(?=[\s\S]*\S)[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$"),
        ("limit" = Option<usize>, Query, description = "At most this many, 1 to 8 (default 8)", minimum = 1, maximum = 8),
    ),
    responses(
        (status = 200, description = "Completions", body = SuggestResponse),
        (status = 400, description = "Bad parameters", body = ErrorBody),
    ))]
pub async fn suggest(
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Served<Json<SuggestResponse>>, ApiError> {
    let params = Params::parse(uri.query(), &["q", "limit"])?;
    let query = params.query()?;
    crate::search::validate_query(&query)?;
    let limit = params.number("limit", 8, 1..=crate::search::suggest::MAX_SUGGESTIONS)?;
    with_engine(&state, move |engine| {
        Ok(Json(SuggestResponse {
            suggestions: engine.suggest(&query, limit),
            query,
        }))
    })
    .await
}

/// Counts for the filters.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsResponse {
    pub categories: Vec<Facet>,
    pub brands: Vec<Facet>,
}

/// Article counts by category and brand.
#[utoipa::path(get, path = "/api/facets", tag = "browse",
    responses((status = 200, description = "Counts", body = FacetsResponse)))]
pub async fn facets(
    State(state): State<AppState>,
) -> Result<Served<Json<FacetsResponse>>, ApiError> {
    let engine = state.engine()?;
    let (categories, brands) = engine.facets();
    Ok(Served::by(
        &engine,
        Json(FacetsResponse { categories, brands }),
    ))
}

/// A fix card in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct FixSummary {
    pub id: String,
    pub title: String,
    pub codes: Vec<String>,
    pub category: Option<Category>,
}

/// Every fix card.
#[derive(Debug, Serialize, ToSchema)]
pub struct FixList {
    pub fixes: Vec<FixSummary>,
}

/// Every fix card, by id.
#[utoipa::path(get, path = "/api/fixes", tag = "browse",
    responses((status = 200, description = "The cards", body = FixList)))]
pub async fn fixes(State(state): State<AppState>) -> Result<Served<Json<FixList>>, ApiError> {
    with_engine(&state, |engine| {
        let fixes = engine
            .fixes()?
            .into_iter()
            .map(|c| FixSummary {
                id: c.id,
                title: c.title,
                codes: c.codes,
                category: c.category,
            })
            .collect();
        Ok(Json(FixList { fixes }))
    })
    .await
}

/// One fix card.
#[utoipa::path(get, path = "/api/fixes/{id}", tag = "browse",
    params(("id" = String, Path, description = "The card's id")),
    responses(
        (status = 200, description = "The card", body = FixCard),
        (status = 404, description = "No such card", body = ErrorBody),
    ))]
pub async fn fix(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Served<Json<FixCard>>, ApiError> {
    let id = checked_id(path, "fix card")?;
    with_engine(&state, move |engine| {
        engine
            .fix(&id)?
            .map(Json)
            .ok_or_else(|| ApiError::not_found("no fix card with that id"))
    })
    .await
}

/// One article: front matter, sections and sanitized HTML.
#[utoipa::path(get, path = "/api/articles/{id}", tag = "browse",
    params(
        ("id" = String, Path, description = "The article's id"),
        ("q" = Option<String>, Query, description = "The query the reader came with: its words to highlight are in `highlights` (1 to 200 characters, not blank, no control characters)", min_length = 1, max_length = 200, pattern = r"^(?=[\s\S]*\S)[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$"),
    ),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    ))]
pub async fn article(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Result<Served<Json<ArticleView>>, ApiError> {
    let id = checked_id(path, "article")?;
    let params = Params::parse(uri.query(), &["q"])?;
    let query = match params.given("q") {
        Some(q) => {
            crate::search::validate_query(q)?;
            Some(q.to_string())
        }
        None => None,
    };
    with_engine(&state, move |engine| {
        let mut view = engine
            .article(&id)?
            .map(ArticleView::from)
            .ok_or_else(|| ApiError::not_found("no article with that id"))?;
        if let Some(query) = query {
            view.highlights = engine.plan(&query).highlights(engine.analyzer());
        }
        Ok(Json(view))
    })
    .await
}

/// Liveness and readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    /// The generation served (`/readyz` when ready).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        generation: None,
        error: None,
    })
}

/// An index is loaded and searchable, and which generation it is.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "No index loaded", body = Health),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.engine() {
        Ok(engine) => Json(Health {
            status: "ready".into(),
            generation: Some(engine.index().generation_name()),
            error: None,
        })
        .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "not ready".into(),
                generation: None,
                error: Some(e.message),
            }),
        )
            .into_response(),
    }
}

/// Metrics in Prometheus' text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}

/// What a reload swapped in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reloaded {
    pub generation: String,
    pub articles: usize,
    pub fixes: usize,
}

/// Reopens the index from disk and swaps it in; requests in flight finish
/// on the old one.
#[utoipa::path(post, path = "/api/admin/reload", tag = "operations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reloaded", body = Reloaded),
        (status = 401, description = "Missing or wrong token; always, when no admin token is configured (reload is off)", body = ErrorBody),
        (status = 503, description = "The index on disk could not be opened; the old one stays", body = ErrorBody),
    ))]
pub async fn reload(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Reloaded>, ApiError> {
    require_admin(&state, &headers)?;
    let engine = state.reload().await?;
    let meta = engine.meta();
    Ok(Json(Reloaded {
        generation: engine.index().generation_name(),
        articles: meta.articles,
        fixes: meta.fixes,
    }))
}

/// Checks the bearer token of an admin route: a 401 when it is missing or
/// wrong, and always when no admin token is configured (the admin routes
/// are off).
pub(crate) fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !state.reload_enabled() {
        return Err(ApiError::unauthorized_because(
            "admin routes are off: no admin token is configured",
        ));
    }
    if !state.token_matches(presented) {
        return Err(ApiError::unauthorized());
    }
    Ok(())
}

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "This document", content_type = "application/json")))]
pub async fn openapi() -> Response {
    json_body(super::openapi::document())
}

/// Anything else: JSON 404.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

/// A route called with the wrong method: JSON 405.
pub async fn method_not_allowed() -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "method not allowed".into(),
    }
}
