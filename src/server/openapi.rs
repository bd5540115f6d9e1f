//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! the response types.

use std::sync::OnceLock;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{analytics, handlers, web};

#[derive(OpenApi)]
#[openapi(
    info(title = "posfaq", description = "Search, answers and fixes for a Chinese POS-terminal FAQ knowledge base."),
    paths(
        handlers::search,
        handlers::answer,
        handlers::suggest,
        handlers::facets,
        handlers::fixes,
        handlers::fix,
        handlers::article,
        handlers::healthz,
        handlers::readyz,
        handlers::metrics,
        handlers::reload,
        handlers::openapi,
        analytics::feedback,
        analytics::report,
        web::index,
        web::widget_js,
        web::config,
    ),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as JSON, built once.
pub fn document() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default())
        .clone()
}
