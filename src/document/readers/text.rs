//! Plain text, Markdown and HTML remnants -> blocks.
//!
//! Reports arrive as text scraped from portal pages, as Markdown exported by converters (often
//! misnamed `.txt`), and with stray HTML. The format is refined here from what the decoded text
//! looks like: Markdown signals (ATX headings, `**` spans, pipe tables) make it Markdown even in
//! a `.txt`; tag soup makes it HTML. Each non-blank source line becomes one [`Block`] that keeps
//! its source line number, so section `line` fields point into the original file.

use crate::document::decode::decode;
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::model::{Block, RawDocument};
use crate::document::result::{Format, Table, Warning};
use crate::document::scan::NextMatch;

pub(crate) fn read(
    bytes: &[u8],
    named: Format,
    limits: &Limits,
) -> Result<RawDocument, ParseError> {
    let decoded = decode(bytes)?;
    let mut warnings = decoded.warnings;
    let mut text = decoded.text;
    if text.len() > limits.max_text_bytes {
        let mut cut = limits.max_text_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        warnings.push(Warning::new(
            "text_truncated",
            format!(
                "text longer than {} bytes was truncated",
                limits.max_text_bytes
            ),
        ));
    }
    let format = refine_format(&text, named);
    let html_text;
    let body: &str = if format == Format::Html {
        html_text = html_to_text(&text);
        &html_text
    } else {
        &text
    };
    let mut doc = RawDocument::new(format);
    doc.encoding = Some(decoded.encoding);
    doc.line_endings = decoded.line_endings;
    let lines = split_lines(body, limits.max_line_bytes, &mut warnings);
    if format == Format::Markdown {
        markdown_blocks(&lines, &mut doc, limits)?;
        warnings.push(Warning::new(
            "markdown_markup_removed",
            "Markdown markup (headings, emphasis, links, images) was removed from the text",
        ));
    } else {
        for (line_no, line) in lines {
            limits.cancel.check()?;
            let trimmed = trim_indent(line);
            if trimmed.trim().is_empty() {
                continue;
            }
            doc.blocks.push(Block::plain(trimmed.trim_end(), line_no));
        }
    }
    doc.warnings = warnings;
    Ok(doc)
}

/// Lines with their 1-based numbers (CRLF and CR count as one break). Over-long lines are cut
/// into pieces of at most `max` bytes so one 50 MB line cannot dominate later stages.
fn split_lines<'a>(
    text: &'a str,
    max: usize,
    warnings: &mut Vec<Warning>,
) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut split_any = false;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // A lone CR is a line break too (classic Mac files).
        for piece in line.split('\r') {
            let mut rest = piece;
            while rest.len() > max {
                let mut cut = max;
                while !rest.is_char_boundary(cut) {
                    cut -= 1;
                }
                out.push((i + 1, &rest[..cut]));
                rest = &rest[cut..];
                split_any = true;
            }
            out.push((i + 1, rest));
        }
    }
    if split_any {
        warnings.push(Warning::new(
            "long_line_split",
            format!("lines longer than {max} bytes were split"),
        ));
    }
    out
}

/// Leading indentation: ASCII and ideographic spaces, NBSP, tabs and en/em spaces.
pub(crate) fn trim_indent(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{A0}' || c == '\u{3000}')
}

fn refine_format(text: &str, named: Format) -> Format {
    let sample = &text[..floor_boundary(text, 256 * 1024)];
    let lower_head = sample[..floor_boundary(sample, 2048)].to_ascii_lowercase();
    if lower_head.contains("<!doctype html") || lower_head.contains("<html") {
        return Format::Html;
    }
    let tags = if sample.contains('<') {
        count_tags(sample)
    } else {
        0
    };
    if tags >= 8 {
        return Format::Html;
    }
    let maybe_markdown = sample.contains('#') || sample.contains("**") || sample.contains('|');
    if named == Format::Markdown || (maybe_markdown && markdown_score(sample) >= 2) {
        return Format::Markdown;
    }
    if named == Format::Html && tags > 0 {
        return Format::Html;
    }
    Format::Txt
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Opening or closing HTML tags of the block-level and inline elements that pages leave behind.
/// One pass over the `<` positions; most reports have none.
fn count_tags(s: &str) -> usize {
    const TAGS: &[&[u8]] = &[
        b"p>", b"p ", b"/p>", b"br", b"div", b"/div>", b"span", b"/span>", b"td", b"tr", b"table",
        b"a href", b"/a>", b"strong>", b"font", b"li>", b"h1", b"h2", b"h3",
    ];
    let b = s.as_bytes();
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'<') {
        let at = from + i + 1;
        let rest = &b[at..b.len().min(at + 8)];
        if TAGS
            .iter()
            .any(|t| rest.len() >= t.len() && rest[..t.len()].eq_ignore_ascii_case(t))
        {
            n += 1;
        }
        from = at;
    }
    n
}

/// Independent Markdown signals; two make a text Markdown. A stray `![]() |` scraped from a
/// page is junk, not Markdown, so images and lone pipes do not count.
fn markdown_score(s: &str) -> usize {
    let mut atx = 0;
    let mut bold = 0;
    let mut table_sep = 0;
    for line in s.lines() {
        let t = trim_indent(line);
        let hashes = t.bytes().take_while(|b| *b == b'#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
            atx += 1;
        }
        if t.starts_with('|') && t.contains("---") {
            table_sep += 1;
        }
        bold += t.matches("**").count() / 2;
    }
    (atx > 0) as usize
        + (atx > 2) as usize
        + (bold > 0) as usize
        + (bold > 2) as usize
        + 2 * (table_sep > 0) as usize
}

/// Strips tags; block-level elements become line breaks; script and style are dropped.
/// Entities are left for normalization, which decodes them in every format.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        let Some(gt) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after[1..gt].trim_start();
        // Only the element's name matters, so only it is copied (a long attribute list is not).
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .take(MAX_TAG_NAME)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            // Case-insensitive search in place: lowercasing the rest of the document for every
            // such tag made a page of many `<script>` blocks quadratic.
            match find_closing_tag(rest, &name) {
                Some(end) => {
                    let skip = rest[end..]
                        .find('>')
                        .map(|g| end + g + 1)
                        .unwrap_or(rest.len());
                    rest = &rest[skip..];
                }
                None => rest = "",
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "p" | "br"
                | "div"
                | "tr"
                | "li"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "table"
                | "section"
                | "article"
                | "title"
                | "ul"
                | "ol"
        ) {
            out.push('\n');
        } else if name == "td" || name == "th" {
            out.push('\t');
        }
    }
    out.push_str(rest);
    out
}

/// Longest element name compared: every name this reader acts on is shorter.
const MAX_TAG_NAME: usize = 16;

/// Where `</name` (any case) starts in `s`. One pass over the `<` positions.
fn find_closing_tag(s: &str, name: &str) -> Option<usize> {
    let b = s.as_bytes();
    let needle = name.as_bytes();
    let mut from = 0;
    while let Some(i) = b[from..].iter().position(|&c| c == b'<') {
        let at = from + i;
        let rest = &b[at + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > needle.len()
            && rest[1..=needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// One block per non-blank line; ATX heading marks and emphasis are removed from `text` but
/// kept in `raw`, a leading `**bold**` span is recorded, pipe tables go to `tables`.
fn markdown_blocks(
    lines: &[(usize, &str)],
    doc: &mut RawDocument,
    limits: &Limits,
) -> Result<(), ParseError> {
    let mut i = 0;
    while i < lines.len() {
        limits.cancel.check()?;
        let (line_no, line) = lines[i];
        let raw = trim_indent(line).trim_end();
        if raw.is_empty() {
            i += 1;
            continue;
        }
        if raw.starts_with('|') && lines.get(i + 1).is_some_and(|(_, l)| is_table_separator(l)) {
            let header = table_cells(raw);
            let mut rows = Vec::new();
            doc.blocks.push(table_block(&header, line_no));
            let mut j = i + 2;
            while let Some((n, l)) = lines.get(j) {
                let l = trim_indent(l).trim_end();
                if !l.starts_with('|') {
                    break;
                }
                let cells = table_cells(l);
                doc.blocks.push(table_block(&cells, *n));
                rows.push(cells);
                j += 1;
            }
            doc.tables.push(Table {
                sheet: None,
                header,
                rows: rows.into(),
            });
            i = j;
            continue;
        }
        let hashes = raw.bytes().take_while(|b| *b == b'#').count();
        let (heading_level, body) =
            if (1..=6).contains(&hashes) && raw[hashes..].starts_with([' ', '\t']) {
                (
                    Some(hashes as u8),
                    raw[hashes..].trim().trim_end_matches('#').trim_end(),
                )
            } else {
                (None, raw)
            };
        let (text, bold_prefix, all_bold) = strip_inline(body);
        if !text.trim().is_empty() {
            doc.blocks.push(Block {
                text,
                raw: raw.to_string(),
                line: line_no,
                heading_level,
                bold_prefix,
                all_bold,
                in_table: false,
                one_row_per_line: false,
            });
        }
        i += 1;
    }
    Ok(())
}

fn is_table_separator(line: &str) -> bool {
    let t = trim_indent(line).trim();
    t.starts_with('|')
        && t.contains('-')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

fn table_cells(line: &str) -> Vec<String> {
    let t = line.trim().trim_start_matches('|').trim_end_matches('|');
    t.split('|').map(|c| strip_inline(c.trim()).0).collect()
}

fn table_block(cells: &[String], line: usize) -> Block {
    let text = cells.join("\t");
    Block {
        raw: text.clone(),
        text,
        line,
        in_table: true,
        ..Default::default()
    }
}

/// Removes emphasis, images, links and escapes. Returns the text, the byte length in it of a
/// bold span that opens the line, and whether the whole line is bold.
///
/// Linear in the line: the searches for a link's `](` and `)` are cached between openers (a line
/// of `[` with no `](` was quadratic), and whether any text precedes a `**` is tracked as the
/// output grows instead of re-trimming it.
fn strip_inline(s: &str) -> (String, usize, bool) {
    let mut out = String::with_capacity(s.len());
    let mut links = LinkFinder::new();
    let mut bold_prefix = 0;
    let mut bold_open_at_start = false;
    let mut in_bold = false;
    // `out[..blank_checked]` is known to be all whitespace unless `text_seen`.
    let (mut blank_checked, mut text_seen) = (0, false);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '*' | '_' if s[i..].starts_with("**") || s[i..].starts_with("__") => {
                chars.next();
                if !in_bold && bold_prefix == 0 && !bold_open_at_start {
                    if !text_seen {
                        text_seen = !out[blank_checked..].trim().is_empty();
                        blank_checked = out.len();
                    }
                    if !text_seen {
                        bold_open_at_start = true;
                    }
                } else if in_bold && bold_open_at_start && bold_prefix == 0 {
                    bold_prefix = out.len();
                }
                in_bold = !in_bold;
            }
            '!' if s[i..].starts_with("![") => {
                // ![alt](url): images carry no text worth keeping.
                if let Some((_, end)) = links.link(s, i + 1) {
                    while chars.peek().is_some_and(|(j, _)| *j < end) {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
            '[' => match links.link(s, i) {
                Some((close, end)) => {
                    out.push_str(&s[i + 1..close]);
                    while chars.peek().is_some_and(|(j, _)| *j < end) {
                        chars.next();
                    }
                }
                None => out.push(c),
            },
            '\\' => match chars.peek() {
                Some((_, n)) if n.is_ascii_punctuation() => {
                    out.push(*n);
                    chars.next();
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    let all_bold = bold_open_at_start && (bold_prefix == 0 || bold_prefix >= out.trim_end().len());
    if all_bold {
        bold_prefix = out.trim_end().len();
    }
    (out, bold_prefix, all_bold)
}

/// `[text](url)` spans of one line, found with forward searches that are never repeated.
struct LinkFinder {
    close: NextMatch,
    newline: NextMatch,
    paren: NextMatch,
}

impl LinkFinder {
    fn new() -> Self {
        LinkFinder {
            close: NextMatch::new(|s| s.find("](")),
            newline: NextMatch::new(|s| s.find('\n')),
            paren: NextMatch::new(|s| s.find(')')),
        }
    }

    /// For `[text](url)` whose `[` is at `open`: where `](` starts and the index just past `)`.
    fn link(&mut self, s: &str, open: usize) -> Option<(usize, usize)> {
        let close = self.close.at_or_after(s, open)?;
        if self
            .newline
            .at_or_after(s, open + 1)
            .is_some_and(|nl| nl < close)
        {
            return None;
        }
        let paren = self.paren.at_or_after(s, close + 2)?;
        Some((close, paren + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str, f: Format) -> RawDocument {
        read(s.as_bytes(), f, &Limits::default()).unwrap()
    }

    #[test]
    fn markdown_in_a_txt_is_markdown() {
        let doc = read_str(
            "# 某某街道文件\n\n## 标题\n\n**一、总体情况。**\n\n正文**二是加强**。\n",
            Format::Txt,
        );
        assert_eq!(doc.format, Format::Markdown);
        let b = &doc.blocks[2];
        assert_eq!(b.text, "一、总体情况。");
        assert!(b.all_bold);
        assert_eq!(b.raw, "**一、总体情况。**");
        assert_eq!(doc.blocks[0].heading_level, Some(1));
        assert_eq!(doc.blocks[3].bold_prefix, 0);
        assert_eq!(doc.blocks[3].line, 7);
    }

    #[test]
    fn leading_bold_span_is_recorded() {
        let (t, p, all) = strip_inline("**（一）完善机制。**一是形成长效机制");
        assert_eq!(t, "（一）完善机制。一是形成长效机制");
        assert_eq!(&t[..p], "（一）完善机制。");
        assert!(!all);
    }

    #[test]
    fn image_junk_and_links() {
        let (t, _, _) = strip_inline("![]() |");
        assert_eq!(t, " |");
        let (t, _, _) = strip_inline("见[通知](http://x/y)全文");
        assert_eq!(t, "见通知全文");
    }

    #[test]
    fn pipe_tables_become_tables() {
        let doc = read_str(
            "## 表\n\n| 指标 | 数量 |\n|---|---|\n| 复议 | 12 |\n| 诉讼 | **3** |\n\n正文。\n",
            Format::Txt,
        );
        assert_eq!(doc.tables.len(), 1);
        assert_eq!(doc.tables[0].header, vec!["指标", "数量"]);
        assert_eq!(
            doc.tables[0].rows,
            vec![vec!["复议", "12"], vec!["诉讼", "3"]]
        );
        assert!(doc.blocks.iter().filter(|b| b.in_table).count() == 3);
    }

    #[test]
    fn html_is_stripped_to_lines() {
        let html = "<html><head><style>p{}</style></head><body><p>一、总体</p><p>正文&nbsp;内容</p><script>x()</script></body></html>";
        let doc = read_str(html, Format::Txt);
        assert_eq!(doc.format, Format::Html);
        let texts: Vec<_> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["一、总体", "正文&nbsp;内容"]);
    }

    #[test]
    fn huge_line_is_split_not_fatal() {
        let s = "字".repeat(400_000); // 1.2 MB, one line
        let limits = Limits {
            max_line_bytes: 100_000,
            ..Limits::default()
        };
        let doc = read(s.as_bytes(), Format::Txt, &limits).unwrap();
        assert!(doc.blocks.len() >= 12);
        assert!(doc.warnings.iter().any(|w| w.code == "long_line_split"));
    }

    #[test]
    fn crlf_lines_count_once() {
        let doc = read_str("a\r\n\r\nb\r\n", Format::Txt);
        assert_eq!(doc.blocks[1].line, 3);
    }
}
