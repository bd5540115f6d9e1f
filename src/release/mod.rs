//! Releases: an index generation published once, immutable, for many
//! replicas to serve.
//!
//! `posfaq publish` ([`publish`]) uploads the live generation of an index
//! folder to a [`Store`] with a [`Manifest`] beside its files, and only
//! then points the store's `LATEST` at it. A replica (`posfaq serve
//! --follow`, through `server::follow`) reads `LATEST`, downloads a release
//! it does not serve into its own index folder as a generation of the same
//! name ([`fetch`]), checking every file against the manifest and the
//! manifest against its own analyzer and index format, and hands it to the
//! server to open beside the live one and swap in.
//!
//! A release is never changed once published: a new build is a new
//! generation, hence a new release. Going back is pointing `LATEST` at an
//! older release again (`posfaq publish --rollback`).

pub mod fetch;
pub mod publish;
pub mod store;

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::Analyzer;
use crate::index;
use crate::index::generations::is_generation_name;
pub use store::Store;

/// The layout of [`Manifest`]; a replica refuses a manifest of another.
pub const MANIFEST_VERSION: u32 = 1;

/// What a release is: written as `manifest.json` beside its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The release's id: the name of the generation it was built as
    /// (`gen-<ms>`), which every replica serving it gives its copy.
    pub generation: String,
    /// The fingerprint of the analyzer that built it
    /// ([`Analyzer::fingerprint`]).
    pub analyzer: String,
    /// The document layout of the index ([`index::FORMAT`]).
    pub index_format: u32,
    /// What the index was built from ([`crate::corpus::Corpus::digest`]).
    pub corpus_digest: String,
    pub articles: usize,
    pub fixes: usize,
    /// When the release was published, RFC 3339 in UTC.
    pub created_at: String,
    /// Every file of the generation, by name.
    pub files: Vec<FileEntry>,
}

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

impl Manifest {
    /// Parses and checks a manifest read as release `release`: its layout,
    /// its id, and names that stay inside a generation's folder.
    pub fn parse(release: &str, bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| format!("manifest.json: {e}"))?;
        manifest.check(release)?;
        Ok(manifest)
    }

    fn check(&self, release: &str) -> Result<(), String> {
        if self.manifest_version != MANIFEST_VERSION {
            return Err(format!(
                "manifest version {}, this binary reads {MANIFEST_VERSION}",
                self.manifest_version
            ));
        }
        if self.generation != release || !is_generation_name(release) {
            return Err(format!(
                "the manifest names generation {:?}, not {release}",
                self.generation
            ));
        }
        let mut names = std::collections::HashSet::new();
        for file in &self.files {
            if !is_file_name(&file.name) {
                return Err(format!("file name {:?} is not allowed", file.name));
            }
            if !names.insert(file.name.as_str()) {
                return Err(format!("file {} is listed twice", file.name));
            }
            let hex = file
                .sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            if file.sha256.len() != 64 || !hex {
                return Err(format!(
                    "file {}: {:?} is not a SHA-256",
                    file.name, file.sha256
                ));
            }
        }
        if !names.contains(index::META) {
            return Err(format!("the release has no {}", index::META));
        }
        Ok(())
    }

    /// Whether this binary can serve the release: the same analyzer and
    /// index format as it builds (the same check as opening an index, made
    /// before anything is downloaded).
    pub fn compatible(&self, analyzer: &Analyzer) -> Result<(), String> {
        if self.analyzer != analyzer.fingerprint() || self.index_format != index::FORMAT {
            return Err(format!(
                "built by analyzer {} with index format {}, this binary has analyzer {} and format {}",
                self.analyzer,
                self.index_format,
                analyzer.fingerprint(),
                index::FORMAT
            ));
        }
        Ok(())
    }
}

/// A name that is one plain file inside a folder: no separator, not `.`
/// or `..`, nothing a path could be made to escape with.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
}

/// The size and SHA-256 (lowercase hex) of a local file.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            manifest_version: MANIFEST_VERSION,
            generation: "gen-5".into(),
            analyzer: Analyzer::shared().fingerprint().to_string(),
            index_format: index::FORMAT,
            corpus_digest: String::new(),
            articles: 1,
            fixes: 0,
            created_at: "2026-12-03T00:00:00Z".into(),
            files: vec![FileEntry {
                name: index::META.into(),
                bytes: 2,
                sha256: "a".repeat(64),
            }],
        }
    }

    fn parsed(m: &Manifest) -> Result<Manifest, String> {
        Manifest::parse("gen-5", &serde_json::to_vec(m).unwrap())
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        assert_eq!(parsed(&manifest()).unwrap(), manifest());
        assert!(manifest().compatible(&Analyzer::shared()).is_ok());
    }

    #[test]
    fn names_that_would_leave_the_generation_folder_are_refused() {
        for name in ["../CURRENT", "a/b", "..", ".", "", "a\\b", "a\0"] {
            let mut m = manifest();
            m.files.push(FileEntry {
                name: name.into(),
                bytes: 0,
                sha256: "b".repeat(64),
            });
            assert!(parsed(&m).unwrap_err().contains("not allowed"), "{name:?}");
        }
        let mut m = manifest();
        m.generation = "../gen-5".into();
        assert!(Manifest::parse("../gen-5", &serde_json::to_vec(&m).unwrap()).is_err());
    }

    #[test]
    fn a_manifest_that_does_not_fit_is_refused() {
        let mut other_id = manifest();
        other_id.generation = "gen-6".into();
        let mut bad_hash = manifest();
        bad_hash.files[0].sha256 = "A".repeat(64);
        let mut no_meta = manifest();
        no_meta.files.clear();
        let mut newer = manifest();
        newer.manifest_version += 1;
        for m in [other_id, bad_hash, no_meta, newer] {
            assert!(parsed(&m).is_err(), "{m:?}");
        }
        assert!(Manifest::parse("gen-5", b"{not json").is_err());
        let mut old_format = manifest();
        old_format.index_format -= 1;
        assert!(old_format.compatible(&Analyzer::shared()).is_err());
        let mut other_analyzer = manifest();
        other_analyzer.analyzer.push('x');
        assert!(other_analyzer.compatible(&Analyzer::shared()).is_err());
    }
}
