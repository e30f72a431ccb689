//! Builds small Word 97-2003 .doc files from scratch for the .doc reader's tests: an OLE2
//! container (written with `cfb`) holding a `WordDocument` stream (a Word 97 FIB, the UTF-16
//! text, PAPX pages) and a `0Table` stream (the piece table, the PlcBtePapx). Every field the
//! reader uses can be set, so tests can make the structures Word writes and the ones a hostile
//! file would.

#![allow(dead_code)]

use std::io::{Cursor, Write};

pub const TEXT_AT: usize = 0x800;
const FC_LCB_BASE: usize = 154;
const FC_CLX: usize = 33;
const FC_PLCF_BTE_PAPX: usize = 13;

pub const SPRM_P_OUT_LVL: u16 = 0x2640;
pub const SPRM_P_F_IN_TABLE: u16 = 0x2416;
pub const SPRM_P_F_TTP: u16 = 0x2417;

/// One paragraph: its characters including the mark that ends it (`\r`, or `\x07` for a cell
/// or row mark) and its direct paragraph sprms.
pub struct Para {
    pub text: String,
    pub grpprl: Vec<u8>,
}

pub fn para(text: &str) -> Para {
    Para {
        text: text.to_string(),
        grpprl: Vec::new(),
    }
}

pub fn with_sprm(mut p: Para, sprm: u16, operand: &[u8]) -> Para {
    p.grpprl.extend(sprm.to_le_bytes());
    p.grpprl.extend(operand);
    p
}

/// The parts of a .doc, to be tampered with before [`DocParts::build`].
pub struct DocParts {
    pub word: Vec<u8>,
    pub table: Vec<u8>,
    /// Characters of the main text (CPs).
    pub ccp_text: u32,
}

impl DocParts {
    pub fn new(paras: &[Para]) -> DocParts {
        let units: Vec<u16> = paras
            .iter()
            .flat_map(|p| p.text.encode_utf16().collect::<Vec<_>>())
            .collect();
        let mut word = vec![0u8; TEXT_AT];
        word[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
        word[2..4].copy_from_slice(&0x00C1u16.to_le_bytes());
        // fExtChar; table stream 0Table.
        word[10..12].copy_from_slice(&0x1000u16.to_le_bytes());
        word[32..34].copy_from_slice(&14u16.to_le_bytes());
        word[62..64].copy_from_slice(&22u16.to_le_bytes());
        word[FC_LCB_BASE - 2..FC_LCB_BASE].copy_from_slice(&93u16.to_le_bytes());
        word.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        let ccp_text = units.len() as u32;
        word[76..80].copy_from_slice(&ccp_text.to_le_bytes());

        // PAPX FKPs: one run per paragraph, a few per page.
        let mut runs = Vec::new();
        let mut fc = TEXT_AT as u32;
        for p in paras {
            let end = fc + 2 * p.text.encode_utf16().count() as u32;
            runs.push((fc, end, p.grpprl.clone()));
            fc = end;
        }
        let mut table = Vec::new();
        let clx = piece_table(&[(0, ccp_text, TEXT_AT as u32, false)]);
        set_fc(&mut word, FC_CLX, table.len() as u32, clx.len() as u32);
        table.extend(clx);
        let mut bte_fcs = Vec::new();
        let mut bte_pns = Vec::new();
        for chunk in runs.chunks(8) {
            while word.len() % 512 != 0 {
                word.push(0);
            }
            let pn = (word.len() / 512) as u32;
            word.extend(papx_fkp(chunk));
            bte_fcs.push(chunk[0].0);
            bte_pns.push(pn);
        }
        if !bte_fcs.is_empty() {
            let mut plc = Vec::new();
            for f in &bte_fcs {
                plc.extend(f.to_le_bytes());
            }
            plc.extend(fc.to_le_bytes());
            for pn in &bte_pns {
                plc.extend(pn.to_le_bytes());
            }
            set_fc(
                &mut word,
                FC_PLCF_BTE_PAPX,
                table.len() as u32,
                plc.len() as u32,
            );
            table.extend(plc);
        }
        DocParts {
            word,
            table,
            ccp_text,
        }
    }

    /// The OLE2 file.
    pub fn build(&self) -> Vec<u8> {
        ole(&[("WordDocument", &self.word), ("0Table", &self.table)])
    }

    /// Replaces the piece table with `clx` (appended to the table stream).
    pub fn set_clx(&mut self, clx: &[u8]) {
        let at = self.table.len() as u32;
        self.table.extend(clx);
        set_fc(&mut self.word, FC_CLX, at, clx.len() as u32);
    }

    pub fn set_ccp_text(&mut self, ccp: u32) {
        self.word[76..80].copy_from_slice(&ccp.to_le_bytes());
    }

    pub fn set_flags(&mut self, flags: u16) {
        self.word[10..12].copy_from_slice(&flags.to_le_bytes());
    }
}

fn set_fc(word: &mut [u8], index: usize, fc: u32, lcb: u32) {
    let at = FC_LCB_BASE + 8 * index;
    word[at..at + 4].copy_from_slice(&fc.to_le_bytes());
    word[at + 4..at + 8].copy_from_slice(&lcb.to_le_bytes());
}

/// A CLX with one Pcdt listing `(cp_start, cp_end, fc, compressed)` pieces.
pub fn piece_table(pieces: &[(u32, u32, u32, bool)]) -> Vec<u8> {
    let mut plc = Vec::new();
    for p in pieces {
        plc.extend(p.0.to_le_bytes());
    }
    plc.extend(pieces.last().map_or(0, |p| p.1).to_le_bytes());
    for p in pieces {
        plc.extend(0u16.to_le_bytes());
        let fc = if p.3 { (p.2 * 2) | 0x4000_0000 } else { p.2 };
        plc.extend(fc.to_le_bytes());
        plc.extend(0u16.to_le_bytes());
    }
    let mut out = vec![0x02];
    out.extend((plc.len() as u32).to_le_bytes());
    out.extend(plc);
    out
}

/// One 512-byte PAPX FKP page for these runs (at most 8 with short grpprls).
fn papx_fkp(runs: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut page = vec![0u8; 512];
    let crun = runs.len();
    for (i, r) in runs.iter().enumerate() {
        page[4 * i..4 * i + 4].copy_from_slice(&r.0.to_le_bytes());
    }
    page[4 * crun..4 * crun + 4].copy_from_slice(&runs[crun - 1].1.to_le_bytes());
    let mut free = 511usize;
    for (i, r) in runs.iter().enumerate() {
        // GrpPrlAndIstd: istd 0 + the sprms.
        let mut body = vec![0u8, 0];
        body.extend(&r.2);
        let mut papx = Vec::new();
        if body.len() % 2 == 1 {
            papx.push(body.len().div_ceil(2) as u8);
        } else {
            papx.push(0);
            papx.push((body.len() / 2) as u8);
        }
        papx.extend(&body);
        let start = (free - papx.len()) & !1;
        page[start..start + papx.len()].copy_from_slice(&papx);
        free = start;
        page[4 * (crun + 1) + 13 * i] = (start / 2) as u8;
    }
    page[511] = crun as u8;
    page
}

/// An OLE2 compound file of these root streams.
pub fn ole(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        let mut s = cfb.create_stream(name).unwrap();
        s.write_all(data).unwrap();
    }
    cfb.flush().unwrap();
    cfb.into_inner().into_inner()
}
