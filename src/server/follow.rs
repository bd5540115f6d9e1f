//! `posfaq serve --follow URL`: a replica that serves whatever release the
//! store's `LATEST` names.
//!
//! Every poll it reads `LATEST`; a release other than the one it serves is
//! fetched into the index folder (`release::fetch`, every file checked),
//! opened and warmed beside the live engine, made live in `CURRENT`, and
//! swapped in as a reload swaps (requests in flight finish on the old
//! engine). The generation served before stays on disk, for a rollback
//! without a download; older ones are removed. A corrupt or incompatible
//! release is refused: logged, counted in `posfaq_releases_total{result=
//! "refused"}`, and not tried again while `LATEST` names it; the replica
//! serves what it served. A store that cannot be reached is logged, counted
//! as `failed`, and tried again at the next poll.
//!
//! Started with an empty index folder, a replica is not ready (`/readyz`
//! answers 503) until its first release is in.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::AppState;
use crate::Error;
use crate::index::generations;
use crate::release::{Store, fetch};
use crate::search::{Engine, SearchRequest};

/// Where a replica takes its releases from, and how often it looks.
#[derive(Debug, Clone)]
pub struct Follow {
    pub store: Store,
    pub poll: Duration,
}

/// What one look at the store came to, as `/metrics` counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Installed,
    Refused,
    Failed,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Installed => "installed",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// Follows the store until the process ends.
pub async fn follow(state: AppState, store: Store, poll: Duration) {
    let mut refused: Option<String> = None;
    if state.live().is_err() {
        state.set_not_ready(format!(
            "waiting for the first release from {}",
            store.url()
        ));
    }
    loop {
        look(&state, &store, &mut refused).await;
        tokio::time::sleep(poll).await;
    }
}

/// One look: installs the release `LATEST` names if it is new, refused
/// before, or none is served yet.
async fn look(state: &AppState, store: &Store, refused: &mut Option<String>) {
    let release = match fetch::latest(store).await {
        Ok(Some(release)) => release,
        Ok(None) => {
            tracing::warn!(store = store.url(), "no release published yet (no LATEST)");
            return;
        }
        Err(e) => return failed(state, e),
    };
    let served = state
        .live()
        .ok()
        .map(|l| l.engine.index().generation_name());
    if served.as_deref() == Some(release.as_str()) || refused.as_deref() == Some(&release) {
        return;
    }
    tracing::info!(%release, store = store.url(), "fetching release");
    let installed = match fetch::fetch(store, &state.inner.index, &release).await {
        Ok(generation) => state.install_release(generation).await,
        Err(e) => Err(e),
    };
    match installed {
        Ok(engine) => {
            state.metrics().release(Outcome::Installed);
            tracing::info!(%release, articles = engine.meta().articles, "release installed");
            *refused = None;
        }
        Err(e @ Error::RefusedRelease { .. }) => {
            state.metrics().release(Outcome::Refused);
            tracing::error!(error = %e, served = served.as_deref().unwrap_or("nothing"), "release refused; serving what was served");
            *refused = Some(release);
        }
        Err(e) => failed(state, e),
    }
}

fn failed(state: &AppState, e: Error) {
    state.metrics().release(Outcome::Failed);
    tracing::error!(error = %e, "cannot fetch the latest release; trying again at the next poll");
    if state.live().is_err() {
        state.set_not_ready(format!("waiting for the first release: {e}"));
    }
}

impl AppState {
    /// Opens a fetched generation beside the live engine, warms it, makes
    /// it live in `CURRENT` and swaps it in; keeps the generation served
    /// before it, removes the rest. One that does not open is removed and
    /// refused, and the live engine stays.
    async fn install_release(&self, generation: PathBuf) -> Result<Arc<Engine>, Error> {
        let _one_at_a_time = self.inner.reload.lock().await;
        let dir = self.inner.index.clone();
        let opening = generation.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let engine = Engine::open_generation(&dir, opening)?;
            warm(&engine)?;
            Ok::<_, Error>(engine)
        })
        .await
        .unwrap_or_else(|e| Err(Error::io(&generation, std::io::Error::other(e))));
        let engine = match opened {
            Ok(engine) => Arc::new(engine),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&generation);
                return Err(Error::RefusedRelease {
                    release: generations::name_of(&generation),
                    reason: format!("it does not open: {e}"),
                });
            }
        };
        generations::point_current_at(&self.inner.index, &generation)?;
        let previous = self
            .live()
            .ok()
            .map(|l| l.engine.index().generation.clone());
        let mut keep = vec![generation.as_path()];
        keep.extend(previous.as_deref());
        generations::retain(&self.inner.index, &keep);
        self.swap_in(engine.clone());
        Ok(engine)
    }
}

/// Runs what the first searches would: a search and an answer for a few
/// fix cards' titles, so that the pages they need are read and a broken
/// index fails here, not on a client's request.
fn warm(engine: &Engine) -> crate::Result<()> {
    for card in engine.fixes()?.iter().take(3) {
        engine.search(&SearchRequest::new(card.title.clone(), 10))?;
        engine.answer(&card.title)?;
    }
    Ok(())
}
