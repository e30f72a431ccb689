//! One WordprocessingML story (the body, a header, a footer, the footnotes, the comments)
//! streamed into paragraphs, table rows and notes.
//!
//! The walker keeps an explicit stack with one [`Frame`] per open element, so nesting costs
//! heap, not Rust stack, and is bounded by `max_xml_depth` (checked in the XML layer before an
//! element is seen here). Paragraphs, tables, table cells and text boxes nest through their
//! own bounded stacks. Nothing builds a tree of the document: text is appended to the open
//! paragraph as it streams past.
//!
//! What is kept and what is dropped, element by element:
//! - `w:t` (and OMML `m:t`) text; `w:tab`/`w:ptab` -> `\t`; `w:br`/`w:cr` (page and column
//!   breaks included) -> `\n`; `w:noBreakHyphen` -> `-`; `w:softHyphen` dropped (invisible);
//!   `w:sym` -> the character its `w:char` names (symbol-font code points are kept as they are).
//! - Hyperlinks, smart tags, custom XML, content controls (`w:sdt`/`w:sdtContent`), inserted
//!   (`w:ins`) and moved-to (`w:moveTo`) text are transparent. Deleted (`w:del`, `w:delText`)
//!   and moved-from (`w:moveFrom`) text is dropped; a paragraph whose mark was deleted is
//!   joined to the next paragraph, as accepting the change would. Deleted table rows go too.
//! - Fields: the instruction (`w:instrText`, before `separate`) is dropped and the result kept,
//!   except for PAGE / NUMPAGES / SECTIONPAGES fields in headers and footers, whose result is
//!   a page number (in the body, `共1页`, the result is part of the sentence and kept).
//! - Text boxes (`w:txbxContent`, reached through `wps:txbx` or VML `v:textbox`) become their
//!   own paragraphs, placed after the paragraph that anchors them. Of an
//!   `mc:AlternateContent` only the first `mc:Choice` is read (`mc:Fallback` repeats the same
//!   text box in VML), or the `mc:Fallback` when there is no choice.
//! - Ruby annotations (`w:rt`), property containers and anything else without visible text
//!   is skipped as a whole subtree.
//!
//! Paragraph model (see [`Block`]): `text` is the numbering label followed by the visible text,
//! trimmed at both ends; empty paragraphs yield no block (a numbered empty paragraph still
//! advances its counter, as in Word); `line` is the ordinal of the block among the body's
//! blocks. Bold: a paragraph's leading bold span is measured over its text runs, whitespace
//! neither extending nor breaking it; the numbering label is neutral too — it belongs to the
//! span when the text right after it is bold, so `（一）` + bold `完善机制。` + `一是…` gives
//! `raw = "**（一）完善机制。**一是…"`.
//!
//! Tables: every row is one block (`in_table`, cells joined by `\t`, a vertically merged
//! continuation cell empty) and one row of a [`Table`] (header = first row). In the `Table`,
//! a `gridSpan` leaves `""` in the columns it covers and a `vMerge` continuation repeats the
//! value of the cell it continues, so each row reads on its own. A nested table's rows are
//! paragraphs of the enclosing cell; the nested table is also listed in `tables` on its own.

use super::numbering::{Counters, Numbering};
use super::styles::Styles;
use super::xml::{on_off, resolve_ref, Ns, XmlPart};
use crate::document::error::ParseError;
use crate::document::model::Block;
use crate::document::result::{Rows, Table};
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;

/// Which part is being read; decides what its top-level elements mean and where text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoryKind {
    Body,
    /// Headers and footers: paragraphs only, tables flattened, no `RawDocument::tables`.
    HeaderFooter,
    /// footnotes.xml, endnotes.xml, comments.xml: one note per `w:footnote` / `w:endnote` /
    /// `w:comment`.
    Notes,
}

/// The parts of a document a story needs to read: styles, numbering and the limits.
pub(super) struct Context<'c> {
    pub styles: &'c Styles,
    pub numbering: &'c Numbering,
    pub max_depth: usize,
    pub max_columns: usize,
}

/// The extracted-text allowance shared by every part of one document (`max_text_bytes`).
/// Each block is charged its text, its raw copy and its fixed size, so many tiny paragraphs
/// are bounded as well as one huge one.
pub(super) struct Budget {
    pub used: usize,
    pub max: usize,
    /// Polled every [`CANCEL_POLL_EVENTS`] XML events of every story.
    pub cancel: crate::document::limits::Cancel,
}

/// XML events between two looks at the cancel flag: well under a millisecond of work.
const CANCEL_POLL_EVENTS: usize = 4096;

impl Budget {
    pub(super) fn charge(&mut self, n: usize) -> Result<(), ParseError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.max {
            return Err(ParseError::LimitExceeded(format!(
                "document text exceeds {} bytes",
                self.max
            )));
        }
        Ok(())
    }
}

/// A `w:headerReference` / `w:footerReference` met in a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SectionRef {
    pub header: bool,
    pub rel_id: String,
}

#[derive(Debug, Default)]
pub(super) struct StoryOutput {
    pub blocks: Vec<Block>,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
    pub section_refs: Vec<SectionRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// Transparent: its content is read as if it were not there.
    Plain,
    /// Ignored with everything inside it.
    Skip,
    Para,
    PPr,
    PPrRPr,
    NumPr,
    SectPr,
    Run,
    RPr,
    Text,
    Instr,
    Table,
    Row,
    Cell,
    TrPr,
    TcPr,
    TextBox,
    /// `mc:AlternateContent` before and after one branch was taken.
    Alt,
    AltTaken,
    FldSimple,
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    None,
    Text,
    Instr,
}

/// A paragraph being assembled.
#[derive(Debug, Default)]
struct Para {
    text: String,
    /// True while every non-blank run so far was bold.
    prefix_open: bool,
    /// End (byte offset in `text`) of the last bold run of the leading bold span.
    prefix_end: usize,
    any_bold: bool,
    any_plain: bool,
    style: Option<usize>,
    style_bold: Option<bool>,
    num_id: Option<i64>,
    ilvl: Option<u8>,
    outline: Option<u8>,
    mark_deleted: bool,
    run_bold: Option<bool>,
    run_style_bold: Option<bool>,
    /// Text-box paragraphs anchored in this one, emitted after it.
    deferred: Vec<Block>,
    /// The paragraph mark was deleted: this text continues into the next paragraph.
    carry: bool,
}

impl Para {
    fn begin(&mut self, styles: &Styles) {
        if !self.carry {
            self.text.clear();
            self.prefix_open = true;
            self.prefix_end = 0;
            self.any_bold = false;
            self.any_plain = false;
            self.deferred.clear();
        }
        self.carry = false;
        self.style = styles.default_paragraph();
        self.style_bold = self.style.and_then(|i| styles.get(i).bold);
        self.num_id = None;
        self.ilvl = None;
        self.outline = None;
        self.mark_deleted = false;
        self.run_bold = None;
        self.run_style_bold = None;
    }

    fn push(&mut self, s: &str, bold: bool) {
        self.text.push_str(s);
        if s.chars().all(char::is_whitespace) {
            return;
        }
        if bold {
            self.any_bold = true;
            if self.prefix_open {
                self.prefix_end = self.text.len();
            }
        } else {
            self.any_plain = true;
            self.prefix_open = false;
        }
    }
}

#[derive(Debug, Default)]
struct CellOut {
    text: String,
    span: usize,
    /// `w:vMerge` continuation: the cell above extends into this one.
    v_continue: bool,
    /// Legacy `w:hMerge` continuation: covered by the cell to its left.
    h_continue: bool,
}

#[derive(Debug, Default)]
struct TableBuilder {
    /// Slot reserved in `StoryOutput::tables` (body only), so tables keep reading order.
    index: Option<usize>,
    /// The first row (the table's header), then the others.
    header: Option<Vec<String>>,
    rows: Rows,
    row_open: bool,
    cell_open: bool,
    cells: Vec<CellOut>,
    grid_before: usize,
    grid_after: usize,
    row_deleted: bool,
    cell_paras: Vec<String>,
    cell_span: usize,
    cell_v_continue: bool,
    cell_h_continue: bool,
    /// The previous row's value per grid column, for vertical merges.
    above: Vec<String>,
}

enum Container {
    Cell(usize),
    TextBox {
        blocks: Vec<Block>,
        para_depth: usize,
    },
    Note(Vec<String>),
}

struct Field {
    result: bool,
    drop: bool,
    instr: String,
}

pub(super) struct Story<'c> {
    ctx: &'c Context<'c>,
    budget: &'c mut Budget,
    kind: StoryKind,
    counters: Counters,
    frames: Vec<Frame>,
    skip_from: Option<usize>,
    paras: Vec<Para>,
    para_len: usize,
    tables: Vec<TableBuilder>,
    containers: Vec<Container>,
    fields: Vec<Field>,
    hidden: bool,
    capture: Capture,
    scratch: String,
    root_seen: bool,
    out: StoryOutput,
}

impl<'c> Story<'c> {
    pub(super) fn new(ctx: &'c Context<'c>, budget: &'c mut Budget, kind: StoryKind) -> Self {
        Story {
            ctx,
            budget,
            kind,
            counters: Counters::default(),
            frames: Vec::with_capacity(64),
            skip_from: None,
            paras: Vec::new(),
            para_len: 0,
            tables: Vec::new(),
            containers: Vec::new(),
            fields: Vec::new(),
            hidden: false,
            capture: Capture::None,
            scratch: String::new(),
            root_seen: false,
            out: StoryOutput::default(),
        }
    }

    pub(super) fn read<R: BufRead>(
        mut self,
        xml: &mut XmlPart<R>,
    ) -> Result<StoryOutput, ParseError> {
        let mut buf = Vec::with_capacity(16 * 1024);
        let mut events = 0usize;
        loop {
            buf.clear();
            events += 1;
            if events % CANCEL_POLL_EVENTS == 0 {
                self.budget.cancel.check()?;
            }
            match xml.next(&mut buf)? {
                Event::Start(e) => self.start(xml, &e)?,
                Event::Empty(e) => {
                    self.start(xml, &e)?;
                    self.end()?;
                }
                Event::End(_) => self.end()?,
                Event::Text(t) if self.capture != Capture::None => {
                    let s = t.xml10_content();
                    self.captured(&s)?;
                }
                Event::CData(t) if self.capture != Capture::None => {
                    let s = t.xml10_content();
                    self.captured(&s)?;
                }
                Event::GeneralRef(r) if self.capture != Capture::None => {
                    let mut tmp = std::mem::take(&mut self.scratch);
                    tmp.clear();
                    resolve_ref(&r, &mut |s| tmp.push_str(s));
                    let res = self.captured(&tmp);
                    self.scratch = tmp;
                    res?;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        self.flush_carry()?;
        Ok(self.out)
    }

    fn captured(&mut self, s: &str) -> Result<(), ParseError> {
        match self.capture {
            Capture::Text => self.push_text(s),
            Capture::Instr => {
                if let Some(f) = self.fields.last_mut() {
                    // Only the field's name matters; keep a short prefix.
                    if f.instr.len() < 64 {
                        f.instr.push_str(s);
                    }
                }
                Ok(())
            }
            Capture::None => Ok(()),
        }
    }

    fn push_text(&mut self, s: &str) -> Result<(), ParseError> {
        if self.hidden || self.para_len == 0 || s.is_empty() {
            return Ok(());
        }
        self.budget.charge(s.len())?;
        let default_bold = self.ctx.styles.default_bold;
        let p = &mut self.paras[self.para_len - 1];
        let bold = p
            .run_bold
            .or(p.run_style_bold)
            .or(p.style_bold)
            .or(default_bold)
            .unwrap_or(false);
        p.push(s, bold);
        Ok(())
    }

    fn top_para(&mut self) -> Option<&mut Para> {
        match self.para_len {
            0 => None,
            n => self.paras.get_mut(n - 1),
        }
    }

    fn start<R: BufRead>(
        &mut self,
        xml: &XmlPart<R>,
        e: &BytesStart<'_>,
    ) -> Result<(), ParseError> {
        if self.skip_from.is_some() {
            self.frames.push(Frame::Skip);
            return Ok(());
        }
        let parent = self.frames.last().copied().unwrap_or(Frame::Plain);
        let (ns, local) = xml.name(e);
        if self.frames.is_empty() {
            if self.root_seen {
                return Err(ParseError::Corrupt(format!(
                    "a second root element <{local}> after the document element"
                )));
            }
            self.root_seen = true;
            if self.kind == StoryKind::Body && (ns, local) != (Ns::W, "document") {
                // An officeDocument relationship to a workbook or presentation part.
                return Err(ParseError::Corrupt(format!(
                    "main document part is not a WordprocessingML document (root element {local})"
                )));
            }
        }
        let frame = match parent {
            Frame::PPr
            | Frame::PPrRPr
            | Frame::NumPr
            | Frame::RPr
            | Frame::SectPr
            | Frame::TrPr
            | Frame::TcPr => {
                if ns == Ns::W {
                    self.property(xml, e, parent, local)
                } else {
                    Frame::Skip
                }
            }
            _ => match ns {
                Ns::W => self.content(xml, e, parent, local)?,
                Ns::M if local == "t" => self.text_frame(),
                Ns::Mc => match (local, parent) {
                    ("AlternateContent", _) => Frame::Alt,
                    ("Choice" | "Fallback", Frame::Alt) => {
                        if let Some(f) = self.frames.last_mut() {
                            *f = Frame::AltTaken;
                        }
                        Frame::Plain
                    }
                    _ => Frame::Skip,
                },
                _ => Frame::Plain,
            },
        };
        if frame == Frame::Skip {
            self.skip_from = Some(self.frames.len());
        }
        self.frames.push(frame);
        Ok(())
    }

    fn text_frame(&mut self) -> Frame {
        if self.para_len > 0 && !self.hidden {
            self.capture = Capture::Text;
        }
        Frame::Text
    }

    /// A WordprocessingML element in content (not property) position.
    fn content<R: BufRead>(
        &mut self,
        xml: &XmlPart<R>,
        e: &BytesStart<'_>,
        parent: Frame,
        local: &str,
    ) -> Result<Frame, ParseError> {
        Ok(match local {
            "p" => {
                if self.para_len == self.paras.len() {
                    self.paras.push(Para::default());
                }
                self.paras[self.para_len].begin(self.ctx.styles);
                self.para_len += 1;
                Frame::Para
            }
            "pPr" if parent == Frame::Para => Frame::PPr,
            "r" => {
                if let Some(p) = self.top_para() {
                    p.run_bold = None;
                    p.run_style_bold = None;
                }
                Frame::Run
            }
            "rPr" if parent == Frame::Run => Frame::RPr,
            "t" => self.text_frame(),
            "instrText" => {
                if !self.fields.is_empty() {
                    self.capture = Capture::Instr;
                }
                Frame::Instr
            }
            "tab" | "ptab" => {
                self.push_text("\t")?;
                Frame::Plain
            }
            "br" | "cr" => {
                self.push_text("\n")?;
                Frame::Plain
            }
            "noBreakHyphen" => {
                self.push_text("-")?;
                Frame::Plain
            }
            "sym" => {
                let c = xml
                    .attr(e, Ns::W, "char")
                    .and_then(|v| u32::from_str_radix(v.trim(), 16).ok())
                    .and_then(char::from_u32)
                    .filter(|c| !c.is_control());
                if let Some(c) = c {
                    let mut tmp = [0u8; 4];
                    self.push_text(c.encode_utf8(&mut tmp))?;
                }
                Frame::Plain
            }
            "fldChar" => {
                match xml.attr(e, Ns::W, "fldCharType").as_deref() {
                    Some("begin") => self.push_field(false, false)?,
                    Some("separate") => {
                        let drops = self.drops_page_fields();
                        if let Some(f) = self.fields.last_mut() {
                            f.result = true;
                            f.drop = drops && is_page_field(&f.instr);
                        }
                    }
                    Some("end") => {
                        self.fields.pop();
                    }
                    _ => {}
                }
                self.update_hidden();
                Frame::Plain
            }
            "fldSimple" => {
                let drop = self.drops_page_fields()
                    && xml
                        .attr(e, Ns::W, "instr")
                        .is_some_and(|i| is_page_field(&i));
                self.push_field(true, drop)?;
                self.update_hidden();
                Frame::FldSimple
            }
            "tbl" => {
                self.flush_carry()?;
                let index = (self.kind == StoryKind::Body).then(|| {
                    self.out.tables.push(Table::default());
                    self.out.tables.len() - 1
                });
                self.tables.push(TableBuilder {
                    index,
                    ..TableBuilder::default()
                });
                Frame::Table
            }
            "tr" if self.tables.last().is_some_and(|t| !t.row_open) => {
                let t = self.tables.last_mut().expect("checked above");
                t.row_open = true;
                t.cells.clear();
                t.grid_before = 0;
                t.grid_after = 0;
                t.row_deleted = false;
                Frame::Row
            }
            "trPr" if parent == Frame::Row => Frame::TrPr,
            "tc" if self
                .tables
                .last()
                .is_some_and(|t| t.row_open && !t.cell_open) =>
            {
                self.flush_carry()?;
                let i = self.tables.len() - 1;
                let t = &mut self.tables[i];
                t.cell_open = true;
                t.cell_paras.clear();
                t.cell_span = 1;
                t.cell_v_continue = false;
                t.cell_h_continue = false;
                self.containers.push(Container::Cell(i));
                Frame::Cell
            }
            "tcPr" if parent == Frame::Cell => Frame::TcPr,
            "txbxContent" => {
                self.flush_carry()?;
                self.containers.push(Container::TextBox {
                    blocks: Vec::new(),
                    para_depth: self.para_len,
                });
                Frame::TextBox
            }
            "sectPr" => Frame::SectPr,
            "footnote" | "endnote" | "comment"
                if self.kind == StoryKind::Notes && self.frames.len() == 1 =>
            {
                let separator = matches!(
                    xml.attr(e, Ns::W, "type").as_deref(),
                    Some("separator" | "continuationSeparator" | "continuationNotice")
                );
                if separator {
                    Frame::Skip
                } else {
                    self.flush_carry()?;
                    self.containers.push(Container::Note(Vec::new()));
                    Frame::Note
                }
            }
            "del" | "moveFrom" | "delText" | "delInstrText" | "rt" | "sdtPr" | "sdtEndPr"
            | "tblPr" | "tblGrid" | "tblPrEx" | "altChunk" | "background" | "pPr" | "rPr"
            | "trPr" | "tcPr" | "footnotePr" | "endnotePr" | "softHyphen" => Frame::Skip,
            _ => Frame::Plain,
        })
    }

    /// A WordprocessingML element inside a property container.
    fn property<R: BufRead>(
        &mut self,
        xml: &XmlPart<R>,
        e: &BytesStart<'_>,
        parent: Frame,
        local: &str,
    ) -> Frame {
        let styles = self.ctx.styles;
        match (parent, local) {
            (Frame::PPr, "numPr") => return Frame::NumPr,
            (Frame::PPr, "rPr") => return Frame::PPrRPr,
            (Frame::PPr, "sectPr") => return Frame::SectPr,
            (Frame::PPr, "pStyle") => {
                let style = xml.val(e).and_then(|v| styles.lookup(&v));
                if let Some(p) = self.top_para() {
                    if style.is_some() {
                        p.style = style;
                        p.style_bold = style.and_then(|i| styles.get(i).bold);
                    }
                }
            }
            (Frame::PPr, "outlineLvl") => {
                let lvl = xml.val(e).and_then(|v| v.trim().parse::<u8>().ok());
                if let Some(p) = self.top_para() {
                    p.outline = lvl;
                }
            }
            (Frame::NumPr, "ilvl") => {
                let lvl = xml.val(e).and_then(|v| v.trim().parse::<u8>().ok());
                if let Some(p) = self.top_para() {
                    p.ilvl = lvl;
                }
            }
            (Frame::NumPr, "numId") => {
                let id = xml.val(e).and_then(|v| v.trim().parse::<i64>().ok());
                if let Some(p) = self.top_para() {
                    p.num_id = id;
                }
            }
            (Frame::PPrRPr, "del" | "moveFrom") => {
                if let Some(p) = self.top_para() {
                    p.mark_deleted = true;
                }
            }
            (Frame::RPr, "b") => {
                let on = on_off(xml.val(e).as_deref());
                if let Some(p) = self.top_para() {
                    p.run_bold = Some(on);
                }
            }
            (Frame::RPr, "rStyle") => {
                let bold = xml
                    .val(e)
                    .and_then(|v| styles.lookup(&v))
                    .and_then(|i| styles.get(i).bold);
                if let Some(p) = self.top_para() {
                    p.run_style_bold = bold;
                }
            }
            (Frame::SectPr, "headerReference" | "footerReference") => {
                if let Some(id) = xml.attr(e, Ns::R, "id") {
                    self.out.section_refs.push(SectionRef {
                        header: local == "headerReference",
                        rel_id: id.into_owned(),
                    });
                }
            }
            (Frame::TrPr, "gridBefore" | "gridAfter") => {
                let n = xml
                    .val(e)
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if let Some(t) = self.tables.last_mut() {
                    if local == "gridBefore" {
                        t.grid_before = n;
                    } else {
                        t.grid_after = n;
                    }
                }
            }
            (Frame::TrPr, "del") => {
                if let Some(t) = self.tables.last_mut() {
                    t.row_deleted = true;
                }
            }
            (Frame::TcPr, "gridSpan") => {
                let n = xml
                    .val(e)
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(1)
                    .max(1);
                if let Some(t) = self.tables.last_mut() {
                    t.cell_span = n;
                }
            }
            (Frame::TcPr, "vMerge" | "hMerge") => {
                let cont = xml.val(e).as_deref() != Some("restart");
                if let Some(t) = self.tables.last_mut() {
                    if local == "vMerge" {
                        t.cell_v_continue = cont;
                    } else {
                        t.cell_h_continue = cont;
                    }
                }
            }
            _ => {}
        }
        Frame::Skip
    }

    /// Page-number fields are dropped where they number pages: in headers and footers. In the
    /// body their result is text the author wrote around (`共1页` on a 公文's 附件 line).
    fn drops_page_fields(&self) -> bool {
        self.kind == StoryKind::HeaderFooter
    }

    fn push_field(&mut self, result: bool, drop: bool) -> Result<(), ParseError> {
        if self.fields.len() >= self.ctx.max_depth {
            return Err(ParseError::LimitExceeded(format!(
                "fields nested deeper than {}",
                self.ctx.max_depth
            )));
        }
        self.fields.push(Field {
            result,
            drop,
            instr: String::new(),
        });
        Ok(())
    }

    fn update_hidden(&mut self) {
        self.hidden = self.fields.iter().any(|f| !f.result || f.drop);
    }

    fn end(&mut self) -> Result<(), ParseError> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        if let Some(from) = self.skip_from {
            if from == self.frames.len() {
                self.skip_from = None;
            }
            return Ok(());
        }
        match frame {
            Frame::Text | Frame::Instr => self.capture = Capture::None,
            Frame::Para => self.end_para()?,
            Frame::FldSimple => {
                self.fields.pop();
                self.update_hidden();
            }
            Frame::Cell => self.end_cell()?,
            Frame::Row => self.end_row()?,
            Frame::Table => self.end_table(),
            Frame::TextBox => {
                self.flush_carry()?;
                if let Some(Container::TextBox { blocks, para_depth }) = self.containers.pop() {
                    if para_depth > 0 && para_depth <= self.para_len {
                        self.paras[para_depth - 1].deferred.extend(blocks);
                    } else {
                        for b in blocks {
                            self.route(b)?;
                        }
                    }
                }
            }
            Frame::Note => {
                self.flush_carry()?;
                if let Some(Container::Note(paras)) = self.containers.pop() {
                    let text = paras.join("\n");
                    let text = text.trim();
                    if !text.is_empty() {
                        self.budget.charge(text.len())?;
                        self.out.notes.push(text.to_string());
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end_para(&mut self) -> Result<(), ParseError> {
        if self.para_len == 0 {
            return Ok(());
        }
        self.para_len -= 1;
        let p = &mut self.paras[self.para_len];
        if p.mark_deleted && !p.text.trim().is_empty() {
            p.carry = true;
            return Ok(());
        }
        self.emit_para(self.para_len)
    }

    /// Emits a paragraph whose deleted mark found no following paragraph to join.
    fn flush_carry(&mut self) -> Result<(), ParseError> {
        let i = self.para_len;
        if self.paras.get(i).is_some_and(|p| p.carry) {
            let p = &mut self.paras[i];
            p.carry = false;
            p.mark_deleted = false;
            self.emit_para(i)?;
        }
        Ok(())
    }

    /// Finishes paragraph `i` into its block, then routes it and the blocks it deferred
    /// (text-box content found inside it), in that order.
    fn emit_para(&mut self, i: usize) -> Result<(), ParseError> {
        let p = &mut self.paras[i];
        let block = finish(p, self.ctx, &mut self.counters, self.budget)?;
        let deferred = std::mem::take(&mut p.deferred);
        if let Some(b) = block {
            self.route(b)?;
        }
        for b in deferred {
            self.route(b)?;
        }
        Ok(())
    }

    fn route(&mut self, block: Block) -> Result<(), ParseError> {
        match self.containers.last_mut() {
            None => {
                self.budget
                    .charge(block.raw.len() + block.text.len() + std::mem::size_of::<Block>())?;
                let mut block = block;
                block.line = self.out.blocks.len() + 1;
                self.out.blocks.push(block);
            }
            Some(Container::Cell(i)) => {
                let i = *i;
                if let Some(t) = self.tables.get_mut(i) {
                    t.cell_paras.push(block.text);
                }
            }
            Some(Container::TextBox { blocks, .. }) => blocks.push(block),
            Some(Container::Note(texts)) => texts.push(block.text),
        }
        Ok(())
    }

    fn end_cell(&mut self) -> Result<(), ParseError> {
        self.flush_carry()?;
        if matches!(self.containers.last(), Some(Container::Cell(_))) {
            self.containers.pop();
        }
        if let Some(t) = self.tables.last_mut() {
            t.cell_open = false;
            let text = t.cell_paras.join("\n");
            t.cells.push(CellOut {
                text,
                span: t.cell_span,
                v_continue: t.cell_v_continue,
                h_continue: t.cell_h_continue,
            });
        }
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), ParseError> {
        let max_columns = self.ctx.max_columns;
        let Some(t) = self.tables.last_mut() else {
            return Ok(());
        };
        t.row_open = false;
        if t.row_deleted {
            return Ok(());
        }
        let too_wide =
            || ParseError::LimitExceeded(format!("table row wider than {max_columns} columns"));
        let mut values: Vec<String> = Vec::with_capacity(t.cells.len());
        let mut line = String::new();
        let mut first = true;
        if t.grid_before > max_columns {
            return Err(too_wide());
        }
        values.resize(t.grid_before, String::new());
        let mut charge = 0usize;
        for c in &t.cells {
            if c.h_continue {
                if values.len() >= max_columns {
                    return Err(too_wide());
                }
                values.push(String::new());
                continue;
            }
            if values.len().saturating_add(c.span) > max_columns {
                return Err(too_wide());
            }
            if !first {
                line.push('\t');
            }
            first = false;
            let value = if c.v_continue {
                t.above.get(values.len()).cloned().unwrap_or_default()
            } else {
                line.push_str(&c.text);
                c.text.clone()
            };
            charge += value.len();
            values.push(value);
            values.resize(values.len() + c.span - 1, String::new());
        }
        if values.len().saturating_add(t.grid_after) > max_columns {
            return Err(too_wide());
        }
        values.resize(values.len() + t.grid_after, String::new());
        charge += values.len() * std::mem::size_of::<String>();
        self.budget.charge(charge)?;
        t.above.clone_from(&values);
        if t.index.is_some() {
            if t.header.is_none() {
                t.header = Some(values);
            } else {
                t.rows.push_row(&values);
            }
        }
        let text = line.trim();
        if !text.is_empty() {
            let block = Block {
                text: text.to_string(),
                raw: text.to_string(),
                in_table: true,
                ..Block::default()
            };
            self.route(block)?;
        }
        Ok(())
    }

    fn end_table(&mut self) {
        let Some(t) = self.tables.pop() else {
            return;
        };
        let Some(index) = t.index else {
            return;
        };
        match t.header {
            Some(header) => {
                if let Some(slot) = self.out.tables.get_mut(index) {
                    *slot = Table {
                        sheet: None,
                        header,
                        rows: t.rows,
                    };
                }
            }
            None => {
                if index < self.out.tables.len() {
                    self.out.tables.remove(index);
                }
            }
        }
    }
}

/// Turns an ended paragraph into a block: numbering label, heading level, bold span, trim.
fn finish(
    p: &mut Para,
    ctx: &Context<'_>,
    counters: &mut Counters,
    budget: &mut Budget,
) -> Result<Option<Block>, ParseError> {
    let styles = ctx.styles;
    let style = p.style.map(|i| styles.get(i));
    let heading_level = match p.outline {
        Some(l) => (l < 9).then_some(l + 1),
        None => style.and_then(|s| s.heading_level),
    };
    let (num_id, ilvl) = match p.num_id {
        Some(id) => (id, p.ilvl.unwrap_or(0)),
        None => match style.and_then(|s| s.num_id.map(|id| (s, id))) {
            Some((s, id)) => {
                let ilvl = p
                    .ilvl
                    .or(s.ilvl)
                    .or_else(|| ctx.numbering.level_for_style(id, &s.id, styles))
                    .unwrap_or(0);
                (id, ilvl)
            }
            None => (0, 0),
        },
    };
    let label = ctx
        .numbering
        .next_label(counters, styles, num_id, ilvl)
        .unwrap_or_default();
    let lead = p.text.len() - p.text.trim_start().len();
    let body = p.text.trim();
    if body.is_empty() {
        return Ok(None);
    }
    // The bold span in `body` coordinates, without trailing blanks.
    let bold_end = if p.prefix_end > lead {
        let end = (p.prefix_end - lead).min(body.len());
        body[..end].trim_end().len()
    } else {
        0
    };
    let mut text = String::with_capacity(label.len() + body.len());
    text.push_str(&label);
    text.push_str(body);
    let bold_prefix = if bold_end > 0 {
        label.len() + bold_end
    } else {
        0
    };
    let raw = if bold_prefix > 0 {
        let mut raw = String::with_capacity(text.len() + 4);
        raw.push_str("**");
        raw.push_str(&text[..bold_prefix]);
        raw.push_str("**");
        raw.push_str(&text[bold_prefix..]);
        raw
    } else {
        text.clone()
    };
    budget.charge(label.len())?;
    Ok(Some(Block {
        text,
        raw,
        line: 0,
        heading_level,
        bold_prefix,
        all_bold: p.any_bold && !p.any_plain,
        in_table: false,
        one_row_per_line: false,
    }))
}

/// PAGE-like fields, whose result is a page number rather than text.
fn is_page_field(instr: &str) -> bool {
    let name = instr.split_whitespace().next().unwrap_or("");
    ["PAGE", "NUMPAGES", "SECTIONPAGES"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k))
}
