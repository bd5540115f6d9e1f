//! Fetching: a release from a store into a replica's index folder, as a
//! generation of the same name, checked file by file.
//!
//! Nothing here touches what is served: the files are downloaded into a
//! staging folder (hashed as they arrive, synced to disk) and the folder is
//! renamed to the generation's name only when every file has the size and
//! SHA-256 the manifest lists. `CURRENT` is left alone; the server opens
//! the new generation beside the live one and only then makes it live.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{Manifest, Store, hash_file};
use crate::analysis::Analyzer;
use crate::index::generations::{self, is_generation_name};
use crate::{Error, Result};

/// The release `LATEST` names, or `None` while nothing is published.
pub async fn latest(store: &Store) -> Result<Option<String>> {
    let Some(bytes) = store.read(&store.latest_path()).await? else {
        return Ok(None);
    };
    let id = String::from_utf8_lossy(&bytes).trim().to_string();
    if !is_generation_name(&id) {
        return Err(Error::RefusedRelease {
            release: format!("{id:?}"),
            reason: "LATEST does not name a release (gen- and digits)".into(),
        });
    }
    Ok(Some(id))
}

/// Downloads release `release` into `index_dir` and returns its generation
/// folder, not live. A generation of that name already there (a release
/// served before, kept for rollback) is used as it is if its files match
/// the manifest. A corrupt or incompatible release is
/// [`Error::RefusedRelease`]; a store that fails is [`Error::Store`].
pub async fn fetch(store: &Store, index_dir: &Path, release: &str) -> Result<PathBuf> {
    let refused = |reason: String| Error::RefusedRelease {
        release: release.to_string(),
        reason,
    };
    let bytes = store
        .read(&store.manifest_path(release))
        .await?
        .ok_or_else(|| refused("LATEST names it but it has no manifest".into()))?;
    let manifest = Manifest::parse(release, &bytes).map_err(refused)?;
    manifest.compatible(&Analyzer::shared()).map_err(refused)?;
    let target = index_dir.join(release);
    if target.exists() {
        if matches_on_disk(&target, &manifest).await {
            return Ok(target);
        }
        std::fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
    }
    let staged = generations::stage(index_dir, generations::now_ms())?;
    match download(store, &manifest, &staged).await {
        Ok(()) => generations::commit(index_dir, &staged, release),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staged);
            Err(e)
        }
    }
}

/// Every file of `manifest` into `dir`, each checked as it arrives.
async fn download(store: &Store, manifest: &Manifest, dir: &Path) -> Result<()> {
    let release = &manifest.generation;
    for entry in &manifest.files {
        let path = dir.join(&entry.name);
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| Error::io(&path, e))?;
        let mut chunks = store.stream(&store.file_path(release, &entry.name)).await?;
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            bytes += chunk.len() as u64;
            if bytes > entry.bytes {
                break;
            }
            hasher.update(&chunk);
            file.write_all(&chunk)
                .await
                .map_err(|e| Error::io(&path, e))?;
        }
        let sha256 = format!("{:x}", hasher.finalize());
        let reason = if bytes > entry.bytes {
            Some(format!("is longer than the {} bytes listed", entry.bytes))
        } else if bytes != entry.bytes || sha256 != entry.sha256 {
            Some(format!(
                "has {bytes} bytes with SHA-256 {sha256}, the manifest lists {} bytes with {}",
                entry.bytes, entry.sha256
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::RefusedRelease {
                release: release.clone(),
                reason: format!("file {} is corrupt: it {reason}", entry.name),
            });
        }
        file.sync_all().await.map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// Whether the folder holds exactly the files of `manifest`, each with its
/// SHA-256.
async fn matches_on_disk(dir: &Path, manifest: &Manifest) -> bool {
    let dir = dir.to_path_buf();
    let manifest = manifest.clone();
    tokio::task::spawn_blocking(move || {
        let on_disk = std::fs::read_dir(&dir).map_or(usize::MAX, |entries| entries.count());
        on_disk == manifest.files.len()
            && manifest.files.iter().all(|entry| {
                hash_file(&dir.join(&entry.name))
                    .is_ok_and(|(bytes, sha256)| bytes == entry.bytes && sha256 == entry.sha256)
            })
    })
    .await
    .unwrap_or(false)
}
