//! Typed settings for everything that talks to the outside world (CONTRACT §5).
//!
//! Three layers, later ones winning key by key:
//! 1. `config/default.toml`, compiled into the binary with `include_str!`, so a fresh checkout
//!    runs with zero configuration and the file is the one place defaults are documented;
//! 2. the TOML file named by `DOCINGEST_CONFIG`, if set;
//! 3. environment variables `DOCINGEST_<SECTION>__<KEY>` (`DOCINGEST_WORKER__PREFETCH=32`).
//!
//! Guarantees: an unknown key in a file or an unknown `DOCINGEST_*__*` variable is an error (a
//! typo never silently falls back to a default); every error names the setting and where its
//! value came from; secrets (the AMQP password, S3 keys) never appear in `Debug`, logs or
//! `docingest config check` output.

use crate::document::Limits;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::num::{NonZeroU16, NonZeroU32, NonZeroU64, NonZeroUsize};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;
use tracing_subscriber::filter::Targets;

/// The base layer: every setting with its default and its documentation.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");
/// Names the optional override file.
pub const CONFIG_FILE_VAR: &str = "DOCINGEST_CONFIG";
/// Prefix of override variables; the section and key are separated by `__`.
pub const ENV_PREFIX: &str = "DOCINGEST_";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    ReadFile {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {source}")]
    ParseFile {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("{origin}: there is no setting `{path}`")]
    UnknownSetting { path: String, origin: String },
    #[error("{origin}: `{path}` expects {expected}, got {value:?}")]
    BadEnvValue {
        path: String,
        origin: String,
        expected: &'static str,
        value: String,
    },
    #[error("`{path}` (from {origin}): {message}")]
    Invalid {
        path: String,
        origin: String,
        message: String,
    },
}

/// A value that must not be printed: `Debug`, `Display` and `Serialize` all redact it.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn shown(&self) -> &'static str {
        if self.0.is_empty() {
            ""
        } else {
            "[redacted]"
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({:?})", self.shown())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.shown())
    }
}

/// The broker URL. Only its password is secret: the host, port and vhost are what an operator
/// needs to see in `config check` and in connection logs.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct AmqpUrl(Secret);

/// The smallest `frame_max` an `amqp.url` may ask for: RabbitMQ 4.1 closes connections that
/// negotiate less.
pub const MIN_FRAME_MAX: u32 = 8192;

impl AmqpUrl {
    pub fn new(url: impl Into<String>) -> Self {
        AmqpUrl(Secret::new(url))
    }
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
    /// The URL with the password (if any) replaced by `***`.
    pub fn redacted(&self) -> String {
        redact_url_password(self.0.expose())
    }
}

impl fmt::Debug for AmqpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for AmqpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for AmqpUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

fn redact_url_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    // The userinfo ends at the last '@' of the authority; a password may itself contain '@'
    // only percent-encoded, but be generous.
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_string();
    };
    format!(
        "{}{}:***{}",
        &url[..scheme_end + 3],
        &userinfo[..colon],
        &rest[at..]
    )
}

/// A list given either as a TOML array or as one comma-separated string (the only way to write
/// a list in an environment variable): `allowed_buckets = "reports,archive"`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommaList<T>(pub Vec<T>);

impl<'de, T> Deserialize<'de> for CommaList<T>
where
    T: Deserialize<'de> + FromStr,
    T::Err: fmt::Display,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either<T> {
            Text(String),
            List(Vec<T>),
        }
        match Either::<T>::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a list or a comma-separated string"))?
        {
            Either::List(v) => Ok(CommaList(v)),
            Either::Text(s) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse::<T>()
                        .map_err(|e| serde::de::Error::custom(format!("{p:?}: {e}")))
                })
                .collect::<Result<Vec<T>, D::Error>>()
                .map(CommaList),
        }
    }
}

impl<T: Serialize> Serialize for CommaList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub amqp: AmqpSettings,
    pub storage: StorageSettings,
    pub worker: WorkerSettings,
    pub http: HttpSettings,
    pub log: LogSettings,
    pub limits: Limits,
}

/// Broker connection and the names of the topology (CONTRACT §4).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AmqpSettings {
    /// Broker URL; its password is redacted everywhere.
    pub url: AmqpUrl,
    /// Direct exchange jobs are published to.
    pub jobs_exchange: String,
    /// Routing key of jobs on `jobs_exchange`.
    pub jobs_routing_key: String,
    /// The work queue (quorum).
    pub jobs_queue: String,
    /// Quorum `x-delivery-limit` of the work queue.
    pub delivery_limit: u32,
    /// Exchange of the delayed-retry tiers.
    pub retry_exchange: String,
    /// Tier queues are named `<prefix>.<delay>ms`.
    pub retry_queue_prefix: String,
    /// Fanout exchange for dead letters.
    pub dead_letter_exchange: String,
    /// Quorum queue bound to `dead_letter_exchange`.
    pub dead_letter_queue: String,
    /// Topic exchange results are published to.
    pub results_exchange: String,
    /// Routing key of every published result.
    pub results_routing_key: String,
    /// Queue bound to the results exchange by `docingest topology`; empty = none.
    pub results_queue: String,
    /// Seconds to wait for a publisher confirm.
    pub confirm_timeout_secs: NonZeroU64,
    /// Seconds between reconnect attempts.
    pub reconnect_delay_secs: u64,
}

impl AmqpSettings {
    pub fn confirm_timeout(&self) -> Duration {
        Duration::from_secs(self.confirm_timeout_secs.get())
    }
    pub fn reconnect_delay(&self) -> Duration {
        Duration::from_secs(self.reconnect_delay_secs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageBackend {
    /// A local directory whose subdirectories are buckets.
    Fs,
    /// Any S3-compatible server.
    S3,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub backend: StorageBackend,
    /// fs: directory holding one subdirectory per bucket (created when missing).
    pub root: PathBuf,
    /// s3: endpoint URL; empty = AWS's regional endpoint.
    pub endpoint: String,
    pub region: String,
    /// s3: path-style addressing.
    pub path_style: bool,
    /// Buckets jobs may name; empty = only `default_bucket`.
    pub allowed_buckets: CommaList<String>,
    /// Bucket `docingest submit` uploads to.
    pub default_bucket: String,
    /// Objects larger than this are rejected before download.
    pub max_object_bytes: u64,
    /// Seconds for one storage request.
    pub timeout_secs: NonZeroU64,
    /// Claim-check bucket and key prefix for large results.
    pub results_bucket: String,
    pub results_prefix: String,
    /// s3: static credentials; empty = the standard AWS chain (environment, profile, web
    /// identity, container and instance metadata).
    pub access_key_id: Secret,
    pub secret_access_key: Secret,
}

impl StorageSettings {
    /// The effective allowlist: `allowed_buckets`, or `[default_bucket]` when that is empty.
    pub fn allowed(&self) -> Vec<String> {
        if self.allowed_buckets.0.is_empty() {
            vec![self.default_bucket.clone()]
        } else {
            self.allowed_buckets.0.clone()
        }
    }
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.get())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSettings {
    /// AMQP prefetch.
    pub prefetch: NonZeroU16,
    /// Jobs processed at once.
    pub concurrency: NonZeroUsize,
    /// Attempts before a transient failure becomes `retries_exhausted`.
    pub max_attempts: NonZeroU32,
    /// Backoff tiers, milliseconds.
    pub retry_delays_ms: CommaList<u64>,
    /// Seconds SIGTERM waits for in-flight jobs.
    pub drain_timeout_secs: u64,
    /// Results larger than this go to storage (claim check).
    pub max_inline_bytes: NonZeroUsize,
    /// Milliseconds one parse may take before the job is dead-lettered as `parse_timeout`.
    pub parse_timeout_ms: NonZeroU64,
}

impl WorkerSettings {
    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs(self.drain_timeout_secs)
    }
    pub fn parse_timeout(&self) -> Duration {
        Duration::from_millis(self.parse_timeout_ms.get())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Listen address of /healthz, /readyz, /metrics; port 0 picks a free port.
    pub addr: SocketAddr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `tracing` filter: a level, or `target=level` pairs separated by commas.
    pub level: LogFilter,
    pub format: LogFormat,
}

/// A `log.level` value, parsed when the settings are read (a typo is a config error naming
/// `log.level`, not a failure when logging starts): `info`, or `docingest=debug,lapin=warn`.
#[derive(Debug, Clone)]
pub struct LogFilter {
    text: String,
    targets: Targets,
}

impl LogFilter {
    pub fn parse(text: &str) -> Result<LogFilter, String> {
        let targets = text.parse::<Targets>().map_err(|e| {
            format!("not a log filter ({e}); use e.g. \"info\" or \"docingest=debug,lapin=warn\"")
        })?;
        Ok(LogFilter {
            text: text.to_string(),
            targets,
        })
    }
    pub fn targets(&self) -> &Targets {
        &self.targets
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<'de> Deserialize<'de> for LogFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        LogFilter::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for LogFilter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Where each setting's value came from, so an error can say which file or variable to fix.
type Origins = BTreeMap<String, String>;

impl Settings {
    /// Load from the three layers using the process environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let file = std::env::var(CONFIG_FILE_VAR)
            .ok()
            .filter(|s| !s.is_empty());
        let file = match file {
            Some(path) => Some((
                std::fs::read_to_string(&path).map_err(|source| ConfigError::ReadFile {
                    path: path.clone(),
                    source,
                })?,
                path,
            )),
            None => None,
        };
        Settings::from_layers(
            file.as_ref()
                .map(|(text, path)| (text.as_str(), path.as_str())),
            std::env::vars(),
        )
    }

    /// The built-in defaults alone (tests start from here and change fields).
    pub fn defaults() -> Settings {
        Settings::from_layers(None, std::iter::empty()).expect("config/default.toml is valid")
    }

    /// Pure layering: the defaults, then `file` (`(contents, path)`), then `env` pairs. Only
    /// variables named `DOCINGEST_<SECTION>__<KEY>` are considered.
    pub fn from_layers(
        file: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let mut merged: toml::Table =
            toml::from_str(DEFAULT_TOML).map_err(|source| ConfigError::ParseFile {
                path: "config/default.toml (built in)".into(),
                source: Box::new(source),
            })?;
        let mut origins = Origins::new();
        if let Some((text, path)) = file {
            let overlay: toml::Table =
                toml::from_str(text).map_err(|source| ConfigError::ParseFile {
                    path: path.into(),
                    source: Box::new(source),
                })?;
            merge_file(&mut merged, overlay, path, &mut origins)?;
        }
        let mut vars: Vec<(String, String)> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX) && k.contains("__"))
            .collect();
        // Deterministic order, so the same environment always gives the same error first.
        vars.sort();
        for (var, value) in vars {
            apply_env(&mut merged, &var, &value, &mut origins)?;
        }
        let settings: Settings = serde_path_to_error::deserialize(toml::Value::Table(merged))
            .map_err(|e| {
                let path = e.path().to_string();
                let origin = origin_of(&origins, &path);
                ConfigError::Invalid {
                    path,
                    origin,
                    message: e.into_inner().message().trim().to_string(),
                }
            })?;
        settings.validate(&origins)?;
        Ok(settings)
    }

    /// Checks serde cannot express: ranges, non-empty lists, parseable URLs. (A setting that
    /// must be positive has a `NonZero*` type: deserialization refuses a 0 and names it.)
    fn validate(&self, origins: &Origins) -> Result<(), ConfigError> {
        let fail = |path: &str, message: String| ConfigError::Invalid {
            path: path.into(),
            origin: origin_of(origins, path),
            message,
        };
        if self.worker.retry_delays_ms.0.is_empty() {
            return Err(fail(
                "worker.retry_delays_ms",
                "needs at least one delay".into(),
            ));
        }
        // x-message-ttl is a signed 32-bit integer of milliseconds (about 24.8 days).
        if self
            .worker
            .retry_delays_ms
            .0
            .iter()
            .any(|d| *d == 0 || *d > i32::MAX as u64)
        {
            return Err(fail(
                "worker.retry_delays_ms",
                format!("delays must be between 1 and {} ms", i32::MAX),
            ));
        }
        match lapin::uri::AMQPUri::from_str(self.amqp.url.expose()) {
            // The parser's message may quote the URL; keep the password out of it.
            Err(_) => {
                return Err(fail(
                    "amqp.url",
                    format!("not a valid AMQP URL: {}", self.amqp.url.redacted()),
                ));
            }
            // RabbitMQ 4.1 refuses a connection that asks for frames under 8 KiB; 0 (or no
            // `frame_max`) takes the broker's size.
            Ok(uri) => {
                if let Some(n @ 1..MIN_FRAME_MAX) = uri.query.frame_max {
                    return Err(fail(
                        "amqp.url",
                        format!("frame_max={n} is below {MIN_FRAME_MAX}, the least RabbitMQ 4.1 accepts (leave it out to take the broker's)"),
                    ));
                }
            }
        }
        for name in [
            ("amqp.jobs_exchange", &self.amqp.jobs_exchange),
            ("amqp.jobs_queue", &self.amqp.jobs_queue),
            ("amqp.retry_exchange", &self.amqp.retry_exchange),
            ("amqp.retry_queue_prefix", &self.amqp.retry_queue_prefix),
            ("amqp.dead_letter_exchange", &self.amqp.dead_letter_exchange),
            ("amqp.dead_letter_queue", &self.amqp.dead_letter_queue),
            ("amqp.results_exchange", &self.amqp.results_exchange),
        ] {
            if name.1.is_empty() {
                return Err(fail(name.0, "must not be empty".into()));
            }
        }
        for (path, bucket) in [
            ("storage.default_bucket", &self.storage.default_bucket),
            ("storage.results_bucket", &self.storage.results_bucket),
        ] {
            if let Err(e) = crate::worker::storage::name::BucketName::parse(bucket) {
                return Err(fail(path, e.to_string()));
            }
        }
        for bucket in &self.storage.allowed_buckets.0 {
            if let Err(e) = crate::worker::storage::name::BucketName::parse(bucket) {
                return Err(fail("storage.allowed_buckets", e.to_string()));
            }
        }
        if self.storage.backend == StorageBackend::S3
            && self.storage.access_key_id.is_empty() != self.storage.secret_access_key.is_empty()
        {
            return Err(fail(
                "storage.secret_access_key",
                "set both access_key_id and secret_access_key, or neither".into(),
            ));
        }
        Ok(())
    }

    /// The effective settings as TOML, secrets redacted (`docingest config check`).
    pub fn to_redacted_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}

fn origin_of(origins: &Origins, path: &str) -> String {
    // `worker.retry_delays_ms[1]` came from wherever `worker.retry_delays_ms` came from.
    let mut key = path.split('[').next().unwrap_or(path).to_string();
    loop {
        if let Some(o) = origins.get(&key) {
            return o.clone();
        }
        match key.rfind('.') {
            Some(i) => key.truncate(i),
            None => return "config/default.toml".into(),
        }
    }
}

fn merge_file(
    base: &mut toml::Table,
    overlay: toml::Table,
    path: &str,
    origins: &mut Origins,
) -> Result<(), ConfigError> {
    for (section, value) in overlay {
        let Some(toml::Value::Table(base_section)) = base.get_mut(&section) else {
            return Err(ConfigError::UnknownSetting {
                path: section,
                origin: path.into(),
            });
        };
        let toml::Value::Table(entries) = value else {
            return Err(ConfigError::Invalid {
                path: section,
                origin: path.into(),
                message: "expected a [section] table".into(),
            });
        };
        for (key, value) in entries {
            let full = format!("{section}.{key}");
            if !base_section.contains_key(&key) {
                return Err(ConfigError::UnknownSetting {
                    path: full,
                    origin: path.into(),
                });
            }
            base_section.insert(key, value);
            origins.insert(full, path.into());
        }
    }
    Ok(())
}

/// Environment values are strings; the type of the default decides how to read them, so
/// `DOCINGEST_WORKER__PREFETCH=32` becomes an integer and a list takes comma-separated items.
fn apply_env(
    base: &mut toml::Table,
    var: &str,
    raw: &str,
    origins: &mut Origins,
) -> Result<(), ConfigError> {
    let rest = &var[ENV_PREFIX.len()..];
    let (section, key) = rest.split_once("__").expect("filtered on __");
    let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
    let path = format!("{section}.{key}");
    let origin = var.to_string();
    let current = match base.get_mut(&section) {
        Some(toml::Value::Table(t)) => t.get_mut(&key),
        _ => None,
    };
    let Some(current) = current else {
        return Err(ConfigError::UnknownSetting { path, origin });
    };
    let bad = |expected: &'static str| ConfigError::BadEnvValue {
        path: path.clone(),
        origin: origin.clone(),
        expected,
        value: raw.to_string(),
    };
    let value = match current {
        toml::Value::Integer(_) => {
            toml::Value::Integer(raw.trim().parse().map_err(|_| bad("an integer"))?)
        }
        toml::Value::Float(_) => {
            toml::Value::Float(raw.trim().parse().map_err(|_| bad("a number"))?)
        }
        toml::Value::Boolean(_) => toml::Value::Boolean(match raw.trim() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => return Err(bad("true or false")),
        }),
        toml::Value::Array(items) => {
            let numeric = matches!(items.first(), Some(toml::Value::Integer(_)));
            let mut out = Vec::new();
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                out.push(if numeric {
                    toml::Value::Integer(part.parse().map_err(|_| bad("comma-separated integers"))?)
                } else {
                    toml::Value::String(part.to_string())
                });
            }
            toml::Value::Array(out)
        }
        _ => toml::Value::String(raw.to_string()),
    };
    *current = value;
    origins.insert(path, origin);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_match_the_contract() {
        let s = Settings::defaults();
        assert_eq!(s.amqp.url.expose(), "amqp://guest:guest@127.0.0.1:5672/%2f");
        assert_eq!(s.amqp.jobs_exchange, "docingest.jobs");
        assert_eq!(s.amqp.jobs_queue, "docingest.jobs");
        assert_eq!(s.amqp.dead_letter_exchange, "docingest.dlx");
        assert_eq!(s.amqp.dead_letter_queue, "docingest.dlq");
        assert_eq!(s.amqp.results_exchange, "docingest.results");
        assert_eq!(s.amqp.results_routing_key, "document.parsed");
        assert_eq!(s.storage.backend, StorageBackend::Fs);
        assert_eq!(s.storage.allowed(), vec!["reports".to_string()]);
        assert_eq!(s.worker.retry_delays_ms.0, vec![1000, 10000, 60000]);
        assert_eq!(s.limits, Limits::default());
    }

    #[test]
    fn env_overrides_file_which_overrides_defaults() {
        let file = "[worker]\nprefetch = 8\nconcurrency = 2\n";
        let s = Settings::from_layers(
            Some((file, "/etc/docingest.toml")),
            env(&[
                ("DOCINGEST_WORKER__PREFETCH", "32"),
                ("DOCINGEST_STORAGE__BACKEND", "s3"),
                ("DOCINGEST_STORAGE__ALLOWED_BUCKETS", "reports, archive ,"),
                ("DOCINGEST_WORKER__RETRY_DELAYS_MS", "50,200"),
                ("DOCINGEST_STORAGE__PATH_STYLE", "false"),
                ("UNRELATED", "x"),
                ("DOCINGEST_CONFIG", "/etc/docingest.toml"),
            ]),
        )
        .unwrap();
        assert_eq!(s.worker.prefetch.get(), 32);
        assert_eq!(s.worker.concurrency.get(), 2);
        assert_eq!(s.storage.backend, StorageBackend::S3);
        assert_eq!(s.storage.allowed(), vec!["reports", "archive"]);
        assert_eq!(s.worker.retry_delays_ms.0, vec![50, 200]);
        assert!(!s.storage.path_style);
    }

    #[test]
    fn lists_may_be_toml_arrays_in_files() {
        let file = "[storage]\nallowed_buckets = [\"a-bucket\", \"b-bucket\"]\n";
        let s = Settings::from_layers(Some((file, "f.toml")), env(&[])).unwrap();
        assert_eq!(s.storage.allowed(), vec!["a-bucket", "b-bucket"]);
    }

    #[test]
    fn unknown_env_setting_is_an_error_naming_the_variable() {
        let e =
            Settings::from_layers(None, env(&[("DOCINGEST_WORKER__PREFTCH", "3")])).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("DOCINGEST_WORKER__PREFTCH"), "{msg}");
        assert!(msg.contains("worker.preftch"), "{msg}");
    }

    #[test]
    fn unknown_file_key_is_an_error_naming_the_file() {
        let e = Settings::from_layers(Some(("[amqp]\nurll = \"x\"\n", "my.toml")), env(&[]))
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("amqp.urll") && msg.contains("my.toml"),
            "{msg}"
        );
    }

    #[test]
    fn non_numeric_env_value_names_the_field() {
        let e = Settings::from_layers(None, env(&[("DOCINGEST_WORKER__CONCURRENCY", "many")]))
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("worker.concurrency"), "{msg}");
        assert!(msg.contains("integer"), "{msg}");
    }

    #[test]
    fn out_of_range_value_names_field_and_origin() {
        let e = Settings::from_layers(None, env(&[("DOCINGEST_WORKER__PREFETCH", "70000")]))
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("worker.prefetch"), "{msg}");
        assert!(msg.contains("DOCINGEST_WORKER__PREFETCH"), "{msg}");
    }

    #[test]
    fn bad_enum_value_names_the_field() {
        let e =
            Settings::from_layers(None, env(&[("DOCINGEST_STORAGE__BACKEND", "gcs")])).unwrap_err();
        assert!(e.to_string().contains("storage.backend"), "{e}");
    }

    #[test]
    fn a_frame_max_rabbitmq_4_1_refuses_is_rejected() {
        let url = |q: &str| format!("amqp://u:secret@host:5672/%2f{q}");
        let e = Settings::from_layers(
            None,
            env(&[("DOCINGEST_AMQP__URL", url("?frame_max=4096").as_str())]),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("amqp.url") && msg.contains("8192"), "{msg}");
        assert!(!msg.contains("secret"), "{msg}");
        for ok in ["", "?frame_max=0", "?frame_max=8192", "?frame_max=131072"] {
            Settings::from_layers(None, env(&[("DOCINGEST_AMQP__URL", url(ok).as_str())]))
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn a_bad_log_filter_names_log_level_and_its_variable() {
        let e = Settings::from_layers(None, env(&[("DOCINGEST_LOG__LEVEL", "docingest=loud")]))
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("log.level"), "{msg}");
        assert!(msg.contains("DOCINGEST_LOG__LEVEL"), "{msg}");
        assert!(msg.contains("not a log filter"), "{msg}");
        let s = Settings::from_layers(
            None,
            env(&[("DOCINGEST_LOG__LEVEL", "docingest=debug,lapin=warn")]),
        )
        .unwrap();
        assert_eq!(s.log.level.as_str(), "docingest=debug,lapin=warn");
    }

    #[test]
    fn zero_concurrency_is_rejected() {
        let e = Settings::from_layers(None, env(&[("DOCINGEST_WORKER__CONCURRENCY", "0")]))
            .unwrap_err();
        assert!(e.to_string().contains("worker.concurrency"), "{e}");
    }

    /// The settings that must be positive are `NonZero*`: a 0 from a variable or a file fails
    /// deserialization, and the message names the setting and where the 0 came from.
    #[test]
    fn a_zero_for_a_positive_setting_names_the_setting_and_its_origin() {
        for path in [
            "amqp.confirm_timeout_secs",
            "storage.timeout_secs",
            "worker.prefetch",
            "worker.concurrency",
            "worker.max_attempts",
            "worker.max_inline_bytes",
            "worker.parse_timeout_ms",
        ] {
            let (section, key) = path.split_once('.').unwrap();
            let var = format!("DOCINGEST_{}__{}", section, key).to_ascii_uppercase();
            let e = Settings::from_layers(None, env(&[(var.as_str(), "0")])).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(&format!("`{path}`")), "{msg}");
            assert!(msg.contains(&var), "{msg}");
            assert!(msg.contains("nonzero"), "{msg}");

            let file = format!("[{section}]\n{key} = 0\n");
            let e =
                Settings::from_layers(Some((&file, "/etc/docingest.toml")), env(&[])).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(&format!("`{path}`")), "{msg}");
            assert!(msg.contains("/etc/docingest.toml"), "{msg}");
            assert!(msg.contains("nonzero"), "{msg}");

            Settings::from_layers(None, env(&[(var.as_str(), "1")]))
                .unwrap_or_else(|e| panic!("{var}=1: {e}"));
        }
    }

    #[test]
    fn invalid_bucket_in_allowlist_is_rejected() {
        let e = Settings::from_layers(
            None,
            env(&[("DOCINGEST_STORAGE__ALLOWED_BUCKETS", "ok-bucket,../etc")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("storage.allowed_buckets"), "{e}");
    }

    #[test]
    fn secrets_are_redacted_in_debug_and_rendered_config() {
        let s = Settings::from_layers(
            None,
            env(&[
                (
                    "DOCINGEST_AMQP__URL",
                    "amqp://worker:hunter2@rabbit:5672/prod",
                ),
                ("DOCINGEST_STORAGE__ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("DOCINGEST_STORAGE__SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
            ]),
        )
        .unwrap();
        for shown in [format!("{s:?}"), s.to_redacted_toml()] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains("AKIDEXAMPLE"), "{shown}");
            assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
            assert!(
                shown.contains("amqp://worker:***@rabbit:5672/prod"),
                "{shown}"
            );
        }
        assert_eq!(s.storage.secret_access_key.expose(), "wJalrXUtnFEMI");
    }

    #[test]
    fn url_redaction_handles_urls_without_password() {
        assert_eq!(
            redact_url_password("amqp://host:5672/%2f"),
            "amqp://host:5672/%2f"
        );
        assert_eq!(
            redact_url_password("amqp://user@host/"),
            "amqp://user@host/"
        );
        assert_eq!(
            redact_url_password("amqps://u:p%40ss@host/vh?heartbeat=10"),
            "amqps://u:***@host/vh?heartbeat=10"
        );
    }

    #[test]
    fn rendered_config_parses_back() {
        let s = Settings::defaults();
        let text = s.to_redacted_toml();
        let again = Settings::from_layers(Some((&text, "rendered")), env(&[])).unwrap();
        assert_eq!(again.worker.prefetch, s.worker.prefetch);
        assert_eq!(again.limits, s.limits);
    }
}
