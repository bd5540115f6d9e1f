//! The generations of an index folder and the `CURRENT` pointer to the
//! live one.
//!
//! A generation is written into a staging folder (`.build-<pid>-<ms>`),
//! renamed to `gen-<ms>` when complete, and only then made live by
//! replacing `CURRENT` (write to a temporary file, fsync, rename). Both
//! `index::build` and a replica installing a downloaded release
//! (`release::fetch`) go through here, so a folder is never live before
//! it is whole, and what a killed process leaves behind is cleared by the
//! next one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Error, Result};

const CURRENT: &str = "CURRENT";
const STAGING: &str = ".build-";
const GENERATION: &str = "gen-";

/// Whether `name` is a generation's folder name, `gen-` and digits: the
/// only names `CURRENT` and a release may give.
pub fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GENERATION)
        .is_some_and(|stamp| !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit()))
}

/// The name of the generation folder `generation` (`gen-1763779200123`).
pub fn name_of(generation: &Path) -> String {
    generation
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A new, empty staging folder in `index_dir` stamped `stamp`, after
/// clearing what dead processes left behind.
pub fn stage(index_dir: &Path, stamp: u64) -> Result<PathBuf> {
    std::fs::create_dir_all(index_dir).map_err(|e| Error::io(index_dir, e))?;
    remove_stale_staging(index_dir);
    let dir = index_dir.join(format!("{STAGING}{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// Renames a complete staging folder to the generation `name` (which must
/// not exist yet), without making it live.
pub fn commit(index_dir: &Path, staged: &Path, name: &str) -> Result<PathBuf> {
    let generation = index_dir.join(name);
    std::fs::rename(staged, &generation).map_err(|e| Error::io(&generation, e))?;
    if let Ok(dir) = std::fs::File::open(index_dir) {
        let _ = dir.sync_all();
    }
    Ok(generation)
}

/// The live generation of `index_dir`, from `CURRENT`.
pub fn live_generation(index_dir: &Path) -> Result<PathBuf> {
    let current = index_dir.join(CURRENT);
    let name = std::fs::read_to_string(&current).map_err(|e| Error::MissingIndex {
        path: index_dir.to_path_buf(),
        reason: format!("cannot read {}: {e}", current.display()),
    })?;
    let name = name.trim();
    if !is_generation_name(name) {
        return Err(Error::MissingIndex {
            path: index_dir.to_path_buf(),
            reason: format!("{} is corrupt", current.display()),
        });
    }
    Ok(index_dir.join(name))
}

/// Atomically replaces `CURRENT` with the name of `generation`.
pub fn point_current_at(index_dir: &Path, generation: &Path) -> Result<()> {
    let temp = index_dir.join(format!(".{CURRENT}.{}", std::process::id()));
    write_synced(&temp, name_of(generation).as_bytes())?;
    let current = index_dir.join(CURRENT);
    std::fs::rename(&temp, &current).map_err(|e| Error::io(&current, e))?;
    if let Ok(dir) = std::fs::File::open(index_dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Removes every generation but those in `keep`.
pub fn retain(index_dir: &Path, keep: &[&Path]) {
    for generation in list(index_dir, GENERATION) {
        if !keep.iter().any(|k| *k == generation) {
            let _ = std::fs::remove_dir_all(generation);
        }
    }
}

/// The newest generation other than `live`, by stamp: the one a build keeps
/// (a server may still be reading it until it reloads).
pub fn newest_other(index_dir: &Path, live: &Path) -> Option<PathBuf> {
    list(index_dir, GENERATION)
        .into_iter()
        .filter(|g| g != live)
        .max_by_key(|g| stamp_of(g))
}

/// Writes `bytes` to `path` and fsyncs it.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

/// Removes what builds and downloads that died left behind, unless their
/// process lives on.
fn remove_stale_staging(index_dir: &Path) {
    for dir in list(index_dir, STAGING) {
        let name = name_of(&dir);
        let pid = name
            .trim_start_matches(STAGING)
            .split('-')
            .next()
            .unwrap_or_default();
        let alive = pid != std::process::id().to_string() && Path::new("/proc").join(pid).exists();
        if !alive {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

fn list(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect()
}

fn stamp_of(path: &Path) -> u64 {
    name_of(path)
        .trim_start_matches(GENERATION)
        .parse()
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch: a generation's stamp.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_names_are_gen_and_digits_only() {
        for ok in ["gen-1", "gen-1763779200123"] {
            assert!(is_generation_name(ok), "{ok}");
        }
        for bad in [
            "gen-", "gen-12a", "../gen-1", "gen-1/..", "CURRENT", "", "gen-1 ",
        ] {
            assert!(!is_generation_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_staged_folder_is_live_only_once_pointed_at() {
        let dir = tempfile::tempdir().unwrap();
        let staged = stage(dir.path(), 7).unwrap();
        std::fs::write(staged.join("f"), b"x").unwrap();
        assert!(live_generation(dir.path()).is_err());
        let generation = commit(dir.path(), &staged, "gen-7").unwrap();
        assert!(live_generation(dir.path()).is_err());
        point_current_at(dir.path(), &generation).unwrap();
        assert_eq!(live_generation(dir.path()).unwrap(), generation);
        assert!(!staged.exists());
    }

    #[test]
    fn retain_keeps_only_what_it_is_told() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["gen-1", "gen-2", "gen-3"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let live = dir.path().join("gen-1");
        assert_eq!(
            newest_other(dir.path(), &live),
            Some(dir.path().join("gen-3"))
        );
        retain(dir.path(), &[&live, &dir.path().join("gen-2")]);
        assert!(live.exists() && dir.path().join("gen-2").exists());
        assert!(!dir.path().join("gen-3").exists());
    }
}
