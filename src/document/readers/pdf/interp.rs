//! The content-stream interpreter: runs a page's text operators and yields positioned text
//! runs for layout.
//!
//! Handled (ISO 32000-1 §8.4, §9.3, §9.4): `q`/`Q`/`cm` (the CTM), `BT`/`ET`, `Tf`, `Tc`,
//! `Tw`, `Tz`, `TL`, `Ts`, `Td`, `TD`, `Tm`, `T*`, `Tj`, `TJ` (with its kerning numbers), `'`,
//! `"`, and `Do` of Form XObjects (their `/Matrix` and their own `/Resources`, falling back to
//! the invoking ones). Image XObjects and inline images are noted (a page with images and no
//! text is a scan page). Everything else (paths, colours, clipping) is skipped.
//!
//! Glyphs are placed as a viewer would: text rendering matrix = [size·Tz 0 0 size 0 rise] × Tm ×
//! CTM, advance = (w·size + Tc + Tw for a one-byte space) · Tz. Consecutive glyphs that stay on
//! one baseline and follow each other without a gap form one run, so a `TJ` kerned line is one
//! run while a wide `TJ` gap or a jump starts a new one (layout decides the spaces).
//!
//! Guarantees: operators are counted against `limits.max_pdf_operators` across the document,
//! Form XObjects nest at most `limits.max_pdf_depth` deep and a form that invokes itself is
//! refused; `q` nesting is capped (a `q` flood cannot grow the state stack without bound).
//! Every exceeded limit is a typed `LimitExceeded`.

use super::font::Font;
use super::lexer::{Lexer, Operand};
use super::objects::Objects;
use crate::document::error::ParseError;
use lopdf::{Dictionary, Object};
use std::collections::HashMap;
use std::rc::Rc;

/// Deepest `q` nesting kept; deeper `q`s are counted but share the top state (as viewers do).
const MAX_GSTATE_STACK: usize = 256;

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// One positioned run in PDF user space of the page (y up), before the page transform.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RawRun {
    pub x: f32,
    pub y: f32,
    pub end_x: f32,
    pub size: f32,
    pub text: String,
    /// Set in a bold face, or filled and stroked (`2 Tr`, how some producers embolden).
    pub bold: bool,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    rise: f32,
    /// Text rendering mode (`Tr`).
    render: u8,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
            render: 0,
        }
    }
}

/// What a page's content yielded.
#[derive(Default)]
pub(super) struct PageContent {
    pub runs: Vec<RawRun>,
    /// Image XObjects or inline images were drawn.
    pub has_images: bool,
}

/// Document-wide interpreter state: the font cache and the operator budget.
pub(super) struct Interp<'d, 'o> {
    objs: &'o Objects<'d>,
    fonts: HashMap<usize, Rc<Font>>,
    /// Decoded Form XObject streams, so a form drawn on every page (a letterhead, a running
    /// footer) is decompressed once, not once per use.
    forms: HashMap<usize, Rc<Vec<u8>>>,
    ops_left: u64,
    max_ops: u64,
    max_depth: usize,
}

/// Per content stream (page or form) state.
struct Frame<'d> {
    resources: Option<&'d Dictionary>,
    depth: usize,
}

impl<'d, 'o> Interp<'d, 'o> {
    pub(super) fn new(objs: &'o Objects<'d>, max_ops: u64, max_depth: usize) -> Self {
        Interp {
            objs,
            fonts: HashMap::new(),
            forms: HashMap::new(),
            ops_left: max_ops,
            max_ops,
            max_depth,
        }
    }

    /// The fonts loaded so far (for the unmapped-glyph count).
    pub(super) fn fonts(&self) -> impl Iterator<Item = &Rc<Font>> {
        self.fonts.values()
    }

    /// Runs one page's content streams (already concatenated and decoded).
    pub(super) fn run_page(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
    ) -> Result<PageContent, ParseError> {
        let mut out = PageContent::default();
        let mut builder = RunBuilder::default();
        let mut active_forms = Vec::new();
        self.run_stream(
            content,
            Frame {
                resources,
                depth: 0,
            },
            GState::default(),
            &mut out,
            &mut builder,
            &mut active_forms,
        )?;
        builder.flush(&mut out.runs);
        Ok(out)
    }

    fn font(&mut self, resources: Option<&'d Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = self
            .objs
            .resolve_dict(resources.and_then(|r| r.get(b"Font").ok()))?;
        let dict = self.objs.resolve_dict(fonts.get(name).ok())?;
        let key = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&key) {
            return Some(f.clone());
        }
        let f = Rc::new(Font::load(dict, self.objs));
        self.fonts.insert(key, f.clone());
        Some(f)
    }

    #[allow(clippy::too_many_arguments)]
    fn run_stream(
        &mut self,
        content: &[u8],
        frame: Frame<'d>,
        initial: GState,
        out: &mut PageContent,
        builder: &mut RunBuilder,
        active_forms: &mut Vec<usize>,
    ) -> Result<(), ParseError> {
        let mut lx = Lexer::new(content);
        let mut args: Vec<Operand> = Vec::new();
        let mut gs = initial;
        let mut stack: Vec<GState> = Vec::new();
        let mut extra_q = 0usize;
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        while let Some(op) = lx.next_op(&mut args) {
            if self.ops_left == 0 {
                return Err(ParseError::LimitExceeded(format!(
                    "the PDF's content streams hold more than {} operators (limits.max_pdf_operators)",
                    self.max_ops
                )));
            }
            self.ops_left -= 1;
            let n = |i: usize| args.get(i).and_then(Operand::num).unwrap_or(0.0);
            match op.name {
                b"q" => {
                    if stack.len() < MAX_GSTATE_STACK {
                        stack.push(gs.clone());
                    } else {
                        extra_q += 1;
                    }
                }
                b"Q" => {
                    if extra_q > 0 {
                        extra_q -= 1;
                    } else if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                b"cm" if args.len() >= 6 => {
                    let m = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    gs.ctm = mul(&m, &gs.ctm);
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"ET" => {}
                b"Tf" if args.len() >= 2 => {
                    if let Some(Operand::Name(name)) = args.first() {
                        gs.font = self.font(frame.resources, name);
                    }
                    gs.size = n(1);
                }
                b"Tc" => gs.tc = n(0),
                b"Tw" => gs.tw = n(0),
                b"Tz" => gs.th = n(0) / 100.0,
                b"TL" => gs.tl = n(0),
                b"Ts" => gs.rise = n(0),
                b"Tr" => gs.render = n(0).clamp(0.0, 7.0) as u8,
                b"Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                b"TD" => {
                    gs.tl = -n(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, n(0), n(1)], &tlm);
                    tm = tlm;
                }
                b"Tm" if args.len() >= 6 => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.tl], &tlm);
                    tm = tlm;
                }
                b"Tj" => {
                    if let Some(Operand::Str(s)) = args.first() {
                        show(&gs, &mut tm, s, builder, &mut out.runs);
                    }
                }
                b"'" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.tl], &tlm);
                    tm = tlm;
                    if let Some(Operand::Str(s)) = args.first() {
                        show(&gs, &mut tm, s, builder, &mut out.runs);
                    }
                }
                b"\"" => {
                    gs.tw = n(0);
                    gs.tc = n(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.tl], &tlm);
                    tm = tlm;
                    if let Some(Operand::Str(s)) = args.get(2) {
                        show(&gs, &mut tm, s, builder, &mut out.runs);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = args.first() {
                        for item in items {
                            match item {
                                Operand::Str(s) => show(&gs, &mut tm, s, builder, &mut out.runs),
                                Operand::Num(k) if k.is_finite() => {
                                    let tx = -k / 1000.0 * gs.size * gs.th;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"BI" => out.has_images = true,
                b"Do" => {
                    if let Some(Operand::Name(name)) = args.first() {
                        self.invoke(&frame, name, &gs, out, builder, active_forms)?;
                    }
                }
                _ => {}
            }
            if self.objs.failed() {
                return Err(self.objs.failure().unwrap_or_else(|| {
                    ParseError::Internal("PDF limit failure without a reason".into())
                }));
            }
        }
        Ok(())
    }

    fn invoke(
        &mut self,
        frame: &Frame<'d>,
        name: &[u8],
        gs: &GState,
        out: &mut PageContent,
        builder: &mut RunBuilder,
        active_forms: &mut Vec<usize>,
    ) -> Result<(), ParseError> {
        let Some(xobjects) = self
            .objs
            .resolve_dict(frame.resources.and_then(|r| r.get(b"XObject").ok()))
        else {
            return Ok(());
        };
        let Some(Object::Stream(stream)) = self.objs.resolve(xobjects.get(name).ok()) else {
            return Ok(());
        };
        let subtype = stream
            .dict
            .get(b"Subtype")
            .ok()
            .and_then(|o| o.as_name().ok());
        match subtype {
            Some(b"Image") => {
                out.has_images = true;
                Ok(())
            }
            Some(b"Form") => {
                let key = stream as *const lopdf::Stream as usize;
                if active_forms.contains(&key) {
                    return Err(ParseError::LimitExceeded(
                        "a PDF form XObject invokes itself".into(),
                    ));
                }
                if frame.depth + 1 > self.max_depth {
                    return Err(ParseError::LimitExceeded(format!(
                        "PDF form XObjects nest more than {} deep (limits.max_pdf_depth)",
                        self.max_depth
                    )));
                }
                let data = match self.forms.get(&key) {
                    Some(d) => d.clone(),
                    None => {
                        let Some(d) = self.objs.stream_data(stream) else {
                            return match self.objs.failure() {
                                Some(e) => Err(e),
                                None => Ok(()),
                            };
                        };
                        let d = Rc::new(d);
                        self.forms.insert(key, d.clone());
                        d
                    }
                };
                let matrix = match self.objs.resolve(stream.dict.get(b"Matrix").ok()) {
                    Some(Object::Array(a)) if a.len() == 6 => {
                        let mut m = IDENTITY;
                        for (slot, v) in m.iter_mut().zip(a) {
                            *slot = match v {
                                Object::Integer(i) => *i as f32,
                                Object::Real(r) if r.is_finite() => *r,
                                _ => 0.0,
                            };
                        }
                        m
                    }
                    _ => IDENTITY,
                };
                let resources = self
                    .objs
                    .resolve_dict(stream.dict.get(b"Resources").ok())
                    .or(frame.resources);
                let mut inner = gs.clone();
                inner.ctm = mul(&matrix, &gs.ctm);
                active_forms.push(key);
                let r = self.run_stream(
                    &data,
                    Frame {
                        resources,
                        depth: frame.depth + 1,
                    },
                    inner,
                    out,
                    builder,
                    active_forms,
                );
                active_forms.pop();
                r
            }
            _ => Ok(()),
        }
    }
}

/// Accumulates glyphs into runs.
#[derive(Default)]
struct RunBuilder {
    cur: Option<RawRun>,
}

impl RunBuilder {
    fn flush(&mut self, runs: &mut Vec<RawRun>) {
        if let Some(r) = self.cur.take() {
            if !r.text.trim().is_empty() {
                runs.push(r);
            }
        }
    }
}

/// Shows one string: places each glyph and advances the text matrix.
fn show(gs: &GState, tm: &mut Matrix, bytes: &[u8], b: &mut RunBuilder, runs: &mut Vec<RawRun>) {
    let Some(font) = gs.font.clone() else {
        return;
    };
    let bold = font.bold || gs.render == 2 || gs.render == 6;
    font.decode(bytes, |g| {
        let m = mul(tm, &gs.ctm);
        let trm = mul(&[gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise], &m);
        let (gx, gy) = (trm[4], trm[5]);
        let size = (gs.size * m[2].hypot(m[3])).abs();
        let tx = (g.width * gs.size + gs.tc + if g.word_space { gs.tw } else { 0.0 }) * gs.th;
        *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        let end = mul(tm, &gs.ctm);
        let end_x = mul(&[gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise], &end)[4];
        let Some(text) = g.text else {
            // An unmapped glyph still advances; the run goes on around it.
            if let Some(r) = b.cur.as_mut() {
                r.end_x = end_x;
            }
            return;
        };
        if !(gx.is_finite() && gy.is_finite() && size.is_finite()) {
            return;
        }
        let continues = b.cur.as_ref().is_some_and(|r| {
            let tol = r.size.max(size).max(1.0);
            r.bold == bold
                && (r.y - gy).abs() < 0.2 * tol
                && gx >= r.end_x - 0.3 * tol
                && gx - r.end_x < 0.15 * tol
        });
        if !continues {
            b.flush(runs);
            b.cur = Some(RawRun {
                x: gx,
                y: gy,
                end_x,
                size,
                text: String::new(),
                bold,
            });
        }
        if let Some(r) = b.cur.as_mut() {
            r.text.push_str(&text);
            r.end_x = end_x.max(r.end_x);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_compose_in_pdf_order() {
        // Translate then scale: a point at the origin ends at the translation times the scale.
        let t = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        let s = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        assert_eq!(mul(&t, &s), [2.0, 0.0, 0.0, 2.0, 20.0, 40.0]);
    }
}
