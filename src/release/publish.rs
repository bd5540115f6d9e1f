//! Publishing: the live generation of an index folder becomes a release in
//! a store, and then, last, the release `LATEST` names.
//!
//! The order is what makes a failed publish harmless: the files first,
//! then the manifest (a release exists only once its manifest does), then
//! `LATEST`. A publish that stops anywhere before the last write leaves
//! `LATEST` on the previous release, and replicas never see the new one;
//! publishing the same generation again finishes the job.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{FileEntry, MANIFEST_VERSION, Manifest, Store, hash_file};
use crate::analysis::Analyzer;
use crate::index::SearchIndex;
use crate::index::generations::is_generation_name;
use crate::{Error, Result};

/// What a publish did.
#[derive(Debug, Clone)]
pub struct Published {
    pub manifest: Manifest,
    /// False when the store held the release already (a publish run again)
    /// and only `LATEST` was written.
    pub uploaded: bool,
}

/// Publishes the live generation of `index_dir` to `store` and points
/// `LATEST` at it.
pub async fn publish(index_dir: &Path, store: &Store) -> Result<Published> {
    let dir = index_dir.to_path_buf();
    let (manifest, generation) = tokio::task::spawn_blocking(move || describe(&dir))
        .await
        .map_err(|e| Error::io(index_dir, std::io::Error::other(e)))??;
    let release = manifest.generation.clone();
    let uploaded = match store.read(&store.manifest_path(&release)).await? {
        Some(bytes) => {
            let there = Manifest::parse(&release, &bytes).map_err(|reason| Error::Store {
                url: store.url().to_string(),
                message: format!("release {release} is there already but unreadable: {reason}"),
            })?;
            if there.files != manifest.files {
                return Err(Error::Store {
                    url: store.url().to_string(),
                    message: format!(
                        "release {release} is there already with other files; a release is never changed, build a new generation"
                    ),
                });
            }
            false
        }
        None => {
            for file in &manifest.files {
                store
                    .upload(
                        &store.file_path(&release, &file.name),
                        &generation.join(&file.name),
                    )
                    .await?;
            }
            let json = serde_json::to_vec_pretty(&manifest)
                .map_err(|e| Error::io(&generation, e.into()))?;
            store.write(&store.manifest_path(&release), json).await?;
            true
        }
    };
    store
        .write(&store.latest_path(), format!("{release}\n").into_bytes())
        .await?;
    Ok(Published { manifest, uploaded })
}

/// Points `LATEST` back at `release`, a release already in the store: how
/// every replica is rolled back at once.
pub async fn rollback(store: &Store, release: &str) -> Result<Manifest> {
    let refused = |reason: String| Error::RefusedRelease {
        release: release.to_string(),
        reason,
    };
    if !is_generation_name(release) {
        return Err(refused("a release id is gen- and digits".into()));
    }
    let bytes = store
        .read(&store.manifest_path(release))
        .await?
        .ok_or_else(|| refused(format!("no such release in {}", store.url())))?;
    let manifest = Manifest::parse(release, &bytes).map_err(refused)?;
    store
        .write(&store.latest_path(), format!("{release}\n").into_bytes())
        .await?;
    Ok(manifest)
}

/// The manifest of the live generation of `index_dir`, which must open
/// with this binary's analyzer, and that generation's folder.
fn describe(index_dir: &Path) -> Result<(Manifest, PathBuf)> {
    let analyzer = Analyzer::shared();
    let index = SearchIndex::open(index_dir, analyzer.clone())?;
    let mut names: Vec<String> = std::fs::read_dir(&index.generation)
        .map_err(|e| Error::io(&index.generation, e))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let path = index.generation.join(&name);
        let (bytes, sha256) = hash_file(&path).map_err(|e| Error::io(&path, e))?;
        files.push(FileEntry {
            name,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        generation: index.generation_name(),
        analyzer: analyzer.fingerprint().to_string(),
        index_format: crate::index::FORMAT,
        corpus_digest: index.meta.corpus_digest.clone(),
        articles: index.meta.articles,
        fixes: index.meta.fixes,
        created_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        files,
    };
    Ok((manifest, index.generation))
}
