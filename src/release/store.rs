//! Where releases are kept: a folder (`file:///mnt/kb`) or an object store
//! (`s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix`),
//! one interface for all of them (the `object_store` crate).
//!
//! Inside the URL's prefix:
//!
//! ```text
//! LATEST                          the id of the release to serve, written last
//! releases/gen-<ms>/manifest.json what the release is (see `Manifest`)
//! releases/gen-<ms>/files/<name>  the index generation's files, as built
//! ```
//!
//! Credentials and endpoints come from the environment, as each store's
//! own tools read them: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL` (an S3-compatible server) and
//! `AWS_ALLOW_HTTP=true` (one without TLS); `GOOGLE_SERVICE_ACCOUNT` /
//! `GOOGLE_APPLICATION_CREDENTIALS`; `AZURE_STORAGE_ACCOUNT_NAME`,
//! `AZURE_STORAGE_ACCOUNT_KEY`.

use std::path::Path as LocalPath;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::BoxStream;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    ClientConfigKey, ObjectStore, ObjectStoreExt, ObjectStoreScheme, PutPayload, RetryConfig,
    WriteMultipart,
};
use tokio::io::AsyncReadExt;

use crate::{Error, Result};

/// What the URL schemes a store may have are, for error messages.
const SCHEMES: &str =
    "file:///folder, s3://bucket/prefix, gs://bucket/prefix or az://container/prefix";

/// Parts uploaded at once for one file.
const UPLOAD_CONCURRENCY: usize = 4;

/// HTTP client settings unless the environment sets them (`AWS_TIMEOUT`,
/// `GOOGLE_READ_TIMEOUT`, ...): a request may take as long as a large
/// index file takes to arrive, but one on which nothing arrives for a
/// minute is given up (and retried). The client's own default, 30 s for
/// the whole request, would fail a file of a few hundred MB on a slow link.
const CLIENT_DEFAULTS: [(ClientConfigKey, &str, &str); 2] = [
    (ClientConfigKey::Timeout, "TIMEOUT", "30m"),
    (ClientConfigKey::ReadTimeout, "READ_TIMEOUT", "60s"),
];

/// A cloud store's builder from the environment (variables named
/// `PREFIX_...`), for `url`, with `retry` and [`CLIENT_DEFAULTS`].
macro_rules! cloud {
    ($builder:ty, $client_key:path, $prefix:literal, $url:expr, $retry:expr) => {{
        let mut builder = <$builder>::from_env().with_url($url).with_retry($retry);
        for (key, name, value) in CLIENT_DEFAULTS {
            if std::env::var_os(format!("{}_{name}", $prefix)).is_none() {
                builder = builder.with_config($client_key(key), value);
            }
        }
        builder.build().map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
    }};
}

/// A release store, opened from its URL.
#[derive(Debug, Clone)]
pub struct Store {
    objects: Arc<dyn ObjectStore>,
    root: Path,
    url: String,
}

impl Store {
    /// Opens the store a URL names. Opening sends no request: a store that
    /// is unreachable fails at its first read or write, with [`Error::Store`].
    pub fn open(url: &str) -> Result<Store> {
        let fail = |message: String| Error::Store {
            url: url.to_string(),
            message,
        };
        let parsed =
            url::Url::parse(url).map_err(|e| fail(format!("not a URL ({e}); use {SCHEMES}")))?;
        let (scheme, root) = ObjectStoreScheme::parse(&parsed)
            .map_err(|_| fail(format!("unsupported URL; use {SCHEMES}")))?;
        // Few retries, soon given up: a replica tries again at its next
        // poll, and a publish that cannot reach its store should say so
        // within seconds, not minutes.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(30),
            ..RetryConfig::default()
        };
        let built: object_store::Result<Arc<dyn ObjectStore>> = match scheme {
            ObjectStoreScheme::Local => Ok(Arc::new(LocalFileSystem::new())),
            ObjectStoreScheme::AmazonS3 => {
                cloud!(
                    AmazonS3Builder,
                    AmazonS3ConfigKey::Client,
                    "AWS",
                    url,
                    retry
                )
            }
            ObjectStoreScheme::GoogleCloudStorage => {
                cloud!(
                    GoogleCloudStorageBuilder,
                    GoogleConfigKey::Client,
                    "GOOGLE",
                    url,
                    retry
                )
            }
            ObjectStoreScheme::MicrosoftAzure => {
                cloud!(
                    MicrosoftAzureBuilder,
                    AzureConfigKey::Client,
                    "AZURE",
                    url,
                    retry
                )
            }
            _ => return Err(fail(format!("unsupported URL scheme; use {SCHEMES}"))),
        };
        Ok(Store {
            objects: built.map_err(|e| fail(e.to_string()))?,
            root,
            url: url.to_string(),
        })
    }

    /// The URL the store was opened from.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `LATEST`: the id of the release replicas serve.
    pub fn latest_path(&self) -> Path {
        self.root.clone().join("LATEST")
    }

    /// A release's manifest.
    pub fn manifest_path(&self, release: &str) -> Path {
        self.release_path(release).join("manifest.json")
    }

    /// One file of a release's index generation.
    pub fn file_path(&self, release: &str, name: &str) -> Path {
        self.release_path(release).join("files").join(name)
    }

    fn release_path(&self, release: &str) -> Path {
        self.root.clone().join("releases").join(release)
    }

    /// An object's bytes, or `None` when there is no such object.
    pub async fn read(&self, path: &Path) -> Result<Option<bytes::Bytes>> {
        match self.objects.get(path).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(|e| self.error(e))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Writes a small object whole: readers see the old bytes or the new,
    /// never a part.
    pub async fn write(&self, path: &Path, bytes: Vec<u8>) -> Result<()> {
        self.objects
            .put(path, PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// Uploads a local file in parts; the object appears only once every
    /// part is in (a failed upload is aborted and leaves none).
    pub async fn upload(&self, path: &Path, file: &LocalPath) -> Result<()> {
        let mut local = tokio::fs::File::open(file)
            .await
            .map_err(|e| Error::io(file, e))?;
        let upload = self
            .objects
            .put_multipart(path)
            .await
            .map_err(|e| self.error_at(path, e))?;
        let mut writer = WriteMultipart::new(upload);
        let mut buffer = vec![0; 1 << 20];
        loop {
            let read = match local.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(Error::io(file, e));
                }
            };
            if let Err(e) = writer.wait_for_capacity(UPLOAD_CONCURRENCY).await {
                return Err(self.error_at(path, e));
            }
            writer.write(&buffer[..read]);
        }
        writer
            .finish()
            .await
            .map(drop)
            .map_err(|e| self.error_at(path, e))
    }

    /// An object's bytes as they arrive.
    pub async fn stream(&self, path: &Path) -> Result<BoxStream<'static, Result<bytes::Bytes>>> {
        use futures_util::StreamExt;
        let found = self
            .objects
            .get(path)
            .await
            .map_err(|e| self.error_at(path, e))?;
        let store = self.clone();
        Ok(found
            .into_stream()
            .map(move |chunk| chunk.map_err(|e| store.error(e)))
            .boxed())
    }

    fn error(&self, e: object_store::Error) -> Error {
        Error::Store {
            url: self.url.clone(),
            message: e.to_string(),
        }
    }

    /// An error on the object at `path`, which it names.
    fn error_at(&self, path: &Path, e: object_store::Error) -> Error {
        Error::Store {
            url: self.url.clone(),
            message: format!("{path}: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_it_cannot_use_are_refused_with_the_schemes_it_can() {
        for url in [
            "ftp://example.org/kb",
            "memory:///",
            "http://127.0.0.1/kb",
            "kb",
            "/mnt/kb",
            "file://host/kb",
        ] {
            let e = Store::open(url).unwrap_err().to_string();
            assert!(e.contains("file:///folder"), "{url}: {e}");
        }
    }

    #[tokio::test]
    async fn a_file_uploads_in_parts_and_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}/kb", dir.path().display());
        let store = Store::open(&url).unwrap();
        // More than one part of WriteMultipart's 5 MiB.
        let bytes: Vec<u8> = (0..11 << 20).map(|i: u32| (i % 251) as u8).collect();
        let local = dir.path().join("big");
        std::fs::write(&local, &bytes).unwrap();
        let path = store.file_path("gen-1", "big");
        store.upload(&path, &local).await.unwrap();
        assert_eq!(store.read(&path).await.unwrap().unwrap(), bytes);
        assert!(store.read(&store.latest_path()).await.unwrap().is_none());
    }
}
