//! The OPC (zip) package under a docx: bounded part access and relationship lookup.
//!
//! Guarantees, each ending as a typed [`ParseError`]:
//! - the zip may list at most `max_zip_entries` entries (checked from the end-of-central-
//!   directory record before the directory is parsed, and again after);
//! - each part decompresses to at most `max_part_bytes` and all parts read together to at most
//!   `max_total_uncompressed_bytes`. The sizes a zip declares are checked first (a bomb that
//!   admits its size costs nothing), and every byte actually inflated is counted by
//!   [`LimitedReader`] (a bomb that lies is stopped at the limit, having used one buffer);
//! - a damaged container (truncated, bad CRC, unreadable entry) is `Corrupt`.
//!
//! Parts are found through relationships (`_rels/.rels`, `word/_rels/document.xml.rels`), not
//! fixed paths; part names are matched case-insensitively, as OPC requires.

use super::xml::{LimitHit, Ns, XmlPart};
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use quick_xml::events::Event;
use std::collections::HashMap;
use std::io::{self, BufReader, Cursor, Read};

/// Relationship type prefixes, Transitional and Strict; a relationship's kind is the rest.
const REL_PREFIXES: &[&str] = &[
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/",
    "http://schemas.openxmlformats.org/package/2006/relationships/",
];

/// Buffer between the inflater and the XML parser.
const READ_BUFFER: usize = 64 * 1024;

/// `Read::take` that fails instead of stopping: a part cut off at the limit would otherwise
/// look like a complete (and then malformed) part. Also charges a package-wide total.
pub(in crate::document::readers) struct LimitedReader<'t, R> {
    inner: R,
    part_left: u64,
    total_used: &'t mut u64,
    total_max: u64,
    part_max: u64,
}

impl<R: Read> Read for LimitedReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let total_left = self.total_max.saturating_sub(*self.total_used);
        let allowed = self.part_left.min(total_left);
        if allowed == 0 {
            // At a limit: the part is fine only if it ends exactly here.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ if self.part_left == 0 => Err(io::Error::other(LimitHit(format!(
                    "part decompresses to more than {} bytes",
                    self.part_max
                )))),
                _ => Err(io::Error::other(LimitHit(format!(
                    "parts decompress to more than {} bytes in total",
                    self.total_max
                )))),
            };
        }
        let cap = buf
            .len()
            .min(usize::try_from(allowed).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..cap])?;
        self.part_left -= n as u64;
        *self.total_used += n as u64;
        Ok(n)
    }
}

pub(in crate::document::readers) type PartXml<'p, 'a> =
    XmlPart<BufReader<LimitedReader<'p, zip::read::ZipFile<'p, Cursor<&'a [u8]>>>>>;

/// One relationship of a part, its target resolved to a part name.
#[derive(Debug, Clone)]
pub(super) struct Rel {
    pub id: String,
    /// The type with its namespace prefix removed: `officeDocument`, `styles`, `header`...
    pub kind: String,
    /// Part name without a leading `/`.
    pub target: String,
}

pub(in crate::document::readers) struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased, `/`-separated part name -> entry index.
    names: HashMap<String, usize>,
    decompressed: u64,
    max_part: u64,
    max_total: u64,
    max_depth: usize,
}

impl<'a> Package<'a> {
    pub(in crate::document::readers) fn open(
        bytes: &'a [u8],
        limits: &Limits,
    ) -> Result<Self, ParseError> {
        if bytes.len() as u64 > limits.max_input_bytes {
            return Err(ParseError::TooLarge {
                size: bytes.len() as u64,
                limit: limits.max_input_bytes,
            });
        }
        if let Some(n) = declared_entry_count(bytes) {
            if n > limits.max_zip_entries as u64 {
                return Err(too_many_entries(n, limits));
            }
        }
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| ParseError::Corrupt(format!("not a readable zip: {e}")))?;
        if zip.len() > limits.max_zip_entries {
            return Err(too_many_entries(zip.len() as u64, limits));
        }
        // `file_names` yields in index order (the directory is an ordered map).
        let mut names = HashMap::with_capacity(zip.len());
        for (i, name) in zip.file_names().enumerate() {
            if let Ok(name) = name {
                names.entry(normalize_name(&name)).or_insert(i);
            }
        }
        Ok(Package {
            zip,
            names,
            decompressed: 0,
            max_part: limits.max_part_bytes,
            max_total: limits.max_total_uncompressed_bytes,
            max_depth: limits.max_xml_depth,
        })
    }

    pub(in crate::document::readers) fn has(&self, name: &str) -> bool {
        self.names.contains_key(&normalize_name(name))
    }

    /// Opens part `name` for streaming, or `None` if the package has no such part.
    pub(in crate::document::readers) fn xml(
        &mut self,
        name: &str,
    ) -> Result<Option<PartXml<'_, 'a>>, ParseError> {
        let Some(&index) = self.names.get(&normalize_name(name)) else {
            return Ok(None);
        };
        let max_part = self.max_part;
        let max_total = self.max_total;
        let max_depth = self.max_depth;
        let used = &mut self.decompressed;
        let file = self
            .zip
            .by_index(index)
            .map_err(|e| ParseError::Corrupt(format!("{name}: {e}")))?;
        if file.size() > max_part {
            return Err(ParseError::LimitExceeded(format!(
                "{name}: declares {} decompressed bytes, over the {max_part}-byte part limit",
                file.size()
            )));
        }
        if used.saturating_add(file.size()) > max_total {
            return Err(ParseError::LimitExceeded(format!(
                "{name}: parts declare more than {max_total} decompressed bytes in total"
            )));
        }
        let limited = LimitedReader {
            inner: file,
            part_left: max_part,
            total_used: used,
            total_max: max_total,
            part_max: max_part,
        };
        Ok(Some(XmlPart::new(
            BufReader::with_capacity(READ_BUFFER, limited),
            name,
            max_depth,
        )))
    }

    /// Relationships of part `source` (`""` for the package itself), in file order. A missing
    /// `.rels` part means no relationships.
    pub(super) fn rels(&mut self, source: &str) -> Result<Vec<Rel>, ParseError> {
        let (dir, file) = match source.rsplit_once('/') {
            Some((dir, file)) => (format!("{dir}/"), file),
            None => (String::new(), source),
        };
        let rels_name = format!("{dir}_rels/{file}.rels");
        let Some(mut xml) = self.xml(&rels_name)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.next(&mut buf)? {
                Event::Start(e) | Event::Empty(e) => {
                    let (ns, local) = xml.name(&e);
                    if ns != Ns::PackageRels || local != "Relationship" {
                        continue;
                    }
                    if xml
                        .attr(&e, Ns::None, "TargetMode")
                        .is_some_and(|m| m.eq_ignore_ascii_case("external"))
                    {
                        continue;
                    }
                    let (Some(id), Some(kind), Some(target)) = (
                        xml.attr(&e, Ns::None, "Id"),
                        xml.attr(&e, Ns::None, "Type"),
                        xml.attr(&e, Ns::None, "Target"),
                    ) else {
                        continue;
                    };
                    let Some(kind) = REL_PREFIXES
                        .iter()
                        .find_map(|p| kind.strip_prefix(p))
                        .map(str::to_string)
                    else {
                        continue;
                    };
                    out.push(Rel {
                        id: id.into_owned(),
                        kind,
                        target: resolve_target(&dir, &target),
                    });
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }
}

fn too_many_entries(n: u64, limits: &Limits) -> ParseError {
    ParseError::LimitExceeded(format!(
        "zip lists {n} entries, over the limit of {}",
        limits.max_zip_entries
    ))
}

/// Part names compare case-insensitively, with `\` tolerated as a separator.
fn normalize_name(name: &str) -> String {
    name.trim_start_matches('/')
        .replace('\\', "/")
        .to_lowercase()
}

/// Resolves a relationship target against the directory of its source part: `/word/x.xml` is
/// absolute, `media/../styles.xml` is normalized, `%20` is decoded.
pub(super) fn resolve_target(dir: &str, target: &str) -> String {
    let target = percent_decode(target);
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The entry count the end-of-central-directory record declares, read without parsing the
/// directory, so a zip listing millions of entries is refused before any of them is loaded.
/// `None` when the record is not found or the count is in a Zip64 record (then the count is
/// checked after opening).
pub(super) fn declared_entry_count(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
    let window_start = bytes.len().saturating_sub(22 + 65_535);
    let window = &bytes[window_start..];
    let pos = window.windows(4).rposition(|w| w == EOCD)?;
    let rec = window.get(pos..pos + 22)?;
    let total = u16::from_le_bytes([rec[10], rec[11]]);
    if total == 0xFFFF {
        return None;
    }
    Some(u64::from(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_relative_to_the_source_part() {
        assert_eq!(resolve_target("word/", "styles.xml"), "word/styles.xml");
        assert_eq!(
            resolve_target("", "/word/document2.xml"),
            "word/document2.xml"
        );
        assert_eq!(
            resolve_target("word/", "../customXml/item1.xml"),
            "customXml/item1.xml"
        );
        assert_eq!(
            resolve_target("word/", "./media/a%20b.png"),
            "word/media/a b.png"
        );
    }

    #[test]
    fn limited_reader_fails_past_the_part_limit_instead_of_truncating() {
        let data = [b'a'; 100];
        let mut used = 0u64;
        let mut r = LimitedReader {
            inner: &data[..],
            part_left: 10,
            total_used: &mut used,
            total_max: 1_000,
            part_max: 10,
        };
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert!(err.get_ref().unwrap().downcast_ref::<LimitHit>().is_some());
        assert_eq!(out.len(), 10);

        let mut used = 0u64;
        let mut exact = LimitedReader {
            inner: &data[..10],
            part_left: 10,
            total_used: &mut used,
            total_max: 1_000,
            part_max: 10,
        };
        let mut out = Vec::new();
        exact.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 10);
    }

    #[test]
    fn eocd_entry_count_is_read_from_the_tail() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for i in 0..3 {
                w.start_file(format!("f{i}"), zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
            w.finish().unwrap();
        }
        assert_eq!(declared_entry_count(&buf.into_inner()), Some(3));
        assert_eq!(declared_entry_count(b"not a zip"), None);
    }
}
