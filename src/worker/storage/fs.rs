//! The `fs` backend: `storage.root` is a directory whose subdirectories are buckets, and a key
//! is a relative path below its bucket. For local runs, the quickstart and tests.
//!
//! Keys reach here validated ([`ObjectKey`] has no `..`, `.` or absolute form), so a path is
//! always inside its bucket. Each call runs as one blocking task: `stat` of the open file
//! decides the size check, so the file measured is the file read. Writes go to a temporary
//! file that is renamed into place, so a reader never sees half an object.

use super::{BucketName, ObjectKey};
use super::{Object, ObjectStore, StorageError};
use async_trait::async_trait;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub(super) struct FsStore {
    root: PathBuf,
}

impl FsStore {
    /// Creates `root` when it does not exist, so a fresh machine runs with zero setup.
    pub(super) fn new(root: &Path) -> Result<FsStore, StorageError> {
        std::fs::create_dir_all(root).map_err(|e| {
            StorageError::Config(format!(
                "cannot create storage.root {}: {e}",
                root.display()
            ))
        })?;
        let root = root
            .canonicalize()
            .map_err(|e| StorageError::Config(format!("storage.root {}: {e}", root.display())))?;
        Ok(FsStore { root })
    }

    fn path(&self, bucket: &BucketName, key: &ObjectKey) -> PathBuf {
        self.root.join(bucket.as_str()).join(key.as_str())
    }
}

fn io_error(e: std::io::Error, bucket: &BucketName, key: &ObjectKey, root: &Path) -> StorageError {
    match e.kind() {
        ErrorKind::NotFound | ErrorKind::NotADirectory => {
            if root.join(bucket.as_str()).is_dir() {
                StorageError::NotFound {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                }
            } else {
                StorageError::NoSuchBucket(bucket.to_string())
            }
        }
        ErrorKind::PermissionDenied => StorageError::AccessDenied(format!("{bucket}/{key}: {e}")),
        _ => StorageError::Io(format!("{bucket}/{key}: {e}")),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Io(format!("blocking task failed: {e}")))?
}

#[async_trait]
impl ObjectStore for FsStore {
    async fn get(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        // A directory has no versions; the job's version id is informational here.
        _version_id: Option<&str>,
        max_bytes: u64,
    ) -> Result<Object, StorageError> {
        let path = self.path(bucket, key);
        let (bucket, key, root) = (bucket.clone(), key.clone(), self.root.clone());
        blocking(move || {
            let mut file =
                std::fs::File::open(&path).map_err(|e| io_error(e, &bucket, &key, &root))?;
            let meta = file
                .metadata()
                .map_err(|e| io_error(e, &bucket, &key, &root))?;
            if !meta.is_file() {
                return Err(StorageError::NotFound {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                });
            }
            if meta.len() > max_bytes {
                return Err(StorageError::TooLarge {
                    size: meta.len(),
                    limit: max_bytes,
                });
            }
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            // The file may grow after the stat; never read more than the limit allows.
            (&mut file)
                .take(max_bytes + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| io_error(e, &bucket, &key, &root))?;
            if bytes.len() as u64 > max_bytes {
                return Err(StorageError::TooLarge {
                    size: bytes.len() as u64,
                    limit: max_bytes,
                });
            }
            Ok(Object {
                bytes,
                etag: None,
                version_id: None,
            })
        })
        .await
    }

    async fn put(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        body: Vec<u8>,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let path = self.path(bucket, key);
        let (bucket, key, root) = (bucket.clone(), key.clone(), self.root.clone());
        blocking(move || {
            let dir = path.parent().expect("a key has a file name");
            std::fs::create_dir_all(dir).map_err(|e| io_error(e, &bucket, &key, &root))?;
            let tmp = dir.join(format!(
                ".{}.{}.tmp",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("object"),
                crate::worker::job::new_job_id()
            ));
            let write = || -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(&body)?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)
            };
            write().map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                io_error(e, &bucket, &key, &root)
            })
        })
        .await
    }

    async fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StorageError> {
        let dir = self.root.join(bucket.as_str());
        blocking(move || {
            std::fs::create_dir_all(&dir)
                .map_err(|e| StorageError::Io(format!("{}: {e}", dir.display())))
        })
        .await
    }

    fn uri(&self, bucket: &BucketName, key: &ObjectKey) -> String {
        format!("file://{}", self.path(bucket, key).display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::disposition::Classify;

    fn b(s: &str) -> BucketName {
        BucketName::parse(s).unwrap()
    }
    fn k(s: &str) -> ObjectKey {
        ObjectKey::parse(s).unwrap()
    }

    #[test]
    fn missing_root_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("var/storage");
        let store = FsStore::new(&root).unwrap();
        assert!(root.is_dir());
        assert_eq!(store.root, root.canonicalize().unwrap());
    }

    #[tokio::test]
    async fn put_then_get_round_trips_nested_utf8_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path()).unwrap();
        let key = k("2023 年度/报告 a+b.txt");
        store
            .put(
                &b("reports"),
                &key,
                "你好".as_bytes().to_vec(),
                "text/plain",
            )
            .await
            .unwrap();
        let o = store.get(&b("reports"), &key, None, 100).await.unwrap();
        assert_eq!(o.bytes, "你好".as_bytes());
        assert!(store.uri(&b("reports"), &key).starts_with("file:///"));
        // No temporary files are left next to the object.
        let names: Vec<_> = std::fs::read_dir(dir.path().join("reports/2023 年度"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[tokio::test]
    async fn missing_object_and_missing_bucket_are_distinguished() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path()).unwrap();
        store.ensure_bucket(&b("reports")).await.unwrap();
        let e = store
            .get(&b("reports"), &k("nope.txt"), None, 10)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "object_not_found");
        let e = store
            .get(&b("other"), &k("nope.txt"), None, 10)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "bucket_not_found");
    }

    #[tokio::test]
    async fn a_directory_is_not_an_object() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path()).unwrap();
        std::fs::create_dir_all(dir.path().join("reports/sub")).unwrap();
        let e = store
            .get(&b("reports"), &k("sub"), None, 10)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "object_not_found");
    }

    #[tokio::test]
    async fn size_is_checked_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::new(dir.path()).unwrap();
        store
            .put(&b("reports"), &k("a.txt"), vec![0; 1000], "text/plain")
            .await
            .unwrap();
        assert_eq!(
            store
                .get(&b("reports"), &k("a.txt"), None, 999)
                .await
                .unwrap_err(),
            StorageError::TooLarge {
                size: 1000,
                limit: 999
            }
        );
        assert_eq!(
            store
                .get(&b("reports"), &k("a.txt"), None, 1000)
                .await
                .unwrap()
                .bytes
                .len(),
            1000
        );
    }
}
