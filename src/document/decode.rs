//! Bytes -> text, with the encoding and line endings it found.
//!
//! Order matters: a BOM is authoritative; then BOM-less UTF-16 is recognised by its NUL pattern
//! (chardetng does not detect UTF-16); then valid UTF-8 is taken as is; only then does
//! `chardetng` guess a legacy encoding (GB18030/GBK, Big5...) for `encoding_rs` to decode.
//! Text that decodes to garbage (binary, the wrong guess) is an [`ParseError::UndecodableText`]
//! rather than mojibake passed downstream.

use super::error::ParseError;
use super::result::{LineEndings, Warning};
use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The text with line endings left as they were.
    pub text: String,
    /// Contract label: UTF-8, GB18030, UTF-16LE, UTF-16BE, Big5, or encoding_rs's name.
    pub encoding: String,
    pub line_endings: Option<LineEndings>,
    pub warnings: Vec<Warning>,
}

/// Share of suspicious characters (controls, U+FFFD, private use) above which text is garbage.
const MAX_GARBAGE_RATIO: f64 = 0.02;

pub fn decode(bytes: &[u8]) -> Result<Decoded, ParseError> {
    let mut warnings = Vec::new();
    let (text, encoding) = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if (enc == UTF_16LE || enc == UTF_16BE) && body.len() % 2 == 1 {
            warnings.push(Warning::new(
                "truncated_utf16",
                "UTF-16 input has an odd number of bytes; the last byte was dropped",
            ));
        }
        let body = if enc == UTF_16LE || enc == UTF_16BE {
            &body[..body.len() & !1]
        } else {
            body
        };
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if had_errors {
            warnings.push(Warning::new(
                "invalid_sequences",
                format!("some {} sequences were invalid and replaced", enc.name()),
            ));
        }
        (text.into_owned(), enc)
    } else if let Some(enc) = sniff_utf16_nuls(bytes) {
        (decode_utf16(bytes, enc, &mut warnings), enc)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_owned(), UTF_8)
    } else if let Some(enc) = sniff_utf16_cjk(bytes) {
        (decode_utf16(bytes, enc, &mut warnings), enc)
    } else {
        let mut det = chardetng::EncodingDetector::new();
        det.feed(bytes, true);
        let enc = det.guess(None, true);
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            warnings.push(Warning::new(
                "invalid_sequences",
                format!("some {} sequences were invalid and replaced", enc.name()),
            ));
        }
        (text.into_owned(), enc)
    };
    check_not_garbage(&text, encoding)?;
    let line_endings = line_endings(&text, &mut warnings);
    Ok(Decoded {
        text,
        encoding: label(encoding).to_string(),
        line_endings,
        warnings,
    })
}

fn decode_utf16(bytes: &[u8], enc: &'static Encoding, warnings: &mut Vec<Warning>) -> String {
    if bytes.len() % 2 == 1 {
        warnings.push(Warning::new(
            "truncated_utf16",
            "UTF-16 input has an odd number of bytes; the last byte was dropped",
        ));
    }
    let (text, _) = enc.decode_without_bom_handling(&bytes[..bytes.len() & !1]);
    text.into_owned()
}

/// BOM-less UTF-16 of text with some ASCII (newlines, digits): NULs concentrated on one byte
/// parity. Checked before UTF-8 because such bytes are also valid UTF-8.
fn sniff_utf16_nuls(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 || !sample.contains(&0) {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in sample.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1
            } else {
                odd += 1
            }
        }
    }
    let pairs = sample.len() / 2;
    if odd * 10 >= pairs && even * 20 < odd {
        Some(UTF_16LE)
    } else if even * 10 >= pairs && odd * 20 < even {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// BOM-less UTF-16 of CJK text, which may have no NUL at all: a trial decode must come out as
/// CJK ideographs, CJK punctuation and ASCII. Legacy double-byte encodings (GB18030, Big5) read
/// as UTF-16 land in Hangul, surrogates and private use instead, so they don't pass.
fn sniff_utf16_cjk(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    for enc in [UTF_16LE, UTF_16BE] {
        let (text, had_errors) = enc.decode_without_bom_handling(sample);
        if had_errors && sample.len() == bytes.len() & !1 {
            continue;
        }
        let (mut good, mut total) = (0usize, 0usize);
        for c in text.chars() {
            total += 1;
            if c.is_ascii_graphic()
                || c.is_ascii_whitespace()
                || ('\u{4E00}'..='\u{9FFF}').contains(&c)
                || ('\u{3000}'..='\u{303F}').contains(&c)
                || ('\u{FF00}'..='\u{FFEF}').contains(&c)
                || ('\u{2000}'..='\u{206F}').contains(&c)
            {
                good += 1;
            }
        }
        if total > 0 && good * 100 >= total * 95 {
            return Some(enc);
        }
    }
    None
}

/// Can `text` hold a character [`check_not_garbage`] counts as suspicious? Read on the UTF-8
/// bytes, without decoding: a C0 control other than whitespace, DEL, a C1 control (C2 80..9F), private use
/// U+E000..U+F8FF (EE, or EF 80..A3) or U+FFFD (EF BF BD). Full-width punctuation (EF BC..BD)
/// is in every Chinese text and does not count.
fn may_hold_garbage(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'\n' | b'\r' | b'\t' | 0x0C => false,
        0..0x20 | 0x7F | 0xEE => true,
        0xC2 => b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
        0xEF => match b.get(i + 1) {
            Some(0x80..=0xA3) => true,
            Some(0xBF) => b.get(i + 2) == Some(&0xBD),
            _ => false,
        },
        _ => false,
    })
}

fn check_not_garbage(text: &str, encoding: &'static Encoding) -> Result<(), ParseError> {
    // Fast path: no C0 control byte (other than whitespace), DEL, or lead byte of U+E000..U+FFFF
    // (private use and U+FFFD live there) means nothing suspicious can be present. (A C1
    // control is suspicious below but does not leave this fast path by itself.) Every Chinese
    // text has an EF byte (full-width punctuation), so the count below is skipped too when
    // the bytes show that it would find nothing.
    let clean = !text.bytes().any(|b| {
        (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
            || b == 0x7F
            || b == 0xEE
            || b == 0xEF
    }) || !may_hold_garbage(text);
    if clean {
        if text.trim().is_empty() {
            return Err(ParseError::Empty);
        }
        return Ok(());
    }
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        total += 1;
        let suspicious = c == '\u{FFFD}'
            || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
            || ('\u{E000}'..='\u{F8FF}').contains(&c);
        if suspicious {
            bad += 1;
        }
    }
    if total == 0 {
        return Err(ParseError::Empty);
    }
    let ratio = bad as f64 / total as f64;
    if ratio > MAX_GARBAGE_RATIO {
        return Err(ParseError::UndecodableText(format!(
            "{:.0}% of the characters decoded as {} are control, replacement or private-use \
             characters: this is binary data or an encoding that cannot be recognised",
            ratio * 100.0,
            encoding.name()
        )));
    }
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    Ok(())
}

/// The contract's encoding names. GBK is a subset of GB18030, and GB18030 is what a Chinese
/// producer means by either.
fn label(enc: &'static Encoding) -> &'static str {
    if enc == GBK || enc == GB18030 {
        "GB18030"
    } else if enc == BIG5 {
        "Big5"
    } else {
        enc.name()
    }
}

fn line_endings(text: &str, warnings: &mut Vec<Warning>) -> Option<LineEndings> {
    let b = text.as_bytes();
    let cr_total = b.iter().filter(|&&c| c == b'\r').count();
    let lf_total = b.iter().filter(|&&c| c == b'\n').count();
    let crlf = if cr_total == 0 {
        0
    } else {
        b.windows(2).filter(|w| w == b"\r\n").count()
    };
    let (lf, cr) = (lf_total - crlf, cr_total - crlf);
    let kinds = [
        (crlf, LineEndings::CRLF),
        (lf, LineEndings::LF),
        (cr, LineEndings::CR),
    ];
    let present = kinds.iter().filter(|(n, _)| *n > 0).count();
    if present > 1 {
        warnings.push(Warning::new(
            "mixed_line_endings",
            format!("{crlf} CRLF, {lf} LF and {cr} CR line breaks; all were normalized to LF"),
        ));
    }
    kinds
        .iter()
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "一、强化统筹谋划\n（一）压实工作责任。定期听取汇报4次。\n";

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode(REPORT.as_bytes()).unwrap();
        assert_eq!((d.encoding.as_str(), d.text.as_str()), ("UTF-8", REPORT));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(REPORT.replace('\n', "\r\n").as_bytes());
        let d = decode(&bom).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.line_endings, Some(LineEndings::CRLF));
        assert!(d.text.starts_with('一'));
    }

    #[test]
    fn the_byte_check_sees_every_suspicious_character() {
        let suspicious = |c: char| {
            c == '\u{FFFD}'
                || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
                || ('\u{E000}'..='\u{F8FF}').contains(&c)
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let text = format!("正文，{c}。");
            assert_eq!(may_hold_garbage(&text), suspicious(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let le: Vec<u8> = REPORT
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let be: Vec<u8> = REPORT
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        for (bytes, label) in [(le.clone(), "UTF-16LE"), (be.clone(), "UTF-16BE")] {
            let bom: &[u8] = if label == "UTF-16LE" {
                b"\xFF\xFE"
            } else {
                b"\xFE\xFF"
            };
            let with_bom = [bom, &bytes].concat();
            let d = decode(&with_bom).unwrap();
            assert_eq!((d.encoding.as_str(), d.text.as_str()), (label, REPORT));
            let d = decode(&bytes).unwrap();
            assert_eq!((d.encoding.as_str(), d.text.as_str()), (label, REPORT));
        }
    }

    #[test]
    fn truncated_utf16_is_a_warning_not_an_error() {
        let mut le: Vec<u8> = b"\xFF\xFE".to_vec();
        le.extend(REPORT.encode_utf16().flat_map(|u| u.to_le_bytes()));
        le.pop();
        let d = decode(&le).unwrap();
        assert!(d.warnings.iter().any(|w| w.code == "truncated_utf16"));
        assert!(d.text.starts_with("一、强化"));
    }

    #[test]
    fn gb18030_is_detected() {
        let long = REPORT.repeat(20);
        let (bytes, _, _) = GB18030.encode(&long);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "GB18030");
        assert_eq!(d.text, long);
    }

    #[test]
    fn big5_is_detected() {
        let text =
            "一、強化統籌謀劃，夯實法治建設基礎。定期聽取法治建設匯報四次，研究推進法治建設。\n"
                .repeat(10);
        let (bytes, _, _) = BIG5.encode(&text);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "Big5");
        assert_eq!(d.text, text);
    }

    #[test]
    fn latin1_is_not_taken_for_utf16() {
        let text =
            "Caf\u{e9} au lait, cr\u{e8}me br\u{fb}l\u{e9}e et pr\u{e9}sentation.\n".repeat(20);
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, text);
    }

    #[test]
    fn random_binary_is_undecodable() {
        // A deterministic pseudo-random byte stream.
        let mut x: u32 = 0x1234_5678;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        assert_eq!(decode(&bytes).unwrap_err().code(), "undecodable_text");
    }

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(decode(b" \n\r\n ").unwrap_err().code(), "empty_input");
    }
}
