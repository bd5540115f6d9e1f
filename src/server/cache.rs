//! The response cache of `/api/search`: the search box asks for the same
//! prefixes and popular queries again and again, so a repeated search is
//! answered with the bytes of the first answer.
//!
//! The cache is a middleware outside the compression layer, so what it
//! keeps is the final response: status 200, headers and body, gzipped or
//! not as tower-http chose for that request. The response varies by the
//! request's `Accept-Encoding` (it says `Vary: accept-encoding`), so, as in
//! any HTTP cache, the header as sent is part of the key, next to the
//! parsed search; nothing here reads what it means.
//!
//! A hit serves the stored bytes as they are: the JSON's `took_ms` is that
//! of the search that filled the entry, and a `Server-Timing` header says
//! `cache;desc="hit";dur=…` with the milliseconds the hit took (a miss
//! says `desc="miss"`, with the milliseconds of the search and its
//! compression). The cache belongs to the live engine and is swapped with
//! it (see [`super::Live`]), so a reload never serves results of the old
//! index. An entry keeps the `X-Posfaq-Generation` header it was made
//! with, and only a response made by the cache's own engine is kept (a
//! search that began as a reload swapped engines may have run on the new
//! one), so a hit names the generation its results come from.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::ACCEPT_ENCODING;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::handlers::search_request;
use super::served::{GENERATION, generation_header};
use super::{AppState, Live};
use crate::analytics::Outcome;
use crate::search::{Engine, SearchRequest};

/// The searches the live engine has answered, by request.
pub(crate) type SearchCache = quick_cache::sync::Cache<Key, Arc<Stored>>;

/// The route whose responses are cached.
const ROUTE: &str = "/api/search";

/// A longer `Accept-Encoding` than this is not cached: browsers send a few
/// dozen bytes, and the key should not let a client fill the memory.
const MAX_ACCEPT_ENCODING: usize = 256;

/// What a cached response is looked up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    search: SearchRequest,
    /// Every `Accept-Encoding` value of the request, as sent, joined by
    /// commas.
    accept_encoding: Vec<u8>,
}

/// A search's final response, and its outcome for the analytics (see
/// `super::analytics`): a hit is recorded as the search it repeats.
pub(crate) struct Stored {
    headers: HeaderMap,
    body: Bytes,
    outcome: Option<Arc<Outcome>>,
}

impl Stored {
    /// The stored response again, with a `Server-Timing` header.
    fn response(&self, timing: Option<HeaderValue>) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.headers_mut() = self.headers.clone();
        if let Some(outcome) = &self.outcome {
            response.extensions_mut().insert(outcome.clone());
        }
        with_timing(response, timing)
    }
}

/// Middleware: answers a repeated search from the live engine's cache, and
/// fills the cache with the response of any other that succeeds.
pub(crate) async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some((engine, searches, key)) = lookup(&state, &request) else {
        return next.run(request).await;
    };
    let started = Instant::now();
    let cached = searches.get(&key);
    state.metrics().search_cache(cached.is_some());
    if let Some(stored) = cached {
        return stored.response(timing("hit", started));
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    if response.headers().get(GENERATION) != generation_header(&engine).as_ref() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    searches.insert(
        key,
        Arc::new(Stored {
            headers: parts.headers.clone(),
            body: body.clone(),
            outcome: parts.extensions.get::<Arc<Outcome>>().cloned(),
        }),
    );
    with_timing(
        Response::from_parts(parts, Body::from(body)),
        timing("miss", started),
    )
}

/// The live engine, its cache and the request's key, when the request is
/// a valid search, the cache is on and the key is not too long.
fn lookup(state: &AppState, request: &Request) -> Option<(Arc<Engine>, Arc<SearchCache>, Key)> {
    let route = request.extensions().get::<MatchedPath>()?;
    if request.method() != Method::GET || route.as_str() != ROUTE {
        return None;
    }
    let Live { engine, searches } = state.live().ok()?;
    let searches = searches?;
    let mut accept_encoding = Vec::new();
    for value in request.headers().get_all(ACCEPT_ENCODING) {
        if !accept_encoding.is_empty() {
            accept_encoding.push(b',');
        }
        accept_encoding.extend_from_slice(value.as_bytes());
    }
    if accept_encoding.len() > MAX_ACCEPT_ENCODING {
        return None;
    }
    // A request that does not parse is left to the handler, which says why.
    let search = search_request(request.uri().query()).ok()?;
    Some((
        engine,
        searches,
        Key {
            search,
            accept_encoding,
        },
    ))
}

/// `Server-Timing: cache;desc="hit";dur=0.012`, in milliseconds.
fn timing(what: &str, started: Instant) -> Option<HeaderValue> {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    HeaderValue::try_from(format!("cache;desc=\"{what}\";dur={ms:.3}")).ok()
}

fn with_timing(mut response: Response, timing: Option<HeaderValue>) -> Response {
    if let Some(timing) = timing {
        response
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), timing);
    }
    response
}
