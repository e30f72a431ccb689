//! Fixture builders shared by the docx test binaries: docx-rs documents packed to bytes, and
//! hand-written packages for what docx-rs cannot express (Strict namespaces, VML text boxes,
//! `mc:AlternateContent`, content controls, fields).

#![allow(dead_code)]

use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

pub const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub const W_STRICT_NS: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";

/// Packs a docx-rs document.
pub fn pack(docx: docx_rs::Docx) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    docx.build().pack(&mut buf).expect("docx-rs packs");
    buf.into_inner()
}

/// Rewrites a zip, replacing (or adding) the given parts; everything else is copied.
pub fn rezip(bytes: &[u8], replace: &[(&str, &[u8])]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).expect("valid zip");
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            if replace.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            w.start_file(name, SimpleFileOptions::default()).unwrap();
            w.write_all(&data).unwrap();
        }
        for (name, data) in replace {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// A zip of exactly these parts, deflated.
pub fn zip_parts(parts: &[(&str, &[u8])]) -> Vec<u8> {
    zip_parts_with(parts, SimpleFileOptions::default())
}

pub fn zip_parts_with(parts: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, data) in parts {
            w.start_file(*name, options).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

pub const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

pub const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// `<w:document>` with the usual namespace bindings around `body_xml`.
pub fn document_xml(body_xml: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" mc:Ignorable="w14"><w:body>{body_xml}</w:body></w:document>"#
    )
}

/// A minimal hand-written docx: the given body plus extra parts and document relationships
/// (`(id, type suffix, target)`).
pub fn hand_docx(body_xml: &str, extra: &[(&str, &str)], rels: &[(&str, &str, &str)]) -> Vec<u8> {
    let doc = document_xml(body_xml);
    let mut rel_xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (id, kind, target) in rels {
        rel_xml.push_str(&format!(
            r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"/>"#
        ));
    }
    rel_xml.push_str("</Relationships>");
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("word/document.xml", doc.as_bytes()),
        ("word/_rels/document.xml.rels", rel_xml.as_bytes()),
    ];
    for (name, data) in extra {
        parts.push((name, data.as_bytes()));
    }
    zip_parts(&parts)
}

/// `<w:p>` with one plain run per string.
pub fn p(runs: &[&str]) -> String {
    let mut s = String::from("<w:p>");
    for r in runs {
        s.push_str(&format!(
            r#"<w:r><w:t xml:space="preserve">{r}</w:t></w:r>"#
        ));
    }
    s.push_str("</w:p>");
    s
}
