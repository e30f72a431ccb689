//! The streaming XML layer every docx part is read through.
//!
//! Elements are matched on their namespace URI, never on their prefix: a document may bind
//! WordprocessingML to `w:`, `ns0:` or the default namespace, and ISO Strict documents use
//! `http://purl.oclc.org/ooxml/...` URIs where Transitional ones use
//! `http://schemas.openxmlformats.org/...`. [`Ns`] folds both spellings into one value.
//!
//! Guarantees: the nesting depth of every part is checked against `Limits::max_xml_depth` on
//! each start tag, before the caller sees it, so no consumer can be driven deeper than that;
//! quick-xml errors become typed [`ParseError`]s (a decompression limit hit while parsing is
//! `LimitExceeded`, anything else `Corrupt`).

use crate::document::error::ParseError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::{NsReader, XmlVersion};
use std::borrow::Cow;
use std::io::BufRead;

/// The marker error a size-limited reader under the parser returns (`package::LimitedReader`);
/// [`XmlPart`] turns it into `LimitExceeded`. It lives here, with the layer that understands
/// it, so the package layer depends on the XML layer and not the other way round.
#[derive(Debug)]
pub(crate) struct LimitHit(pub String);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitHit {}

/// The namespaces the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::document::readers) enum Ns {
    /// WordprocessingML main, Transitional or Strict.
    W,
    /// Office Math (OMML): `m:t` carries text.
    M,
    /// Markup compatibility: `mc:AlternateContent`.
    Mc,
    /// Office document relationships (`r:id`).
    R,
    /// Package relationships (`.rels` parts).
    PackageRels,
    /// Dublin Core elements and terms, as used by `docProps/core.xml`.
    Dc,
    DcTerms,
    /// Unprefixed name with no default namespace in scope.
    None,
    Other,
}

pub(super) fn classify(uri: &str) -> Ns {
    match uri {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        | "http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
        "http://schemas.openxmlformats.org/officeDocument/2006/math"
        | "http://purl.oclc.org/ooxml/officeDocument/math" => Ns::M,
        "http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        | "http://purl.oclc.org/ooxml/officeDocument/relationships" => Ns::R,
        "http://schemas.openxmlformats.org/package/2006/relationships" => Ns::PackageRels,
        "http://purl.org/dc/elements/1.1/" => Ns::Dc,
        "http://purl.org/dc/terms/" => Ns::DcTerms,
        _ => Ns::Other,
    }
}

fn ns_of(res: ResolveResult<'_>) -> Ns {
    match res {
        ResolveResult::Bound(Namespace(uri)) => classify(uri),
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

/// One XML part being streamed, with its depth tracked.
pub(in crate::document::readers) struct XmlPart<R: BufRead> {
    reader: NsReader<R>,
    depth: usize,
    max_depth: usize,
    part: String,
}

impl<R: BufRead> XmlPart<R> {
    pub(in crate::document::readers) fn new(inner: R, part: &str, max_depth: usize) -> Self {
        let mut reader = NsReader::from_reader(inner);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = false;
        config.check_end_names = true;
        XmlPart {
            reader,
            depth: 0,
            max_depth,
            part: part.to_string(),
        }
    }

    /// The next event, with the depth limit enforced. `Empty` elements count as one level
    /// deeper than their parent, like a start tag would.
    pub(in crate::document::readers) fn next<'b>(
        &mut self,
        buf: &'b mut Vec<u8>,
    ) -> Result<Event<'b>, ParseError> {
        let event = self
            .reader
            .read_event_into(buf)
            .map_err(|e| xml_error(&self.part, e))?;
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > self.max_depth {
                    return Err(depth_error(&self.part, self.max_depth));
                }
            }
            Event::Empty(_) if self.depth + 1 > self.max_depth => {
                return Err(depth_error(&self.part, self.max_depth));
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::Eof if self.depth != 0 => {
                return Err(ParseError::Corrupt(format!(
                    "{}: XML ends inside an open element",
                    self.part
                )))
            }
            _ => {}
        }
        Ok(event)
    }

    /// Namespace and local name of an element.
    pub(in crate::document::readers) fn name<'e>(&self, e: &'e BytesStart<'_>) -> (Ns, &'e str) {
        let (res, local) = self.reader.resolver().resolve_element(e.name());
        (ns_of(res), local.into_inner())
    }

    /// The value of attribute `local` in namespace `ns`. An unprefixed attribute of the same
    /// local name is accepted too (some writers drop the `w:` on attributes). Malformed
    /// attributes are skipped rather than failing the part: they only ever carry formatting.
    pub(super) fn attr<'e>(
        &self,
        e: &'e BytesStart<'_>,
        ns: Ns,
        local: &str,
    ) -> Option<Cow<'e, str>> {
        for a in e.attributes().with_checks(false).flatten() {
            let (res, name) = self.reader.resolver().resolve_attribute(a.key);
            if name.into_inner() != local {
                continue;
            }
            let a_ns = ns_of(res);
            if a_ns == ns || a_ns == Ns::None {
                return a.normalized_value(XmlVersion::Implicit1_0).ok();
            }
        }
        None
    }

    /// `w:val`, the attribute most WordprocessingML properties carry.
    pub(super) fn val<'e>(&self, e: &'e BytesStart<'_>) -> Option<Cow<'e, str>> {
        self.attr(e, Ns::W, "val")
    }
}

fn depth_error(part: &str, max: usize) -> ParseError {
    ParseError::LimitExceeded(format!("{part}: XML nested deeper than {max} elements"))
}

pub(super) fn xml_error(part: &str, e: quick_xml::Error) -> ParseError {
    use quick_xml::name::NamespaceError;
    match &e {
        quick_xml::Error::Io(io) => {
            if let Some(hit) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<LimitHit>())
            {
                ParseError::LimitExceeded(format!("{part}: {hit}"))
            } else {
                ParseError::Corrupt(format!("{part}: {io}"))
            }
        }
        quick_xml::Error::Namespace(
            NamespaceError::TooManyBindings(_) | NamespaceError::TooDeeplyNested(_),
        ) => ParseError::LimitExceeded(format!("{part}: {e}")),
        _ => ParseError::Corrupt(format!("{part}: malformed XML: {e}")),
    }
}

/// The text of an entity or character reference inside character data: `&amp;` and friends
/// and `&#x4E00;`. Undeclared entities (a DTD is never read) yield nothing.
pub(in crate::document::readers) fn resolve_ref(name: &str, out: &mut dyn FnMut(&str)) {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        if let Some(c) = code.and_then(char::from_u32) {
            let mut tmp = [0u8; 4];
            out(c.encode_utf8(&mut tmp));
        }
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(name) {
        out(s);
    }
}

/// OOXML on/off values (`w:b`, `w:b w:val="0"`): absent value means on.
pub(super) fn on_off(val: Option<&str>) -> bool {
    !matches!(val, Some("0" | "false" | "off" | "none"))
}
