//! Human durations for `--older-than` / `--newer-than`: `90s`, `30m`, `2h`, `1d`, `1w`, and
//! sums of them (`1h30m`, `1d 12h`), in `humantime`'s syntax.
//!
//! Parsing is strict: a bare number, an unknown unit or an overflowing total is an error, so a
//! typo (`--older-than 30`) never silently means "30 seconds" or "everything". Months and
//! years are refused too: humantime counts them as 30.44 and 365.25 days, which is not what an
//! operator who types `--older-than 1M` on the 3rd of March means.

use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub(super) enum DurationError {
    #[error("duration is empty")]
    Empty,
    #[error(
        "duration {0:?}: expected <number><unit> with unit s, m, h, d or w (e.g. 30m, 2h, 1d)"
    )]
    Malformed(String),
    #[error("duration {0:?} is too large")]
    Overflow(String),
}

/// Parses `30m`, `2h`, `1d`, `1h30m`, `1d 12h` with `humantime` (units `s`, `m`, `h`, `d`,
/// `w`, their long forms, and `ms`/`us`/`ns`), except months, years and fractions.
pub(super) fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let s = text.trim();
    // Whole numbers only: humantime also reads `1.5h`, which today's scripts never meant.
    if s.chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        return Err(DurationError::Malformed(text.to_string()));
    }
    let calendar_unit = s.split(|c: char| !c.is_alphabetic()).any(|unit| {
        matches!(
            unit,
            "M" | "month" | "months" | "y" | "yr" | "yrs" | "year" | "years"
        )
    });
    if calendar_unit {
        return Err(DurationError::Malformed(text.to_string()));
    }
    humantime::parse_duration(s).map_err(|e| match e {
        humantime::DurationError::Empty => DurationError::Empty,
        humantime::DurationError::NumberOverflow => DurationError::Overflow(text.to_string()),
        _ => DurationError::Malformed(text.to_string()),
    })
}

/// Short human form of an age, for tables: `45s`, `12m`, `3h5m`, `2d4h`.
pub(super) fn format_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => {
            let (h, m) = (s / 3600, s % 3600 / 60);
            if m == 0 {
                format!("{h}h")
            } else {
                format!("{h}h{m}m")
            }
        }
        _ => {
            let (d, h) = (s / 86_400, s % 86_400 / 3600);
            if h == 0 {
                format!("{d}d")
            } else {
                format!("{d}d{h}h")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> u64 {
        parse_duration(s).unwrap().as_secs()
    }

    #[test]
    fn single_units() {
        assert_eq!(secs("90s"), 90);
        assert_eq!(secs("30m"), 1800);
        assert_eq!(secs("2h"), 7200);
        assert_eq!(secs("1d"), 86_400);
        assert_eq!(secs("1w"), 604_800);
        assert_eq!(secs("3 days"), 3 * 86_400);
    }

    #[test]
    fn sums_of_units() {
        assert_eq!(secs("1h30m"), 5400);
        assert_eq!(secs("1d 12h"), 129_600);
        assert_eq!(secs(" 0s "), 0);
    }

    #[test]
    fn bare_numbers_and_unknown_units_are_refused() {
        assert!(matches!(
            parse_duration("30"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("2y"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("-1h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("1.5h"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("1M"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("1 year"),
            Err(DurationError::Malformed(_))
        ));
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(parse_duration("  "), Err(DurationError::Empty));
    }

    #[test]
    fn overflow_is_an_error() {
        assert!(matches!(
            parse_duration("99999999999999999999s"),
            Err(DurationError::Overflow(_))
        ));
        assert!(matches!(
            parse_duration("40000000000000w"),
            Err(DurationError::Overflow(_))
        ));
    }

    #[test]
    fn ages_are_short() {
        assert_eq!(format_age(Duration::from_secs(5)), "5s");
        assert_eq!(format_age(Duration::from_secs(125)), "2m");
        assert_eq!(format_age(Duration::from_secs(3600)), "1h");
        assert_eq!(format_age(Duration::from_secs(3 * 3600 + 300)), "3h5m");
        assert_eq!(
            format_age(Duration::from_secs(2 * 86_400 + 4 * 3600)),
            "2d4h"
        );
        assert_eq!(format_age(Duration::from_secs(86_400)), "1d");
    }
}
