//! The search page and the embeddable widget, compiled into the binary
//! from `web/`, with the security headers every response carries.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Content-Security-Policy of the page: no inline script or style, nothing
/// from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Headers set on every response that does not set them itself.
pub fn security_headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ]
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The search page.
#[utoipa::path(get, path = "/", tag = "page",
    responses((status = 200, description = "The search page", content_type = "text/html")))]
pub async fn index() -> Response {
    asset(
        "text/html; charset=utf-8",
        include_str!("../../web/index.html"),
    )
}

pub async fn app_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../web/app.js"),
    )
}

pub async fn style_css() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../web/style.css"),
    )
}

pub async fn embed_example() -> Response {
    asset(
        "text/html; charset=utf-8",
        include_str!("../../web/embed-example.html"),
    )
}

/// The embeddable search box; other sites load it, so it may be fetched
/// cross-origin.
#[utoipa::path(get, path = "/widget.js", tag = "page",
    responses((status = 200, description = "The widget script", content_type = "text/javascript")))]
pub async fn widget_js() -> Response {
    let mut response = asset(
        "text/javascript; charset=utf-8",
        include_str!("../../web/widget.js"),
    );
    response.headers_mut().insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// What the page needs to know of the server's configuration.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PageConfig {
    /// Where to turn when nothing reliable was found (`--contact`), shown
    /// under "没有找到可靠答案"; null when not configured.
    pub contact: Option<String>,
    /// Whether `POST /api/feedback` records clicks and votes (analytics on).
    pub feedback: bool,
}

/// The page's configuration: the contact route, whether feedback is on.
#[utoipa::path(get, path = "/api/config", tag = "page",
    responses((status = 200, description = "The page's configuration", body = PageConfig)))]
pub async fn config(
    axum::extract::State(state): axum::extract::State<super::AppState>,
) -> axum::Json<PageConfig> {
    axum::Json(PageConfig {
        contact: state.contact().map(String::from),
        feedback: state.analytics().is_some(),
    })
}
