//! The compound file (MS-CFB) around an xls: the `Workbook` stream, gathered without trusting
//! a single sector pointer.
//!
//! The walk mirrors calamine's `cfb.rs` (which still opens Excel 5.0/95 files after us, see
//! [`super::biff5`]) but refuses what calamine follows blindly: a sector chain that loops
//! (calamine appends its sectors forever), a chain that leaves the allocation table or the
//! file, a DIFAT listing more FAT sectors than the file has (calamine copies every listed
//! sector into the FAT), and a stream over `max_part_bytes`. Every chain is at most as many
//! links as the file has sectors, so the stream is never larger than the file.

use super::{corrupt, u16_at, u32_at, u64_at};
use crate::document::error::ParseError;
use crate::document::limits::Limits;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED: u32 = 0xFFFF_FFFA;

struct Sectors<'a> {
    bytes: &'a [u8],
    size: usize,
    /// calamine refuses sector ids above this (file length / sector size).
    max_id: u32,
}

impl<'a> Sectors<'a> {
    /// Sector `id` starts after the header sector; the last one may be short at end of file.
    fn get(&self, id: u32) -> Result<&'a [u8], ParseError> {
        if id > self.max_id {
            return Err(corrupt(format!(
                "sector {id} lies beyond the end of the file"
            )));
        }
        let start = (id as usize + 1) * self.size;
        let end = (start + self.size).min(self.bytes.len());
        Ok(self.bytes.get(start..end).unwrap_or(&[]))
    }
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("chunk of 4")))
}

/// Follows a chain like calamine's `get_chain`: until `ENDOFCHAIN`, or until `len` bytes are
/// gathered. A chain that visits more links than there are sectors is a cycle.
fn chain<'a>(
    get: &dyn Fn(u32) -> Result<&'a [u8], ParseError>,
    table: &[u32],
    start: u32,
    len: usize,
    max_links: usize,
    what: &str,
) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::new();
    let mut id = start;
    let mut links = 0usize;
    while id != ENDOFCHAIN {
        let sector = get(id)?;
        let take = sector.len().min(len - out.len());
        out.extend_from_slice(&sector[..take]);
        if out.len() >= len {
            break;
        }
        id = *table
            .get(id as usize)
            .ok_or_else(|| corrupt(format!("{what} chain leaves the allocation table")))?;
        links += 1;
        if links > max_links {
            return Err(corrupt(format!("{what} sector chain loops")));
        }
    }
    Ok(out)
}

/// The `Workbook` (or BIFF5 `Book`) stream.
pub(super) fn workbook_stream(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, ParseError> {
    let header = bytes
        .get(..512)
        .ok_or_else(|| corrupt("file is shorter than a compound-file header"))?;
    if header[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Err(corrupt("not a compound file"));
    }
    let version = u16_at(header, 26).unwrap_or(0);
    let size = match u16_at(header, 30) {
        Some(9) => 512usize,
        Some(12) => {
            if bytes.len() < 4096 {
                return Err(corrupt("file is shorter than its 4096-byte header sector"));
            }
            4096
        }
        _ => return Err(corrupt("invalid sector size")),
    };
    if u16_at(header, 32) != Some(6) {
        return Err(corrupt("invalid mini-sector size"));
    }
    let dir_start = u32_at(header, 48).unwrap_or(ENDOFCHAIN);
    let mini_fat_start = u32_at(header, 60).unwrap_or(ENDOFCHAIN);
    let mini_fat_len = u32_at(header, 64).unwrap_or(0) as usize;
    let difat_start = u32_at(header, 68).unwrap_or(ENDOFCHAIN);
    let max_id = (bytes.len() / size) as u32;
    let sectors = Sectors {
        bytes,
        size,
        max_id,
    };
    let max_links = max_id as usize + 1;

    let mut difat: Vec<u32> = u32s(&header[76..512]).collect();
    let mut id = difat_start;
    let mut difat_sectors = 0usize;
    while id < RESERVED {
        difat_sectors += 1;
        if difat_sectors > max_links {
            return Err(corrupt("DIFAT chain loops"));
        }
        difat.extend(u32s(sectors.get(id)?));
        id = difat.pop().ok_or_else(|| corrupt("empty DIFAT sector"))?;
    }
    let fat_ids: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
    if fat_ids.len() > max_links {
        // Real files list each FAT sector once; more FAT sectors than sectors is an attack
        // on calamine, which would copy every listed sector into the FAT.
        return Err(corrupt(
            "allocation table lists more sectors than the file has",
        ));
    }
    let mut fat = Vec::new();
    for id in fat_ids {
        fat.extend(u32s(sectors.get(id)?));
    }
    let get = |id: u32| sectors.get(id);
    let dirs = chain(&get, &fat, dir_start, usize::MAX, max_links, "directory")?;
    struct Dir {
        name: String,
        start: u32,
        len: usize,
    }
    let dirs: Vec<Dir> = dirs
        .chunks_exact(128)
        .map(|d| {
            let units: Vec<u16> = d[..64]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            Dir {
                name: String::from_utf16_lossy(&units),
                start: u32_at(d, 116).unwrap_or(ENDOFCHAIN),
                len: if size == 512 {
                    u32_at(d, 120).unwrap_or(0) as usize
                } else {
                    u64_at(d, 120).unwrap_or(0).min(usize::MAX as u64) as usize
                },
            }
        })
        .collect();
    let Some(root) = dirs.first() else {
        return Err(corrupt("empty directory"));
    };
    if version != 3 && root.start == ENDOFCHAIN {
        return Err(corrupt("empty root directory"));
    }
    let (mini_fat, ministream) = if mini_fat_len > 0 {
        let ministream = chain(&get, &fat, root.start, root.len, max_links, "mini stream")?;
        let mini_fat = chain(
            &get,
            &fat,
            mini_fat_start,
            mini_fat_len.saturating_mul(size),
            max_links,
            "mini FAT",
        )?;
        (u32s(&mini_fat).collect::<Vec<u32>>(), ministream)
    } else {
        (Vec::new(), Vec::new())
    };
    let find = |name: &str| {
        dirs.iter()
            .find(|d| d.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
    };
    let dir = find("Workbook")
        .or_else(|| find("Book"))
        .ok_or_else(|| corrupt("no Workbook stream"))?;
    if dir.len as u64 > limits.max_part_bytes {
        return Err(ParseError::LimitExceeded(format!(
            "xls Workbook stream is {} bytes, over the {}-byte part limit",
            dir.len, limits.max_part_bytes
        )));
    }
    if dir.len < 4096 {
        // calamine reads a mini sector past the mini stream from wherever the file cursor is;
        // no valid file does that, so it is refused here.
        let max_mini = max_id.saturating_mul(8);
        let get_mini = |id: u32| -> Result<&[u8], ParseError> {
            if id > max_mini {
                return Err(corrupt("mini sector beyond the end of the file"));
            }
            let start = id as usize * 64;
            ministream
                .get(start..start + 64)
                .ok_or_else(|| corrupt("mini sector beyond the mini stream"))
        };
        chain(
            &get_mini,
            &mini_fat,
            dir.start,
            dir.len,
            max_mini as usize + 1,
            "Workbook",
        )
    } else {
        chain(&get, &fat, dir.start, dir.len, max_links, "Workbook")
    }
}
