//! `docProps/core.xml`: title, author and dates as the package records them.
//!
//! Values are kept verbatim (trimmed); an element that is absent or empty is `None`. Only the
//! direct children of the root count, so a nested element of the same name cannot override.

use super::xml::{resolve_ref, Ns, XmlPart};
use crate::document::error::ParseError;
use crate::document::result::CoreProperties;
use quick_xml::events::Event;
use std::io::BufRead;

/// Longest value kept per field; core properties are short, a megabyte title is hostile.
const MAX_VALUE_BYTES: usize = 4096;

pub(super) fn parse<R: BufRead>(
    xml: &mut XmlPart<R>,
) -> Result<Option<CoreProperties>, ParseError> {
    let mut props = CoreProperties::default();
    let mut depth = 0usize;
    // Which field the text being read belongs to.
    let mut field: Option<usize> = None;
    let mut values: [String; 4] = Default::default();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.next(&mut buf)? {
            Event::Start(e) => {
                depth += 1;
                field = None;
                if depth == 2 {
                    let (ns, local) = xml.name(&e);
                    field = match (ns, local) {
                        (Ns::Dc, "title") => Some(0),
                        (Ns::Dc, "creator") => Some(1),
                        (Ns::DcTerms, "created") => Some(2),
                        (Ns::DcTerms, "modified") => Some(3),
                        _ => None,
                    };
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                field = None;
            }
            Event::Text(t) => {
                if let Some(i) = field {
                    push_capped(&mut values[i], &t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(i) = field {
                    push_capped(&mut values[i], &t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(i) = field {
                    resolve_ref(&r, &mut |s| push_capped(&mut values[i], s));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let [title, author, created, modified] = values.map(|v| {
        let t = v.trim();
        (!t.is_empty()).then(|| t.to_string())
    });
    props.title = title;
    props.author = author;
    props.created = created;
    props.modified = modified;
    if props == CoreProperties::default() {
        return Ok(None);
    }
    Ok(Some(props))
}

fn push_capped(s: &mut String, add: &str) {
    if s.len() + add.len() <= MAX_VALUE_BYTES {
        s.push_str(add);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dublin_core_fields_by_namespace() {
        let xml = r#"<?xml version="1.0"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
  xmlns:d="http://purl.org/dc/elements/1.1/" xmlns:t="http://purl.org/dc/terms/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <d:title>2022年度 &amp; 报告</d:title><d:creator>张三</d:creator>
  <t:created xsi:type="dcterms:W3CDTF">2023-01-05T08:00:00Z</t:created>
  <t:modified xsi:type="dcterms:W3CDTF"></t:modified></cp:coreProperties>"#;
        let p = parse(&mut XmlPart::new(xml.as_bytes(), "core.xml", 16))
            .unwrap()
            .unwrap();
        assert_eq!(p.title.as_deref(), Some("2022年度 & 报告"));
        assert_eq!(p.author.as_deref(), Some("张三"));
        assert_eq!(p.created.as_deref(), Some("2023-01-05T08:00:00Z"));
        assert_eq!(p.modified, None);
    }
}
