//! The `s3` backend: any S3-compatible server (AWS, MinIO, Ceph, moto...) through aws-sdk-s3.
//!
//! The HTTP client is hyper 1 + rustls with the `ring` provider and the system's roots: no
//! aws-lc build, no second TLS stack. Checksums are computed and validated only when an
//! operation requires them (`WhenRequired`), because most S3-compatible servers reject or
//! mangle the flexible-checksum trailers newer SDKs send by default. Credentials come from
//! `storage.access_key_id` / `storage.secret_access_key` when set, else the standard AWS chain.
//!
//! The size check happens on the GET's response headers: `Content-Length` is compared with the
//! limit before a single body byte is read, which saves the HEAD round trip on every job, and
//! the body is still cut off at the limit should the header lie.

use super::{BucketName, ObjectKey};
use super::{Object, ObjectStore, StorageError};
use crate::config::StorageSettings;
use async_trait::async_trait;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls;

#[derive(Debug, Clone)]
pub(super) struct S3Store {
    client: aws_sdk_s3::Client,
    region: String,
}

impl S3Store {
    pub(super) async fn from_settings(s: &StorageSettings) -> Result<S3Store, StorageError> {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(s.region.clone()));
        if !s.access_key_id.is_empty() {
            loader = loader.credentials_provider(Credentials::new(
                s.access_key_id.expose(),
                s.secret_access_key.expose(),
                None,
                None,
                "docingest-config",
            ));
        }
        let sdk = loader.load().await;
        let mut conf = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(s.path_style)
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .timeout_config(
                aws_sdk_s3::config::timeout::TimeoutConfig::builder()
                    .connect_timeout(s.timeout().min(std::time::Duration::from_secs(10)))
                    .operation_timeout(s.timeout())
                    .build(),
            );
        if !s.endpoint.is_empty() {
            conf = conf.endpoint_url(&s.endpoint);
        }
        Ok(S3Store {
            client: aws_sdk_s3::Client::from_conf(conf.build()),
            region: s.region.clone(),
        })
    }
}

/// Map an SDK error to our classes by HTTP status and S3 error code.
fn classify<E>(
    e: SdkError<E, HttpResponse>,
    bucket: &BucketName,
    key: Option<&ObjectKey>,
) -> StorageError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = match &e {
        SdkError::ServiceError(se) => Some(se.raw().status().as_u16()),
        _ => None,
    };
    match e {
        SdkError::TimeoutError(_) => StorageError::Unavailable("request timed out".into()),
        SdkError::DispatchFailure(_) => {
            StorageError::Unavailable(format!("could not reach the server: {}", error_chain(&e)))
        }
        // Missing credentials end here: transient, so jobs wait in the retry tiers while an
        // operator fixes the deployment instead of being dead-lettered one by one.
        SdkError::ConstructionFailure(_) => {
            StorageError::Unavailable(format!("request could not be built: {}", error_chain(&e)))
        }
        SdkError::ResponseError(_) => {
            StorageError::Unavailable(format!("unreadable response: {}", error_chain(&e)))
        }
        SdkError::ServiceError(se) => {
            let err = se.into_err();
            let code = err.code().unwrap_or("").to_string();
            let text = format!(
                "{} {}",
                if code.is_empty() { "HTTP" } else { &code },
                err.message().unwrap_or("")
            )
            .trim()
            .to_string();
            let status = status.unwrap_or(0);
            match (status, code.as_str()) {
                (_, "NoSuchBucket") => StorageError::NoSuchBucket(bucket.to_string()),
                (404, _) | (_, "NoSuchKey") | (_, "NoSuchVersion") | (_, "NotFound") => {
                    StorageError::NotFound {
                        bucket: bucket.to_string(),
                        key: key.map(|k| k.to_string()).unwrap_or_default(),
                    }
                }
                (_, "SlowDown" | "Throttling" | "ThrottlingException" | "RequestTimeout")
                | (408 | 429, _)
                | (500..=599, _) => StorageError::Unavailable(format!("{status} {text}")),
                (403, _) => StorageError::AccessDenied(text),
                _ => StorageError::Rejected(format!("{status} {text}")),
            }
        }
        other => StorageError::Unavailable(error_chain(&other)),
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[async_trait]
impl ObjectStore for S3Store {
    async fn get(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        version_id: Option<&str>,
        max_bytes: u64,
    ) -> Result<Object, StorageError> {
        let out = self
            .client
            .get_object()
            .bucket(bucket.as_str())
            .key(key.as_str())
            .set_version_id(version_id.map(str::to_string))
            .send()
            .await
            .map_err(|e| classify(e, bucket, Some(key)))?;
        if let Some(len) = out.content_length().filter(|l| *l >= 0) {
            if len as u64 > max_bytes {
                // Dropping `out` closes the response without reading its body.
                return Err(StorageError::TooLarge {
                    size: len as u64,
                    limit: max_bytes,
                });
            }
        }
        let etag = out.e_tag().map(str::to_string);
        let version = out.version_id().map(str::to_string);
        let expected = out.content_length().unwrap_or(0).max(0) as usize;
        let mut body = out.body;
        let mut bytes = Vec::with_capacity(expected);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                StorageError::Unavailable(format!("reading the body: {}", error_chain(&e)))
            })?;
            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                return Err(StorageError::TooLarge {
                    size: (bytes.len() + chunk.len()) as u64,
                    limit: max_bytes,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Object {
            bytes,
            etag,
            version_id: version,
        })
    }

    async fn put(
        &self,
        bucket: &BucketName,
        key: &ObjectKey,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError> {
        self.client
            .put_object()
            .bucket(bucket.as_str())
            .key(key.as_str())
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| classify(e, bucket, Some(key)))?;
        Ok(())
    }

    async fn ensure_bucket(&self, bucket: &BucketName) -> Result<(), StorageError> {
        let mut req = self.client.create_bucket().bucket(bucket.as_str());
        // us-east-1 is the one region that must not be named as a location constraint.
        if self.region != "us-east-1" {
            req = req.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        self.region.as_str(),
                    ))
                    .build(),
            );
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(se))
                if matches!(se.err().code(), Some("BucketAlreadyOwnedByYou")) =>
            {
                Ok(())
            }
            Err(e) => Err(classify(e, bucket, None)),
        }
    }

    fn uri(&self, bucket: &BucketName, key: &ObjectKey) -> String {
        format!("s3://{bucket}/{key}")
    }
}
