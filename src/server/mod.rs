//! `posfaq serve`: the JSON API and the search page over HTTP (axum).
//!
//! [`router`] builds the whole application from an [`AppState`]; `serve`
//! binds it to a socket and the tests drive it with `oneshot`. The live
//! engine sits behind a lock that is held only to clone an `Arc`: a reload
//! (`POST /api/admin/reload` or SIGHUP) opens the new index off to the side
//! and swaps it in at once, while requests in flight finish on the old one.
//! A replica started with `--follow` swaps in the releases of a store the
//! same way ([`follow`]). Every response an engine made names its
//! generation in an `X-Posfaq-Generation` header.

mod analytics;
mod cache;
mod config;
pub mod error;
pub mod follow;
mod handlers;
pub mod json;
mod metrics;
mod openapi;
mod params;
mod served;
mod web;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use tokio_util::sync::CancellationToken;

use rmcp::transport::streamable_http_server::StreamableHttpService;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

use crate::analytics::Analytics;
use crate::mcp;
use crate::search::Engine;
use cache::SearchCache;
use error::ApiError;
use metrics::Metrics;

pub use config::Config;

/// Shared state of all handlers.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// The loaded engine and the searches it has answered (see [`cache`]),
/// swapped together: a search that finishes after a reload fills the old
/// engine's cache, which goes with it.
#[derive(Clone)]
pub(crate) struct Live {
    pub engine: Arc<Engine>,
    pub searches: Option<Arc<SearchCache>>,
}

struct Inner {
    index: PathBuf,
    engine: RwLock<Option<Live>>,
    cache_entries: usize,
    load_error: RwLock<Option<String>>,
    /// SHA-256 of the admin token: compared in constant time.
    admin_token: Option<[u8; 32]>,
    metrics: Metrics,
    reload: tokio::sync::Mutex<()>,
    /// Two permits per core: searches are CPU work, so running many more at once
    /// only adds threads and memory; the rest wait their turn (within the
    /// request timeout).
    workers: Arc<tokio::sync::Semaphore>,
    analytics: Option<Arc<Analytics>>,
    contact: Option<String>,
    /// Cancelled on shutdown: ends the MCP sessions' open streams, which
    /// would otherwise hold the graceful shutdown.
    shutdown: CancellationToken,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl AppState {
    /// Waits for a free worker: hold the permit while the work runs.
    pub(crate) async fn worker(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.inner
            .workers
            .clone()
            .acquire_owned()
            .await
            .expect("the worker semaphore is never closed")
    }

    /// Opens the index of `config`. A missing or broken index is logged
    /// and leaves the state not ready (`/readyz` says why) instead of
    /// failing: a later reload can fix it.
    pub fn new(config: &Config) -> AppState {
        let state = AppState {
            inner: Arc::new(Inner {
                index: config.index.clone(),
                engine: RwLock::new(None),
                cache_entries: config.cache_entries,
                load_error: RwLock::new(None),
                admin_token: config
                    .admin_token
                    .as_deref()
                    .filter(|t| !t.is_empty())
                    .map(digest),
                metrics: Metrics::new(),
                reload: tokio::sync::Mutex::new(()),
                workers: Arc::new(tokio::sync::Semaphore::new(
                    2 * std::thread::available_parallelism().map_or(1, |n| n.get()),
                )),
                analytics: open_analytics(config),
                contact: config.contact.clone().filter(|c| !c.trim().is_empty()),
                shutdown: CancellationToken::new(),
            }),
        };
        match Engine::open(&config.index) {
            Ok(engine) => state.install(Arc::new(engine)),
            // A follower's folder is empty until its first release is in.
            Err(e) if config.follow.is_some() => {
                tracing::info!(index = %config.index.display(), "no local index yet; fetching the latest release");
                state.set_not_ready(e.to_string());
            }
            Err(e) => {
                tracing::error!(index = %config.index.display(), error = %e, "no index loaded; /readyz reports not ready");
                state.set_not_ready(e.to_string());
            }
        }
        state
    }

    /// Says why no engine is loaded yet, for `/readyz`.
    fn set_not_ready(&self, why: String) {
        *self
            .inner
            .load_error
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(why);
    }

    /// Makes an opened engine the live one and counts the reload.
    fn swap_in(&self, engine: Arc<Engine>) {
        self.install(engine.clone());
        self.inner.metrics.reloaded(true);
        tracing::info!(generation = %engine.index().generation.display(), "index reloaded");
    }

    fn install(&self, engine: Arc<Engine>) {
        self.inner.metrics.set_engine(&engine);
        let searches = (self.inner.cache_entries > 0)
            .then(|| Arc::new(SearchCache::new(self.inner.cache_entries)));
        *self.inner.engine.write().unwrap_or_else(|p| p.into_inner()) =
            Some(Live { engine, searches });
        *self
            .inner
            .load_error
            .write()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The live engine, or 503 when none is loaded.
    pub fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        Ok(self.live()?.engine)
    }

    /// The live engine with its cache, or 503 when none is loaded.
    pub(crate) fn live(&self) -> Result<Live, ApiError> {
        if let Some(live) = self
            .inner
            .engine
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(live);
        }
        let why = self
            .inner
            .load_error
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Err(ApiError::unavailable(format!(
            "no index is loaded{}",
            why.map(|w| format!(": {w}")).unwrap_or_default()
        )))
    }

    fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The analytics, when on.
    pub(crate) fn analytics(&self) -> Option<Arc<Analytics>> {
        self.inner.analytics.clone()
    }

    /// The contact route for the page, when configured.
    pub(crate) fn contact(&self) -> Option<&str> {
        self.inner.contact.as_deref()
    }

    /// The index folder served (and the analytics database's).
    pub(crate) fn index_dir(&self) -> &std::path::Path {
        &self.inner.index
    }

    /// Ends what outlives requests: MCP streams, then the analytics writer,
    /// after it has committed what is queued.
    pub fn close(&self) {
        self.inner.shutdown.cancel();
        if let Some(analytics) = &self.inner.analytics {
            analytics.close();
        }
    }

    /// Whether an admin token is configured: without one, reload is off.
    fn reload_enabled(&self) -> bool {
        self.inner.admin_token.is_some()
    }

    /// Whether `presented` is the admin token (false when none is set).
    fn token_matches(&self, presented: &str) -> bool {
        match &self.inner.admin_token {
            Some(expected) => bool::from(expected.ct_eq(&digest(presented))),
            None => false,
        }
    }

    /// Opens the index from disk again and swaps it in. On failure the
    /// live engine stays.
    pub async fn reload(&self) -> Result<Arc<Engine>, ApiError> {
        let _one_at_a_time = self.inner.reload.lock().await;
        let dir = self.inner.index.clone();
        let opened = tokio::task::spawn_blocking(move || Engine::open(&dir))
            .await
            .map_err(ApiError::internal)?;
        match opened {
            Ok(engine) => {
                let engine = Arc::new(engine);
                self.swap_in(engine.clone());
                Ok(engine)
            }
            Err(e) => {
                self.inner.metrics.reloaded(false);
                tracing::error!(error = %e, "reload failed; the previous index stays live");
                Err(ApiError::unavailable(format!(
                    "reload failed, the previous index stays live: {e}"
                )))
            }
        }
    }
}

/// The analytics of `config`, when on; a database that cannot be opened is
/// logged and leaves them off, not the server down.
fn open_analytics(config: &Config) -> Option<Arc<Analytics>> {
    if !config.analytics {
        return None;
    }
    match Analytics::open(&config.index, config.analytics_retention_days) {
        Ok(analytics) => Some(analytics),
        Err(e) => {
            tracing::error!(error = %e, "analytics off: the database could not be opened");
            None
        }
    }
}

/// The whole application: API, page, operations routes and middleware.
///
/// The layers, outermost first: CORS, tracing, metrics, the timeout, the
/// search cache (outside compression, so it keeps final bytes), gzip, the
/// body limit, the concurrency limit, the security headers. Layers of the
/// router run after routing, so each sees the matched route.
pub fn router(state: AppState, config: &Config) -> Router {
    let mut app = Router::new()
        .route("/api/search", get(handlers::search))
        .route("/api/answer", get(handlers::answer))
        .route("/api/suggest", get(handlers::suggest))
        .route("/api/facets", get(handlers::facets))
        .route("/api/fixes", get(handlers::fixes))
        .route("/api/fixes/{id}", get(handlers::fix))
        .route("/api/articles/{id}", get(handlers::article))
        .route("/api/admin/reload", post(handlers::reload))
        .route("/api/feedback", post(analytics::feedback))
        .route("/api/admin/analytics", get(analytics::report))
        .route("/api/config", get(web::config))
        .route("/api/openapi.json", get(handlers::openapi))
        .route("/healthz", get(handlers::healthz))
        .route("/readyz", get(handlers::readyz))
        .route("/metrics", get(handlers::metrics))
        .route("/", get(web::index))
        .route("/index.html", get(web::index))
        .route("/app.js", get(web::app_js))
        .route("/style.css", get(web::style_css))
        .route("/widget.js", get(web::widget_js))
        .route("/embed-example.html", get(web::embed_example))
        .nest_service("/mcp", mcp_service(&state, config))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed);
    for (name, value) in web::security_headers() {
        app = app.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    let app = app.layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                metrics::track,
            ))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                config.request_timeout,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                analytics::record,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                cache::serve,
            ))
            .layer(CompressionLayer::new())
            .layer(RequestBodyLimitLayer::new(16 * 1024))
            .layer(tower::limit::ConcurrencyLimitLayer::new(
                config.max_concurrency,
            )),
    );
    let app = match config::cors(&config.cors_origins) {
        Some(layer) => app.layer(layer),
        None => app,
    };
    app.with_state(state)
}

/// The MCP tools over streamable HTTP, on the live engine (a reload
/// reaches the next call) and the server's analytics.
fn mcp_service(
    state: &AppState,
    config: &Config,
) -> StreamableHttpService<mcp::Posfaq, LocalSessionManager> {
    let source: mcp::EngineSource = {
        let state = state.clone();
        Arc::new(move || state.engine().map_err(|e| e.message))
    };
    let analytics = state.analytics();
    mcp::http_service(
        move || mcp::Posfaq::new(source.clone(), analytics.clone()),
        &config.mcp_allowed_hosts,
        state.inner.shutdown.clone(),
    )
}

/// Serves until SIGINT or SIGTERM, reloading the index on SIGHUP.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let state = tokio::task::spawn_blocking({
        let config = config.clone();
        move || AppState::new(&config)
    })
    .await?;
    let app = router(state.clone(), &config);
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!("serving http://{}", listener.local_addr()?);
    println!("listening on http://{}", listener.local_addr()?);
    if let Some(follow) = &config.follow {
        tokio::spawn(follow::follow(
            state.clone(),
            follow.store.clone(),
            follow.poll,
        ));
    }
    #[cfg(unix)]
    tokio::spawn(reload_on_sighup(state.clone()));
    let shutdown = {
        let state = state.clone();
        async move {
            shutdown_signal().await;
            // MCP streams stay open until told to end.
            state.inner.shutdown.cancel();
        }
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    tokio::task::spawn_blocking(move || state.close()).await?;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(unix)]
async fn reload_on_sighup(state: AppState) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        return;
    };
    while hangups.recv().await.is_some() {
        let _ = state.reload().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
