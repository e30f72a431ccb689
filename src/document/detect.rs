//! Format detection: content first, the file name only where content cannot tell.
//!
//! A zip is opened far enough to read `[Content_Types].xml` (OOXML) or `mimetype` (ODF): an xlsx
//! renamed to `.docx` is still read as a spreadsheet. OLE2 files are told apart by the streams
//! at the root of their directory (`Workbook`, `EncryptedPackage`, `WordDocument`), embedded
//! objects' streams not counting. WPS Office `.wps` files are whichever of OLE Word or OOXML
//! their content is. Everything that is not a known
//! container is treated as text; the text reader then refines txt into Markdown or HTML from
//! what the decoded text looks like.

use super::error::ParseError;
use super::readers::doc::ole::open_tolerant;
use super::result::Format;
use std::io::{Cursor, Read};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// `[Content_Types].xml` is small; a larger one is hostile.
const MAX_CONTENT_TYPES_BYTES: u64 = 1024 * 1024;

pub fn detect(bytes: &[u8], name: Option<&str>) -> Result<Format, ParseError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        return detect_zip(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return detect_ole(bytes, name);
    }
    // Word for Windows 1.x and 2.0 wrote a bare FIB, not an OLE2 container.
    for (magic, what) in [
        (&[0xDB, 0xA5][..], "Word 2.0"),
        (&[0x9B, 0xA5][..], "Word 1.x"),
    ] {
        if bytes.starts_with(magic) {
            return Err(ParseError::UnsupportedFormat(format!(
                "{what} document (.doc); only Word 97-2003 and later .doc files are read"
            )));
        }
    }
    // `.wps` is decided by content: OLE Word goes to the .doc reader and OOXML to the docx
    // reader above; anything else is Kingsoft's own format.
    if extension(name).as_deref() == Some("wps") {
        return Err(ParseError::UnsupportedFormat(
            "WPS file that is neither an OLE2 Word document nor OOXML".into(),
        ));
    }
    // A PDF header may follow up to 1 KB of junk (PDF 32000-1 annex H.3 tolerance readers keep).
    if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Ok(Format::Pdf);
    }
    for (magic, what) in [
        (&b"\x89PNG"[..], "PNG image"),
        (&b"\xFF\xD8\xFF"[..], "JPEG image"),
        (&b"GIF8"[..], "GIF image"),
        (&b"{\\rtf"[..], "RTF"),
        (&b"\x1F\x8B"[..], "gzip"),
        (&b"7z\xBC\xAF"[..], "7-Zip archive"),
        (&b"Rar!"[..], "RAR archive"),
    ] {
        if bytes.starts_with(magic) {
            return Err(ParseError::UnsupportedFormat(what.into()));
        }
    }
    if let Some(version) = biff_stream_version(bytes) {
        return Err(ParseError::UnsupportedFormat(format!(
            "Excel {version} workbook (a pre-97 BIFF file); save it as .xlsx or Excel 97-2003 .xls"
        )));
    }
    if looks_like_rtf(bytes) {
        return Err(ParseError::UnsupportedFormat(
            "RTF (rich text) document; save it as .docx".into(),
        ));
    }
    Ok(text_format_from_name(name))
}

/// A bare BIFF2/3/4 worksheet or workbook (Excel 2.x to 4.0 wrote them outside any compound
/// file): the stream opens with a BOF record, type 0x0009, 0x0209 or 0x0409, of 4 to 16 bytes.
/// Its version, for the message.
fn biff_stream_version(bytes: &[u8]) -> Option<&'static str> {
    let [t0, t1, l0, l1, ..] = *bytes else {
        return None;
    };
    let len = u16::from_le_bytes([l0, l1]);
    if t0 != 0x09 || !(4..=16).contains(&len) || bytes.len() < 4 + len as usize {
        return None;
    }
    match t1 {
        0x00 => Some("2.x"),
        0x02 => Some("3.0"),
        0x04 => Some("4.0"),
        _ => None,
    }
}

/// RTF, whole (`{\rtf1`, caught by magic above) or a fragment as converters emit it
/// (`{\pard \ql \f0 ...`): a group opening with a control word, and control words dense in
/// the first kilobytes. Prose with a stray backslash has few.
fn looks_like_rtf(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 4096)];
    if !(head.starts_with(b"{\\") && head.get(2).is_some_and(u8::is_ascii_lowercase)) {
        return false;
    }
    let control_words = head
        .windows(2)
        .filter(|w| w[0] == b'\\' && w[1].is_ascii_lowercase())
        .count();
    control_words >= 8
}

/// The text family, as far as the name tells; the text reader may still refine it.
pub fn text_format_from_name(name: Option<&str>) -> Format {
    match extension(name).as_deref() {
        Some("md" | "markdown") => Format::Markdown,
        Some("htm" | "html" | "xhtml") => Format::Html,
        _ => Format::Txt,
    }
}

fn extension(name: Option<&str>) -> Option<String> {
    let name = name?;
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (_, ext) = base.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

fn detect_zip(bytes: &[u8]) -> Result<Format, ParseError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::Corrupt(format!("not a readable zip: {e}")))?;
    if zip
        .file_names_raw()
        .any(|n| n.eq_ignore_ascii_case(b"OFD.xml") || n.eq_ignore_ascii_case(b"/OFD.xml"))
    {
        return Ok(Format::Ofd);
    }
    if let Ok(entry) = zip.by_name("mimetype") {
        let mut mime = String::new();
        entry
            .take(256)
            .read_to_string(&mut mime)
            .map_err(|e| ParseError::Corrupt(format!("mimetype: {e}")))?;
        let mime = mime.trim();
        return match mime {
            "application/vnd.oasis.opendocument.spreadsheet" => Ok(Format::Ods),
            other => Err(ParseError::UnsupportedFormat(format!(
                "OpenDocument {other}"
            ))),
        };
    }
    let content_types = match zip.by_name("[Content_Types].xml") {
        Ok(entry) => {
            let mut s = String::new();
            entry
                .take(MAX_CONTENT_TYPES_BYTES)
                .read_to_string(&mut s)
                .map_err(|e| ParseError::Corrupt(format!("[Content_Types].xml: {e}")))?;
            s
        }
        Err(_) => {
            return Err(ParseError::UnsupportedFormat(
                "zip archive that is neither OOXML nor OpenDocument".into(),
            ))
        }
    };
    if content_types.contains("wordprocessingml.document.main")
        || content_types.contains("wordprocessingml.template.main")
        || content_types.contains("ms-word.document.macroEnabled.main")
        || content_types.contains("ms-word.template.macroEnabledTemplate.main")
    {
        return Ok(Format::Docx);
    }
    if content_types.contains("spreadsheetml.sheet.main")
        || content_types.contains("spreadsheetml.template.main")
        || content_types.contains("ms-excel.sheet.macroEnabled.main")
        || content_types.contains("ms-excel.sheet.binary.macroEnabled.main")
    {
        return Ok(Format::Xlsx);
    }
    if content_types.contains("presentationml") {
        return Err(ParseError::UnsupportedFormat(
            "PowerPoint presentation".into(),
        ));
    }
    Err(ParseError::UnsupportedFormat(
        "OOXML package of an unknown kind".into(),
    ))
}

/// OLE2 compound files are told apart by the streams at the root of their directory: the main
/// stream decides, so a .doc with an embedded workbook (an `ObjectPool` storage holding a
/// `Workbook`) is still a .doc, and an .xls with an embedded Word object still an .xls. A
/// container `cfb` cannot open falls back to a scan for the UTF-16 stream names, so a damaged
/// Word file still reaches the Word reader and is reported as a damaged .doc.
fn detect_ole(bytes: &[u8], name: Option<&str>) -> Result<Format, ParseError> {
    let ext = extension(name);
    // The padding allowance is bounded by the input's own size (see `open_tolerant`).
    let found = match open_tolerant(bytes, u64::MAX) {
        Ok(cfb) => {
            let roots: Vec<String> = cfb
                .read_root_storage()
                .filter(|e| e.is_stream())
                .map(|e| e.name().to_string())
                .collect();
            let has = |s: &str| roots.iter().any(|r| r.eq_ignore_ascii_case(s));
            OleStreams {
                encrypted_package: has("EncryptedPackage"),
                word: has("WordDocument"),
                workbook: has("Workbook") || has("Book"),
            }
        }
        Err(_) => {
            let has = |s: &str| {
                let needle: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
                bytes.windows(needle.len()).any(|w| w == needle.as_slice())
            };
            OleStreams {
                encrypted_package: has("EncryptedPackage"),
                word: has("WordDocument"),
                workbook: has("Workbook") || has("Book"),
            }
        }
    };
    if found.encrypted_package {
        return Err(ParseError::Encrypted(
            "password-protected Office document (OLE2 EncryptedPackage)".into(),
        ));
    }
    if found.word {
        return Ok(Format::Doc);
    }
    if found.workbook {
        return Ok(Format::Xls);
    }
    match ext.as_deref() {
        Some("xls") => Ok(Format::Xls),
        Some("wps") => Err(ParseError::UnsupportedFormat(
            "WPS file without a WordDocument stream (an older Kingsoft WPS format, not Word 97-2003)"
                .into(),
        )),
        Some("doc") => Err(ParseError::Corrupt(
            ".doc: OLE2 compound file without a WordDocument stream".into(),
        )),
        _ => Err(ParseError::UnsupportedFormat("OLE2 compound file".into())),
    }
}

struct OleStreams {
    encrypted_package: bool,
    word: bool,
    workbook: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bytes_are_text_and_names_only_refine_text() {
        assert_eq!(detect(b"hello", None).unwrap(), Format::Txt);
        assert_eq!(detect(b"hello", Some("a/b.MD")).unwrap(), Format::Markdown);
        assert_eq!(detect(b"hello", Some("x.html")).unwrap(), Format::Html);
        // A name never makes text into a container.
        assert_eq!(detect(b"hello", Some("report.docx")).unwrap(), Format::Txt);
    }

    #[test]
    fn pre_97_biff_streams_and_rtf_fragments_are_unsupported() {
        let biff3 = b"\x09\x02\x06\x00\x00\x00\x10\x00\xf2\x15rest";
        let e = detect(biff3, Some("a.xls")).unwrap_err();
        assert_eq!(e.code(), "unsupported_format");
        assert!(e.to_string().contains("Excel 3.0"), "{e}");
        let rtf = b"{\\pard \\ql \\f0 \\fs24 \\sa180 \\li0 \\fi0 Simple \\b table\\b0 \\par}";
        assert_eq!(detect(rtf, None).unwrap_err().code(), "unsupported_format");
        // Text that merely starts with a brace, or has a few backslashes, is still text.
        assert_eq!(detect(b"{\\n} C:\\dir", None).unwrap(), Format::Txt);
        assert_eq!(detect(b"\x09\x02 tab", None).unwrap(), Format::Txt);
    }

    #[test]
    fn pdf_is_detected_by_content_and_images_are_unsupported() {
        assert_eq!(detect(b"%PDF-1.7\n", Some("a.txt")).unwrap(), Format::Pdf);
        assert_eq!(
            detect(b"\x89PNG\r\n", None).unwrap_err().code(),
            "unsupported_format"
        );
    }

    #[test]
    fn zip_without_office_parts_is_unsupported_and_truncated_zip_is_corrupt() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("hello.txt", zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"hi").unwrap();
            w.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert_eq!(
            detect(&bytes, None).unwrap_err().code(),
            "unsupported_format"
        );
        assert_eq!(
            detect(&bytes[..bytes.len() / 2], None).unwrap_err().code(),
            "corrupt_document"
        );
    }

    #[test]
    fn content_types_decide_over_the_name() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file(
                "[Content_Types].xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(
                &mut w,
                br#"<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
            )
            .unwrap();
            w.finish().unwrap();
        }
        assert_eq!(
            detect(&buf.into_inner(), Some("renamed.docx")).unwrap(),
            Format::Xlsx
        );
    }

    #[test]
    fn ole_streams_tell_xls_from_encrypted_ooxml() {
        let mut xls = OLE_MAGIC.to_vec();
        xls.extend("Workbook".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(detect(&xls, None).unwrap(), Format::Xls);
        let mut enc = OLE_MAGIC.to_vec();
        enc.extend(
            "EncryptedPackage"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        assert_eq!(
            detect(&enc, Some("a.docx")).unwrap_err().code(),
            "encrypted_document"
        );
    }
}
