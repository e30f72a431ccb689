//! `styles.xml`: what a paragraph or character style contributes to the text model.
//!
//! Only three properties matter downstream: the heading level (`outlineLvl`, or a built-in
//! "heading N" style), bold (`w:b` in the style's run properties) and numbering (`w:numPr` in
//! the style's paragraph properties). Each style is resolved once, following its `basedOn`
//! chain nearest-first; chains are cut after [`MAX_CHAIN`] links, so a cycle or a 10,000-deep
//! chain costs a bounded amount. Conditional table formatting (`w:tblStylePr`) and tracked
//! property changes (`w:pPrChange`, `w:rPrChange`) are skipped: they are not the style in force.

use super::xml::{on_off, Ns, XmlPart};
use crate::document::error::ParseError;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::BufRead;

const MAX_CHAIN: usize = 32;

/// A style's own properties as written, before inheritance.
#[derive(Debug, Default, Clone)]
struct RawStyle {
    id: String,
    paragraph: bool,
    default: bool,
    name: Option<String>,
    based_on: Option<String>,
    outline: Option<u8>,
    bold: Option<bool>,
    num_id: Option<i64>,
    ilvl: Option<u8>,
}

/// A style after `basedOn` inheritance.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Style {
    pub id: String,
    /// 1-based heading level; `None` for body text.
    pub heading_level: Option<u8>,
    pub bold: Option<bool>,
    pub num_id: Option<i64>,
    pub ilvl: Option<u8>,
}

#[derive(Debug, Default)]
pub(in crate::document::readers) struct Styles {
    styles: Vec<Style>,
    index: HashMap<String, usize>,
    default_paragraph: Option<usize>,
    /// `w:docDefaults/w:rPrDefault` bold.
    pub default_bold: Option<bool>,
}

impl Styles {
    pub(super) fn get(&self, i: usize) -> &Style {
        &self.styles[i]
    }

    pub(super) fn lookup(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub(super) fn default_paragraph(&self) -> Option<usize> {
        self.default_paragraph
    }

    pub(super) fn parse<R: BufRead>(xml: &mut XmlPart<R>) -> Result<Styles, ParseError> {
        #[derive(Clone, Copy, PartialEq)]
        enum F {
            Plain,
            Skip,
            Style,
            PPr,
            NumPr,
            RPr,
            DocDefaults,
            RPrDefault,
            DefaultRPr,
        }
        let mut raw: Vec<RawStyle> = Vec::new();
        let mut default_bold = None;
        let mut frames: Vec<F> = Vec::new();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let (e, empty) = match xml.next(&mut buf)? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => {
                    frames.pop();
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let parent = frames.last().copied().unwrap_or(F::Plain);
            let (ns, local) = xml.name(&e);
            let frame = if parent == F::Skip || ns != Ns::W {
                F::Skip
            } else {
                match (parent, local) {
                    (F::Plain, "style") => {
                        raw.push(RawStyle {
                            id: attr(xml, &e, "styleId").unwrap_or_default(),
                            paragraph: attr(xml, &e, "type").as_deref() == Some("paragraph"),
                            default: attr(xml, &e, "default").is_some_and(|v| on_off(Some(&v))),
                            ..RawStyle::default()
                        });
                        F::Style
                    }
                    (F::Plain, "docDefaults") => F::DocDefaults,
                    (F::Plain, "styles") => F::Plain,
                    (F::DocDefaults, "rPrDefault") => F::RPrDefault,
                    (F::RPrDefault, "rPr") => F::DefaultRPr,
                    (F::DefaultRPr, "b") => {
                        default_bold = Some(on_off(xml.val(&e).as_deref()));
                        F::Skip
                    }
                    (F::Style, "name") => {
                        if let Some(s) = raw.last_mut() {
                            s.name = xml.val(&e).map(|v| v.into_owned());
                        }
                        F::Skip
                    }
                    (F::Style, "basedOn") => {
                        if let Some(s) = raw.last_mut() {
                            s.based_on = xml.val(&e).map(|v| v.into_owned());
                        }
                        F::Skip
                    }
                    (F::Style, "pPr") => F::PPr,
                    (F::Style, "rPr") => F::RPr,
                    (F::PPr, "outlineLvl") => {
                        if let Some(s) = raw.last_mut() {
                            s.outline = xml.val(&e).and_then(|v| v.trim().parse().ok());
                        }
                        F::Skip
                    }
                    (F::PPr, "numPr") => F::NumPr,
                    (F::NumPr, "numId") => {
                        if let Some(s) = raw.last_mut() {
                            s.num_id = xml.val(&e).and_then(|v| v.trim().parse().ok());
                        }
                        F::Skip
                    }
                    (F::NumPr, "ilvl") => {
                        if let Some(s) = raw.last_mut() {
                            s.ilvl = xml.val(&e).and_then(|v| v.trim().parse().ok());
                        }
                        F::Skip
                    }
                    (F::RPr, "b") => {
                        if let Some(s) = raw.last_mut() {
                            s.bold = Some(on_off(xml.val(&e).as_deref()));
                        }
                        F::Skip
                    }
                    _ => F::Skip,
                }
            };
            if !empty {
                frames.push(frame);
            }
        }
        Ok(Styles::resolve(raw, default_bold))
    }

    fn resolve(raw: Vec<RawStyle>, default_bold: Option<bool>) -> Styles {
        let mut index = HashMap::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            index.entry(s.id.clone()).or_insert(i);
        }
        let chain = |start: usize| {
            let mut out = Vec::with_capacity(4);
            let mut cur = Some(start);
            while let Some(i) = cur {
                if out.len() >= MAX_CHAIN || out.contains(&i) {
                    break;
                }
                out.push(i);
                cur = raw[i]
                    .based_on
                    .as_deref()
                    .and_then(|b| index.get(b).copied());
            }
            out
        };
        let mut styles = Vec::with_capacity(raw.len());
        for i in 0..raw.len() {
            let links = chain(i);
            let mut style = Style {
                id: raw[i].id.clone(),
                ..Style::default()
            };
            // Heading: the nearest style that says anything about its outline level decides;
            // an explicit outlineLvl 9 (body text) ends the search with "not a heading".
            for &j in &links {
                let s = &raw[j];
                if let Some(l) = s.outline {
                    style.heading_level = (l < 9).then_some(l + 1);
                    break;
                }
                if let Some(l) = heading_from_name(s.name.as_deref(), &s.id) {
                    style.heading_level = Some(l);
                    break;
                }
            }
            style.bold = links.iter().find_map(|&j| raw[j].bold);
            if let Some(&j) = links
                .iter()
                .find(|&&j| raw[j].num_id.is_some() || raw[j].ilvl.is_some())
            {
                style.num_id = links.iter().find_map(|&k| raw[k].num_id);
                style.ilvl = raw[j].ilvl;
            }
            styles.push(style);
        }
        let default_paragraph = raw.iter().position(|s| s.paragraph && s.default);
        Styles {
            styles,
            index,
            default_paragraph,
            default_bold,
        }
    }
}

fn attr<R: BufRead>(xml: &XmlPart<R>, e: &BytesStart<'_>, local: &str) -> Option<String> {
    xml.attr(e, Ns::W, local).map(|v| v.into_owned())
}

/// Built-in heading styles: name `heading N` (Word writes the English name even in a Chinese
/// UI), a localized `标题 N`, or, with no name, a `HeadingN` style id.
fn heading_from_name(name: Option<&str>, id: &str) -> Option<u8> {
    let level_of = |rest: &str| -> Option<u8> {
        let n: u8 = rest.trim().parse().ok()?;
        (1..=9).contains(&n).then_some(n)
    };
    if let Some(name) = name {
        let lower = name.trim().to_lowercase();
        if let Some(rest) = lower.strip_prefix("heading") {
            return level_of(rest);
        }
        if let Some(rest) = lower.strip_prefix("标题") {
            return level_of(rest);
        }
        return None;
    }
    id.strip_prefix("Heading").and_then(level_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Styles {
        let mut part = XmlPart::new(xml.as_bytes(), "styles.xml", 64);
        Styles::parse(&mut part).unwrap()
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn based_on_chains_inherit_heading_bold_and_numbering() {
        let s = parse(&format!(
            r#"<w:styles {W}>
            <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
            <w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
              <w:rPr><w:b/></w:rPr></w:style>
            <w:style w:type="paragraph" w:styleId="Mine"><w:name w:val="My heading"/><w:basedOn w:val="1"/>
              <w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="Body"><w:basedOn w:val="Mine"/>
              <w:pPr><w:outlineLvl w:val="9"/></w:pPr><w:rPr><w:b w:val="0"/></w:rPr></w:style>
            </w:styles>"#
        ));
        let mine = s.get(s.lookup("Mine").unwrap());
        assert_eq!(mine.heading_level, Some(1));
        assert_eq!(mine.bold, Some(true));
        assert_eq!(mine.num_id, Some(7));
        let body = s.get(s.lookup("Body").unwrap());
        assert_eq!(body.heading_level, None);
        assert_eq!(body.bold, Some(false));
        assert_eq!(body.num_id, Some(7));
        assert_eq!(s.default_paragraph(), s.lookup("Normal"));
    }

    #[test]
    fn based_on_cycles_end() {
        let s = parse(&format!(
            r#"<w:styles {W}>
            <w:style w:type="paragraph" w:styleId="A"><w:basedOn w:val="B"/></w:style>
            <w:style w:type="paragraph" w:styleId="B"><w:basedOn w:val="A"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
            </w:styles>"#
        ));
        assert_eq!(s.get(s.lookup("A").unwrap()).heading_level, Some(3));
    }

    #[test]
    fn table_conditional_formatting_is_not_the_style() {
        let s = parse(&format!(
            r#"<w:styles {W}><w:docDefaults><w:rPrDefault><w:rPr><w:b w:val="false"/></w:rPr></w:rPrDefault></w:docDefaults>
            <w:style w:type="table" w:styleId="T"><w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr></w:tblStylePr></w:style>
            </w:styles>"#
        ));
        assert_eq!(s.get(s.lookup("T").unwrap()).bold, None);
        assert_eq!(s.default_bold, Some(false));
    }

    #[test]
    fn heading_names() {
        assert_eq!(heading_from_name(Some("heading 3"), "x"), Some(3));
        assert_eq!(heading_from_name(Some("标题 2"), "x"), Some(2));
        assert_eq!(heading_from_name(None, "Heading4"), Some(4));
        assert_eq!(heading_from_name(Some("Heading 10"), "x"), None);
        assert_eq!(heading_from_name(Some("Title"), "Heading1"), None);
    }
}
