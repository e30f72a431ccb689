//! The File Information Block at the start of the `WordDocument` stream ([MS-DOC] 2.5.1): the
//! version, the flags that decide how the rest is read (which table stream, complex, encrypted)
//! and where every structure lives.
//!
//! Guarantees: every offset is read with a bounds check; a FIB too short for a field that is
//! needed is `Corrupt`, an optional structure past the FIB's end reads as absent. Versions
//! before Word 97 are told apart here and refused with their name.

use super::bytes::{u16_at, u32_at};
use crate::document::error::ParseError;

/// `wIdent` of every Word 97 and later binary document.
const W_IDENT: u16 = 0xA5EC;
/// `wIdent` of Word 6.0 and Word 95 files (0xA5DC; the Far East editions wrote 0xA697 and
/// 0xA699).
const W6_IDENTS: [u16; 3] = [0xA5DC, 0xA697, 0xA699];
/// Offset of `fibRgFcLcbBlob` in a Word 97+ FIB (FibBase 32 + csw 2 + fibRgW 28 + cslw 2 +
/// fibRgLw 88 + cbRgFcLcb 2).
const FC_LCB_BASE: usize = 154;
/// Offset of `fibRgLw` (the `ccp*` counts live there).
const RG_LW_BASE: usize = 64;

/// Indices in `fibRgFcLcb97` of the structures this reader uses.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fc {
    Stshf = 1,
    PlcffndTxt = 3,
    PlcfandTxt = 5,
    PlcfHdd = 11,
    PlcfBteChpx = 12,
    PlcfBtePapx = 13,
    Clx = 33,
    PlcfendTxt = 47,
    PlfLst = 73,
    PlfLfo = 74,
}

/// The character counts of the stories, in the order they follow one another in CP space.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Ccp {
    pub text: u32,
    pub ftn: u32,
    pub hdd: u32,
    pub mcr: u32,
    pub atn: u32,
    pub edn: u32,
    pub txbx: u32,
    pub hdr_txbx: u32,
}

impl Ccp {
    /// CPs of all stories; when any side story exists the document ends with one extra
    /// paragraph mark ([MS-DOC] 2.4.1).
    pub(super) fn total(&self) -> u64 {
        let side = [
            self.ftn,
            self.hdd,
            self.mcr,
            self.atn,
            self.edn,
            self.txbx,
            self.hdr_txbx,
        ];
        let sum: u64 = side.iter().map(|&c| u64::from(c)).sum();
        u64::from(self.text) + sum + u64::from(sum > 0)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Fib {
    pub encrypted: bool,
    pub obfuscated: bool,
    /// `fWhichTblStm`: the table stream is `1Table` (else `0Table`).
    pub table_1: bool,
    /// `fExtChar`: text without a piece table is UTF-16.
    pub ext_char: bool,
    /// Start of the text in the WordDocument stream for files without a piece table.
    pub fc_min: u32,
    pub ccp: Ccp,
    /// The raw `fibRgFcLcb` pairs, as many as the FIB holds.
    fc_lcb: Vec<(u32, u32)>,
}

impl Fib {
    pub(super) fn parse(word: &[u8]) -> Result<Fib, ParseError> {
        let ident = u16_at(word, 0).ok_or_else(|| short("FibBase"))?;
        if W6_IDENTS.contains(&ident) {
            let n_fib = u16_at(word, 2).unwrap_or(0);
            return Err(ParseError::UnsupportedFormat(format!(
                "Word 6.0/95 document (.doc wIdent {ident:#06x}, nFib {n_fib}); only Word 97-2003 and later .doc files are read"
            )));
        }
        if ident != W_IDENT {
            return Err(ParseError::Corrupt(format!(
                ".doc: WordDocument stream does not start with a Word FIB (wIdent {ident:#06x})"
            )));
        }
        let n_fib = u16_at(word, 2).ok_or_else(|| short("FibBase"))?;
        refuse_old_versions(n_fib)?;
        let flags = u16_at(word, 10).ok_or_else(|| short("FibBase"))?;
        let lw = |i: usize| u32_at(word, RG_LW_BASE + 4 * i);
        let ccp = Ccp {
            text: lw(3).ok_or_else(|| short("fibRgLw"))?,
            ftn: lw(4).unwrap_or(0),
            hdd: lw(5).unwrap_or(0),
            mcr: lw(6).unwrap_or(0),
            atn: lw(7).unwrap_or(0),
            edn: lw(8).unwrap_or(0),
            txbx: lw(9).unwrap_or(0),
            hdr_txbx: lw(10).unwrap_or(0),
        };
        let count = usize::from(u16_at(word, FC_LCB_BASE - 2).unwrap_or(0));
        let fc_lcb = (0..count)
            .map_while(|i| {
                let at = FC_LCB_BASE + 8 * i;
                Some((u32_at(word, at)?, u32_at(word, at + 4)?))
            })
            .collect();
        Ok(Fib {
            encrypted: flags & 0x0100 != 0,
            table_1: flags & 0x0200 != 0,
            ext_char: flags & 0x1000 != 0,
            obfuscated: flags & 0x8000 != 0,
            fc_min: u32_at(word, 24).unwrap_or(0),
            ccp,
            fc_lcb,
        })
    }

    /// `(fc, lcb)` of a structure in the table stream; `None` when absent (lcb 0) or beyond
    /// what this FIB lists.
    pub(super) fn get(&self, which: Fc) -> Option<(u32, u32)> {
        self.fc_lcb
            .get(which as usize)
            .copied()
            .filter(|&(_, lcb)| lcb > 0)
    }
}

fn short(what: &str) -> ParseError {
    ParseError::Corrupt(format!(".doc: FIB truncated ({what})"))
}

/// nFib values: Word 97 and later write 0x00C1 (some early Word 97 builds 0x00C0); Word 6 and
/// Word 95 wrote 101..=105; Word 2 wrote 45 (its files are not OLE, see `detect`).
fn refuse_old_versions(n_fib: u16) -> Result<(), ParseError> {
    let version = match n_fib {
        0xC0.. => return Ok(()),
        101..=105 => "Word 6.0/95",
        45 | 44 => "Word 2.0",
        0..=43 => "Word 1.x",
        _ => "pre-Word 97",
    };
    Err(ParseError::UnsupportedFormat(format!(
        "{version} document (.doc nFib {n_fib}); only Word 97-2003 and later .doc files are read"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_versions_are_named_and_unsupported() {
        let mut word = vec![0u8; 200];
        word[0..2].copy_from_slice(&W_IDENT.to_le_bytes());
        word[2..4].copy_from_slice(&104u16.to_le_bytes());
        let e = Fib::parse(&word).unwrap_err();
        assert_eq!(e.code(), "unsupported_format");
        assert!(e.to_string().contains("Word 6.0/95"), "{e}");
        word[2..4].copy_from_slice(&0xC1u16.to_le_bytes());
        word[10..12].copy_from_slice(&0x0304u16.to_le_bytes());
        let fib = Fib::parse(&word).unwrap();
        assert!(fib.encrypted && fib.table_1 && !fib.obfuscated);
        assert!(fib.get(Fc::Clx).is_none());
    }

    #[test]
    fn word6_idents_are_named_and_unsupported() {
        let mut word = vec![0u8; 64];
        word[0..2].copy_from_slice(&0xA5DCu16.to_le_bytes());
        word[2..4].copy_from_slice(&101u16.to_le_bytes());
        let e = Fib::parse(&word).unwrap_err();
        assert_eq!(e.code(), "unsupported_format");
        assert!(e.to_string().contains("Word 6.0/95"), "{e}");
    }

    #[test]
    fn a_stream_that_is_not_a_fib_is_corrupt() {
        assert_eq!(Fib::parse(b"").unwrap_err().code(), "corrupt_document");
        assert_eq!(
            Fib::parse(&[0u8; 600]).unwrap_err().code(),
            "corrupt_document"
        );
    }
}
