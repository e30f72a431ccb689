//! One OFD page description (a page's or a template's `Content.xml`) -> positioned text runs.
//!
//! Every `TextObject`, wherever it sits (layers, nested `PageBlock`s), gives one [`Run`] per
//! `TextCode`. A code's glyph positions are `X`/`Y` (absent: continue where the previous code
//! ended) plus its `DeltaX`/`DeltaY` advances (`g N V` is N copies of V). They are object
//! coordinates: the object's `CTM` maps them, then the origin of its `Boundary` is added, giving
//! page millimetres with y growing down, which is what the layout step expects.
//!
//! Elements and attributes are matched by local name, ignoring namespace and case (`Size` and
//! easyofd's `size`). Every text object and code is charged to the document's [`Budget`]
//! before it is kept, so a page cannot make the reader allocate more than the limits allow;
//! the `g` repeat count is never expanded (a `g 4000000000 1` costs nothing).

use super::super::docx::xml::{resolve_ref, XmlPart};
use super::super::layout::Run;
use crate::document::error::ParseError;
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use std::io::BufRead;

/// What is left of the document's allowances, shared by all pages.
#[derive(Debug)]
pub(super) struct Budget {
    pub objects_left: usize,
    pub codes_left: usize,
    pub text_left: usize,
    pub max_objects: usize,
    pub max_codes: usize,
    pub max_text: usize,
}

impl Budget {
    fn object(&mut self) -> Result<(), ParseError> {
        self.objects_left = self.objects_left.checked_sub(1).ok_or_else(|| {
            ParseError::LimitExceeded(format!(
                "more than {} text objects (limits.max_ofd_text_objects)",
                self.max_objects
            ))
        })?;
        Ok(())
    }
    fn code(&mut self, text_bytes: usize) -> Result<(), ParseError> {
        self.codes_left = self.codes_left.checked_sub(1).ok_or_else(|| {
            ParseError::LimitExceeded(format!(
                "more than {} text codes (limits.max_ofd_text_codes)",
                self.max_codes
            ))
        })?;
        self.text_left = self.text_left.checked_sub(text_bytes).ok_or_else(|| {
            ParseError::LimitExceeded(format!("document text exceeds {} bytes", self.max_text))
        })?;
        Ok(())
    }
}

/// What one page description holds.
#[derive(Debug, Default)]
pub(super) struct PageContent {
    pub runs: Vec<Run>,
    /// `Template@TemplateID` references (pages only).
    pub templates: Vec<String>,
    /// The page's own `PhysicalBox` width and height, if it declares one.
    pub size: Option<(f32, f32)>,
    /// Image objects met (a page of images and no text is a scan).
    pub images: usize,
    /// Text objects rotated or sheared by their CTM (read, but their layout is approximate).
    pub rotated: usize,
}

/// The state of the text object being read.
#[derive(Debug, Clone)]
struct Object {
    /// Boundary origin.
    ox: f32,
    oy: f32,
    /// CTM `a b c d e f`.
    ctm: [f32; 6],
    size: f32,
    /// Where the next code starts when it gives no X / Y (object coordinates).
    pen: (f32, f32),
}

/// The `TextCode` being read.
#[derive(Debug)]
struct Code {
    x: f32,
    y: f32,
    delta_x: Option<String>,
    delta_y: Option<String>,
    text: String,
}

pub(super) fn read<R: BufRead>(
    xml: &mut XmlPart<R>,
    budget: &mut Budget,
) -> Result<PageContent, ParseError> {
    let mut out = PageContent::default();
    let mut buf = Vec::new();
    let mut object: Option<Object> = None;
    let mut code: Option<Code> = None;
    let mut in_box = false;
    let mut box_text = String::new();
    let mut depth = 0usize;
    // The depth of the page's own area (`Page/Area` or easyofd's `Page/Content/PageArea`):
    // a template's or a block's box is not the page's.
    loop {
        let event = xml.next(&mut buf)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty {
                    depth += 1;
                }
                let local = local(e);
                match local.as_str() {
                    "textobject" => {
                        budget.object()?;
                        let o = start_object(e);
                        if o.ctm[1].abs() > 1e-3 || o.ctm[2].abs() > 1e-3 {
                            out.rotated += 1;
                        }
                        object = (!empty).then_some(o);
                    }
                    "textcode" if object.is_some() => {
                        let o = object.as_ref().expect("checked");
                        let c = Code {
                            x: attr_f32(e, "x").unwrap_or(o.pen.0),
                            y: attr_f32(e, "y").unwrap_or(o.pen.1),
                            delta_x: attr(e, "deltax").map(Cow::into_owned),
                            delta_y: attr(e, "deltay").map(Cow::into_owned),
                            text: String::new(),
                        };
                        if empty {
                            finish_code(object.as_mut().expect("checked"), c, budget, &mut out)?;
                        } else {
                            code = Some(c);
                        }
                    }
                    "template" => {
                        if let Some(id) = attr(e, "templateid") {
                            out.templates.push(id.into_owned());
                        }
                    }
                    "physicalbox" if !empty && out.size.is_none() && depth <= 4 => {
                        in_box = true;
                        box_text.clear();
                    }
                    "imageobject" => out.images += 1,
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = code.as_mut() {
                    c.text.push_str(&t.xml10_content());
                } else if in_box {
                    box_text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(c) = code.as_mut() {
                    c.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(c) = code.as_mut() {
                    resolve_ref(&r, &mut |s| c.text.push_str(s));
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                match local_name_lower(e.local_name().as_ref()).as_str() {
                    "textcode" => {
                        if let (Some(c), Some(o)) = (code.take(), object.as_mut()) {
                            finish_code(o, c, budget, &mut out)?;
                        }
                    }
                    "textobject" => object = None,
                    "physicalbox" if in_box => {
                        in_box = false;
                        let v = numbers(&box_text);
                        if v.len() == 4 {
                            out.size = Some((v[2], v[3]));
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn start_object(e: &BytesStart<'_>) -> Object {
    let b = attr(e, "boundary").map(|v| numbers(&v)).unwrap_or_default();
    let ctm = attr(e, "ctm")
        .map(|v| numbers(&v))
        .filter(|v| v.len() == 6)
        .map_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], |v| {
            [v[0], v[1], v[2], v[3], v[4], v[5]]
        });
    Object {
        ox: b.first().copied().unwrap_or(0.0),
        oy: b.get(1).copied().unwrap_or(0.0),
        ctm,
        size: attr_f32(e, "size").filter(|s| *s > 0.0).unwrap_or(3.5),
        pen: (0.0, 0.0),
    }
}

/// Turns a finished code into a run and moves the object's pen past it.
fn finish_code(
    o: &mut Object,
    c: Code,
    budget: &mut Budget,
    out: &mut PageContent,
) -> Result<(), ParseError> {
    budget.code(c.text.len())?;
    let glyphs = c.text.chars().count();
    let gaps = glyphs.saturating_sub(1);
    let (dx, last_dx) = c
        .delta_x
        .as_deref()
        .map_or((0.0, None), |d| delta_sum(d, gaps));
    // Without DeltaX the glyphs advance by their own widths, which only the font knows: one
    // em per CJK glyph and half an em otherwise is the estimate here.
    let wide = |ch: char| (ch as u32) >= 0x2E80;
    let own_advance = |ch: char| if wide(ch) { o.size } else { 0.5 * o.size };
    let mut chars = c.text.chars().rev();
    let (last, before_last) = (chars.next(), chars.next());
    let advance = match (last, before_last, last_dx) {
        (None, _, _) => 0.0,
        // The last glyph advances like the one before it when both are of one kind: that
        // keeps letter-spacing, and the spread advances of converters that stretch a span
        // over its box (easyofd), in the run's width.
        (Some(l), Some(p), Some(step)) if wide(l) == wide(p) && step > 0.0 => dx + step,
        (Some(l), _, _) if c.delta_x.is_some() => dx + own_advance(l),
        (Some(_), _, _) => c.text.chars().map(own_advance).sum(),
    };
    let dy = c.delta_y.as_deref().map_or(0.0, |d| delta_sum(d, gaps).0);
    o.pen = (c.x + advance, c.y + dy);
    let [a, b, cc, d, e, f] = o.ctm;
    let map = |x: f32, y: f32| (a * x + cc * y + e + o.ox, b * x + d * y + f + o.oy);
    let (x, y) = map(c.x, c.y);
    let (x_end, _) = map(c.x + advance, c.y);
    let scale = (a * d - b * cc).abs().sqrt();
    if c.text.is_empty() {
        return Ok(());
    }
    out.runs.push(Run {
        x,
        y,
        width: (x_end - x).abs(),
        size: o.size * if scale > 0.0 { scale } else { 1.0 },
        text: c.text,
        // OFD gives a font by reference only: no weight reaches a run.
        bold: false,
    });
    Ok(())
}

/// The sum of the first `n` advances of a `DeltaX`/`DeltaY` list (numbers, and `g N V` for N
/// copies of V) and the last of them. Malformed entries are skipped; repeats are multiplied,
/// never expanded.
pub(super) fn delta_sum(list: &str, n: usize) -> (f32, Option<f32>) {
    let mut left = n;
    let mut sum = 0.0f32;
    let mut last = None;
    let mut it = list.split_ascii_whitespace();
    while left > 0 {
        let Some(tok) = it.next() else { break };
        if tok == "g" {
            let count = it.next().and_then(|c| c.parse::<usize>().ok());
            let value = it.next().and_then(|v| v.parse::<f32>().ok());
            if let (Some(count), Some(value)) = (count, value) {
                let k = count.min(left);
                sum += value * k as f32;
                left -= k;
                if k > 0 {
                    last = Some(value);
                }
            }
        } else if let Ok(v) = tok.parse::<f32>() {
            sum += v;
            left -= 1;
            last = Some(v);
        }
    }
    if sum.is_finite() {
        (sum, last.filter(|v| v.is_finite()))
    } else {
        (0.0, None)
    }
}

fn numbers(s: &str) -> Vec<f32> {
    s.split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter_map(|t| t.parse::<f32>().ok())
        .filter(|v| v.is_finite())
        .take(8)
        .collect()
}

fn local(e: &BytesStart<'_>) -> String {
    local_name_lower(e.local_name().as_ref())
}

fn local_name_lower(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// An attribute by local name, case-insensitively. Malformed attributes are skipped.
pub(super) fn attr<'e>(e: &'e BytesStart<'_>, name: &str) -> Option<Cow<'e, str>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref().eq_ignore_ascii_case(name))
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
}

fn attr_f32(e: &BytesStart<'_>, name: &str) -> Option<f32> {
    attr(e, name)
        .and_then(|v| v.trim().parse::<f32>().ok())
        .filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget() -> Budget {
        Budget {
            objects_left: 100,
            codes_left: 100,
            text_left: 10_000,
            max_objects: 100,
            max_codes: 100,
            max_text: 10_000,
        }
    }

    fn parse(xml: &str, budget: &mut Budget) -> Result<PageContent, ParseError> {
        let mut part = XmlPart::new(xml.as_bytes(), "Content.xml", 64);
        read(&mut part, budget)
    }

    #[test]
    fn delta_lists_and_repeats() {
        assert_eq!(
            delta_sum("3 3 g 2 1.5 1", 10),
            (3.0 + 3.0 + 3.0 + 1.0, Some(1.0))
        );
        assert_eq!(delta_sum("g 4000000000 1", 3), (3.0, Some(1.0)));
        assert_eq!(delta_sum("1 x 2", 2), (3.0, Some(2.0)));
        assert_eq!(delta_sum("", 5), (0.0, None));
    }

    #[test]
    fn boundary_ctm_and_codes_place_runs() {
        let xml = r#"<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Template TemplateID="7"/>
            <ofd:Area><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:Area>
            <ofd:Content><ofd:Layer><ofd:PageBlock>
            <ofd:TextObject Boundary="10 20 100 10" Size="4" CTM="0.5 0 0 0.5 0 0">
              <ofd:TextCode X="2" Y="8" DeltaX="g 2 4">你好&amp;</ofd:TextCode>
              <ofd:TextCode>再</ofd:TextCode>
            </ofd:TextObject></ofd:PageBlock></ofd:Layer></ofd:Content></ofd:Page>"#;
        let mut b = budget();
        let p = parse(xml, &mut b).unwrap();
        assert_eq!(p.templates, ["7"]);
        assert_eq!(p.size, Some((210.0, 297.0)));
        assert_eq!(p.runs.len(), 2);
        let r = &p.runs[0];
        assert_eq!(
            (r.x, r.y, r.size, r.text.as_str()),
            (11.0, 24.0, 2.0, "你好&")
        );
        // Two advances of 4 plus half an em for '&' (not an ideograph like the glyph before
        // it), halved by the CTM.
        assert_eq!(r.width, 5.0);
        // The second code continues where the first ended.
        assert_eq!((p.runs[1].x, p.runs[1].y), (16.0, 24.0));
        assert_eq!(b.codes_left, 98);
    }

    #[test]
    fn lower_case_size_and_no_namespace() {
        let xml = r#"<Page><Content><Layer><TextObject Boundary="1 2 3 4" size="2.5"><TextCode X="0" Y="2">字</TextCode></TextObject></Layer></Content></Page>"#;
        let p = parse(xml, &mut budget()).unwrap();
        assert_eq!(p.runs[0].size, 2.5);
        assert_eq!(p.runs[0].y, 4.0);
    }

    #[test]
    fn budgets_are_enforced() {
        let xml = "<Page><TextObject><TextCode X='0' Y='0'>a</TextCode><TextCode>b</TextCode></TextObject></Page>";
        let mut b = budget();
        b.codes_left = 1;
        assert!(matches!(
            parse(xml, &mut b),
            Err(ParseError::LimitExceeded(_))
        ));
        let mut b = budget();
        b.objects_left = 0;
        assert!(matches!(
            parse(xml, &mut b),
            Err(ParseError::LimitExceeded(_))
        ));
    }
}
