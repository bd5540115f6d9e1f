//! Prometheus metrics: requests and latency by route and status, documents
//! and index size, the generation served, reloads, releases a replica
//! installed or refused. Rendered as text at `/metrics`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

use super::AppState;
use super::follow::Outcome;
use crate::search::Engine;

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    documents: IntGaugeVec,
    index_bytes: IntGaugeVec,
    reloads: IntCounterVec,
    search_cache: IntCounterVec,
    generation: IntGaugeVec,
    releases: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "posfaq_http_requests_total",
                "HTTP requests by route and status",
            ),
            &["route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "posfaq_http_request_duration_seconds",
                "HTTP request latency by route and status",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route", "status"],
        )
        .expect("valid metric");
        let documents = IntGaugeVec::new(
            Opts::new("posfaq_documents", "Indexed documents by kind"),
            &["kind"],
        )
        .expect("valid metric");
        let index_bytes = IntGaugeVec::new(
            Opts::new("posfaq_index_size_bytes", "Size of the live index on disk"),
            &["generation"],
        )
        .expect("valid metric");
        let reloads = IntCounterVec::new(
            Opts::new("posfaq_index_reloads_total", "Index reloads by result"),
            &["result"],
        )
        .expect("valid metric");
        let search_cache = IntCounterVec::new(
            Opts::new(
                "posfaq_search_cache_total",
                "Searches answered from the cache (hit) or by the engine (miss)",
            ),
            &["result"],
        )
        .expect("valid metric");
        let generation = IntGaugeVec::new(
            Opts::new(
                "posfaq_index_generation",
                "The generation served, by name; the value is its stamp (ms since the epoch)",
            ),
            &["generation"],
        )
        .expect("valid metric");
        let releases = IntCounterVec::new(
            Opts::new(
                "posfaq_releases_total",
                "Releases a replica looked at: installed, refused (corrupt or incompatible) or failed (the store did not answer)",
            ),
            &["result"],
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(documents.clone()),
            Box::new(index_bytes.clone()),
            Box::new(reloads.clone()),
            Box::new(search_cache.clone()),
            Box::new(generation.clone()),
            Box::new(releases.clone()),
        ] {
            registry
                .register(collector)
                .expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            documents,
            index_bytes,
            reloads,
            search_cache,
            generation,
            releases,
        }
    }

    /// Records what the live engine holds.
    pub fn set_engine(&self, engine: &Engine) {
        let meta = engine.meta();
        for (kind, n) in [
            ("articles", meta.articles),
            ("sections", meta.sections),
            ("fixes", meta.fixes),
        ] {
            self.documents.with_label_values(&[kind]).set(n as i64);
        }
        self.index_bytes.reset();
        let generation = engine.index().generation_name();
        self.index_bytes
            .with_label_values(&[&generation])
            .set(engine.index().size_bytes() as i64);
        self.generation.reset();
        self.generation
            .with_label_values(&[&generation])
            .set(engine.meta().built_at_ms as i64);
    }

    /// Counts a release a replica looked at.
    pub fn release(&self, outcome: Outcome) {
        self.releases.with_label_values(&[outcome.label()]).inc();
    }

    /// Counts a reload attempt.
    pub fn reloaded(&self, ok: bool) {
        self.reloads
            .with_label_values(&[if ok { "ok" } else { "error" }])
            .inc();
    }

    /// Counts a search looked up in the cache.
    pub fn search_cache(&self, hit: bool) {
        self.search_cache
            .with_label_values(&[if hit { "hit" } else { "miss" }])
            .inc();
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Middleware: counts and times every request by its route pattern.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let metrics = state.metrics();
    metrics.requests.with_label_values(&[&route, &status]).inc();
    metrics
        .latency
        .with_label_values(&[&route, &status])
        .observe(started.elapsed().as_secs_f64());
    response
}
