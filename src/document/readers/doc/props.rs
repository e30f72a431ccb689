//! Paragraph and character properties: sprm lists ([MS-DOC] 2.6), the PAPX and CHPX formatted
//! disk pages (FKPs, 2.9.73/2.9.74) that attach them to stream offsets, and the style sheet
//! (STSH, 2.9.271) whose styles give heading levels, list membership and bold.
//!
//! Only the properties the reader uses are decoded: style index, outline level, list (ilfo,
//! ilvl), table membership (in table, row end, nesting depth) and bold. Everything else is
//! skipped by its operand size.
//!
//! Guarantees: a sprm whose operand runs past its list ends the list; FKP pages and style
//! entries outside their stream are skipped or `Corrupt`, never read out of range; the FKP
//! page count is bounded by the PlcBte size, itself inside the table stream; style inheritance
//! is followed at most [`MAX_STYLE_DEPTH`] hops (a `istdBase` cycle cannot loop).

use super::bytes::{i32_at, u16_at, u32_at, u8_at};
use std::collections::HashMap;

/// Bases followed when resolving a style property: Word itself allows 11 levels of
/// inheritance; beyond that is a cycle or hostile.
const MAX_STYLE_DEPTH: usize = 16;
const FKP_SIZE: usize = 512;

const SPRM_P_ISTD: u16 = 0x4600;
const SPRM_P_OUT_LVL: u16 = 0x2640;
const SPRM_P_ILFO: u16 = 0x460B;
const SPRM_P_ILVL: u16 = 0x260A;
const SPRM_P_F_IN_TABLE: u16 = 0x2416;
const SPRM_P_F_TTP: u16 = 0x2417;
const SPRM_P_ITAP: u16 = 0x6649;
const SPRM_P_F_INNER_TABLE_CELL: u16 = 0x244B;
const SPRM_P_F_INNER_TTP: u16 = 0x244C;
const SPRM_C_F_BOLD: u16 = 0x0835;
const SPRM_T_DEF_TABLE: u16 = 0xD608;
const SPRM_P_CHG_TABS: u16 = 0xC615;

/// Calls `f(sprm, operand)` for each sprm of a grpprl.
pub(super) fn for_each_sprm(grpprl: &[u8], mut f: impl FnMut(u16, &[u8])) {
    let mut at = 0usize;
    while let Some(sprm) = u16_at(grpprl, at) {
        at += 2;
        let len = match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            _ => match sprm {
                SPRM_T_DEF_TABLE => match u16_at(grpprl, at) {
                    // A 2-byte size that counts itself's second byte ([MS-DOC] 2.6.1 note).
                    Some(cb) => {
                        at += 2;
                        usize::from(cb).saturating_sub(1)
                    }
                    None => return,
                },
                SPRM_P_CHG_TABS => match u8_at(grpprl, at) {
                    Some(255) => {
                        // tabs to delete (cb, 4 bytes each) then tabs to add (3 bytes each)
                        let del = usize::from(u8_at(grpprl, at + 1).unwrap_or(0));
                        let add = usize::from(u8_at(grpprl, at + 2 + 4 * del).unwrap_or(0));
                        2 + 4 * del + 1 + 3 * add
                    }
                    Some(cb) => {
                        at += 1;
                        usize::from(cb)
                    }
                    None => return,
                },
                _ => match u8_at(grpprl, at) {
                    Some(cb) => {
                        at += 1;
                        usize::from(cb)
                    }
                    None => return,
                },
            },
        };
        let Some(operand) = at.checked_add(len).and_then(|end| grpprl.get(at..end)) else {
            return;
        };
        f(sprm, operand);
        at += len;
    }
}

/// The paragraph properties this reader uses; `None` = not set at this level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ParaProps {
    pub istd: u16,
    pub outline: Option<u8>,
    pub ilfo: Option<i16>,
    pub ilvl: Option<u8>,
    pub in_table: bool,
    pub ttp: bool,
    pub itap: Option<i32>,
    pub inner_cell: bool,
    pub inner_ttp: bool,
}

impl ParaProps {
    pub(super) fn apply(&mut self, grpprl: &[u8]) {
        for_each_sprm(grpprl, |sprm, op| {
            let b = op.first().copied().unwrap_or(0);
            match sprm {
                SPRM_P_ISTD => self.istd = u16_at(op, 0).unwrap_or(0),
                SPRM_P_OUT_LVL => self.outline = Some(b),
                SPRM_P_ILFO => self.ilfo = u16_at(op, 0).map(|v| v as i16),
                SPRM_P_ILVL => self.ilvl = Some(b),
                SPRM_P_F_IN_TABLE => self.in_table = b != 0,
                SPRM_P_F_TTP => self.ttp = b != 0,
                SPRM_P_ITAP => self.itap = i32_at(op, 0),
                SPRM_P_F_INNER_TABLE_CELL => self.inner_cell = b != 0,
                SPRM_P_F_INNER_TTP => self.inner_ttp = b != 0,
                _ => {}
            }
        });
    }

    /// Table nesting depth: `sprmPItap` when given, else 1 for a paragraph in a table.
    pub(super) fn depth(&self) -> i32 {
        self.itap.unwrap_or(i32::from(self.in_table))
    }
}

/// A sprmCFBold operand: on, off, the style's value, or its opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Toggle {
    On,
    Off,
    Style,
    NotStyle,
}

impl Toggle {
    fn from_operand(b: u8) -> Toggle {
        match b {
            0 => Toggle::Off,
            0x80 => Toggle::Style,
            0x81 => Toggle::NotStyle,
            _ => Toggle::On,
        }
    }

    pub(super) fn resolve(self, style: bool) -> bool {
        match self {
            Toggle::On => true,
            Toggle::Off => false,
            Toggle::Style => style,
            Toggle::NotStyle => !style,
        }
    }
}

fn bold_of(grpprl: &[u8]) -> Option<Toggle> {
    let mut out = None;
    for_each_sprm(grpprl, |sprm, op| {
        if sprm == SPRM_C_F_BOLD {
            out = op.first().map(|&b| Toggle::from_operand(b));
        }
    });
    out
}

/// Property runs over stream offsets: `[start, end)` -> value, in ascending order.
#[derive(Debug)]
pub(super) struct Runs<T> {
    starts: Vec<u32>,
    ends: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy> Runs<T> {
    /// The value of the run holding stream offset `fc`.
    pub(super) fn at(&self, fc: u32) -> Option<T> {
        let i = self.ends.partition_point(|&e| e <= fc);
        (i < self.starts.len() && self.starts[i] <= fc).then(|| self.values[i])
    }

    fn push(&mut self, start: u32, end: u32, value: T) {
        // FKPs are in stream order; a page out of order is skipped rather than break the
        // binary search.
        if end > start && self.ends.last().is_none_or(|&e| e <= start) {
            self.starts.push(start);
            self.ends.push(end);
            self.values.push(value);
        }
    }
}

/// The FKP page numbers of a PlcBtePapx / PlcBteChpx.
fn bte_pages(plc: &[u8]) -> Vec<usize> {
    if plc.len() < 4 {
        return Vec::new();
    }
    let n = (plc.len() - 4) / 8;
    (0..n)
        .filter_map(|i| u32_at(plc, 4 * (n + 1) + 4 * i))
        .map(|pn| (pn & 0x003F_FFFF) as usize)
        .collect()
}

fn fkp(word: &[u8], pn: usize) -> Option<&[u8]> {
    let start = pn.checked_mul(FKP_SIZE)?;
    word.get(start..start.checked_add(FKP_SIZE)?)
}

/// Paragraph properties by the stream offset of the paragraph's characters.
pub(super) fn papx_runs(word: &[u8], plc: &[u8]) -> Runs<ParaProps> {
    let mut runs = Runs {
        starts: Vec::new(),
        ends: Vec::new(),
        values: Vec::new(),
    };
    for pn in bte_pages(plc) {
        let Some(page) = fkp(word, pn) else { continue };
        let crun = usize::from(page[FKP_SIZE - 1]);
        for i in 0..crun {
            let (Some(start), Some(end)) = (u32_at(page, 4 * i), u32_at(page, 4 * (i + 1))) else {
                break;
            };
            // BxPap: 13 bytes, the first a word offset of the PapxInFkp.
            let bx = 4 * (crun + 1) + 13 * i;
            let mut props = ParaProps::default();
            let off = usize::from(u8_at(page, bx).unwrap_or(0)) * 2;
            if off > 0 {
                let grp = match u8_at(page, off) {
                    Some(0) => u8_at(page, off + 1)
                        .map(|cb| (off + 2, usize::from(cb) * 2))
                        .unwrap_or((off, 0)),
                    Some(cb) => (off + 1, usize::from(cb) * 2 - 1),
                    None => (off, 0),
                };
                if let Some(bytes) = page.get(grp.0..(grp.0 + grp.1).min(FKP_SIZE)) {
                    props.istd = u16_at(bytes, 0).unwrap_or(0);
                    props.apply(bytes.get(2..).unwrap_or(&[]));
                }
            }
            runs.push(start, end, props);
        }
    }
    runs
}

/// Direct bold by stream offset (`None` in a run that does not set it).
pub(super) fn chpx_runs(word: &[u8], plc: &[u8]) -> Runs<Option<Toggle>> {
    let mut runs = Runs {
        starts: Vec::new(),
        ends: Vec::new(),
        values: Vec::new(),
    };
    for pn in bte_pages(plc) {
        let Some(page) = fkp(word, pn) else { continue };
        let crun = usize::from(page[FKP_SIZE - 1]);
        for i in 0..crun {
            let (Some(start), Some(end)) = (u32_at(page, 4 * i), u32_at(page, 4 * (i + 1))) else {
                break;
            };
            let off = usize::from(u8_at(page, 4 * (crun + 1) + i).unwrap_or(0)) * 2;
            let bold = if off > 0 {
                let cb = usize::from(u8_at(page, off).unwrap_or(0));
                page.get(off + 1..(off + 1 + cb).min(FKP_SIZE))
                    .and_then(bold_of)
            } else {
                None
            };
            runs.push(start, end, bold);
        }
    }
    runs
}

#[derive(Debug, Clone, Default)]
struct StyleDef {
    sti: u16,
    base: Option<u16>,
    papx: ParaProps,
    bold: Option<Toggle>,
}

/// The style sheet, reduced to what paragraphs inherit from their style.
#[derive(Debug, Default)]
pub(super) struct Styles {
    styles: HashMap<u16, StyleDef>,
}

/// What a paragraph style contributes once its bases are followed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ResolvedStyle {
    pub heading_level: Option<u8>,
    pub ilfo: Option<i16>,
    pub ilvl: Option<u8>,
    pub bold: bool,
}

impl Styles {
    pub(super) fn parse(stsh: &[u8]) -> Styles {
        let mut out = Styles::default();
        let Some(cb_stshi) = u16_at(stsh, 0).map(usize::from) else {
            return out;
        };
        let cstd = u16_at(stsh, 2).unwrap_or(0);
        let cb_base = usize::from(u16_at(stsh, 4).unwrap_or(10));
        let mut at = 2 + cb_stshi;
        for istd in 0..cstd {
            let Some(cb) = u16_at(stsh, at).map(usize::from) else {
                break;
            };
            at += 2;
            let Some(std) = stsh.get(at..at + cb) else {
                break;
            };
            at += cb;
            if cb == 0 {
                continue;
            }
            if let Some(def) = parse_std(std, cb_base) {
                out.styles.insert(istd, def);
            }
        }
        out
    }

    pub(super) fn resolve(&self, istd: u16) -> ResolvedStyle {
        let mut out = ResolvedStyle::default();
        let mut bolds: Vec<Toggle> = Vec::new();
        let (mut level_done, mut list_done) = (false, false);
        let mut cur = Some(istd);
        for _ in 0..MAX_STYLE_DEPTH {
            let Some(def) = cur.and_then(|i| self.styles.get(&i)) else {
                break;
            };
            if !level_done {
                if let Some(l) = def.papx.outline {
                    out.heading_level = (l < 9).then_some(l + 1);
                    level_done = true;
                } else if (1..=9).contains(&def.sti) {
                    out.heading_level = Some(def.sti as u8);
                    level_done = true;
                }
            }
            if !list_done {
                if let Some(ilfo) = def.papx.ilfo {
                    out.ilfo = Some(ilfo);
                    out.ilvl = def.papx.ilvl;
                    list_done = true;
                }
            }
            if let Some(b) = def.bold {
                bolds.push(b);
            }
            cur = def.base;
        }
        // Apply from the root style down: a toggle is relative to its base.
        out.bold = bolds.iter().rev().fold(false, |acc, t| t.resolve(acc));
        out
    }
}

fn parse_std(std: &[u8], cb_base: usize) -> Option<StyleDef> {
    let w0 = u16_at(std, 0)?;
    let w1 = u16_at(std, 2)?;
    let w2 = u16_at(std, 4)?;
    let sti = w0 & 0x0FFF;
    let stk = w1 & 0x000F;
    let base = w1 >> 4;
    let cupx = w2 & 0x000F;
    let mut def = StyleDef {
        sti,
        base: (base != 0x0FFF).then_some(base),
        ..Default::default()
    };
    // The name: cch, cch UTF-16 units, a terminating zero.
    let cch = usize::from(u16_at(std, cb_base)?);
    let mut at = cb_base + 2 + 2 * cch + 2;
    for i in 0..cupx {
        at += at % 2;
        let cb = usize::from(u16_at(std, at)?);
        let upx = std.get(at + 2..at + 2 + cb)?;
        at += 2 + cb;
        match (stk, i) {
            // Paragraph style: UpxPapx (istd + grpprl), then UpxChpx.
            (1, 0) => def.papx.apply(upx.get(2..).unwrap_or(&[])),
            (1, 1) | (2, 0) => def.bold = bold_of(upx),
            _ => {}
        }
    }
    Some(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sprms_are_walked_by_operand_size_and_stop_at_a_truncated_one() {
        let mut grpprl = Vec::new();
        grpprl.extend(SPRM_P_ISTD.to_le_bytes());
        grpprl.extend(3u16.to_le_bytes());
        grpprl.extend(0xC63Fu16.to_le_bytes()); // variable size, 2 bytes
        grpprl.extend([2, 0xFF, 0xFF]);
        grpprl.extend(SPRM_P_OUT_LVL.to_le_bytes());
        grpprl.push(1);
        grpprl.extend(SPRM_P_ILFO.to_le_bytes());
        grpprl.extend(2u16.to_le_bytes());
        grpprl.extend(SPRM_P_ITAP.to_le_bytes());
        grpprl.extend([1, 0]); // truncated: ignored
        let mut p = ParaProps::default();
        p.apply(&grpprl);
        assert_eq!(p.istd, 3);
        assert_eq!(p.outline, Some(1));
        assert_eq!(p.ilfo, Some(2));
        assert_eq!(p.itap, None);
    }

    #[test]
    fn style_inheritance_stops_on_a_cycle() {
        let mut s = Styles::default();
        s.styles.insert(
            1,
            StyleDef {
                sti: 0,
                base: Some(2),
                ..Default::default()
            },
        );
        s.styles.insert(
            2,
            StyleDef {
                sti: 2,
                base: Some(1),
                bold: Some(Toggle::NotStyle),
                ..Default::default()
            },
        );
        let r = s.resolve(1);
        assert_eq!(r.heading_level, Some(2));
    }
}
