//! The library's error type. Corpus errors carry the file and line they come
//! from, so `posfaq index` can point an editor at the exact place to fix.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in posfaq's library code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A corpus file is malformed; `line` is 1-based.
    #[error("{}:{line}: {message}", path.display())]
    Corpus {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// Two corpus files declare the same id.
    #[error("{}: duplicate id `{id}` (already used by {})", path.display(), first.display())]
    DuplicateId {
        id: String,
        path: PathBuf,
        first: PathBuf,
    },

    /// The index was built by a different analyzer or document layout and
    /// must be rebuilt.
    #[error(
        "the index at {} was built as {found}, this binary builds {expected}: rebuild it with `posfaq index`",
        path.display()
    )]
    AnalyzerMismatch {
        path: PathBuf,
        found: String,
        expected: String,
    },

    /// There is no usable index at the given path.
    #[error("no index at {}: build one with `posfaq index` ({reason})", path.display())]
    MissingIndex { path: PathBuf, reason: String },

    /// A search request is invalid (empty query, limit out of range, ...).
    #[error("{0}")]
    InvalidRequest(String),

    /// A filesystem operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A release store (a folder or an object store) cannot be used or
    /// did not answer.
    #[error("release store {url}: {message}")]
    Store { url: String, message: String },

    /// A release is corrupt or was built by another analyzer or index
    /// format; a replica refuses it and serves what it served.
    #[error("release {release} refused: {reason}")]
    RefusedRelease { release: String, reason: String },
    /// The analytics database could not be opened or written.
    #[error("analytics database {}: {message}", path.display())]
    Analytics { path: PathBuf, message: String },

    /// tantivy reported an error.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl Error {
    /// A corpus error at `path`, line `line` (1-based).
    pub fn corpus(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Corpus {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
