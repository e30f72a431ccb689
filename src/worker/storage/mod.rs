//! Object storage: where job inputs come from and where claim-checked results go.
//!
//! [`ObjectStore`] is the backend interface ([`fs::FsStore`] for local runs and tests,
//! [`s3::S3Store`] for S3-compatible servers). [`Storage`] wraps one backend with the rules that
//! must hold whatever the backend: only allowlisted buckets are read, an object over
//! `storage.max_object_bytes` is refused from its metadata before its body is read, and every
//! call is bounded by `storage.timeout_secs`. Errors say whether they are transient (outage,
//! 5xx, throttling, timeout) or permanent (missing object, refused bucket, too large).

mod fs;
pub(crate) mod name;
mod s3;

pub use name::{BucketName, NameError, ObjectKey};

use crate::config::{StorageBackend, StorageSettings};
use crate::worker::disposition::{Classify, ErrorClass};
use async_trait::async_trait;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StorageError {
    #[error("bucket {0:?} is not in storage.allowed_buckets")]
    BucketNotAllowed(String),
    #[error("no object {key:?} in bucket {bucket:?}")]
    NotFound { bucket: String, key: String },
    #[error("no bucket {0:?}")]
    NoSuchBucket(String),
    #[error("object is {size} bytes, over the {limit}-byte storage.max_object_bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Any other client error (4xx) the server will keep giving for this request.
    #[error("storage rejected the request: {0}")]
    Rejected(String),
    /// Connection refused or reset, DNS, 5xx, throttling (429 / SlowDown).
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("storage request timed out after {0:?}")]
    Timeout(Duration),
    /// A local I/O error other than "not found" or "permission denied".
    #[error("storage I/O error: {0}")]
    Io(String),
    /// The backend could not be set up from the settings (start-up only).
    #[error("storage configuration: {0}")]
    Config(String),
}

impl Classify for StorageError {
    fn class(&self) -> ErrorClass {
        match self {
            StorageError::Unavailable(_) | StorageError::Timeout(_) | StorageError::Io(_) => {
                ErrorClass::Transient
            }
            StorageError::BucketNotAllowed(_)
            | StorageError::NotFound { .. }
            | StorageError::NoSuchBucket(_)
            | StorageError::TooLarge { .. }
            | StorageError::AccessDenied(_)
            | StorageError::Rejected(_)
            | StorageError::Config(_) => ErrorClass::Permanent,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            StorageError::BucketNotAllowed(_) => "bucket_not_allowed",
            StorageError::NotFound { .. } => "object_not_found",
            StorageError::NoSuchBucket(_) => "bucket_not_found",
            StorageError::TooLarge { .. } => "too_large",
            StorageError::AccessDenied(_) => "access_denied",
            StorageError::Rejected(_) => "storage_rejected",
            StorageError::Unavailable(_) => "storage_unavailable",
            StorageError::Timeout(_) => "storage_timeout",
            StorageError::Io(_) => "storage_io",
            StorageError::Config(_) => "storage_config",
        }
    }
}

/// A fetched object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub bytes: Vec<u8>,
    pub etag: Option<String>,
    pub version_id: Option<String>,
}

/// What a backend must do. Implementations check `max_bytes` against the object's metadata
/// (a HEAD, a GET's `Content-Length`, `stat`) before reading the body, and still stop reading
/// past it in case the metadata lied.
#[async_trait]
pub trait ObjectStore: Send + Sync + 'static {
    async fn get(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        version_id: Option<&str>,
        max_bytes: u64,
    ) -> Result<Object, StorageError>;

    async fn put(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError>;

    /// Create the bucket if it does not exist (submit, tests, the fs quickstart).
    async fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StorageError>;

    /// `source.uri` of the object in results.
    fn uri(&self, bucket: &BucketName, key: &ObjectKey) -> String;
}

/// A backend plus the rules every read obeys.
#[derive(Clone)]
pub struct Storage {
    backend: Arc<dyn ObjectStore>,
    allowed: BTreeSet<BucketName>,
    max_object_bytes: u64,
    timeout: Duration,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("allowed", &self.allowed)
            .field("max_object_bytes", &self.max_object_bytes)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Storage {
    pub fn new(
        backend: Arc<dyn ObjectStore>,
        allowed: impl IntoIterator<Item = BucketName>,
        max_object_bytes: u64,
        timeout: Duration,
    ) -> Storage {
        Storage {
            backend,
            allowed: allowed.into_iter().collect(),
            max_object_bytes,
            timeout,
        }
    }

    /// Build the configured backend (for `fs`, creating `storage.root` when missing).
    pub async fn from_settings(s: &StorageSettings) -> Result<Storage, StorageError> {
        let backend: Arc<dyn ObjectStore> = match s.backend {
            StorageBackend::Fs => Arc::new(fs::FsStore::new(&s.root)?),
            StorageBackend::S3 => Arc::new(s3::S3Store::from_settings(s).await?),
        };
        let allowed = s
            .allowed()
            .iter()
            .map(|b| BucketName::parse(b).map_err(|e| StorageError::Config(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Storage::new(
            backend,
            allowed,
            s.max_object_bytes,
            s.timeout(),
        ))
    }

    pub fn max_object_bytes(&self) -> u64 {
        self.max_object_bytes
    }

    /// Fetch a job's input: allowlisted bucket, size-checked, time-bounded.
    pub async fn fetch(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        version_id: Option<&str>,
    ) -> Result<Object, StorageError> {
        if !self.allowed.contains(bucket) {
            return Err(StorageError::BucketNotAllowed(bucket.to_string()));
        }
        self.bounded(
            self.backend
                .get(bucket, key, version_id, self.max_object_bytes),
        )
        .await
    }

    /// Write an object (claim-checked results, `submit`). Not subject to the allowlist, which
    /// is about which inputs jobs may name.
    pub async fn put(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError> {
        self.bounded(self.backend.put(bucket, key, body, content_type))
            .await
    }

    pub async fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StorageError> {
        self.bounded(self.backend.ensure_bucket(bucket)).await
    }

    pub fn uri(&self, bucket: &BucketName, key: &ObjectKey) -> String {
        self.backend.uri(bucket, key)
    }

    async fn bounded<T>(
        &self,
        f: impl std::future::Future<Output = Result<T, StorageError>>,
    ) -> Result<T, StorageError> {
        match tokio::time::timeout(self.timeout, f).await {
            Ok(r) => r,
            Err(_) => Err(StorageError::Timeout(self.timeout)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> BucketName {
        BucketName::parse(s).unwrap()
    }
    fn k(s: &str) -> ObjectKey {
        ObjectKey::parse(s).unwrap()
    }

    fn storage(dir: &std::path::Path, max: u64) -> Storage {
        Storage::new(
            Arc::new(fs::FsStore::new(dir).unwrap()),
            [b("reports")],
            max,
            Duration::from_secs(5),
        )
    }

    #[tokio::test]
    async fn bucket_outside_the_allowlist_is_refused_before_any_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/a.txt"), "x").unwrap();
        let e = storage(dir.path(), 100)
            .fetch(&b("secrets"), &k("a.txt"), None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "bucket_not_allowed");
        assert_eq!(e.class(), ErrorClass::Permanent);
    }

    #[tokio::test]
    async fn too_large_object_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let s = storage(dir.path(), 10);
        s.put(&b("reports"), &k("big.txt"), vec![b'a'; 11], "text/plain")
            .await
            .unwrap();
        let e = s
            .fetch(&b("reports"), &k("big.txt"), None)
            .await
            .unwrap_err();
        assert_eq!(
            e,
            StorageError::TooLarge {
                size: 11,
                limit: 10
            }
        );
        assert_eq!(e.code(), "too_large");
    }

    #[test]
    fn classes() {
        assert_eq!(
            StorageError::Unavailable("503".into()).class(),
            ErrorClass::Transient
        );
        assert_eq!(
            StorageError::Timeout(Duration::from_secs(1)).class(),
            ErrorClass::Transient
        );
        assert_eq!(
            StorageError::NotFound {
                bucket: "b".into(),
                key: "k".into()
            }
            .class(),
            ErrorClass::Permanent
        );
    }
}
