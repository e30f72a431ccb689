//! Number tokens: a run of Arabic digits (ASCII or full-width), optional thousands groups
//! (`11,000`), an optional decimal part, and the value as an exact decimal so that 23.65万 is
//! 236500, not 236499.99999999997.
//!
//! Also recognises number *chains* (`370403/2022-00022`, `1-12`, `3.15.2`, `7×24`, `1至12`):
//! ranges, codes, dates and products are never a single quantity.

/// A scanned number token. Offsets are byte offsets into the paragraph.
#[derive(Debug, Clone, Copy)]
pub(super) struct Number {
    pub start: usize,
    pub end: usize,
    /// All digits as one integer, decimal point removed.
    mantissa: u64,
    /// Digits after the decimal point.
    scale: u32,
    /// All digits, integer and fraction.
    pub digits: u32,
}

/// Longer digit runs are identifiers (phone numbers, ID and account numbers), not quantities.
pub(super) const MAX_DIGITS: u32 = 15;

pub(super) fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

pub(super) fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

fn is_decimal_point(c: char) -> bool {
    c == '.' || c == '．'
}

/// Byte offset of the next digit (ASCII or full-width) at or after `from` (a character
/// boundary).
pub(super) fn next_digit(p: &str, from: usize) -> Option<usize> {
    let bytes = p.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            return Some(i);
        }
        if b & 0xF0 == 0xE0 {
            // Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8; any other three-byte
            // character is passed over whole.
            if b == 0xEF
                && i + 2 < bytes.len()
                && bytes[i + 1] == 0xBC
                && (0x90..=0x99).contains(&bytes[i + 2])
            {
                return Some(i);
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    None
}

/// Scans the number starting at `start` (which must be a digit).
pub(super) fn scan(p: &str, start: usize) -> Number {
    let mut n = Number {
        start,
        end: start,
        mantissa: 0,
        scale: 0,
        digits: 0,
    };
    let rest = &p[start..];
    let mut chars = rest.char_indices().peekable();
    let mut int_digits = 0u32;
    // Integer part.
    while let Some(&(i, c)) = chars.peek() {
        match digit_value(c) {
            Some(d) => {
                n.push(d);
                int_digits += 1;
                n.end = start + i + c.len_utf8();
                chars.next();
            }
            None => break,
        }
    }
    // Thousands groups: only after 1-3 leading digits, only ASCII ',' and exactly three digits
    // per group, so "共3件,100%" and "12,345" in a list keep their meaning.
    if int_digits <= 3 {
        let mut end = n.end;
        loop {
            let group = &p[end..];
            let b = group.as_bytes();
            if b.len() >= 4
                && b[0] == b','
                && b[1..4].iter().all(u8::is_ascii_digit)
                && !b.get(4).is_some_and(u8::is_ascii_digit)
            {
                for &d in &b[1..4] {
                    n.push(u32::from(d - b'0'));
                }
                end += 4;
            } else {
                break;
            }
        }
        n.end = end;
    }
    // Decimal part.
    let rest = &p[n.end..];
    let mut it = rest.char_indices();
    if let Some((_, c)) = it.next() {
        if is_decimal_point(c) {
            let mut frac_end = None;
            for (i, c) in it {
                match digit_value(c) {
                    Some(d) => {
                        n.push(d);
                        n.scale += 1;
                        frac_end = Some(n.end + i + c.len_utf8());
                    }
                    None => break,
                }
            }
            if let Some(e) = frac_end {
                n.end = e;
            }
        }
    }
    n
}

impl Number {
    /// A quantity written in words (`三万` at `start..end`), already read by
    /// `cn_numeral::quantity`.
    pub(super) fn in_words(start: usize, end: usize, value: u64) -> Number {
        Number {
            start,
            end,
            mantissa: value,
            scale: 0,
            digits: value.checked_ilog10().map_or(1, |d| d + 1),
        }
    }

    fn push(&mut self, d: u32) {
        self.digits += 1;
        // Saturates silently: tokens over MAX_DIGITS are rejected before their value is used.
        self.mantissa = self
            .mantissa
            .saturating_mul(10)
            .saturating_add(u64::from(d));
    }

    /// The value times 10^`exp` (万 = 4, 亿 = 8), computed from exact integers.
    pub(super) fn value(&self, exp: u32) -> f64 {
        let m = self.mantissa as f64;
        if exp >= self.scale {
            m * 10f64.powi((exp - self.scale) as i32)
        } else {
            // Both operands are exact integers below 2^53, so the quotient is correctly rounded.
            (m * 10f64.powi(exp as i32)) / 10f64.powi(self.scale as i32)
        }
    }
}

/// Characters that join two numbers into a range, code, date or product.
fn is_chain_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '－'
            | '—'
            | '–'
            | '−'
            | '~'
            | '～'
            | '/'
            | '／'
            | '+'
            | '＋'
            | '×'
            | '*'
            | '＊'
            | '.'
            | '．'
            | ':'
            | '：'
            | '·'
            | '•'
            | '・'
            | '_'
            | '至'
            | '到'
    )
}

pub(super) fn is_chain_separator_char(c: char) -> bool {
    is_chain_separator(c)
}

/// When the number at `n` is followed by a separator and another number, the byte offset after
/// the whole chain (so the scanner skips every part of it); `None` for a lone number.
pub(super) fn chain_end(p: &str, n: &Number) -> Option<usize> {
    let mut end = n.end;
    let mut chained = false;
    loop {
        let mut it = p[end..].chars();
        let (Some(sep), Some(next)) = (it.next(), it.next()) else {
            break;
        };
        if !(is_chain_separator(sep) && is_digit(next)) {
            break;
        }
        chained = true;
        let after_sep = end + sep.len_utf8();
        end = scan(p, after_sep).end;
    }
    chained.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(p: &str) -> Number {
        scan(p, next_digit(p, 0).unwrap())
    }

    #[test]
    fn next_digit_finds_what_a_char_search_finds() {
        for p in [
            "",
            "共3件",
            "共１２件",
            "，。ｘ\u{FF0F}９",
            "é1",
            "\u{10000}2",
            "无数字。",
        ] {
            let mut from = 0;
            while from <= p.len() {
                let want = p[from..].find(is_digit).map(|i| from + i);
                assert_eq!(next_digit(p, from), want, "{p:?} from {from}");
                from += p[from..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }

    #[test]
    fn decimals_are_exact_after_wan_expansion() {
        assert_eq!(first("23.65万").value(4), 236500.0);
        assert_eq!(first("45.15万").value(4), 451500.0);
        assert_eq!(first("430.6万").value(4), 4306000.0);
        assert_eq!(first("4.2万").value(4), 42000.0);
        assert_eq!(first("12.5%").value(0), 12.5);
        assert_eq!(first("1.2亿").value(8), 120000000.0);
    }

    #[test]
    fn thousands_groups_only_with_three_digits() {
        let n = first("派发11,000份");
        assert_eq!(n.value(0), 11000.0);
        assert_eq!(&"派发11,000份"[n.start..n.end], "11,000");
        let n = first("共3件,100%");
        assert_eq!(n.value(0), 3.0);
        let n = first("1,2345");
        assert_eq!(n.value(0), 1.0);
    }

    #[test]
    fn full_width_digits_are_read() {
        let p = "共１２．５％";
        let n = first(p);
        assert_eq!(n.value(0), 12.5);
        assert_eq!(&p[n.start..n.end], "１２．５");
    }

    #[test]
    fn a_trailing_full_stop_is_not_a_decimal_point() {
        let p = "共3件.下一步";
        let n = first(p);
        assert_eq!(&p[n.start..n.end], "3");
    }

    #[test]
    fn chains_cover_codes_ranges_dates_and_products() {
        for (p, whole) in [
            ("370403/2022-00022", "370403/2022-00022"),
            ("1-12月", "1-12"),
            ("(2021—2025年)", "2021—2025"),
            ("2022.04.07", "2022.04.07"),
            ("7×24小时", "7×24"),
            ("1至12月", "1至12"),
            ("10:30", "10:30"),
        ] {
            let n = first(p);
            let end = chain_end(p, &n).unwrap_or_else(|| panic!("{p} is a chain"));
            assert_eq!(&p[n.start..end], whole);
        }
        let p = "62学时/每名";
        assert!(chain_end(p, &first(p)).is_none());
    }
}
