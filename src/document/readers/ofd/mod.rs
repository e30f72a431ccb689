//! OFD (GB/T 33190, the national format for electronic official documents) -> blocks.
//!
//! The path through the package: `OFD.xml` -> `DocBody/DocRoot` -> `Document.xml` -> its
//! `Pages/Page@BaseLoc` in order -> each page's `Content.xml` (layers, nested `PageBlock`s)
//! and the template pages it references (`Template@TemplateID` -> `CommonData/TemplatePage`).
//! [`content`] turns each page description into positioned runs; the shared
//! [`layout`](super::layout) step turns them into paragraphs, running heads and page numbers.
//!
//! Real files differ from the standard, and all of these are read: any namespace or none
//! (`http://www.ofdspec.org/2016`, a converter's own URI), element and attribute names in any
//! case, `BaseLoc` paths absolute or relative, with or without a leading `/`, with `\`, in any
//! case, relative to the referring file or to the package root.
//!
//! Guarantees, each a typed [`ParseError`]:
//! - the zip container is bounded as the docx one is (entries, declared and inflated bytes per
//!   part and in total, XML depth: the same [`Package`]);
//! - at most `max_ofd_pages` pages, `max_ofd_text_objects` text objects and
//!   `max_ofd_text_codes` text codes, templates included, and `max_text_bytes` of text;
//! - templates are followed from pages only, one level deep, so no chain of references can
//!   loop; a page listed twice is read twice and counted twice;
//! - a document whose pages carry no text at all is [`ParseError::NoTextLayer`] (a scan), never
//!   an empty result; text pages among image-only pages are read and the others named in a
//!   warning. Signatures, seals and annotations are not text: their presence is a warning.

mod content;

use super::docx::package::Package;
use super::docx::xml::resolve_ref;
use super::layout::{self, Page};
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::model::RawDocument;
use crate::document::result::{CoreProperties, Format, Supplementary, Warning};
use content::Budget;
use quick_xml::events::Event;
use std::collections::HashMap;

/// What `OFD.xml` says about the package.
#[derive(Debug, Default)]
struct Entry {
    doc_roots: Vec<String>,
    signatures: bool,
    info: CoreProperties,
}

/// What `Document.xml` says.
#[derive(Debug, Default)]
struct DocumentPart {
    /// `BaseLoc` of each page, in order.
    pages: Vec<String>,
    /// `TemplatePage@ID` -> `BaseLoc`.
    templates: HashMap<String, String>,
    /// The default page size.
    size: Option<(f32, f32)>,
    annotations: bool,
}

pub fn read(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let mut pkg = Package::open(bytes, limits)?;
    let entry = read_entry(&mut pkg)?;
    let mut warnings = Vec::new();
    let root = entry
        .doc_roots
        .first()
        .ok_or_else(|| ParseError::Corrupt("OFD.xml names no DocRoot".into()))?;
    if entry.doc_roots.len() > 1 {
        warnings.push(Warning::new(
            "ofd_documents_skipped",
            format!(
                "the package holds {} documents; only the first was read",
                entry.doc_roots.len()
            ),
        ));
    }
    let doc_path = resolve(&pkg, "", root)
        .ok_or_else(|| ParseError::Corrupt(format!("DocRoot {root} is not in the package")))?;
    let doc_dir = dir_of(&doc_path);
    let document = read_document(&mut pkg, &doc_path, limits)?;
    if document.pages.is_empty() {
        return Err(ParseError::Corrupt(format!("{doc_path} lists no pages")));
    }

    let mut budget = Budget {
        objects_left: limits.max_ofd_text_objects,
        codes_left: limits.max_ofd_text_codes,
        text_left: limits.max_text_bytes,
        max_objects: limits.max_ofd_text_objects,
        max_codes: limits.max_ofd_text_codes,
        max_text: limits.max_text_bytes,
    };
    let mut pages = Vec::with_capacity(document.pages.len());
    let (mut missing, mut missing_templates, mut rotated) = (Vec::new(), 0usize, 0usize);
    for (n, loc) in document.pages.iter().enumerate() {
        let Some(path) = resolve(&pkg, &doc_dir, loc) else {
            missing.push(n + 1);
            pages.push(Page::default());
            continue;
        };
        let own = read_content(&mut pkg, &path, &mut budget)?;
        let mut page = Page {
            width: 0.0,
            height: 0.0,
            runs: Vec::new(),
        };
        (page.width, page.height) = own.size.or(document.size).unwrap_or((210.0, 297.0));
        for id in &own.templates {
            let template = document
                .templates
                .get(id)
                .and_then(|loc| resolve(&pkg, &doc_dir, loc));
            match template {
                Some(t) => {
                    let c = read_content(&mut pkg, &t, &mut budget)?;
                    rotated += c.rotated;
                    page.runs.extend(c.runs);
                }
                None => missing_templates += 1,
            }
        }
        rotated += own.rotated;
        page.runs.extend(own.runs);
        pages.push(page);
    }

    let empty: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.runs.iter().all(|r| r.text.trim().is_empty()))
        .map(|(i, _)| i + 1)
        .collect();
    if empty.len() == pages.len() {
        return Err(ParseError::NoTextLayer(format!(
            "none of the {} page(s) carries text (images or paths only: a scan?)",
            pages.len()
        )));
    }
    if !missing.is_empty() {
        warnings.push(Warning::new(
            "ofd_pages_missing",
            format!("page content not in the package: pages {}", list(&missing)),
        ));
    }
    let empty_present: Vec<usize> = empty.into_iter().filter(|p| !missing.contains(p)).collect();
    if !empty_present.is_empty() {
        warnings.push(Warning::new(
            "ofd_pages_without_text",
            format!(
                "pages without text (images only?): {}",
                list(&empty_present)
            ),
        ));
    }
    if missing_templates > 0 {
        warnings.push(Warning::new(
            "ofd_templates_missing",
            format!("{missing_templates} template reference(s) name no template page"),
        ));
    }
    if rotated > 0 {
        warnings.push(Warning::new(
            "ofd_rotated_text",
            format!("{rotated} rotated text object(s): their reading order is approximate"),
        ));
    }
    if entry.signatures {
        warnings.push(Warning::new(
            "ofd_signatures_not_read",
            "the document is signed or sealed: signatures and seals are not text and were not read",
        ));
    }
    if document.annotations {
        warnings.push(Warning::new(
            "ofd_annotations_not_read",
            "the document has annotations (stamps, watermarks, notes): they were not read",
        ));
    }

    let laid = layout::lay_out(&pages);
    drop(pages);
    let mut doc = RawDocument::new(Format::Ofd);
    doc.blocks = laid.blocks;
    warnings.extend(laid.warnings);
    doc.warnings = warnings;
    if !laid.headers.is_empty() || !laid.footers.is_empty() {
        doc.supplementary = Some(Supplementary {
            headers: laid.headers,
            footers: laid.footers,
            ..Default::default()
        });
    }
    let info = entry.info;
    if info.title.is_some() || info.author.is_some() || info.created.is_some() {
        doc.core_properties = Some(info);
    }
    Ok(doc)
}

fn list(pages: &[usize]) -> String {
    const SHOWN: usize = 20;
    let mut s = pages
        .iter()
        .take(SHOWN)
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if pages.len() > SHOWN {
        s.push_str(&format!(" and {} more", pages.len() - SHOWN));
    }
    s
}

fn read_content(
    pkg: &mut Package<'_>,
    path: &str,
    budget: &mut Budget,
) -> Result<content::PageContent, ParseError> {
    let mut xml = pkg
        .xml(path)?
        .ok_or_else(|| ParseError::Corrupt(format!("{path} vanished")))?;
    content::read(&mut xml, budget)
}

/// An element's attributes: lower-cased local name and value.
type Attrs = Vec<(String, String)>;

/// Reads the elements of a small part (`OFD.xml`, `Document.xml`) as (lower-cased local
/// name, attributes, text) and hands each finished element to `f`.
fn walk(
    pkg: &mut Package<'_>,
    path: &str,
    mut f: impl FnMut(&str, &[(String, String)], &str) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let mut xml = pkg
        .xml(path)?
        .ok_or_else(|| ParseError::Corrupt(format!("{path} is not in the package")))?;
    let mut buf = Vec::new();
    // Open elements: name, attributes, text so far.
    let mut stack: Vec<(String, Attrs, String)> = Vec::new();
    loop {
        let event = xml.next(&mut buf)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                let attrs = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .filter_map(|a| {
                        let k = a.key.local_name().as_ref().to_ascii_lowercase();
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()?;
                        Some((k, v.into_owned()))
                    })
                    .collect::<Vec<_>>();
                if matches!(event, Event::Empty(_)) {
                    f(&name, &attrs, "")?;
                } else {
                    stack.push((name, attrs, String::new()));
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    if top.2.len() < 4096 {
                        top.2.push_str(&t.xml10_content());
                    }
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    resolve_ref(&r, &mut |s| top.2.push_str(s));
                }
            }
            Event::End(_) => {
                if let Some((name, attrs, text)) = stack.pop() {
                    f(&name, &attrs, text.trim())?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn read_entry(pkg: &mut Package<'_>) -> Result<Entry, ParseError> {
    let mut entry = Entry::default();
    let name = if pkg.has("OFD.xml") {
        "OFD.xml"
    } else {
        return Err(ParseError::Corrupt("no OFD.xml at the package root".into()));
    };
    walk(pkg, name, |el, _, text| {
        let keep = || (!text.is_empty()).then(|| text.to_string());
        match el {
            "docroot" if !text.is_empty() => entry.doc_roots.push(text.to_string()),
            "signatures" => entry.signatures = true,
            "title" if entry.info.title.is_none() => entry.info.title = keep(),
            "author" if entry.info.author.is_none() => entry.info.author = keep(),
            "creationdate" if entry.info.created.is_none() => entry.info.created = keep(),
            "moddate" if entry.info.modified.is_none() => entry.info.modified = keep(),
            _ => {}
        }
        Ok(())
    })?;
    Ok(entry)
}

fn read_document(
    pkg: &mut Package<'_>,
    path: &str,
    limits: &Limits,
) -> Result<DocumentPart, ParseError> {
    let mut d = DocumentPart::default();
    let max = limits.max_ofd_pages;
    walk(pkg, path, |el, attrs, text| {
        match el {
            "page" => {
                if let Some(loc) = get(attrs, "baseloc") {
                    if d.pages.len() == max {
                        return Err(ParseError::LimitExceeded(format!(
                            "more than {max} pages (limits.max_ofd_pages)"
                        )));
                    }
                    d.pages.push(loc.to_string());
                }
            }
            "templatepage" => {
                if let (Some(id), Some(loc)) = (get(attrs, "id"), get(attrs, "baseloc")) {
                    if d.templates.len() < max {
                        d.templates.insert(id.to_string(), loc.to_string());
                    }
                }
            }
            "physicalbox" if d.size.is_none() => {
                let v: Vec<f32> = text
                    .split_ascii_whitespace()
                    .filter_map(|t| t.parse().ok())
                    .collect();
                if v.len() == 4 && v[2] > 0.0 && v[3] > 0.0 {
                    d.size = Some((v[2], v[3]));
                }
            }
            "annotations" => d.annotations = true,
            _ => {}
        }
        Ok(())
    })?;
    Ok(d)
}

fn dir_of(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/"),
        None => String::new(),
    }
}

/// Normalizes `a/./b/../c` and `\` separators; `None` if `..` climbs out of the package.
fn clean(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Finds the part a `BaseLoc` names: absolute paths from the root; relative ones against the
/// referring file's directory first, then the root (writers disagree on which they mean).
fn resolve(pkg: &Package<'_>, dir: &str, loc: &str) -> Option<String> {
    let loc = loc.trim();
    if loc.is_empty() {
        return None;
    }
    let absolute = loc.starts_with(['/', '\\']);
    let candidates = [
        (!absolute).then(|| format!("{dir}{loc}")),
        Some(loc.to_string()),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter_map(|c| clean(&c))
        .find(|c| !c.is_empty() && pkg.has(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned() {
        assert_eq!(
            clean("Doc_0/./Pages/../Pages/Page_0/Content.xml").as_deref(),
            Some("Doc_0/Pages/Page_0/Content.xml")
        );
        assert_eq!(
            clean("/Doc_0\\Document.xml").as_deref(),
            Some("Doc_0/Document.xml")
        );
        assert_eq!(clean("../x"), None);
        assert_eq!(dir_of("Doc_0/Document.xml"), "Doc_0/");
        assert_eq!(dir_of("Document.xml"), "");
    }

    #[test]
    fn page_lists_are_shortened() {
        assert_eq!(list(&[1, 3]), "1, 3");
        let many: Vec<usize> = (1..=25).collect();
        assert!(list(&many).ends_with("and 5 more"));
    }
}
