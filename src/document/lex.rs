//! The lexers of the document head and body that every stage shares: numbering tokens
//! (一、 （一） 1. (1) ① 第一部分), dates (2022年04月07日, 二〇二三年三月一日), 发文字号 (金文〔2023〕5号)
//! and the CJK character class. A leaf: it imports nothing from the stages, so normalization,
//! structure and extraction can all use it without importing each other.

use super::cn_numeral;
use super::result::{BracketWidth, DocNumber, NumberStyle};
use regex::Regex;
use std::sync::LazyLock;

/// `s` with every whitespace character removed (`文　　号` -> `文号`, `市 长` -> `市长`).
pub(crate) fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A regex that finds any of `words` (as literals) in one pass, instead of one substring
/// search per word.
pub(crate) fn any_of(words: &[&str]) -> Regex {
    let escaped: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
    Regex::new(&escaped.join("|")).expect("escaped literals")
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// A numbering token at the start of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct NumToken {
    pub style: NumberStyle,
    pub value: u32,
    /// The token as written, e.g. `（一）`, `1、`.
    pub text: String,
    /// Byte length of the token plus any spaces after it.
    pub len: usize,
    pub bracket_width: Option<BracketWidth>,
}

/// An ASCII or full-width digit.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn digits_value(d: &str) -> Option<u32> {
    d.chars().try_fold(0u32, |acc, c| {
        let v = c
            .to_digit(10)
            .or_else(|| ('０'..='９').contains(&c).then(|| c as u32 - '０' as u32))?;
        Some(acc * 10 + v)
    })
}

/// The longest prefix of `s` whose characters all satisfy `pred`.
pub(super) fn take_while(s: &str, pred: impl Fn(char) -> bool) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !pred(c))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn skip_spaces(s: &str) -> usize {
    s.len()
        - s.trim_start_matches([' ', '\u{A0}', '\u{3000}', '\t'])
            .len()
}

/// Parses the numbering token that opens `text`, if any.
pub fn parse_number(text: &str) -> Option<NumToken> {
    let lead = skip_spaces(text);
    let s = &text[lead..];
    let tok = |style, value, tlen: usize, bw| {
        let after = skip_spaces(&s[tlen..]);
        Some(NumToken {
            style,
            value,
            text: s[..tlen].to_string(),
            len: lead + tlen + after,
            bracket_width: bw,
        })
    };
    let first = s.chars().next()?;
    // （一） (一) （1） (1)
    if first == '（' || first == '(' {
        let open = first.len_utf8();
        let inner_start = open + skip_spaces(&s[open..]);
        let rest = &s[inner_start..];
        let (inner, style) = {
            let cn = take_while(rest, cn_numeral::is_cn_digit);
            if !cn.is_empty() {
                (cn, NumberStyle::ParenChinese)
            } else {
                let d = take_while(rest, is_digit);
                if d.is_empty() || d.chars().count() > 2 {
                    return None;
                }
                (d, NumberStyle::ParenArabic)
            }
        };
        let after = inner_start + inner.len();
        let after = after + skip_spaces(&s[after..]);
        let close = s[after..].chars().next()?;
        if close != '）' && close != ')' {
            return None;
        }
        let value = if style == NumberStyle::ParenChinese {
            cn_numeral::value(inner)?
        } else {
            digits_value(inner)?
        };
        let width = match (first, close) {
            ('（', '）') => BracketWidth::Full,
            ('(', ')') => BracketWidth::Half,
            ('（', _) => BracketWidth::Full,
            _ => BracketWidth::Half,
        };
        return tok(style, value, after + close.len_utf8(), Some(width));
    }
    // ① .. ⑳
    if ('①'..='⑳').contains(&first) {
        return tok(
            NumberStyle::CircledArabic,
            first as u32 - '①' as u32 + 1,
            first.len_utf8(),
            None,
        );
    }
    // 第一部分 / 第一章
    if let Some(rest) = s.strip_prefix('第') {
        let cn = take_while(rest, cn_numeral::is_cn_digit);
        if !cn.is_empty() {
            let after = &rest[cn.len()..];
            for suffix in ["部分", "章"] {
                if after.starts_with(suffix) {
                    let value = cn_numeral::value(cn)?;
                    return tok(
                        NumberStyle::Part,
                        value,
                        '第'.len_utf8() + cn.len() + suffix.len(),
                        None,
                    );
                }
            }
        }
        return None;
    }
    // 一、 and 一) (a （一） whose opening bracket was lost in conversion)
    let cn = take_while(s, cn_numeral::is_cn_digit);
    if !cn.is_empty() {
        let after = &s[cn.len()..];
        if after.starts_with('、') {
            return tok(
                NumberStyle::ChineseDunhao,
                cn_numeral::value(cn)?,
                cn.len() + 3,
                None,
            );
        }
        if let Some(close) = after.chars().next().filter(|c| matches!(c, '）' | ')')) {
            let width = if close == '）' {
                BracketWidth::Full
            } else {
                BracketWidth::Half
            };
            return tok(
                NumberStyle::ParenChinese,
                cn_numeral::value(cn)?,
                cn.len() + close.len_utf8(),
                Some(width),
            );
        }
        return None;
    }
    // 1、 1. 1． (digits ASCII or full-width)
    let d = take_while(s, is_digit);
    if !d.is_empty() && d.chars().count() <= 2 {
        let value = digits_value(d)?;
        if value == 0 {
            return None;
        }
        let after = &s[d.len()..];
        if after.starts_with('、') {
            return tok(NumberStyle::ArabicDunhao, value, d.len() + 3, None);
        }
        for dot in ['.', '．'] {
            if let Some(rest) = after.strip_prefix(dot) {
                // 1.5万 or 2.3 is a number, not a heading.
                if rest.starts_with(is_digit) {
                    return None;
                }
                return tok(
                    NumberStyle::ArabicDot,
                    value,
                    d.len() + dot.len_utf8(),
                    None,
                );
            }
        }
    }
    None
}

/// `Some(heading_only)` when the text opens with a numbering token; `heading_only` is true when
/// nothing follows the heading in the same block. Used by normalization to avoid gluing a
/// heading to the paragraph after it.
pub fn looks_numbered(text: &str) -> Option<bool> {
    let tok = parse_number(text)?;
    let rest = &text[tok.len..];
    let heading_only = match rest.find('。') {
        Some(i) => rest[i + '。'.len_utf8()..].trim().is_empty(),
        None => true,
    };
    Some(heading_only)
}

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\p{Han}A-Za-z]{1,12})\s*[〔\[【(（﹝［]\s*((?:19|20)\d{2})\s*[〕\]】)）﹞］]\s*(?:第\s*)?(\d{1,5})\s*[号號]")
        .expect("static regex")
});
static DATE_ARABIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
        .expect("static regex")
});
static DATE_HANZI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
        .expect("static regex")
});

/// A line that is only a 发文字号, e.g. `金文〔2023〕5号`.
pub(super) fn is_doc_number_line(compact: &str) -> bool {
    DOC_NUMBER
        .find(compact)
        .is_some_and(|m| m.start() == 0 && m.end() == compact.len())
}

/// A line (whitespace removed) that is only a number the head prints: a 发文字号
/// (`金文〔2023〕5号`), a 令号 or 公告号 (`第5号`, `〔2024〕第3号`), or a template's slot for one
/// (`第号` from `第  号`, `〔20XX〕第XX号`, `[此处输入文号]号`).
pub(super) fn is_number_line(compact: &str) -> bool {
    if is_doc_number_line(compact) {
        return true;
    }
    let n = compact.chars().count();
    if !compact.ends_with(['号', '號'])
        || n > 30
        || compact.contains(['。', '，', ',', '；', ';', '：', ':'])
    {
        return false;
    }
    (compact.starts_with('第') && n <= 14) || compact.contains(['〔', '[', '【', '［', '﹝'])
}

pub(super) fn parse_doc_number(s: &str) -> Option<DocNumber> {
    let c = DOC_NUMBER.captures(s)?;
    let raw = c.get(0)?.as_str().trim().to_string();
    Some(DocNumber {
        raw,
        agency_code: Some(c[1].to_string()),
        year: c[2].parse().ok(),
        seq: c[3].parse().ok(),
    })
}

fn iso(y: u32, m: u32, d: u32) -> Option<String> {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The first date in `s`, Arabic (2022年04月07日, 2022-4-7) or 汉字 (二〇二三年三月一日), as ISO.
pub(super) fn parse_date(s: &str) -> Option<String> {
    let arabic = DATE_ARABIC.captures(s).and_then(|c| {
        let start = c.get(0)?.start();
        Some((
            start,
            iso(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)?,
        ))
    });
    let hanzi = DATE_HANZI.captures(s).and_then(|c| {
        let start = c.get(0)?.start();
        let y = c[1]
            .chars()
            .try_fold(0u32, |acc, ch| Some(acc * 10 + cn_numeral::year_digit(ch)?))?;
        let m = cn_numeral::value(&c[2])?;
        let d = cn_numeral::value(&c[3])?;
        Some((start, iso(y, m, d)?))
    });
    match (arabic, hanzi) {
        (Some(a), Some(h)) => Some(if a.0 <= h.0 { a.1 } else { h.1 }),
        (a, h) => a.or(h).map(|x| x.1),
    }
}

/// A line that starts with a date, Arabic or 汉字, and holds at most a time after it
/// (`2024年04月06日 16:40`).
pub(crate) fn starts_with_date(t: &str) -> bool {
    after_leading_date(t).is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == ':'))
        && parse_date(t).is_some()
}

/// What follows a date that `t` starts with (trimmed), if it starts with one.
fn after_leading_date(t: &str) -> Option<&str> {
    let t = t.trim();
    let m = DATE_ARABIC.find(t).or_else(|| DATE_HANZI.find(t))?;
    (m.start() == 0).then(|| t[m.end()..].trim())
}

/// A line that ends with a date after some text (`某某办公室  2024年3月1日`, the line under a
/// 纪要's header): the text before the date, the date as written, and the date as ISO.
pub(super) fn trailing_date(t: &str) -> Option<(&str, &str, String)> {
    let t = t.trim();
    let m = DATE_ARABIC
        .find_iter(t)
        .chain(DATE_HANZI.find_iter(t))
        .find(|m| t[m.end()..].trim().is_empty())?;
    let before = t[..m.start()].trim();
    if before.is_empty() {
        return None;
    }
    Some((before, m.as_str(), parse_date(m.as_str())?))
}

/// A line that is nothing but a date (the 成文日期 line of the signature block).
pub(super) fn is_date_line(t: &str) -> bool {
    after_leading_date(t).is_some_and(str::is_empty)
}
