//! `--rate N/s` for `dlq replay`: how fast dead letters go back to the work queue.
//!
//! A replay after an outage must not flood the workers (or the storage that just came back)
//! with the whole backlog at once. [`Pacer`] spaces publishes evenly, one every `1/rate`
//! seconds, with no burst: the first message goes at once, the n-th no earlier than
//! `(n-1)/rate` after it. A slow publish (a confirm that takes a while) is not "made up" by a
//! burst afterwards beyond that schedule, so the observed rate never exceeds the asked one.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error(
    "rate {0:?}: expected <number>/<unit> with unit s, m or h (e.g. 5/s, 300/m), greater than zero"
)]
pub struct RateError(String);

/// Messages per second, strictly positive and finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate(f64);

impl Rate {
    pub fn per_second(n: f64) -> Option<Rate> {
        (n.is_finite() && n > 0.0).then_some(Rate(n))
    }

    pub fn as_per_second(self) -> f64 {
        self.0
    }

    /// Time between two publishes.
    pub fn interval(self) -> Duration {
        // Clamped so an absurd rate (1e300/s) is "no pause" rather than a panic.
        Duration::try_from_secs_f64(1.0 / self.0).unwrap_or(Duration::ZERO)
    }
}

impl FromStr for Rate {
    type Err = RateError;
    /// `5/s`, `300/m`, `3600/h`, `0.5/s`; a bare `5` means per second.
    fn from_str(s: &str) -> Result<Rate, RateError> {
        let err = || RateError(s.to_string());
        let (n, unit) = match s.trim().split_once('/') {
            Some((n, u)) => (n.trim(), u.trim()),
            None => (s.trim(), "s"),
        };
        let n: f64 = n.parse().map_err(|_| err())?;
        let per = match unit {
            "s" | "sec" | "second" => 1.0,
            "m" | "min" | "minute" => 60.0,
            "h" | "hour" => 3600.0,
            _ => return Err(err()),
        };
        Rate::per_second(n / per).ok_or_else(err)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

/// Spaces events at most one per `interval`. Time is passed in, so tests need no clock.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    pub(crate) fn new(rate: Option<Rate>) -> Pacer {
        Pacer {
            interval: rate.map_or(Duration::ZERO, Rate::interval),
            next: None,
        }
    }

    /// How long to wait at `now` before the next event may happen; reserves that slot.
    pub(crate) fn reserve(&mut self, now: Instant) -> Duration {
        let at = match self.next {
            Some(next) if next > now => next,
            _ => now,
        };
        self.next = Some(at + self.interval);
        at - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_with_units() {
        assert_eq!("5/s".parse::<Rate>().unwrap().as_per_second(), 5.0);
        assert_eq!("300/m".parse::<Rate>().unwrap().as_per_second(), 5.0);
        assert_eq!("3600/h".parse::<Rate>().unwrap().as_per_second(), 1.0);
        assert_eq!("0.5/s".parse::<Rate>().unwrap().as_per_second(), 0.5);
        assert_eq!("7".parse::<Rate>().unwrap().as_per_second(), 7.0);
    }

    #[test]
    fn zero_negative_and_garbage_rates_are_refused() {
        for bad in ["0/s", "-1/s", "x/s", "5/d", "", "inf", "NaN/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn pacer_spaces_events_evenly_without_burst() {
        let t0 = Instant::now();
        let mut p = Pacer::new(Some("4/s".parse().unwrap()));
        assert_eq!(p.reserve(t0), Duration::ZERO);
        assert_eq!(p.reserve(t0), Duration::from_millis(250));
        // Reserved slots accumulate even when the caller asks again before sleeping.
        assert_eq!(p.reserve(t0), Duration::from_millis(500));
        // After a long pause, no burst: the next slot is `now`, the following one interval later.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(p.reserve(later), Duration::ZERO);
        assert_eq!(p.reserve(later), Duration::from_millis(250));
    }

    #[test]
    fn events_in_a_window_never_exceed_rate_times_window_plus_one() {
        let t0 = Instant::now();
        let mut p = Pacer::new(Some("5/s".parse().unwrap()));
        let mut now = t0;
        let mut sent = Vec::new();
        for _ in 0..50 {
            now += p.reserve(now);
            sent.push(now - t0);
        }
        let within_first_second = sent.iter().filter(|d| **d < Duration::from_secs(1)).count();
        assert_eq!(within_first_second, 5);
    }

    #[test]
    fn no_rate_means_no_pause() {
        let t0 = Instant::now();
        let mut p = Pacer::new(None);
        for _ in 0..3 {
            assert_eq!(p.reserve(t0), Duration::ZERO);
        }
    }
}
