//! CMaps: embedded ones (a font's `ToUnicode`, a composite font's `Encoding` stream) parsed
//! from their PostScript-like text, and the predefined Chinese CMaps named by `/Encoding`
//! (UniGB-UCS2-H, UniGB-UTF16-H, GBK-EUC-H, GB-EUC-H, Identity-H) implemented by rule, so no
//! CMap file is needed at run time.
//!
//! Guarantees: parsing is one pass over the stream with the content-stream lexer (linear, no
//! recursion); ranges are stored as ranges, never expanded, so `<0000> <FFFFFFFF>` costs one
//! entry; lookups are a hash probe plus a binary search.

use super::lexer::{Lexer, Operand};
use std::collections::HashMap;

/// A glyph name of the `uniXXXX` / `uXXXX[XX]` forms (from `/Differences` or a CMap) to its
/// Unicode text. Adobe glyph list names (`emdash`) are resolved through lopdf's encoding
/// tables instead (see `font::encoding_table`).
pub(super) fn glyph_name_to_unicode(name: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(name).ok()?;
    let s = s.split('.').next()?; // `a.sc`, `uni4E2D.vert`: the part before the suffix
    if let Some(hex) = s.strip_prefix("uni") {
        if !hex.is_empty() && hex.len() % 4 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let units: Vec<u16> = hex
                .as_bytes()
                .chunks(4)
                .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
                .collect();
            let t: String = char::decode_utf16(units).filter_map(|r| r.ok()).collect();
            return (!t.is_empty()).then_some(t);
        }
    }
    if let Some(hex) = s.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from);
        }
    }
    None
}

/// One character code as read from a string: its value and its byte length (a 1-byte 0x41 and
/// a 2-byte 0x0041 are different codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Code {
    pub value: u32,
    pub len: u8,
}

#[derive(Debug, Clone)]
enum RangeDst {
    /// The first code maps to these UTF-16 units; each next code increments the last unit.
    Base(Vec<u16>),
    /// One destination per code.
    List(Vec<String>),
    /// The first code maps to this CID; each next code to the next CID.
    Cid(u32),
}

#[derive(Debug, Clone)]
struct Range {
    len: u8,
    lo: u32,
    hi: u32,
    dst: RangeDst,
}

/// An embedded CMap: code space, code -> Unicode (`bf*`) and code -> CID (`cid*`) mappings.
#[derive(Debug, Clone, Default)]
pub(super) struct CMap {
    codespace: Vec<(u8, u32, u32)>,
    chars: HashMap<Code, String>,
    cids: HashMap<Code, u32>,
    ranges: Vec<Range>,
}

fn code_of(bytes: &[u8]) -> Option<Code> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let value = bytes.iter().fold(0u32, |v, b| v << 8 | *b as u32);
    Some(Code {
        value,
        len: bytes.len() as u8,
    })
}

/// UTF-16BE bytes to a string; unpaired surrogates and U+0000 are dropped (a wrong character
/// is worse than none).
pub(super) fn utf16be(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    units_to_string(&units)
}

fn units_to_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .filter_map(|r| r.ok())
        .filter(|c| *c != '\0')
        .collect()
}

impl CMap {
    /// Parses an embedded CMap stream's decoded bytes. Unknown or malformed entries are
    /// skipped; an unreadable stream gives an empty map.
    pub(super) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lx = Lexer::new(data);
        let mut ops = Vec::new();
        while let Some(op) = lx.next_op(&mut ops) {
            match op.name {
                b"endcodespacerange" => {
                    for pair in ops.chunks_exact(2) {
                        if let (Operand::Str(lo), Operand::Str(hi)) = (&pair[0], &pair[1]) {
                            if let (Some(l), Some(h)) = (code_of(lo), code_of(hi)) {
                                if l.len == h.len {
                                    cmap.codespace.push((l.len, l.value, h.value));
                                }
                            }
                        }
                    }
                }
                b"endbfchar" => {
                    for pair in ops.chunks_exact(2) {
                        if let (Operand::Str(src), dst) = (&pair[0], &pair[1]) {
                            let Some(code) = code_of(src) else { continue };
                            let text = match dst {
                                Operand::Str(d) => utf16be(d),
                                // A glyph name destination (rare): resolved like Differences.
                                Operand::Name(n) => glyph_name_to_unicode(n).unwrap_or_default(),
                                _ => continue,
                            };
                            cmap.chars.insert(code, text);
                        }
                    }
                }
                b"endbfrange" => {
                    for t in ops.chunks_exact(3) {
                        let (Operand::Str(lo), Operand::Str(hi)) = (&t[0], &t[1]) else {
                            continue;
                        };
                        let (Some(l), Some(h)) = (code_of(lo), code_of(hi)) else {
                            continue;
                        };
                        if h.value < l.value {
                            continue;
                        }
                        let dst = match &t[2] {
                            Operand::Str(d) => RangeDst::Base(
                                d.chunks_exact(2)
                                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                                    .collect(),
                            ),
                            Operand::Array(items) => RangeDst::List(
                                items
                                    .iter()
                                    .map(|i| match i {
                                        Operand::Str(d) => utf16be(d),
                                        _ => String::new(),
                                    })
                                    .collect(),
                            ),
                            _ => continue,
                        };
                        cmap.ranges.push(Range {
                            len: l.len,
                            lo: l.value,
                            hi: h.value,
                            dst,
                        });
                    }
                }
                b"endcidchar" => {
                    for pair in ops.chunks_exact(2) {
                        if let (Operand::Str(src), Operand::Num(cid)) = (&pair[0], &pair[1]) {
                            if let Some(code) = code_of(src) {
                                cmap.cids.insert(code, cid.max(0.0) as u32);
                            }
                        }
                    }
                }
                b"endcidrange" => {
                    for t in ops.chunks_exact(3) {
                        if let (Operand::Str(lo), Operand::Str(hi), Operand::Num(cid)) =
                            (&t[0], &t[1], &t[2])
                        {
                            if let (Some(l), Some(h)) = (code_of(lo), code_of(hi)) {
                                if h.value >= l.value {
                                    cmap.ranges.push(Range {
                                        len: l.len,
                                        lo: l.value,
                                        hi: h.value,
                                        dst: RangeDst::Cid(cid.max(0.0) as u32),
                                    });
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        cmap.ranges.sort_by_key(|r| (r.len, r.lo));
        cmap
    }

    /// Length in bytes of the code that starts `bytes`, per the code space; `None` when no
    /// code-space range matches (the caller falls back to the font's default width).
    pub(super) fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        let mut value = 0u32;
        for n in 1..=4usize.min(bytes.len()) {
            value = value << 8 | bytes[n - 1] as u32;
            if self
                .codespace
                .iter()
                .any(|&(len, lo, hi)| len as usize == n && (lo..=hi).contains(&value))
            {
                return Some(n);
            }
        }
        None
    }

    fn range(&self, code: Code) -> Option<&Range> {
        // Ranges sorted by (len, lo): the last one starting at or before the code.
        let idx = self
            .ranges
            .partition_point(|r| (r.len, r.lo) <= (code.len, code.value));
        // Overlapping ranges are rare; look back a few for one that covers the code.
        self.ranges[..idx]
            .iter()
            .rev()
            .take(8)
            .find(|r| r.len == code.len && r.lo <= code.value && code.value <= r.hi)
    }

    /// The Unicode text a code maps to (`bfchar`/`bfrange`).
    pub(super) fn unicode(&self, code: Code) -> Option<String> {
        if let Some(s) = self.chars.get(&code) {
            return Some(s.clone());
        }
        let r = self.range(code)?;
        let off = code.value - r.lo;
        match &r.dst {
            RangeDst::Base(units) => {
                let mut u = units.clone();
                let last = u.last_mut()?;
                *last = last.checked_add(u16::try_from(off).ok()?)?;
                Some(units_to_string(&u))
            }
            RangeDst::List(items) => items.get(off as usize).cloned(),
            RangeDst::Cid(_) => None,
        }
    }

    /// The CID a code selects (`cidchar`/`cidrange`), for embedded Encoding CMaps.
    pub(super) fn cid(&self, code: Code) -> Option<u32> {
        if let Some(c) = self.cids.get(&code) {
            return Some(*c);
        }
        let r = self.range(code)?;
        match r.dst {
            RangeDst::Cid(start) => start.checked_add(code.value - r.lo),
            _ => None,
        }
    }
}

/// The predefined CMaps a composite font may name in `/Encoding`, implemented by rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Predefined {
    /// Identity-H/V: two-byte codes, code = CID.
    Identity,
    /// UniGB-UCS2-H/V: two-byte UCS-2 codes.
    Ucs2,
    /// UniGB-UTF16-H/V: UTF-16BE, two or four bytes.
    Utf16,
    /// GBK-EUC-H/V (also GBKp, GBK2K's two-byte part): lead byte 0x81-0xFE takes two bytes.
    Gbk,
    /// GB-EUC-H/V (GB 2312): lead byte 0xA1-0xFE takes two bytes.
    Gb2312,
}

impl Predefined {
    pub(super) fn from_name(name: &[u8]) -> Option<Predefined> {
        let base = name
            .strip_suffix(b"-H")
            .or_else(|| name.strip_suffix(b"-V"))
            .unwrap_or(name);
        Some(match base {
            b"Identity" => Predefined::Identity,
            b"UniGB-UCS2" | b"UniCNS-UCS2" | b"UniJIS-UCS2" | b"UniKS-UCS2" => Predefined::Ucs2,
            b"UniGB-UTF16" | b"UniCNS-UTF16" | b"UniJIS-UTF16" | b"UniKS-UTF16" => {
                Predefined::Utf16
            }
            b"GBK-EUC" | b"GBKp-EUC" | b"GBK2K" => Predefined::Gbk,
            b"GB-EUC" | b"GBpc-EUC" | b"GBT-EUC" => Predefined::Gb2312,
            _ => return None,
        })
    }

    pub(super) fn code_len(self, bytes: &[u8]) -> usize {
        let b0 = bytes.first().copied().unwrap_or(0);
        match self {
            Predefined::Identity | Predefined::Ucs2 => 2,
            Predefined::Utf16 => {
                if (0xD8..=0xDB).contains(&b0) {
                    4
                } else {
                    2
                }
            }
            Predefined::Gbk => {
                if (0x81..=0xFE).contains(&b0) {
                    2
                } else {
                    1
                }
            }
            Predefined::Gb2312 => {
                if (0xA1..=0xFE).contains(&b0) {
                    2
                } else {
                    1
                }
            }
        }
    }

    /// The Unicode text of a code, where the CMap itself says it (all but Identity).
    pub(super) fn unicode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Predefined::Identity => None,
            Predefined::Ucs2 | Predefined::Utf16 => {
                let s = utf16be(bytes);
                (!s.is_empty()).then_some(s)
            }
            Predefined::Gbk | Predefined::Gb2312 => {
                if bytes.len() == 1 {
                    // The one-byte range of these CMaps is ASCII.
                    let b = bytes[0];
                    return (0x20..0x7f).contains(&b).then(|| (b as char).to_string());
                }
                let (s, _, bad) = encoding_rs::GBK.decode(bytes);
                (!bad && !s.is_empty()).then(|| s.into_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO_UNICODE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0003> <0020> <0010> <4E2D56FD> endbfchar
2 beginbfrange <0020> <0022> <5E74> <0030> <0031> [<0041> <D840DC00>] endbfrange
1 begincidrange <8140> <817E> 633 endcidrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    fn c(v: u32) -> Code {
        Code { value: v, len: 2 }
    }

    #[test]
    fn bfchar_bfrange_and_arrays() {
        let m = CMap::parse(TO_UNICODE);
        assert_eq!(m.unicode(c(3)).as_deref(), Some(" "));
        assert_eq!(m.unicode(c(0x10)).as_deref(), Some("中国"));
        assert_eq!(m.unicode(c(0x21)).as_deref(), Some("\u{5e75}"));
        assert_eq!(m.unicode(c(0x22)).as_deref(), Some("\u{5e76}"));
        assert_eq!(m.unicode(c(0x23)), None);
        assert_eq!(m.unicode(c(0x30)).as_deref(), Some("A"));
        assert_eq!(m.unicode(c(0x31)).as_deref(), Some("\u{20000}"));
        // A one-byte 0x03 is another code than the two-byte one.
        assert_eq!(m.unicode(Code { value: 3, len: 1 }), None);
        assert_eq!(m.cid(c(0x8141)), Some(634));
        assert_eq!(m.code_len(&[0x12, 0x34]), Some(2));
        assert_eq!(m.code_len(&[0x12]), None);
    }

    #[test]
    fn huge_ranges_are_not_expanded() {
        let m = CMap::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(m.ranges.len(), 1);
        assert_eq!(m.unicode(Code { value: 1, len: 4 }).as_deref(), Some("B"));
        // Past the end of the UTF-16 unit space: no character rather than a wrapped one.
        assert_eq!(
            m.unicode(Code {
                value: 0x1_0000,
                len: 4
            }),
            None
        );
    }

    #[test]
    fn predefined_chinese_cmaps() {
        let ucs2 = Predefined::from_name(b"UniGB-UCS2-H").unwrap();
        assert_eq!(ucs2.unicode(&[0x4e, 0x2d]).as_deref(), Some("中"));
        let gbk = Predefined::from_name(b"GBK-EUC-H").unwrap();
        assert_eq!(gbk.code_len(&[0xd6, 0xd0]), 2);
        assert_eq!(gbk.code_len(b"1"), 1);
        assert_eq!(gbk.unicode(&[0xd6, 0xd0]).as_deref(), Some("中"));
        let utf16 = Predefined::from_name(b"UniGB-UTF16-V").unwrap();
        assert_eq!(utf16.code_len(&[0xd8, 0x40, 0xdc, 0]), 4);
        assert_eq!(
            utf16.unicode(&[0xd8, 0x40, 0xdc, 0]).as_deref(),
            Some("\u{20000}")
        );
        assert_eq!(Predefined::from_name(b"GB-EUC-H"), Some(Predefined::Gb2312));
        assert_eq!(Predefined::from_name(b"Foo-H"), None);
    }
}
