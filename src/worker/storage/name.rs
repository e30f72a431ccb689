//! Bucket names and object keys that are safe to use: what every storage call takes.
//!
//! Both are parsed once, where a name enters (a job at the edge, a setting, a CLI argument),
//! so the backends never see a `..` key or a bucket name that is not also a safe directory
//! name for the `fs` backend.

use crate::worker::disposition::{Classify, ErrorClass};
use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// S3's own limit on key length.
pub(crate) const MAX_KEY_BYTES: usize = 1024;

/// A name that breaks the rules; permanent: the same name fails the same way forever.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NameError {
    #[error("invalid bucket name {name:?}: {reason}")]
    InvalidBucket { name: String, reason: &'static str },
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
}

impl Classify for NameError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Permanent
    }
    fn code(&self) -> &'static str {
        match self {
            NameError::InvalidBucket { .. } => "invalid_bucket",
            NameError::InvalidKey { .. } => "invalid_key",
        }
    }
}

/// A bucket name that satisfies S3's naming rules, so it is also a safe directory name for the
/// `fs` backend (no `/`, never `.` or `..`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct BucketName(String);

impl BucketName {
    pub fn parse(name: &str) -> Result<BucketName, NameError> {
        let bad = |reason| {
            Err(NameError::InvalidBucket {
                name: name.to_string(),
                reason,
            })
        };
        if name.len() < 3 || name.len() > 63 {
            return bad("must be 3 to 63 characters");
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            return bad("only lowercase letters, digits, '.' and '-' are allowed");
        }
        let (first, last) = (name.as_bytes()[0], name.as_bytes()[name.len() - 1]);
        if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
            return bad("must begin and end with a letter or digit");
        }
        if name.contains("..") {
            return bad("must not contain '..'");
        }
        Ok(BucketName(name.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An object key that is safe to join under a directory: non-empty, relative, no `.` or `..`
/// component, no NUL, at most [`MAX_KEY_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn parse(key: &str) -> Result<ObjectKey, NameError> {
        let bad = |reason| {
            Err(NameError::InvalidKey {
                key: key.to_string(),
                reason,
            })
        };
        if key.is_empty() {
            return bad("empty");
        }
        if key.len() > MAX_KEY_BYTES {
            return bad("longer than 1024 bytes");
        }
        if key.starts_with('/') || key.starts_with('\\') {
            return bad("absolute");
        }
        if key.contains('\0') {
            return bad("contains NUL");
        }
        // Backslash counts as a separator too, so a key written on Windows cannot smuggle
        // `..\..\` past the check.
        if key.split(['/', '\\']).any(|c| c == ".." || c == ".") {
            return bad("contains a '.' or '..' component");
        }
        Ok(ObjectKey(key.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules() {
        for ok in [
            "a.txt",
            "dir/sub/file name.docx",
            "年度报告/2023.md",
            "a..b.txt",
            "a//b",
        ] {
            assert!(ObjectKey::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../secret",
            "a/../../b",
            "a/./b",
            "..",
            "a\\..\\b",
            "a\0b",
        ] {
            let e = ObjectKey::parse(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_key", "{bad:?}");
        }
        assert!(ObjectKey::parse(&"k".repeat(1025)).is_err());
    }

    #[test]
    fn bucket_rules() {
        for ok in ["reports", "my-bucket.2024", "abc"] {
            assert!(BucketName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "ab", "Reports", "a_b", "-abc", "abc-", "a..b", "../x", "a/b",
        ] {
            assert_eq!(
                BucketName::parse(bad).unwrap_err().code(),
                "invalid_bucket",
                "{bad:?}"
            );
        }
    }
}
