//! `posfaq publish`: the live index as an immutable release in a store.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use posfaq::release::{Store, publish};

/// Publish the live index as a release, then point the store's LATEST at it.
///
/// The generation's files are uploaded first, then its manifest (generation
/// id, analyzer fingerprint, index format, corpus digest, SHA-256 of every
/// file), and LATEST last: a publish that fails leaves LATEST on the
/// previous release. Replicas started with `posfaq serve --follow URL` serve
/// what LATEST names. Credentials and endpoints come from the store's usual
/// environment variables (AWS_*, GOOGLE_*, AZURE_*).
///
/// Examples:
///   posfaq publish --index index --to s3://kb-releases/posfaq
///   posfaq publish --to file:///mnt/kb --rollback gen-1763779200123
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index whose live generation is published.
    #[arg(long, default_value = "index", env = "POSFAQ_INDEX")]
    pub index: PathBuf,
    /// The store: file:///folder, s3://bucket/prefix, gs://bucket/prefix or
    /// az://container/prefix.
    #[arg(long, value_name = "URL", env = "POSFAQ_PUBLISH_TO")]
    pub to: String,
    /// Upload nothing: point LATEST back at this release, already in the
    /// store (rolls every replica back to it).
    #[arg(long, value_name = "RELEASE")]
    pub rollback: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.to)?;
    let runtime = tokio::runtime::Runtime::new()?;
    if let Some(release) = &args.rollback {
        let manifest = runtime.block_on(publish::rollback(&store, release))?;
        eprintln!(
            "LATEST in {} points at {} again ({} articles, published {})",
            store.url(),
            manifest.generation,
            manifest.articles,
            manifest.created_at
        );
        return Ok(ExitCode::SUCCESS);
    }
    let published = runtime
        .block_on(publish::publish(&args.index, &store))
        .with_context(|| format!("publishing {} to {}", args.index.display(), store.url()))?;
    let manifest = &published.manifest;
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    let what = format!(
        "{} files, {bytes} bytes, {} articles",
        manifest.files.len(),
        manifest.articles
    );
    if published.uploaded {
        eprintln!(
            "published {} to {} ({what}); LATEST points at it",
            manifest.generation,
            store.url()
        );
    } else {
        eprintln!(
            "{} was in {} already ({what}); LATEST points at it",
            manifest.generation,
            store.url()
        );
    }
    Ok(ExitCode::SUCCESS)
}
