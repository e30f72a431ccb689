//! Chinese numerals, both ways: reading 一/十二/二十三 (section numbers, 汉字 dates), 三万/两千/
//! 一百零五 (quantities written in words), and writing 十一/一百零一 (Word's chineseCounting and
//! chineseLegalSimplified list labels). The one place that knows them: the structure, GB/T 9704,
//! facts and docx numbering stages all come here.

use super::scan::CharSet;

/// Value of a Chinese number up to 99 (一, 十, 十一, 二十, 二十三; 两 and 〇/零 as digits).
pub(super) fn value(s: &str) -> Option<u32> {
    let digit = |c: char| {
        Some(match c {
            '零' | '〇' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// One of 一 … 十: the counting digits a section number is written with.
pub(super) fn is_cn_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// A 汉字 year digit: the counting digits plus the zero forms used in dates (〇 ○ Ｏ).
pub(super) fn year_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '○' | 'Ｏ' => Some(0),
        _ => value(c.encode_utf8(&mut [0; 4])).filter(|v| *v < 10),
    }
}

/// The digits of Word's chineseCounting (and ideographDigital) labels, 〇 for zero.
pub(super) const COUNTING_DIGITS: [char; 10] =
    ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const COUNTING_UNITS: [&str; 4] = ["千", "百", "十", ""];
const LEGAL_DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const LEGAL_UNITS: [&str; 4] = ["仟", "佰", "拾", ""];

/// Which characters a number is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    /// 一 二 … 十 十一 … 一百零一 (10–19 as 十…).
    Counting,
    /// 壹 贰 … 壹拾壹 (the financial forms, 10–19 as 壹拾…).
    Legal,
}

/// Appends `n` (< 10^8) written in Chinese numerals.
pub(super) fn write(n: u32, script: Script, out: &mut String) {
    match script {
        Script::Counting => chinese(n, &COUNTING_DIGITS, &COUNTING_UNITS, "万", true, out),
        Script::Legal => chinese(n, &LEGAL_DIGITS, &LEGAL_UNITS, "万", false, out),
    }
}

/// A character that can be part of a quantity written in words.
pub(super) fn is_quantity_char(c: char) -> bool {
    quantity_digit(c).is_some() || quantity_unit(c).is_some()
}

/// The characters [`is_quantity_char`] accepts, to find them in a paragraph without decoding
/// every character.
pub(crate) static QUANTITY_CHARS: CharSet = CharSet::new(&[
    '零', '〇', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万',
    '亿',
]);

fn quantity_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn quantity_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

/// The value of a quantity written in words, when `s` is one well-formed number: 三 3, 十 10,
/// 二十五 25, 一百零五 105, 两千 2000, 三万 30000, 一万二千 12000, 三千五百万 35000000. `None` for
/// anything else: digit strings (一二, 十四五, 二〇二三, which are names, plans and years), a
/// bare magnitude (万, 百, 千万: 万人, 千方百计 are words, not amounts), units out of order.
pub(super) fn quantity(s: &str) -> Option<u64> {
    let mut total: u64 = 0; // completed 亿 and 万 sections
    let mut section: u64 = 0; // below 万 within the current section
    let mut digit: Option<u64> = None; // the digit waiting for its unit
    let mut last_small = u64::MAX; // the last 十/百/千 used in this section
    let mut last_big = u64::MAX; // the last 万/亿 used
    let mut after_zero = false;
    let mut any_digit = false;
    for (i, c) in s.chars().enumerate() {
        if let Some(d) = quantity_digit(c) {
            if digit.is_some() {
                return None; // 一二: a digit string, not a number
            }
            if d == 0 {
                if i == 0 || after_zero {
                    return None;
                }
                after_zero = true;
                continue;
            }
            digit = Some(d);
            any_digit = true;
            after_zero = false;
            continue;
        }
        let u = quantity_unit(c)?;
        after_zero = false;
        if u < 10_000 {
            if u >= last_small {
                return None; // 十百, 百百: out of order
            }
            // 十 may lead without a digit (十, 十五); 百 and 千 may not.
            let d = match digit.take() {
                Some(d) => d,
                None if u == 10 && i == 0 => 1,
                None => return None,
            };
            section += d * u;
            last_small = u;
        } else {
            if u >= last_big {
                return None;
            }
            let part = section + digit.take().unwrap_or(0);
            if part == 0 {
                return None; // a bare 万 or 亿
            }
            total = total.checked_add(part.checked_mul(u)?)?;
            section = 0;
            last_small = u64::MAX;
            last_big = u;
        }
    }
    if !any_digit && total == 0 && section == 0 {
        return None;
    }
    let value = total + section + digit.unwrap_or(0);
    (value > 0).then_some(value)
}

/// Chinese counting for 0 ≤ n < 10^8: 十 十一 二十 一百零一 一千零一十 一万零五百.
/// `short_ten` writes 10–19 as 十… rather than 一十… (Word's chineseCounting does).
fn chinese(
    n: u32,
    digits: &[char; 10],
    units: &[&str; 4],
    wan: &str,
    short_ten: bool,
    out: &mut String,
) {
    if n == 0 {
        out.push(digits[0]);
        return;
    }
    // A zero inside a number is read 零 (一百零一); only zero itself is written 〇.
    let mut inner = *digits;
    inner[0] = '零';
    let digits = &inner;
    let high = n / 10_000;
    let low = n % 10_000;
    if high > 0 {
        below_10000(high, digits, units, short_ten, out);
        out.push_str(wan);
        if low > 0 {
            if low < 1000 {
                out.push(digits[0]);
            }
            below_10000(low, digits, units, false, out);
        }
    } else {
        below_10000(low, digits, units, short_ten, out);
    }
}

fn below_10000(m: u32, digits: &[char; 10], units: &[&str; 4], short_ten: bool, out: &mut String) {
    let ds = [m / 1000, m / 100 % 10, m / 10 % 10, m % 10];
    let mut started = false;
    let mut zero = false;
    for (i, &d) in ds.iter().enumerate() {
        if d == 0 {
            zero |= started;
            continue;
        }
        if zero {
            out.push(digits[0]);
            zero = false;
        }
        // 十一 rather than 一十一, but only when 十 leads the number.
        if !(i == 2 && d == 1 && !started && short_ten) {
            out.push(digits[d as usize]);
        }
        out.push_str(units[i]);
        started = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_written_in_words() {
        for (s, v) in [
            ("三", 3),
            ("两", 2),
            ("十", 10),
            ("十五", 15),
            ("二十五", 25),
            ("一百", 100),
            ("一百零五", 105),
            ("两千", 2000),
            ("三万", 30_000),
            ("一万二千", 12_000),
            ("三千五百万", 35_000_000),
            ("两亿", 200_000_000),
        ] {
            assert_eq!(quantity(s), Some(v), "{s}");
        }
        for s in [
            "一二",
            "十四五",
            "七五",
            "二〇二三",
            "万",
            "百",
            "千万",
            "十百",
            "零",
            "",
            "亿万",
        ] {
            assert_eq!(quantity(s), None, "{s}");
        }
    }

    #[test]
    fn writing_reads_back() {
        for n in [
            1, 10, 11, 20, 101, 110, 1001, 1010, 10_000, 10_500, 99_999_999,
        ] {
            let mut s = String::new();
            write(n, Script::Counting, &mut s);
            assert_eq!(quantity(&s), Some(u64::from(n)), "{s}");
        }
    }

    #[test]
    fn the_quantity_char_set_is_the_quantity_chars() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(QUANTITY_CHARS.contains(c), is_quantity_char(c), "{c}");
        }
    }

    #[test]
    fn cn_digits_are_the_counting_digits() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_cn_digit(c), "一二三四五六七八九十".contains(c), "{c}");
        }
    }
}
