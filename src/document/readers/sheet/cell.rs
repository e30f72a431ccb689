//! One spreadsheet value -> the text a table cell shows.
//!
//! Guarantees, whatever the source format:
//! - whole numbers print without a fraction (`42`, not `42.0`); other floats print as the
//!   shortest text that reads back to the same `f64` (`0.1`, `45.15`, `1.5e-7`);
//! - dates print as ISO `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when there is a time of day;
//!   a time with no date prints `HH:MM:SS`. Excel serial dates are converted here (1900 and
//!   1904 systems, Excel's phantom 1900-02-29 kept as Excel shows it), so calamine's optional
//!   `dates`/`chrono` features are not needed;
//! - a number with a percent format (`0%`, `0.00%`) prints as Excel shows it (`57%`), because
//!   the stored 0.57 would change the meaning of the cell;
//! - booleans print `TRUE`/`FALSE`, errors as Excel writes them (`#DIV/0!`).

use calamine::{Data, DataRef, ExcelDateTime};

/// The format-independent view of a value; calamine has an owned (`Data`) and a borrowed
/// (`DataRef`) enum with the same variants.
enum Value<'a> {
    Empty,
    Int(i64),
    Float(f64),
    Str(&'a str),
    Bool(bool),
    DateTime(&'a ExcelDateTime),
    Iso(&'a str),
    DurationIso(&'a str),
    Error(String),
}

/// How numbers of one cell style are displayed, as far as it changes the meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum NumberStyle {
    #[default]
    General,
    /// A percent format with this many decimals.
    Percent(u8),
}

impl NumberStyle {
    /// Reads an Excel number format code. Only `%` outside quotes and brackets matters here.
    pub(crate) fn from_format_code(code: &str) -> NumberStyle {
        let mut in_quotes = false;
        let mut in_brackets = false;
        let mut escaped = false;
        let mut percent = false;
        let mut decimals: Option<u8> = None;
        // Only the first section (positive numbers) decides.
        for c in code.chars() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '"' => in_quotes = !in_quotes,
                '[' if !in_quotes => in_brackets = true,
                ']' if !in_quotes => in_brackets = false,
                ';' if !in_quotes && !in_brackets => break,
                _ if in_quotes || in_brackets => {}
                '%' => percent = true,
                '.' => decimals = Some(0),
                '0' | '#' | '?' => {
                    if let Some(d) = decimals.as_mut() {
                        *d = d.saturating_add(1);
                    }
                }
                _ => {}
            }
        }
        if percent {
            NumberStyle::Percent(decimals.unwrap_or(0).min(15))
        } else {
            NumberStyle::General
        }
    }
}

pub(crate) fn data_ref_text(v: &DataRef<'_>, is_1904: bool, style: NumberStyle) -> String {
    let value = match v {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Int(*i),
        DataRef::Float(f) => Value::Float(*f),
        DataRef::String(s) => Value::Str(s),
        DataRef::SharedString(s) => Value::Str(s),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(d) => Value::DateTime(d),
        DataRef::DateTimeIso(s) => Value::Iso(s),
        DataRef::DurationIso(s) => Value::DurationIso(s),
        DataRef::Error(e) => Value::Error(e.to_string()),
    };
    text(value, is_1904, style)
}

pub(crate) fn data_text(v: &Data, is_1904: bool) -> String {
    let value = match v {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Int(*i),
        Data::Float(f) => Value::Float(*f),
        Data::String(s) => Value::Str(s),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) => Value::DateTime(d),
        Data::DateTimeIso(s) => Value::Iso(s),
        Data::DurationIso(s) => Value::DurationIso(s),
        Data::Error(e) => Value::Error(e.to_string()),
    };
    text(value, is_1904, NumberStyle::General)
}

fn text(value: Value<'_>, is_1904: bool, style: NumberStyle) -> String {
    match value {
        Value::Empty => String::new(),
        Value::Int(i) => match style {
            NumberStyle::Percent(d) => percent(i as f64, d),
            NumberStyle::General => integer(i),
        },
        Value::Float(f) => match style {
            NumberStyle::Percent(d) => percent(f, d),
            NumberStyle::General => number(f),
        },
        Value::Str(s) => s.to_string(),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::DateTime(d) if d.is_duration() => duration(d.as_f64()),
        Value::DateTime(d) => serial_datetime(d.as_f64(), is_1904),
        Value::Iso(s) => iso_datetime(s),
        Value::DurationIso(s) => iso_duration(s),
        Value::Error(e) => e,
    }
}

/// `42` for whole numbers, otherwise the shortest round-trip text.
pub(crate) fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    // Below 2^53 every whole f64 is an exact i64; `+ 0.0` folds -0 into 0.
    if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        return integer(v as i64);
    }
    let a = v.abs();
    if (1e-5..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Decimal digits without the formatting machinery: most cells of a large sheet are integers.
fn integer(v: i64) -> String {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut s = String::with_capacity(buf.len() - at + 1);
    if v < 0 {
        s.push('-');
    }
    s.push_str(std::str::from_utf8(&buf[at..]).expect("ASCII digits"));
    s
}

fn percent(v: f64, decimals: u8) -> String {
    let scaled = v * 100.0;
    if !scaled.is_finite() {
        return number(v);
    }
    let mut s = format!("{scaled:.prec$}", prec = decimals as usize);
    if s == "-0" || s.starts_with("-0.") && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s.remove(0);
    }
    s.push('%');
    s
}

/// Days from 1970-01-01 to a civil date's components (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// 1899-12-30 and 1904-01-01 as days since 1970-01-01.
const EPOCH_1900: i64 = -25_569;
const EPOCH_1904: i64 = -24_107;
/// Excel's last date, 9999-12-31, is serial 2958465 (1900 system).
const MAX_SERIAL: f64 = 2_958_466.0;

/// An Excel serial date -> ISO text. Values Excel cannot show as a date print as numbers.
pub(crate) fn serial_datetime(serial: f64, is_1904: bool) -> String {
    if !serial.is_finite() || !(0.0..MAX_SERIAL).contains(&serial) {
        return number(serial);
    }
    let mut days = serial.trunc() as i64;
    let mut secs = ((serial - serial.trunc()) * 86_400.0).round() as i64;
    if secs >= 86_400 {
        days += 1;
        secs -= 86_400;
    }
    let time = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if days == 0 && !is_1904 {
        // Excel shows day 0 as "1900-01-00": a time of day with no date.
        return time;
    }
    let date = if is_1904 {
        let (y, m, d) = civil_from_days(EPOCH_1904 + days);
        format!("{y:04}-{m:02}-{d:02}")
    } else if days == 60 {
        // Lotus 1-2-3's leap-year bug, kept by Excel: serial 60 is shown as 1900-02-29.
        "1900-02-29".to_string()
    } else {
        // Serials before the phantom day are one day later than the epoch arithmetic says.
        let days = if days < 60 { days + 1 } else { days };
        let (y, m, d) = civil_from_days(EPOCH_1900 + days);
        format!("{y:04}-{m:02}-{d:02}")
    };
    if secs == 0 {
        date
    } else {
        format!("{date}T{time}")
    }
}

fn duration(days: f64) -> String {
    if !days.is_finite() || days.abs() > 1e9 {
        return number(days);
    }
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let t = total.abs();
    format!("{sign}{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// ODS / `t="d"` ISO text: midnight is dropped, fractional seconds are cut.
fn iso_datetime(s: &str) -> String {
    let s = s.trim();
    let Some((date, time)) = s.split_once('T') else {
        return s.to_string();
    };
    let time = time.split('.').next().unwrap_or(time);
    if time.trim_end_matches('Z') == "00:00:00" || time.is_empty() {
        date.to_string()
    } else {
        format!("{date}T{time}")
    }
}

/// ODS durations (`PT12H30M00S`) -> `12:30:00`; anything else is kept as written.
fn iso_duration(s: &str) -> String {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let Some(body) = t.strip_prefix("PT") else {
        return s.to_string();
    };
    let (mut h, mut m, mut sec) = (0f64, 0f64, 0f64);
    let mut num = String::new();
    for c in body.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'H' | 'M' | 'S' => {
                let Ok(v) = num.parse::<f64>() else {
                    return s.to_string();
                };
                match c {
                    'H' => h = v,
                    'M' => m = v,
                    _ => sec = v,
                }
                num.clear();
            }
            _ => return s.to_string(),
        }
    }
    let total = (h * 3600.0 + m * 60.0 + sec).round() as i64;
    format!(
        "{}{}:{:02}:{:02}",
        if neg { "-" } else { "" },
        total / 3600,
        total / 60 % 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_have_no_fraction_and_floats_round_trip() {
        assert_eq!(number(42.0), "42");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(140905.0), "140905");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(45.15), "45.15");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(1.5e-7), "1.5e-7");
        assert_eq!(number(1e20), "1e20");
        assert_eq!(number(-3.25), "-3.25");
        assert_eq!(integer(i64::MIN), i64::MIN.to_string());
        assert_eq!(integer(-7), "-7");
        assert_eq!(integer(0), "0");
    }

    #[test]
    fn serial_dates_become_iso() {
        assert_eq!(serial_datetime(45708.0, false), "2025-02-20");
        assert_eq!(serial_datetime(45658.5, false), "2025-01-01T12:00:00");
        assert_eq!(serial_datetime(1.0, false), "1900-01-01");
        assert_eq!(serial_datetime(59.0, false), "1900-02-28");
        assert_eq!(serial_datetime(60.0, false), "1900-02-29");
        assert_eq!(serial_datetime(61.0, false), "1900-03-01");
        assert_eq!(serial_datetime(0.75, false), "18:00:00");
        assert_eq!(serial_datetime(0.0, true), "1904-01-01");
        assert_eq!(serial_datetime(44197.0 - 1462.0, true), "2021-01-01");
        // One second short of midnight rounds up into the next day.
        assert_eq!(serial_datetime(45657.99999999, false), "2025-01-01");
        assert_eq!(serial_datetime(-1.0, false), "-1");
    }

    #[test]
    fn iso_values_keep_their_date() {
        assert_eq!(iso_datetime("2024-12-31"), "2024-12-31");
        assert_eq!(iso_datetime("2024-12-31T00:00:00"), "2024-12-31");
        assert_eq!(
            iso_datetime("2024-12-31T10:30:00.123"),
            "2024-12-31T10:30:00"
        );
        assert_eq!(iso_duration("PT12H30M00S"), "12:30:00");
        assert_eq!(iso_duration("P1Y"), "P1Y");
        assert_eq!(duration(1.5), "36:00:00");
    }

    #[test]
    fn percent_formats_show_what_excel_shows() {
        assert_eq!(NumberStyle::from_format_code("0%"), NumberStyle::Percent(0));
        assert_eq!(
            NumberStyle::from_format_code("0.00%"),
            NumberStyle::Percent(2)
        );
        assert_eq!(
            NumberStyle::from_format_code("\"%\"0"),
            NumberStyle::General
        );
        assert_eq!(NumberStyle::from_format_code("0.00"), NumberStyle::General);
        assert_eq!(percent(0.57, 0), "57%");
        assert_eq!(percent(0.1234, 2), "12.34%");
        assert_eq!(percent(-0.001, 0), "0%");
    }
}
