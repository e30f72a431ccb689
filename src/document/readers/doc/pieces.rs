//! The piece table (CLX / PlcPcd, [MS-DOC] 2.9.38 and 2.8.35): where each run of character
//! positions (CPs) is stored in the WordDocument stream, as CP1252 bytes ("compressed") or
//! UTF-16LE, and the document text decoded from it.
//!
//! Guarantees: the piece count is capped by `max_doc_pieces`; CP ranges must ascend; a piece
//! whose bytes lie outside the WordDocument stream is `Corrupt`. The decoded text is one
//! UTF-16 unit per CP, never longer than the FIB's CP count, which the caller has already
//! charged against `max_text_bytes`.

use super::bytes::{u16_at, u32_at, u8_at};
use crate::document::error::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece {
    pub cp_start: u32,
    pub cp_end: u32,
    /// Byte offset in the WordDocument stream of the piece's first character.
    pub fc: u32,
    pub compressed: bool,
}

impl Piece {
    /// Stream offset of the character at `cp` (which must lie in this piece).
    pub(super) fn fc_of(&self, cp: u32) -> u32 {
        let off = cp.saturating_sub(self.cp_start);
        if self.compressed {
            self.fc.saturating_add(off)
        } else {
            self.fc.saturating_add(off.saturating_mul(2))
        }
    }
}

/// The pieces of a CLX, in CP order.
pub(super) fn parse_clx(clx: &[u8], max_pieces: usize) -> Result<Vec<Piece>, ParseError> {
    let mut at = 0usize;
    // Skip the Prc entries (property modifiers of complex files) before the Pcdt.
    loop {
        match u8_at(clx, at) {
            Some(0x01) => {
                let cb = u16_at(clx, at + 1).ok_or_else(|| corrupt("truncated Prc"))?;
                at = at + 3 + usize::from(cb);
            }
            Some(0x02) => break,
            Some(other) => return Err(corrupt(&format!("unknown CLX entry {other:#04x}"))),
            None => return Err(corrupt("CLX without a piece table (Pcdt)")),
        }
    }
    let lcb = u32_at(clx, at + 1).ok_or_else(|| corrupt("truncated Pcdt"))? as usize;
    let plc = clx
        .get(at + 5..)
        .and_then(|rest| rest.get(..lcb))
        .ok_or_else(|| corrupt("PlcPcd runs past the CLX"))?;
    if lcb < 4 || (lcb - 4) % 12 != 0 {
        return Err(corrupt(&format!("PlcPcd of {lcb} bytes is not 4 + 12n")));
    }
    let n = (lcb - 4) / 12;
    if n > max_pieces {
        return Err(ParseError::LimitExceeded(format!(
            ".doc piece table lists {n} pieces, over max_doc_pieces {max_pieces}"
        )));
    }
    let cp = |i: usize| u32_at(plc, 4 * i).unwrap_or(0);
    let mut pieces = Vec::with_capacity(n);
    for i in 0..n {
        let (start, end) = (cp(i), cp(i + 1));
        if end < start || pieces.last().is_some_and(|p: &Piece| start < p.cp_end) {
            return Err(corrupt("piece table CPs do not ascend"));
        }
        let pcd = 4 * (n + 1) + 8 * i;
        let raw = u32_at(plc, pcd + 2).unwrap_or(0);
        let compressed = raw & 0x4000_0000 != 0;
        let fc = raw & 0x3FFF_FFFF;
        pieces.push(Piece {
            cp_start: start,
            cp_end: end,
            fc: if compressed { fc / 2 } else { fc },
            compressed,
        });
    }
    Ok(pieces)
}

/// The text of CPs `0..total`, one UTF-16 unit per CP. CPs no piece covers read as U+0000,
/// which every story walker skips.
pub(super) fn decode(word: &[u8], pieces: &[Piece], total: u32) -> Result<Vec<u16>, ParseError> {
    let mut out = vec![0u16; total as usize];
    for p in pieces {
        if p.cp_start >= total {
            break;
        }
        let end = p.cp_end.min(total);
        let n = (end - p.cp_start) as usize;
        let width = if p.compressed { 1 } else { 2 };
        let start = p.fc as usize;
        let bytes = start
            .checked_add(n * width)
            .and_then(|stop| word.get(start..stop))
            .ok_or_else(|| corrupt("a piece's text lies outside the WordDocument stream"))?;
        let dst = &mut out[p.cp_start as usize..end as usize];
        if p.compressed {
            for (d, &b) in dst.iter_mut().zip(bytes) {
                *d = cp1252(b);
            }
        } else {
            for (d, c) in dst.iter_mut().zip(bytes.chunks_exact(2)) {
                *d = u16::from_le_bytes([c[0], c[1]]);
            }
        }
    }
    Ok(out)
}

/// The piece holding `cp`, if any.
#[cfg(test)]
fn piece_at(pieces: &[Piece], cp: u32) -> Option<&Piece> {
    let i = pieces.partition_point(|p| p.cp_end <= cp);
    pieces.get(i).filter(|p| p.cp_start <= cp)
}

/// A compressed piece's byte: Windows-1252 ([MS-DOC] 2.4.1 lists the same 0x80-0x9F mapping).
fn cp1252(b: u8) -> u16 {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => u16::from(b),
    }
}

fn corrupt(what: &str) -> ParseError {
    ParseError::Corrupt(format!(".doc: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clx(pieces: &[(u32, u32, u32, bool)]) -> Vec<u8> {
        let mut plc = Vec::new();
        for p in pieces {
            plc.extend(p.0.to_le_bytes());
        }
        plc.extend(pieces.last().map_or(0, |p| p.1).to_le_bytes());
        for p in pieces {
            plc.extend(0u16.to_le_bytes());
            let fc = if p.3 { p.2 * 2 | 0x4000_0000 } else { p.2 };
            plc.extend(fc.to_le_bytes());
            plc.extend(0u16.to_le_bytes());
        }
        let mut out = vec![0x01, 2, 0, 0xAA, 0xBB, 0x02];
        out.extend((plc.len() as u32).to_le_bytes());
        out.extend(plc);
        out
    }

    #[test]
    fn compressed_and_utf16_pieces_decode_in_cp_order() {
        let mut word = b"..\x93hi\x94".to_vec();
        let at = word.len() as u32;
        word.extend("年报".encode_utf16().flat_map(|u| u.to_le_bytes()));
        let pieces = parse_clx(&clx(&[(0, 4, 2, true), (4, 6, at, false)]), 10).unwrap();
        let text = decode(&word, &pieces, 6).unwrap();
        assert_eq!(String::from_utf16(&text).unwrap(), "\u{201C}hi\u{201D}年报");
        assert_eq!(piece_at(&pieces, 5).unwrap().fc_of(5), at + 2);
        assert!(piece_at(&pieces, 6).is_none());
    }

    #[test]
    fn piece_count_and_bounds_are_checked() {
        let table = clx(&[(0, 1, 0, true), (1, 2, 1, true)]);
        assert_eq!(parse_clx(&table, 1).unwrap_err().code(), "limit_exceeded");
        let pieces = parse_clx(&table, 2).unwrap();
        assert_eq!(
            decode(b"a", &pieces, 2).unwrap_err().code(),
            "corrupt_document"
        );
        let backwards = clx(&[(5, 9, 0, true), (0, 2, 0, true)]);
        assert_eq!(
            parse_clx(&backwards, 9).unwrap_err().code(),
            "corrupt_document"
        );
        assert_eq!(
            parse_clx(&[0x07], 9).unwrap_err().code(),
            "corrupt_document"
        );
    }
}
