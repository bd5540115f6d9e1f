//! Which generation answered: every response an engine made carries
//! `X-Posfaq-Generation` with that engine's generation (`gen-<ms>`, a
//! release's id), taken from the same engine that did the work, so a
//! client, or a test, sees that one request was served by one generation
//! even when a reload or a new release swapped engines meanwhile.

use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::search::Engine;

/// The header that names the generation whose engine made a response.
pub(crate) const GENERATION: HeaderName = HeaderName::from_static("x-posfaq-generation");

/// A response and the generation of the engine that made it.
pub struct Served<T> {
    generation: Option<HeaderValue>,
    response: T,
}

impl<T> Served<T> {
    /// The same generation with `f` of the response.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Served<U> {
        Served {
            generation: self.generation,
            response: f(self.response),
        }
    }

    /// `response`, made by `engine`.
    pub(crate) fn by(engine: &Engine, response: T) -> Served<T> {
        Served {
            generation: generation_header(engine),
            response,
        }
    }
}

/// The [`GENERATION`] header's value for `engine`.
pub(crate) fn generation_header(engine: &Engine) -> Option<HeaderValue> {
    HeaderValue::try_from(engine.index().generation_name()).ok()
}

impl<T: IntoResponse> IntoResponse for Served<T> {
    fn into_response(self) -> Response {
        let mut response = self.response.into_response();
        if let Some(generation) = self.generation {
            response.headers_mut().insert(GENERATION, generation);
        }
        response
    }
}
