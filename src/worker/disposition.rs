//! The one place that decides what happens to a delivery: acknowledge it, send it round a
//! delayed-retry tier, or dead-letter it.
//!
//! Every error type in the worker implements [`Classify`], answering two questions: is it
//! transient (the same job may succeed later: a storage outage, a broker hiccup) or permanent
//! (the same bytes fail the same way forever: bad JSON, a `..` key, an unparsable file), and
//! what is its stable code (the `docingest-error-code` dead-letter header). [`decide`] turns
//! that plus the attempt count into an [`Action`]; nothing else in the worker chooses between
//! ack, retry and dead-letter, so the policy can be read, and tested, in one screen.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// May succeed if tried again later.
    Transient,
    /// Will fail the same way every time.
    Permanent,
}

/// Implemented by every error enum of the worker.
pub trait Classify: fmt::Display {
    fn class(&self) -> ErrorClass;
    /// Stable, machine-readable: dead-letter header `docingest-error-code`, metrics label.
    fn code(&self) -> &'static str;
}

impl Classify for crate::document::ParseError {
    /// A parser sees only the bytes, so the same bytes fail the same way on every attempt.
    fn class(&self) -> ErrorClass {
        ErrorClass::Permanent
    }
    fn code(&self) -> &'static str {
        crate::document::ParseError::code(self)
    }
}

/// A failed step reduced to what the disposition and the dead-letter headers need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub class: ErrorClass,
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn from_error<E: Classify + ?Sized>(e: &E) -> Failure {
        Failure {
            class: e.class(),
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// How handling one delivery ended, before the broker is told anything.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The result was published and confirmed.
    Published {
        document_id: String,
        bytes: u64,
    },
    /// A multi-record S3 event was split into this many job messages, all confirmed.
    FannedOut(usize),
    /// Nothing to do (a non-`ObjectCreated` event).
    Ignored(String),
    Failed(Failure),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLetterKind {
    Permanent,
    RetriesExhausted,
}

impl DeadLetterKind {
    /// Value of the `docingest-error-kind` header.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadLetterKind::Permanent => "permanent",
            DeadLetterKind::RetriesExhausted => "retries_exhausted",
        }
    }
}

/// What to do with the delivery. Every variant ends with the input acknowledged, but only after
/// whatever must be published first (the retry copy, the dead letter) is confirmed. The
/// failure travels with the action: its code and message go into the copy's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Ack,
    /// Publish a copy through the retry tier with `delay_ms`, carrying `attempts` (the attempts
    /// made so far, this one included), then ack.
    Retry {
        attempts: u32,
        delay_ms: u64,
        failure: Failure,
    },
    /// Publish to the dead-letter exchange, then ack.
    DeadLetter {
        kind: DeadLetterKind,
        attempts: u32,
        failure: Failure,
    },
}

/// Retry and dead-letter policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all before a transient failure is dead-lettered (at least 1).
    pub max_attempts: u32,
    /// Attempt N (1-based) that fails waits `delays_ms[min(N-1, len-1)]` (at least one tier).
    pub delays_ms: Vec<u64>,
}

impl RetryPolicy {
    pub fn delay_for(&self, attempt: u32) -> u64 {
        let i = (attempt.max(1) as usize - 1).min(self.delays_ms.len() - 1);
        self.delays_ms[i]
    }
}

/// `attempts_before` is the `docingest-attempts` header of the delivery: failed attempts made
/// before this one. It is our own header, not the broker's `x-death`, so it survives restarts
/// and brokers (3.13+) that drop client-set `x-death`.
pub fn decide(outcome: Outcome, attempts_before: u32, policy: &RetryPolicy) -> Action {
    let attempt = attempts_before.saturating_add(1);
    match outcome {
        Outcome::Published { .. } | Outcome::FannedOut(_) | Outcome::Ignored(_) => Action::Ack,
        Outcome::Failed(failure) => match failure.class {
            ErrorClass::Permanent => Action::DeadLetter {
                kind: DeadLetterKind::Permanent,
                attempts: attempt,
                failure,
            },
            ErrorClass::Transient if attempt >= policy.max_attempts => Action::DeadLetter {
                kind: DeadLetterKind::RetriesExhausted,
                attempts: attempt,
                failure,
            },
            ErrorClass::Transient => Action::Retry {
                attempts: attempt,
                delay_ms: policy.delay_for(attempt),
                failure,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            delays_ms: vec![100, 1000],
        }
    }

    fn failure(class: ErrorClass) -> Failure {
        Failure {
            class,
            code: "x",
            message: "m".into(),
        }
    }

    fn failed(class: ErrorClass) -> Outcome {
        Outcome::Failed(failure(class))
    }

    #[test]
    fn success_ignore_and_fan_out_are_acked() {
        for o in [
            Outcome::Published {
                document_id: "sha256:00".into(),
                bytes: 1,
            },
            Outcome::FannedOut(3),
            Outcome::Ignored("s3:ObjectRemoved:Delete".into()),
        ] {
            assert_eq!(decide(o, 0, &policy()), Action::Ack);
        }
    }

    #[test]
    fn permanent_failure_is_dead_lettered_at_once() {
        assert_eq!(
            decide(failed(ErrorClass::Permanent), 0, &policy()),
            Action::DeadLetter {
                kind: DeadLetterKind::Permanent,
                attempts: 1,
                failure: failure(ErrorClass::Permanent),
            }
        );
    }

    #[test]
    fn transient_failure_walks_the_tiers_then_exhausts() {
        let p = policy();
        let t = failed(ErrorClass::Transient);
        assert_eq!(
            decide(t.clone(), 0, &p),
            Action::Retry {
                attempts: 1,
                delay_ms: 100,
                failure: failure(ErrorClass::Transient),
            }
        );
        assert_eq!(
            decide(t.clone(), 1, &p),
            Action::Retry {
                attempts: 2,
                delay_ms: 1000,
                failure: failure(ErrorClass::Transient),
            }
        );
        // Past the last tier the last delay repeats.
        assert_eq!(
            decide(t.clone(), 2, &p),
            Action::Retry {
                attempts: 3,
                delay_ms: 1000,
                failure: failure(ErrorClass::Transient),
            }
        );
        assert_eq!(
            decide(t.clone(), 3, &p),
            Action::DeadLetter {
                kind: DeadLetterKind::RetriesExhausted,
                attempts: 4,
                failure: failure(ErrorClass::Transient),
            }
        );
    }

    #[test]
    fn one_attempt_policy_never_retries() {
        let p = RetryPolicy {
            max_attempts: 1,
            delays_ms: vec![5],
        };
        assert!(matches!(
            decide(failed(ErrorClass::Transient), 0, &p),
            Action::DeadLetter {
                kind: DeadLetterKind::RetriesExhausted,
                ..
            }
        ));
    }

    #[test]
    fn a_header_claiming_many_attempts_still_dead_letters() {
        assert!(matches!(
            decide(failed(ErrorClass::Transient), u32::MAX, &policy()),
            Action::DeadLetter {
                kind: DeadLetterKind::RetriesExhausted,
                ..
            }
        ));
    }

    #[test]
    fn parse_errors_are_permanent_with_their_code() {
        let e = crate::document::ParseError::UnsupportedFormat("pdf".into());
        let f = Failure::from_error(&e);
        assert_eq!(f.class, ErrorClass::Permanent);
        assert_eq!(f.code, "unsupported_format");
    }
}
