//! The tantivy index: schema, atomic build, and opening for search.
//!
//! An index folder holds generations and a pointer to the live one:
//!
//! ```text
//! index/
//!   CURRENT                 name of the live generation, replaced atomically
//!   gen-1763779200123/      tantivy files + posfaq.json (fingerprint, counts)
//!   .build-4242-1763.../    a build in progress (removed on failure)
//! ```
//!
//! `build` writes a new generation beside the live one and only then points
//! `CURRENT` at it (write to a temporary file, fsync, rename; see
//! [`generations`]). A build that fails, runs out of disk or is killed
//! leaves `CURRENT` and the generation it names untouched; the next build
//! clears its leftovers.

pub mod generations;
pub mod schema;
pub mod suggestions;
mod vocabulary;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

pub use generations::live_generation;
pub use schema::Fields;

use crate::analysis::{Analyzer, PosfaqTokenizer, TOKENIZER_NAME};
use crate::corpus::Corpus;
use crate::{Error, Result};

/// What an index records about itself, beside tantivy's files.
pub const META: &str = "posfaq.json";
/// The layout of the documents in an index; a change makes older indexes
/// stale. 2: an article's `body` holds all its text; fix cards have fields
/// of their own; an article's record is a document of its own. 3: documents
/// sorted by the `order` fast field, articles in id order. 4: no title
/// anchors (titles rank by their weight in the score).
pub const FORMAT: u32 = 4;

/// What an index built now records about how it was built: the analyzer's
/// fingerprint and [`FORMAT`]. An index that records anything else is
/// rebuilt, and refused until it is.
pub fn fingerprint(analyzer: &Analyzer) -> String {
    format!("{}-f{FORMAT}", analyzer.fingerprint())
}

/// What an index records about itself, next to tantivy's files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexMeta {
    /// The analyzer and document layout that built the index (see
    /// [`fingerprint`]).
    pub fingerprint: String,
    pub articles: usize,
    pub sections: usize,
    pub fixes: usize,
    /// Milliseconds since the Unix epoch when the build finished.
    pub built_at_ms: u64,
    /// Article counts per category and per brand, for filters.
    pub categories: BTreeMap<String, usize>,
    pub brands: BTreeMap<String, usize>,
    /// The corpus's synonym groups, canonical form first.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// SHA-256 of the corpus the index was built from (see
    /// [`Corpus::digest`]); empty in indexes built before it was recorded.
    #[serde(default)]
    pub corpus_digest: String,
}

/// The outcome of a build.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub meta: IndexMeta,
    pub generation: PathBuf,
    pub seconds: f64,
}

/// Builds an index of `corpus` into `index_dir` and makes it the live one.
/// The corpus is consumed: it is dropped before the index's segments are
/// merged, so the two are never in memory at once.
pub fn build(corpus: Corpus, index_dir: &Path, analyzer: Arc<Analyzer>) -> Result<BuildSummary> {
    let started = Instant::now();
    let stamp = generations::now_ms();
    let temp = generations::stage(index_dir, stamp)?;
    let result = write_generation(corpus, &temp, analyzer, stamp).and_then(|meta| {
        let generation = generations::commit(index_dir, &temp, &format!("gen-{stamp}"))?;
        generations::point_current_at(index_dir, &generation)?;
        let previous = generations::newest_other(index_dir, &generation);
        let mut keep = vec![generation.as_path()];
        keep.extend(previous.as_deref());
        generations::retain(index_dir, &keep);
        Ok(BuildSummary {
            meta,
            generation,
            seconds: started.elapsed().as_secs_f64(),
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    result
}

fn write_generation(
    mut corpus: Corpus,
    dir: &Path,
    analyzer: Arc<Analyzer>,
    stamp: u64,
) -> Result<IndexMeta> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // In id order, so that nothing built from the corpus depends on the
    // order its files were read in.
    corpus.articles.sort_by(|a, b| a.id.cmp(&b.id));
    corpus.fixes.sort_by(|a, b| a.id.cmp(&b.id));
    let (schema, fields) = schema::build_schema();
    let settings = tantivy::IndexSettings {
        sort_by_field: Some(tantivy::IndexSortByField {
            field: schema::ORDER.to_string(),
            order: tantivy::Order::Asc,
        }),
        ..Default::default()
    };
    let index = Index::builder()
        .schema(schema)
        .settings(settings)
        .create_in_dir(dir)?;
    register(&index, analyzer.clone());
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let mut writer: tantivy::IndexWriter<TantivyDocument> =
        index.writer_with_num_threads(threads, 64_000_000 * threads)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let progress = progress_bar(corpus.articles.len() + corpus.fixes.len());
    let mut meta = IndexMeta {
        fingerprint: fingerprint(&analyzer),
        articles: corpus.articles.len(),
        sections: 0,
        fixes: corpus.fixes.len(),
        built_at_ms: stamp,
        categories: BTreeMap::new(),
        brands: BTreeMap::new(),
        synonyms: corpus.synonyms.clone(),
        corpus_digest: corpus.digest(),
    };
    for (rank, article) in corpus.articles.iter().enumerate() {
        for doc in fields.article_docs(article, rank, &analyzer) {
            writer.add_document(doc)?;
        }
        meta.sections += article.sections.len();
        if let Some(category) = article.category {
            *meta.categories.entry(category.to_string()).or_default() += 1;
        }
        for brand in &article.brands {
            *meta.brands.entry(brand.clone()).or_default() += 1;
        }
        progress.inc(1);
    }
    for (rank, card) in corpus.fixes.iter().enumerate() {
        writer.add_document(fields.fix_doc(card, rank))?;
        progress.inc(1);
    }
    // The index sorts by `order` (schema::order): the records in a run of
    // their own at the end, apart from the documents a search reads, so
    // the few pages of the store a hit needs hold that hit and its
    // neighbours, not their full records.
    for (rank, article) in corpus.articles.iter().enumerate() {
        writer.add_document(fields.record_doc(article, rank))?;
    }
    let path = dir.join(suggestions::FILE);
    let json = serde_json::to_vec(&suggestions::collect(&corpus, &analyzer))
        .map_err(|e| Error::io(&path, e.into()))?;
    generations::write_synced(&path, &json)?;
    drop(corpus);
    writer.commit()?;
    // One segment: a search then builds one scorer per term, not one per
    // segment, and block-max pruning sees every document at once.
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;
    progress.finish_and_clear();
    let path = dir.join(META);
    let json = serde_json::to_vec_pretty(&meta).map_err(|e| Error::io(&path, e.into()))?;
    generations::write_synced(&path, &json)?;
    Ok(meta)
}

fn progress_bar(len: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("indexing {bar:40} {pos}/{len} documents ({eta})")
    {
        bar.set_style(style);
    }
    bar
}

/// Registers the analyzer with an index: tantivy does not store custom
/// tokenizers, so this happens on every create and open.
fn register(index: &Index, analyzer: Arc<Analyzer>) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, PosfaqTokenizer::new(analyzer));
}

/// Whether `index_dir` needs a rebuild for `corpus_dir`: no live index, an
/// index from another analyzer, or a corpus file changed after the build.
pub fn is_stale(index_dir: &Path, corpus_dir: &Path, analyzer: &Analyzer) -> bool {
    let Ok(meta) = live_generation(index_dir).and_then(|g| read_meta(index_dir, &g)) else {
        return true;
    };
    meta.fingerprint != fingerprint(analyzer) || newest_mtime_ms(corpus_dir) > meta.built_at_ms
}

fn newest_mtime_ms(dir: &Path) -> u64 {
    let mut newest = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let modified = std::fs::metadata(&dir).and_then(|m| m.modified()).ok();
        newest = newest.max(
            modified
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis() as u64),
        );
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if let Ok(t) = entry.metadata().and_then(|m| m.modified()) {
                newest = newest.max(
                    t.duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis() as u64),
                );
            }
        }
    }
    newest
}

fn read_meta(index_dir: &Path, generation: &Path) -> Result<IndexMeta> {
    let path = generation.join(META);
    let bytes = std::fs::read(&path).map_err(|e| Error::MissingIndex {
        path: index_dir.to_path_buf(),
        reason: format!("cannot read {}: {e}", path.display()),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| Error::MissingIndex {
        path: index_dir.to_path_buf(),
        reason: format!("{} is corrupt: {e}", path.display()),
    })
}

/// An opened index, ready to search.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub meta: IndexMeta,
    pub generation: PathBuf,
    pub analyzer: Arc<Analyzer>,
}

impl SearchIndex {
    /// Opens the live generation of `index_dir`, refusing an index built by
    /// another analyzer.
    pub fn open(index_dir: &Path, analyzer: Arc<Analyzer>) -> Result<SearchIndex> {
        Self::open_generation(index_dir, live_generation(index_dir)?, analyzer)
    }

    /// Opens the generation folder `generation` of `index_dir`, live or not
    /// (a replica opens a release before making it live), refusing an
    /// index built by another analyzer.
    pub fn open_generation(
        index_dir: &Path,
        generation: PathBuf,
        analyzer: Arc<Analyzer>,
    ) -> Result<SearchIndex> {
        let meta = read_meta(index_dir, &generation)?;
        let expected = fingerprint(&analyzer);
        if meta.fingerprint != expected {
            return Err(Error::AnalyzerMismatch {
                path: index_dir.to_path_buf(),
                found: meta.fingerprint,
                expected,
            });
        }
        let index = Index::open_in_dir(&generation).map_err(|e| Error::MissingIndex {
            path: index_dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        register(&index, analyzer.clone());
        let fields = Fields::from_schema(&index.schema()).ok_or_else(|| Error::MissingIndex {
            path: index_dir.to_path_buf(),
            reason: "the index has another schema".to_string(),
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            meta,
            generation,
            analyzer,
        })
    }

    /// The generation's folder name, `gen-<ms>`: the same on every replica
    /// that serves the same release.
    pub fn generation_name(&self) -> String {
        generations::name_of(&self.generation)
    }

    /// Bytes on disk of the live generation.
    pub fn size_bytes(&self) -> u64 {
        std::fs::read_dir(&self.generation)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }
}
