//! Core properties of a .doc from its `\x05SummaryInformation` property set ([MS-OLEPS]):
//! title (PIDSI_TITLE), author (PIDSI_AUTHOR), created (PIDSI_CREATE_DTM) and last saved
//! (PIDSI_LASTSAVE_DTM), as `CoreProperties` with ISO 8601 UTC dates like docx's.
//!
//! Guarantees: the stream is at most `max_part_bytes` (read by [`super::ole`]); every offset is
//! bounds-checked and a string property is at most [`MAX_STRING_BYTES`]; anything malformed
//! reads as absent (core properties never fail a document).

use super::bytes::{u16_at, u32_at};
use crate::document::result::CoreProperties;

const MAX_STRING_BYTES: usize = 4096;
const PID_CODEPAGE: u32 = 1;
const PID_TITLE: u32 = 2;
const PID_AUTHOR: u32 = 4;
const PID_CREATE_DTM: u32 = 12;
const PID_LASTSAVE_DTM: u32 = 13;
const VT_I2: u32 = 0x02;
const VT_LPSTR: u32 = 0x1E;
const VT_LPWSTR: u32 = 0x1F;
const VT_FILETIME: u32 = 0x40;

pub(super) fn parse(stream: &[u8]) -> Option<CoreProperties> {
    if u16_at(stream, 0)? != 0xFFFE || u32_at(stream, 24)? == 0 {
        return None;
    }
    let section = u32_at(stream, 44)? as usize;
    let count = u32_at(stream, section.checked_add(4)?)? as usize;
    // Each (id, offset) pair takes 8 bytes: a count the stream cannot hold is damage.
    let count = count.min(stream.len() / 8);
    let mut props = Vec::with_capacity(count);
    for i in 0..count {
        let at = section + 8 + 8 * i;
        let (Some(id), Some(off)) = (u32_at(stream, at), u32_at(stream, at + 4)) else {
            break;
        };
        props.push((id, section.saturating_add(off as usize)));
    }
    let value_at = |pid: u32| props.iter().find(|p| p.0 == pid).map(|p| p.1);
    let codepage = value_at(PID_CODEPAGE)
        .filter(|&at| u32_at(stream, at) == Some(VT_I2))
        .and_then(|at| u16_at(stream, at + 4))
        .unwrap_or(1252);
    let string = |pid: u32| -> Option<String> {
        let at = value_at(pid)?;
        let vt = u32_at(stream, at)?;
        let len = u32_at(stream, at + 4)? as usize;
        let s = match vt {
            VT_LPSTR => {
                let bytes = stream.get(at + 8..at + 8 + len.min(MAX_STRING_BYTES))?;
                decode(bytes, codepage)
            }
            VT_LPWSTR => {
                let bytes = stream.get(at + 8..at + 8 + (2 * len).min(MAX_STRING_BYTES))?;
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            _ => return None,
        };
        let s = s.trim_end_matches('\0').trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    let date = |pid: u32| -> Option<String> {
        let at = value_at(pid)?;
        if u32_at(stream, at)? != VT_FILETIME {
            return None;
        }
        let lo = u64::from(u32_at(stream, at + 4)?);
        let hi = u64::from(u32_at(stream, at + 8)?);
        filetime_iso((hi << 32) | lo)
    };
    let out = CoreProperties {
        title: string(PID_TITLE),
        author: string(PID_AUTHOR),
        created: date(PID_CREATE_DTM),
        modified: date(PID_LASTSAVE_DTM),
    };
    (out != CoreProperties::default()).then_some(out)
}

fn decode(bytes: &[u8], codepage: u16) -> String {
    let enc = match codepage {
        936 => encoding_rs::GBK,
        950 => encoding_rs::BIG5,
        932 => encoding_rs::SHIFT_JIS,
        949 => encoding_rs::EUC_KR,
        65001 => encoding_rs::UTF_8,
        1200 => encoding_rs::UTF_16LE,
        1250 => encoding_rs::WINDOWS_1250,
        1251 => encoding_rs::WINDOWS_1251,
        _ => encoding_rs::WINDOWS_1252,
    };
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// A FILETIME (100 ns ticks since 1601-01-01 UTC) as `YYYY-MM-DDTHH:MM:SSZ`; `None` for zero
/// (unset) and for years outside 1601..=9999.
fn filetime_iso(ticks: u64) -> Option<String> {
    if ticks == 0 {
        return None;
    }
    let secs = ticks / 10_000_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days from 1601-01-01 to 1970-01-01.
    let (y, m, d) = civil_from_days(days - 134_774);
    if !(1601..=9999).contains(&y) {
        return None;
    }
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Howard Hinnant's days-to-civil algorithm (days since 1970-01-01).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetimes_render_as_utc_iso() {
        assert_eq!(filetime_iso(0), None);
        // 2023-01-05T08:30:00Z
        let unix = 1_672_907_400u64;
        let ticks = (unix + 11_644_473_600) * 10_000_000;
        assert_eq!(filetime_iso(ticks).unwrap(), "2023-01-05T08:30:00Z");
    }

    #[test]
    fn a_property_set_gives_title_author_and_dates() {
        let mut s = vec![0u8; 48];
        s[0..2].copy_from_slice(&0xFFFEu16.to_le_bytes());
        s[24..28].copy_from_slice(&1u32.to_le_bytes());
        s[44..48].copy_from_slice(&48u32.to_le_bytes());
        let title = "年度报告".encode_utf16().count();
        let gbk = encoding_rs::GBK.encode("年度报告").0.into_owned();
        let mut sec = Vec::new();
        let mut values = Vec::new();
        let entries = 3usize;
        let base = 8 + 8 * entries;
        let mut push = |pid: u32, v: Vec<u8>, sec: &mut Vec<u8>| {
            sec.extend(pid.to_le_bytes());
            sec.extend(((base + values.len()) as u32).to_le_bytes());
            values.extend(v);
            while values.len() % 4 != 0 {
                values.push(0);
            }
        };
        let mut cp = VT_I2.to_le_bytes().to_vec();
        cp.extend(936u16.to_le_bytes());
        push(PID_CODEPAGE, cp, &mut sec);
        let mut t = VT_LPSTR.to_le_bytes().to_vec();
        t.extend(((gbk.len() + 1) as u32).to_le_bytes());
        t.extend(&gbk);
        t.push(0);
        push(PID_TITLE, t, &mut sec);
        let mut d = VT_FILETIME.to_le_bytes().to_vec();
        let ticks = (1_672_907_400u64 + 11_644_473_600) * 10_000_000;
        d.extend(ticks.to_le_bytes());
        push(PID_CREATE_DTM, d, &mut sec);
        let size = (base + values.len()) as u32;
        s.extend(size.to_le_bytes());
        s.extend((entries as u32).to_le_bytes());
        s.extend(sec);
        s.extend(values);
        let p = parse(&s).unwrap();
        assert_eq!(p.title.as_deref(), Some("年度报告"));
        assert_eq!(title, 4);
        assert_eq!(p.created.as_deref(), Some("2023-01-05T08:30:00Z"));
        assert_eq!(p.author, None);
        assert_eq!(parse(&s[..60]), None);
    }
}
