//! Little-endian reads that never panic: every accessor returns `None` past the end.

pub(super) fn u8_at(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

pub(super) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn i32_at(b: &[u8], at: usize) -> Option<i32> {
    u32_at(b, at).map(|v| v as i32)
}

/// `b[fc..fc + lcb]`, or `None` when the range is outside `b`.
pub(super) fn slice(b: &[u8], fc: u32, lcb: u32) -> Option<&[u8]> {
    let start = usize::try_from(fc).ok()?;
    let len = usize::try_from(lcb).ok()?;
    b.get(start..start.checked_add(len)?)
}
