//! One story of a .doc (the main text, the headers, the footnotes...) walked character by
//! character into paragraphs, each ending in a paragraph mark, a cell mark or a row mark.
//!
//! Special characters ([MS-DOC] 2.4.1 and 2.8.25): 0x0D ends a paragraph; 0x07 ends a table
//! cell, or a row when its paragraph properties say `fTtp`; 0x0C (page or section break) ends a
//! paragraph; 0x0B (line break) is `\n`; 0x09 a tab; 0x1E (non-breaking hyphen) `-`; 0x1F
//! (optional hyphen) is invisible and dropped; 0x13/0x14/0x15 open, separate and close a field,
//! whose instruction is dropped and whose result is kept, fields nesting up to
//! `max_doc_field_depth`. Other control characters (picture and drawing anchors 0x01/0x08,
//! note references 0x02, annotation marks 0x05) carry no text and are dropped.
//!
//! Guarantees: one pass over the story's CPs with no recursion; text kept is charged against
//! the document's `max_text_bytes` as paragraphs end; an unbalanced field mark is tolerated
//! (a stray end is ignored; a field still open when the story ends is closed).

use super::pieces::Piece;
use super::props::{ParaProps, Runs, Toggle};
use crate::document::error::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Para,
    Cell,
    Row,
}

#[derive(Debug)]
pub(super) struct Para {
    pub text: String,
    pub end: End,
    pub props: ParaProps,
    /// `(byte end in text, direct bold)` of the runs of visible text, in order.
    pub bold_runs: Vec<(usize, Option<Toggle>)>,
}

/// Everything a story walk reads from.
pub(super) struct Source<'s> {
    pub text: &'s [u16],
    pub pieces: &'s [Piece],
    pub papx: &'s Runs<ParaProps>,
    pub chpx: &'s Runs<Option<Toggle>>,
    pub max_field_depth: usize,
}

/// Text allowance shared by all stories of one document.
pub(super) struct Budget {
    pub used: usize,
    pub max: usize,
}

impl Budget {
    pub(super) fn charge(&mut self, n: usize) -> Result<(), ParseError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.max {
            return Err(ParseError::LimitExceeded(format!(
                ".doc text exceeds max_text_bytes {}",
                self.max
            )));
        }
        Ok(())
    }
}

struct Field {
    in_code: bool,
}

/// The paragraphs of CPs `start..end`.
pub(super) fn walk(
    src: &Source<'_>,
    start: u32,
    end: u32,
    budget: &mut Budget,
) -> Result<Vec<Para>, ParseError> {
    let end = end.min(src.text.len() as u32);
    let mut out = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    let mut hidden = 0usize; // fields on the stack that are in their instruction part
    let mut text = String::new();
    let mut bold_runs: Vec<(usize, Option<Toggle>)> = Vec::new();
    let mut piece_i = src.pieces.partition_point(|p| p.cp_end <= start);
    let fc_of = |piece_i: &mut usize, cp: u32| -> Option<u32> {
        while src.pieces.get(*piece_i).is_some_and(|p| p.cp_end <= cp) {
            *piece_i += 1;
        }
        src.pieces
            .get(*piece_i)
            .filter(|p| p.cp_start <= cp)
            .map(|p| p.fc_of(cp))
    };
    let mut cp = start;
    while cp < end {
        let u = src.text[cp as usize];
        let this = cp;
        cp += 1;
        match u {
            0x13 => {
                if fields.len() >= src.max_field_depth {
                    return Err(ParseError::LimitExceeded(format!(
                        ".doc fields nest deeper than max_doc_field_depth {}",
                        src.max_field_depth
                    )));
                }
                fields.push(Field { in_code: true });
                hidden += 1;
                continue;
            }
            0x14 => {
                if let Some(f) = fields.last_mut() {
                    if f.in_code {
                        f.in_code = false;
                        hidden -= 1;
                    }
                }
                continue;
            }
            0x15 => {
                if let Some(f) = fields.pop() {
                    if f.in_code {
                        hidden -= 1;
                    }
                }
                continue;
            }
            _ => {}
        }
        let is_mark = matches!(u, 0x0D | 0x07 | 0x0C);
        if hidden > 0 && !is_mark {
            continue;
        }
        if is_mark {
            let props = fc_of(&mut piece_i, this)
                .and_then(|fc| src.papx.at(fc))
                .unwrap_or_default();
            let kind = match u {
                0x07 if props.ttp => End::Row,
                0x07 => End::Cell,
                _ => End::Para,
            };
            budget.charge(text.len())?;
            out.push(Para {
                text: std::mem::take(&mut text),
                end: kind,
                props,
                bold_runs: std::mem::take(&mut bold_runs),
            });
            continue;
        }
        let c = match u {
            0x0B => '\n',
            0x09 => '\t',
            0x1E => '-',
            0x00..=0x1F => continue,
            0xD800..=0xDBFF => {
                let low = src.text.get(cp as usize).copied().unwrap_or(0);
                if (0xDC00..=0xDFFF).contains(&low) && cp < end {
                    cp += 1;
                    let v = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    char::from_u32(v).unwrap_or('\u{FFFD}')
                } else {
                    '\u{FFFD}'
                }
            }
            0xDC00..=0xDFFF => '\u{FFFD}',
            _ => char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'),
        };
        text.push(c);
        let bold = fc_of(&mut piece_i, this).and_then(|fc| src.chpx.at(fc).flatten());
        match bold_runs.last_mut() {
            Some((e, b)) if *b == bold => *e = text.len(),
            _ => bold_runs.push((text.len(), bold)),
        }
    }
    if !text.is_empty() {
        budget.charge(text.len())?;
        out.push(Para {
            text,
            end: End::Para,
            props: ParaProps::default(),
            bold_runs,
        });
    }
    Ok(out)
}

/// `(bold_prefix_end, any_bold, any_plain)` of a paragraph's text, whitespace neither
/// extending nor breaking the leading bold span (as the docx reader measures it).
pub(super) fn bold_span(p: &Para, style_bold: bool) -> (usize, bool, bool) {
    let (mut prefix_open, mut prefix_end, mut any_bold, mut any_plain) = (true, 0, false, false);
    let mut prev = 0usize;
    for &(e, t) in &p.bold_runs {
        let seg = p.text.get(prev..e).unwrap_or("");
        prev = e;
        if seg.chars().all(char::is_whitespace) {
            continue;
        }
        if t.map_or(style_bold, |t| t.resolve(style_bold)) {
            any_bold = true;
            if prefix_open {
                prefix_end = e;
            }
        } else {
            any_plain = true;
            prefix_open = false;
        }
    }
    (prefix_end, any_bold, any_plain)
}
