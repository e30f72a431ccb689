//! Word's automatic numbering in a .doc: the list definitions (PlfLst: LSTF + LVL, [MS-DOC]
//! 2.9.147/2.9.150) and list instances (PlfLfo: LFO + LFOData with LFOLVL overrides, 2.9.131),
//! turned into the docx reader's [`Numbering`] so labels render exactly as they do from
//! numbering.xml: an LSTF is an abstractNum (keyed by its lsid), an LFO a num (keyed by its
//! 1-based index, the value of sprmPIlfo).
//!
//! Guarantees: the list and override counts are bounded by the table stream's size (each
//! entry takes at least 8 bytes); every read is bounds-checked and a truncated table keeps the
//! lists read so far.

use super::bytes::{i32_at, u16_at, u32_at, u8_at};
use crate::document::readers::docx::numbering::{Level, NumFmt, Numbering, Suffix, LEVELS};

const LSTF_SIZE: usize = 28;
const LVLF_SIZE: usize = 28;
const LFO_SIZE: usize = 16;

/// Reads PlfLst (at `lst`, its LVLs right after it) and PlfLfo from the table stream.
pub(super) fn parse(table: &[u8], lst: Option<(u32, u32)>, lfo: Option<(u32, u32)>) -> Numbering {
    let mut out = Numbering::default();
    if let Some((fc, lcb)) = lst {
        read_lists(table, fc as usize, lcb as usize, &mut out);
    }
    if let Some((fc, _)) = lfo {
        read_overrides(table, fc as usize, &mut out);
    }
    out
}

fn read_lists(table: &[u8], fc: usize, lcb: usize, out: &mut Numbering) {
    let Some(count) = u16_at(table, fc).map(|c| c as i16) else {
        return;
    };
    let count = usize::try_from(count).unwrap_or(0);
    // The LVLs of every list follow the PlfLst, in list order.
    let mut at = fc.saturating_add(lcb);
    for i in 0..count {
        let lstf = fc + 2 + LSTF_SIZE * i;
        let (Some(lsid), Some(flags)) = (i32_at(table, lstf), u8_at(table, lstf + 26)) else {
            return;
        };
        let simple = flags & 0x01 != 0;
        let mut levels: [Option<Level>; LEVELS] = Default::default();
        for slot in levels.iter_mut().take(if simple { 1 } else { LEVELS }) {
            let Some((level, next)) = read_lvl(table, at) else {
                out.add_abstract(i64::from(lsid), levels);
                return;
            };
            *slot = Some(level);
            at = next;
        }
        out.add_abstract(i64::from(lsid), levels);
    }
}

/// One LVL at `at`: the level and the offset just past it.
fn read_lvl(table: &[u8], at: usize) -> Option<(Level, usize)> {
    let start = i32_at(table, at)?;
    let nfc = u8_at(table, at + 4)?;
    let flags = u8_at(table, at + 5)?;
    let follow = u8_at(table, at + 15)?;
    let cb_chpx = usize::from(u8_at(table, at + 24)?);
    let cb_papx = usize::from(u8_at(table, at + 25)?);
    let restart_lim = u8_at(table, at + 26)?;
    let mut next = at + LVLF_SIZE + cb_papx + cb_chpx;
    let cch = usize::from(u16_at(table, next)?);
    let xst = table.get(next + 2..next + 2 + 2 * cch)?;
    next += 2 + 2 * cch;
    // Placeholders are the characters 0..=8 (the level whose number goes there).
    let mut text = String::with_capacity(cch + 4);
    let units: Vec<u16> = xst
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    for c in char::decode_utf16(units.iter().copied()) {
        match c {
            Ok(c) if (c as u32) < LEVELS as u32 => {
                text.push('%');
                text.push(char::from(b'1' + c as u8));
            }
            Ok(c) => text.push(c),
            Err(_) => text.push('\u{FFFD}'),
        }
    }
    let level = Level {
        start: i64::from(start),
        fmt: NumFmt::parse(nfc_name(nfc)),
        text: Some(text),
        // fNoRestart: the level restarts only after levels above ilvlRestartLim.
        restart: (flags & 0x08 != 0).then_some(i64::from(restart_lim)),
        legal: flags & 0x04 != 0,
        p_style: None,
        suffix: match follow {
            1 => Suffix::Space,
            2 => Suffix::Nothing,
            _ => Suffix::Tab,
        },
    };
    Some((level, next))
}

fn read_overrides(table: &[u8], fc: usize, out: &mut Numbering) {
    let Some(count) = u32_at(table, fc) else {
        return;
    };
    // Each LFO takes 16 bytes: a count the table cannot hold is damage.
    let count = (count as usize).min(table.len() / LFO_SIZE);
    let mut data = fc + 4 + LFO_SIZE * count;
    for i in 0..count {
        let lfo = fc + 4 + LFO_SIZE * i;
        let (Some(lsid), Some(clfolvl)) = (i32_at(table, lfo), u8_at(table, lfo + 12)) else {
            return;
        };
        let mut starts: [Option<i64>; LEVELS] = [None; LEVELS];
        let mut levels: [Option<Level>; LEVELS] = Default::default();
        // LFOData: a CP, then the LFOLVLs.
        let mut at = data + 4;
        for _ in 0..clfolvl {
            let (Some(start), Some(flags)) = (i32_at(table, at), u32_at(table, at + 4)) else {
                break;
            };
            at += 8;
            let ilvl = (flags & 0x0F) as usize;
            if flags & 0x20 != 0 {
                match read_lvl(table, at) {
                    Some((level, next)) => {
                        if ilvl < LEVELS {
                            levels[ilvl] = Some(level);
                        }
                        at = next;
                    }
                    None => break,
                }
            }
            if flags & 0x10 != 0 && ilvl < LEVELS {
                starts[ilvl] = Some(i64::from(start));
            }
        }
        data = at;
        out.add_num(i as i64 + 1, i64::from(lsid), starts, levels);
    }
}

/// [MS-DOC] Nfc codes, named as numbering.xml names them.
fn nfc_name(nfc: u8) -> &'static str {
    match nfc {
        0 => "decimal",
        1 => "upperRoman",
        2 => "lowerRoman",
        3 => "upperLetter",
        4 => "lowerLetter",
        5 => "ordinal",
        10 => "ideographDigital",
        11 => "japaneseCounting",
        14 | 19 => "decimalFullWidth",
        17 => "japaneseDigitalTenThousand",
        18 => "decimalEnclosedCircle",
        22 => "decimalZero",
        23 => "bullet",
        26 => "decimalEnclosedFullstop",
        27 => "decimalEnclosedParen",
        28 => "decimalEnclosedCircleChinese",
        30 => "ideographTraditional",
        31 => "ideographZodiac",
        33 => "taiwaneseCounting",
        35 => "taiwaneseCountingThousand",
        36 => "taiwaneseDigital",
        37 => "chineseCounting",
        38 => "chineseLegalSimplified",
        39 => "chineseCountingThousand",
        0xFF => "none",
        _ => "decimal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::readers::docx::numbering::Counters;
    use crate::document::readers::docx::styles::Styles;

    fn lvl(start: i32, nfc: u8, xst: &[u16]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(start.to_le_bytes());
        v.push(nfc);
        v.push(0);
        v.extend([0u8; 9]);
        v.push(2); // nothing follows the label
        v.extend([0u8; 8]);
        v.extend([0, 0, 0, 0]); // cbGrpprlChpx, cbGrpprlPapx, ilvlRestartLim, grfhic
        v.extend((xst.len() as u16).to_le_bytes());
        v.extend(xst.iter().flat_map(|u| u.to_le_bytes()));
        v
    }

    #[test]
    fn chinese_outline_list_renders_like_numbering_xml() {
        let mut table = Vec::new();
        table.extend(1u16.to_le_bytes());
        let mut lstf = vec![0u8; LSTF_SIZE];
        lstf[0..4].copy_from_slice(&77i32.to_le_bytes());
        table.extend(lstf);
        let lcb = table.len() as u32;
        table.extend(lvl(1, 37, &[0, '、' as u16]));
        table.extend(lvl(1, 37, &['（' as u16, 1, '）' as u16]));
        for _ in 2..LEVELS {
            table.extend(lvl(1, 0, &[2, '.' as u16]));
        }
        let lfo_at = table.len() as u32;
        table.extend(1u32.to_le_bytes());
        let mut lfo = vec![0u8; LFO_SIZE];
        lfo[0..4].copy_from_slice(&77i32.to_le_bytes());
        table.extend(lfo);
        table.extend(0u32.to_le_bytes());
        let n = parse(&table, Some((0, lcb)), Some((lfo_at, 24)));
        let styles = Styles::default();
        let mut c = Counters::default();
        let labels: Vec<_> = [0u8, 1, 1, 0, 1]
            .iter()
            .map(|&l| n.next_label(&mut c, &styles, 1, l).unwrap())
            .collect();
        assert_eq!(labels, ["一、", "（一）", "（二）", "二、", "（一）"]);
        assert_eq!(n.next_label(&mut c, &styles, 2, 0), None);
    }
}
