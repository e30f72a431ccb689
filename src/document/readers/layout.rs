//! Positioned text -> paragraphs: the layout step the PDF and OFD readers share.
//!
//! Both formats give runs of text set at a position, in whatever order the producer emitted
//! them (converters emit quotes, digits and CJK runs as separate objects, out of reading
//! order). [`lay_out`] turns them into the same [`Block`]s the docx reader yields, one per
//! paragraph, so everything after the reader (normalize, structure, extract) is shared.
//!
//! What it guarantees:
//! - runs sharing a baseline (within a third of the font size) form one line, read left to
//!   right; runs at the same x keep the order they were emitted in (a stable sort), which is
//!   the only order some converters (easyofd) leave meaningful;
//! - a space is inserted between two runs only when the gap is wide (> 0.25 em) and both sides
//!   are Latin or digits; `2023` `年` and CJK runs join with nothing. A gap wider than
//!   [`CELL_GAP_EM`] is a table-cell boundary: it gets a tab and the line becomes its own block;
//! - lines become paragraphs: a line that reaches the right margin continues into the next one
//!   (CJK joins with nothing, Latin with one space), across a page break too. A paragraph ends
//!   on first-line indentation, a vertical gap clearly larger than the body line spacing, a line
//!   that ends short of the margin, a change of font size, or a line starting with a heading
//!   marker (`一、` `（一）` `1.` `第一部分`). Centred and far-indented lines stand alone;
//! - page numbers (`— 1 —`, `- 2 -`, `第 3 页`, `3/12`) at the top or bottom of a page are
//!   dropped, and a line repeated at the same place on most pages is a running header or
//!   footer: they never reach the body;
//! - a page with a clear vertical gutter between two text columns is read column by column.
//!
//! Margins and line spacing are measured from the text itself, never taken from the page box:
//! OFD converters write page boxes in one unit and text in another.
//!
//! Cost: one sort per page and per line, everything else linear in the number of runs.
//!
//! Not handled: vertical text (竖排), rotated text (the readers give the unrotated baseline),
//! columns under a title that spans them (the spanning line hides the gutter, so such a page is
//! read line by line across the columns), tables whose cells wrap onto several lines (each
//! visual line becomes a row), footnotes (read as body text where they are set).

use crate::document::model::Block;
use crate::document::result::Warning;
use std::borrow::Cow;

/// One run of text set at one position: `x`, `y` are the baseline start in page units with
/// `y` growing down (0 = top of the page); `width` is the advance of the whole run; `size` the
/// font size (the em) in the same units.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub size: f32,
    pub text: String,
    /// Set in a bold face (a bold font, or a stroked fill): a leading bold span of a
    /// paragraph becomes its `bold_prefix`, as Word's bold runs do.
    pub bold: bool,
}

/// One page's runs in the order the file emitted them. `width`/`height` are informative only
/// (see the module header).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub runs: Vec<Run>,
}

/// The body paragraphs, running headers and footers (once each), and what was done.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Laid {
    pub blocks: Vec<Block>,
    pub headers: Vec<String>,
    pub footers: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// A gap between two runs of a line wider than this many ems separates table cells (or
/// tab-aligned fields), never words.
pub const CELL_GAP_EM: f32 = 2.0;
/// A gap wider than this many ems between two Latin/digit runs is a word space.
const SPACE_GAP_EM: f32 = 0.25;
/// Between two CJK runs a gap this wide is a typed space (`签发人：张健平 余志强` leaves a
/// third of an em; `索 引 号` half an em): converters that split runs leave none, and a digit
/// next to CJK (`2023` `年`, which LibreOffice sets a fifth of an em apart) never gets one.
const CJK_SPACE_GAP_EM: f32 = 0.25;
/// Two runs are on one line when their baselines differ by at most this many ems.
const BASELINE_TOLERANCE_EM: f32 = 0.35;
/// What ends a sentence, or a label before its value: a line ending so does not wrap on.
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '：', '!', '?', ';', ':'];
/// Runs whose starts differ by at most this many ems are stacked at one x (see [`Stack`]).
const STACK_TOLERANCE_EM: f32 = 0.05;
/// A run starting less than this many ems before another's end abuts it rather than
/// intruding into it (see [`split_intruded`]).
const INTRUSION_TOLERANCE_EM: f32 = 0.1;
/// First-line indentation that starts a paragraph (Chinese text indents two ems).
const INDENT_EM: f32 = 1.2;
/// A line starting this far in from the left margin is not a continuation line.
const FAR_INDENT_EM: f32 = 4.0;
/// A vertical step larger than this multiple of the body line spacing is a paragraph gap.
const GAP_FACTOR: f32 = 1.45;
/// Font sizes differing by more than this fraction belong to different paragraphs.
const SIZE_CHANGE: f32 = 0.12;
/// A running header or footer stands at least this many ems from the body.
const RUNNING_GAP_EM: f32 = 2.0;
/// Pages with fewer body lines than this use the document's margins, not their own.
const MIN_LINES_FOR_PAGE_MARGINS: usize = 6;

/// One visual line.
#[derive(Debug, Clone)]
struct Line {
    page: usize,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    text: String,
    /// Cell boundaries (gaps wider than [`CELL_GAP_EM`]) inside the line.
    cells: usize,
    /// Byte length of the line's leading bold span (0 = none) and whether all of it is bold.
    bold_prefix: usize,
    all_bold: bool,
}

/// Lays out all pages. Pages are independent except for paragraph continuation across a page
/// break and the running header/footer vote.
pub fn lay_out(pages: &[Page]) -> Laid {
    let mut laid = Laid::default();
    let mut per_page: Vec<Vec<Line>> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| page_lines(i, &p.runs))
        .collect();
    strip_running_lines(&mut per_page, &mut laid);
    let lines: Vec<Line> = per_page.into_iter().flatten().collect();
    laid.blocks = paragraphs(&lines);
    laid
}

/// A page's runs -> its lines in reading order (column by column when it has two).
fn page_lines(page: usize, runs: &[Run]) -> Vec<Line> {
    let finite =
        |r: &&Run| r.x.is_finite() && r.y.is_finite() && r.width.is_finite() && r.size.is_finite();
    let (spaces, runs): (Vec<&Run>, Vec<&Run>) = runs
        .iter()
        .filter(finite)
        .filter(|r| !r.text.is_empty())
        .partition(|r| r.text.trim().is_empty());
    if runs.is_empty() {
        return Vec::new();
    }
    let spaces = Spaces::new(spaces);
    if let Some(gutter) = find_gutter(&runs) {
        let (left, right): (Vec<&Run>, Vec<&Run>) = runs.iter().partition(|r| r.x < gutter);
        let l = group_lines(page, &left, &spaces);
        let r = group_lines(page, &right, &spaces);
        if looks_like_prose(&l) && looks_like_prose(&r) {
            return l.into_iter().chain(r).collect();
        }
    }
    group_lines(page, &runs, &spaces)
}

/// A page's runs of nothing but spaces, by baseline. They are not text, but where one is set
/// inside another run it says where that run's words part: easyofd writes each line's
/// characters as one run spread evenly over the line (`签发人：张健平余志强`) and the space
/// between the names as a run of its own at its true position. Such a space cuts the run there
/// (see [`split_intruded`]); a space set anywhere else changes nothing.
struct Spaces<'a> {
    by_y: Vec<&'a Run>,
}

impl<'a> Spaces<'a> {
    fn new(mut runs: Vec<&'a Run>) -> Self {
        runs.sort_by(|a, b| a.y.total_cmp(&b.y));
        Spaces { by_y: runs }
    }

    /// The spaces on the baseline `y` (within `tol`) that start inside one of `stacks` (sorted
    /// by x), as stacks of their own.
    fn inside<'s>(&self, y: f32, tol: f32, stacks: &[Stack<'s>]) -> Vec<Stack<'s>> {
        let from = self.by_y.partition_point(|r| r.y < y - tol);
        let mut out = Vec::new();
        for (k, r) in self.by_y[from..].iter().enumerate() {
            if r.y > y + tol {
                break;
            }
            let within = stacks.iter().any(|s| {
                let margin = INTRUSION_TOLERANCE_EM * s.size;
                r.x > s.x + margin && r.x < s.x + s.width - margin
            });
            if within {
                out.push(Stack {
                    x: r.x,
                    width: 0.0,
                    size: r.size,
                    text: Cow::Borrowed(" "),
                    order: usize::MAX - (from + k),
                    bold: false,
                });
            }
        }
        out
    }
}

/// Columns hold running text: several lines of some length on each side. A table's empty
/// column strip is not a gutter.
fn looks_like_prose(lines: &[Line]) -> bool {
    lines.len() >= 5
        && lines.iter().map(|l| l.text.chars().count()).sum::<usize>() >= 8 * lines.len()
}

/// The x of a vertical strip no run crosses, in the middle half of the page's text, at least
/// one em wide, with runs on both sides. Linear: a fixed number of bins.
fn find_gutter(runs: &[&Run]) -> Option<f32> {
    const BINS: usize = 256;
    let min = runs.iter().map(|r| r.x).fold(f32::INFINITY, f32::min);
    let max = runs
        .iter()
        .map(|r| r.x + r.width.max(0.0))
        .fold(f32::NEG_INFINITY, f32::max);
    let span = max - min;
    let em = median(runs.iter().map(|r| r.size).collect())?;
    if !(span > 0.0) || em <= 0.0 || span < 10.0 * em {
        return None;
    }
    let bin = |x: f32| (((x - min) / span * BINS as f32) as usize).min(BINS - 1);
    let mut covered = [false; BINS];
    for r in runs {
        for c in covered
            .iter_mut()
            .take(bin(r.x + r.width.max(0.0)) + 1)
            .skip(bin(r.x))
        {
            *c = true;
        }
    }
    let (lo, hi) = (BINS / 4, BINS * 3 / 4);
    let mut best: Option<(usize, usize)> = None;
    let mut i = lo;
    while i < hi {
        if covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < BINS && !covered[i] {
            i += 1;
        }
        if best.is_none_or(|(s, e)| i - start > e - s) {
            best = Some((start, i));
        }
    }
    let (s, e) = best?;
    let width = (e - s) as f32 / BINS as f32 * span;
    (width >= em).then(|| min + (s + e) as f32 / 2.0 / BINS as f32 * span)
}

fn median(mut v: Vec<f32>) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// Runs -> lines: sorted by baseline, swept into lines within the tolerance, each line read
/// by x with ties kept in emission order.
fn group_lines(page: usize, runs: &[&Run], spaces: &Spaces<'_>) -> Vec<Line> {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[a].y.total_cmp(&runs[b].y));
    let mut lines = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut anchor = (0.0f32, 0.0f32); // (baseline, size) of the line's first run
    for idx in order {
        let r = runs[idx];
        let tol = BASELINE_TOLERANCE_EM * r.size.max(anchor.1);
        if !current.is_empty() && (r.y - anchor.0).abs() > tol {
            lines.push(make_line(page, runs, &mut current, spaces));
        }
        if current.is_empty() {
            anchor = (r.y, r.size);
        }
        current.push(idx);
    }
    if !current.is_empty() {
        lines.push(make_line(page, runs, &mut current, spaces));
    }
    lines
}

/// The runs of a line that start at one x, joined in emission order: converters such as
/// easyofd set every object of a line at the line's start, so their order of emission is the
/// only order there is. One run alone is just itself.
struct Stack<'a> {
    x: f32,
    width: f32,
    size: f32,
    text: Cow<'a, str>,
    /// Emission order of its first run: breaks ties in x.
    order: usize,
    /// All its runs are bold.
    bold: bool,
}

/// A piece of a stack: the whole of it, or the part between two runs set inside it.
struct Piece<'a> {
    x: f32,
    width: f32,
    size: f32,
    text: &'a str,
    order: usize,
    bold: bool,
}

/// Makes a line of the runs `idx` names, leaving `idx` empty for the next line.
fn make_line(page: usize, runs: &[&Run], idx: &mut Vec<usize>, spaces: &Spaces<'_>) -> Line {
    let mut idx = std::mem::take(idx);
    idx.sort_by(|&a, &b| runs[a].x.total_cmp(&runs[b].x).then(a.cmp(&b)));
    let mut stacks = stack(runs, &idx);
    if !spaces.by_y.is_empty() {
        let r0 = runs[idx[0]];
        let cuts = spaces.inside(r0.y, BASELINE_TOLERANCE_EM * r0.size, &stacks);
        if !cuts.is_empty() {
            stacks.extend(cuts);
            stacks.sort_by(|a, b| a.x.total_cmp(&b.x));
        }
    }
    let mut pieces = split_intruded(&stacks);
    pieces.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.order.cmp(&b.order)));
    let size = pieces.iter().map(|p| p.size).fold(0.0f32, f32::max);
    let y = runs[idx[0]].y;
    let x0 = pieces.first().map_or(0.0, |p| p.x);
    let mut x1 = f32::NEG_INFINITY;
    let mut text = String::new();
    let mut cells = 0;
    let mut prev_end: Option<f32> = None;
    // The leading bold span: the text length after the last of the leading bold pieces.
    let mut bold_len = 0usize;
    let mut still_bold = true;
    for p in &pieces {
        if let Some(end) = prev_end {
            let gap = p.x - end;
            let em = p.size.max(f32::MIN_POSITIVE);
            if gap > CELL_GAP_EM * em {
                trim_end_spaces(&mut text);
                text.push('\t');
                cells += 1;
            } else if (gap > SPACE_GAP_EM * em
                && text.chars().last().is_some_and(is_latin)
                && p.text.chars().next().is_some_and(is_latin))
                || (gap > CJK_SPACE_GAP_EM * em
                    && text.chars().last().is_some_and(is_cjk_like)
                    && p.text.chars().next().is_some_and(is_cjk_like))
            {
                text.push(' ');
            }
        }
        push_collapsed(&mut text, p.text);
        if still_bold {
            if p.bold {
                bold_len = text.len();
            } else {
                still_bold = false;
            }
        }
        let end = p.x + p.width.max(0.0);
        prev_end = Some(prev_end.map_or(end, |e: f32| e.max(end)));
        x1 = x1.max(end);
    }
    let all_bold = still_bold && bold_len > 0;
    let lead = text.len() - text.trim_start().len();
    let trimmed_len = text.trim().len();
    let bold_prefix = text[..bold_len]
        .trim_end()
        .len()
        .saturating_sub(lead)
        .min(trimmed_len);
    let text = text.trim().to_string();
    Line {
        page,
        x0,
        x1,
        y,
        size,
        text,
        cells,
        bold_prefix,
        all_bold,
    }
}

/// Groups the runs of a line (`idx`, sorted by x then emission) that start at one x.
fn stack<'a>(runs: &[&'a Run], idx: &[usize]) -> Vec<Stack<'a>> {
    let mut out: Vec<Stack<'a>> = Vec::with_capacity(idx.len());
    for &i in idx {
        let r = runs[i];
        if let Some(top) = out.last_mut() {
            if (r.x - top.x).abs() <= STACK_TOLERANCE_EM * r.size.max(top.size) {
                top.text.to_mut().push_str(&r.text);
                top.bold &= r.bold;
                top.width = top.width.max(r.width);
                top.size = top.size.max(r.size);
                continue;
            }
        }
        out.push(Stack {
            x: r.x,
            width: r.width,
            size: r.size,
            text: Cow::Borrowed(&r.text),
            order: i,
            bold: r.bold,
        });
    }
    out
}

/// Cuts each stack where another stack of the line starts inside it, so the other is read
/// where it is set: converters emit the quotes of `按照“有件必备”` as objects of their own,
/// after the ideographs they sit between. Within a stack an ideograph is taken as one em wide
/// and anything else as half an em, scaled to the stack's width. Cost: a binary search per
/// cut, at most one cut per character.
fn split_intruded<'a>(stacks: &'a [Stack<'a>]) -> Vec<Piece<'a>> {
    let starts: Vec<f32> = stacks.iter().map(|s| s.x).collect(); // sorted: stacks are
    let mut pieces = Vec::with_capacity(stacks.len());
    for s in stacks {
        let whole = Piece {
            x: s.x,
            width: s.width,
            size: s.size,
            text: &s.text,
            order: s.order,
            bold: s.bold,
        };
        let n = s.text.chars().count();
        let first = starts.partition_point(|&x| x <= s.x);
        // A run that starts where this one ends (within a tenth of an em: positions computed
        // from advances carry rounding) follows it; only one that starts inside it intrudes.
        let end = s.x + s.width - INTRUSION_TOLERANCE_EM * s.size;
        if n < 2 || s.width <= 0.0 || first >= starts.len() || starts[first] >= end {
            pieces.push(whole);
            continue;
        }
        // Glyph edges: edges[k] is where glyph k starts; edges[n] is the stack's end. An
        // ideograph is one em wide in every CJK font; the other glyphs share what is left of
        // the stack's width (between a fifth and four fifths of an em each), so a run of narrow
        // digits does not push the cut off by a character.
        let wide = s.text.chars().filter(|&c| is_cjk_like(c)).count();
        let narrow = n - wide;
        let narrow_w = if narrow == 0 {
            0.0
        } else {
            ((s.width - wide as f32 * s.size) / narrow as f32).clamp(0.2 * s.size, 0.8 * s.size)
        };
        let weights: Vec<f32> = s
            .text
            .chars()
            .map(|c| if is_cjk_like(c) { s.size } else { narrow_w })
            .collect();
        let total: f32 = weights.iter().sum::<f32>().max(f32::MIN_POSITIVE);
        let mut edges = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        edges.push(s.x);
        for w in &weights {
            acc += w;
            edges.push(s.x + s.width * acc / total);
        }
        // (glyph index, x of the run that cuts there)
        let mut cuts: Vec<(usize, f32)> = Vec::new();
        let mut j = first;
        while j < starts.len() && starts[j] < end {
            let x = starts[j];
            // The glyph edge nearest x, never the stack's own ends.
            let k = edges.partition_point(|&e| e < x).clamp(1, n - 1);
            let k = if k > 1 && (x - edges[k - 1]).abs() < (edges[k] - x).abs() {
                k - 1
            } else {
                k
            };
            if cuts.last().is_none_or(|&(last, _)| k > last) {
                cuts.push((k, x));
            }
            // Jump past every start that falls on the same edge.
            let next = (edges[k] + edges[(k + 1).min(n)]) / 2.0;
            j = starts.partition_point(|&x| x < next).max(j + 1);
        }
        let offsets: Vec<usize> = s.text.char_indices().map(|(b, _)| b).collect();
        let (mut from, mut at) = (0, s.x);
        cuts.push((n, s.x + s.width));
        for (k, cut_by) in cuts {
            let b1 = offsets.get(k).copied().unwrap_or(s.text.len());
            pieces.push(Piece {
                x: at,
                width: edges[k] - edges[from],
                size: s.size,
                text: &s.text[offsets[from]..b1],
                order: s.order,
                bold: s.bold,
            });
            from = k;
            // The rest is read after the run that cut it, even when the nearest glyph edge
            // lies a little before that run's start.
            at = edges[k].max(cut_by + cut_by.abs() * 1e-6 + 1e-6);
        }
    }
    pieces
}

fn trim_end_spaces(s: &mut String) {
    let keep = s.trim_end_matches(' ').len();
    s.truncate(keep);
}

/// Appends `add`, turning each whitespace run into one space and never doubling a space or
/// putting one after a tab.
fn push_collapsed(out: &mut String, add: &str) {
    for c in add.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with([' ', '\t']) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// Latin letters, digits and ASCII punctuation: the scripts that separate words with spaces.
fn is_latin(c: char) -> bool {
    c.is_ascii_graphic() || matches!(c, '\u{00C0}'..='\u{024F}')
}

/// CJK ideographs, kana, hangul, CJK punctuation and full-width forms: joined without spaces.
fn is_cjk_like(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FFEF}' | '\u{20000}'..='\u{2FFFF}'
        | '\u{2014}' | '\u{2018}'..='\u{201F}' | '\u{2026}')
}

/// A page number as typeset at the head or foot of a page: `— 1 —`, `- 2 -`, `第 3 页`,
/// `第3页 共12页`, `3/12`, `Page 3`, `3`.
pub fn is_page_number(line: &str) -> bool {
    let s: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－' | '―' | '‒' | '─' | '·' | '•');
    let core = s.trim_matches(dashes);
    let all_digits =
        |t: &str| !t.is_empty() && t.len() <= 5 && t.chars().all(|c| c.is_ascii_digit());
    if all_digits(core) {
        return true;
    }
    if let Some((a, b)) = core.split_once('/') {
        return all_digits(a) && all_digits(b);
    }
    let lower = core.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix("page") {
        let n = n.split("of").next().unwrap_or("");
        return all_digits(n);
    }
    // 第N页, 第N页共M页, 共M页第N页.
    let mut rest = core;
    let mut seen = false;
    while !rest.is_empty() {
        let Some(after) = rest.strip_prefix('第').or_else(|| rest.strip_prefix('共')) else {
            return false;
        };
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 5 {
            return false;
        }
        let Some(tail) = after[digits..].strip_prefix('页') else {
            return false;
        };
        rest = tail.trim_start_matches([',', '，']);
        seen = true;
    }
    seen
}

/// Drops page numbers and running headers/footers from the first and last two lines of each
/// page. A running line is one whose text (digits ignored) recurs at the same height on at
/// least half the pages (two pages at least).
fn strip_running_lines(pages: &mut [Vec<Line>], laid: &mut Laid) {
    use std::collections::HashMap;
    const EDGE: usize = 2;
    let key = |l: &Line| -> (String, i64) {
        let t: String = l
            .text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        (t, (l.y / l.size.max(f32::MIN_POSITIVE)).round() as i64)
    };
    let edges = |n: usize| -> Vec<usize> {
        let mut v: Vec<usize> = (0..n.min(EDGE)).collect();
        v.extend(n.saturating_sub(EDGE).max(EDGE.min(n))..n);
        v
    };
    let mut votes: HashMap<(String, i64), usize> = HashMap::new();
    for lines in pages.iter() {
        let mut seen: Vec<(String, i64)> = edges(lines.len())
            .into_iter()
            .map(|i| key(&lines[i]))
            .collect();
        seen.sort();
        seen.dedup();
        for k in seen {
            *votes.entry(k).or_default() += 1;
        }
    }
    let with_text = pages.iter().filter(|p| !p.is_empty()).count();
    let quorum = with_text.div_ceil(2).max(2);
    let (mut numbers, mut running) = (0usize, 0usize);
    let mut plan: Vec<Vec<bool>> = Vec::with_capacity(pages.len());
    for lines in pages.iter() {
        let n = lines.len();
        let mut drop = vec![false; n];
        for i in edges(n) {
            let l = &lines[i];
            let top = i < EDGE.min(n) && i < n / 2 + 1;
            if is_page_number(&l.text) {
                drop[i] = true;
                numbers += 1;
            } else if with_text >= 2
                && set_apart(lines, i, top)
                && votes.get(&key(l)).copied().unwrap_or(0) >= quorum
            {
                drop[i] = true;
                running += 1;
                let list = if top {
                    &mut laid.headers
                } else {
                    &mut laid.footers
                };
                if !list.contains(&l.text) {
                    list.push(l.text.clone());
                }
            }
        }
        plan.push(drop);
    }
    // A document that is nothing but such lines (a page holding only its number) keeps them:
    // they are then all the text there is.
    if plan.iter().flatten().all(|d| *d) {
        laid.headers.clear();
        laid.footers.clear();
        return;
    }
    for (lines, drop) in pages.iter_mut().zip(plan) {
        let mut i = 0;
        lines.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }
    if numbers > 0 {
        laid.warnings.push(Warning::new(
            "layout_page_numbers_removed",
            format!("{numbers} page number line(s) removed"),
        ));
    }
    if running > 0 {
        laid.warnings.push(Warning::new(
            "layout_running_lines_removed",
            format!("{running} running header/footer line(s) moved to supplementary"),
        ));
    }
}

/// A running head or foot is set apart from the body by more than the body's line step: a
/// body line that happens to recur at the same place on many pages is not.
fn set_apart(lines: &[Line], i: usize, top: bool) -> bool {
    let l = &lines[i];
    let neighbour = if top {
        lines.get(i + 1)
    } else {
        i.checked_sub(1).map(|j| &lines[j])
    };
    neighbour.is_none_or(|n| (n.y - l.y).abs() > RUNNING_GAP_EM * l.size.max(n.size))
}

/// Body measurements taken from the text: the usual font size, line step and text width, and
/// each page's left margin.
struct Metrics {
    body_size: f32,
    line_step: Option<f32>,
    left: Vec<f32>,
    right: Vec<f32>,
}

/// Most frequent value of `key` (weighted), ties to the smaller key.
fn mode<I: IntoIterator<Item = (i64, usize)>>(items: I) -> Option<i64> {
    let mut v: Vec<(i64, usize)> = items.into_iter().collect();
    v.sort_unstable();
    let mut best: Option<(i64, usize)> = None;
    let mut i = 0;
    while i < v.len() {
        let k = v[i].0;
        let mut w = 0;
        while i < v.len() && v[i].0 == k {
            w += v[i].1;
            i += 1;
        }
        if best.is_none_or(|(_, bw)| w > bw) {
            best = Some((k, w));
        }
    }
    best.map(|(k, _)| k)
}

fn measure(lines: &[Line]) -> Metrics {
    let pages = lines.iter().map(|l| l.page + 1).max().unwrap_or(0);
    let body_size = mode(
        lines
            .iter()
            .map(|l| ((l.size * 100.0).round() as i64, l.text.chars().count())),
    )
    .map_or(1.0, |k| k as f32 / 100.0)
    .max(f32::MIN_POSITIVE);
    let is_body = |l: &Line| (l.size - body_size).abs() <= SIZE_CHANGE * body_size;
    let quarter = body_size / 4.0;
    let bucket = |x: f32| (x / quarter).round() as i64;

    let line_step = mode(lines.windows(2).filter_map(|w| {
        let dy = w[1].y - w[0].y;
        (w[0].page == w[1].page && is_body(&w[0]) && is_body(&w[1]) && dy > 0.0)
            .then(|| ((dy / body_size * 10.0).round() as i64, 1))
    }))
    .map(|k| k as f32 / 10.0 * body_size);

    let doc_left = mode(
        lines
            .iter()
            .filter(|l| is_body(l))
            .map(|l| (bucket(l.x0), 1)),
    )
    .map_or(0.0, |k| k as f32 * quarter);
    let mut left = vec![doc_left; pages];
    let mut counts = vec![0usize; pages];
    for l in lines.iter().filter(|l| is_body(l)) {
        counts[l.page] += 1;
    }
    for (p, slot) in left.iter_mut().enumerate() {
        if counts[p] >= MIN_LINES_FOR_PAGE_MARGINS {
            if let Some(k) = mode(
                lines
                    .iter()
                    .filter(|l| l.page == p && is_body(l))
                    .map(|l| (bucket(l.x0), 1)),
            ) {
                *slot = k as f32 * quarter;
            }
        }
    }
    // Text width: a high percentile of how far body lines reach past their page's margin, so
    // one overlong line does not move it.
    let mut reach: Vec<f32> = lines
        .iter()
        .filter(|l| is_body(l))
        .map(|l| l.x1 - left[l.page])
        .collect();
    reach.sort_by(f32::total_cmp);
    let width = if reach.is_empty() {
        0.0
    } else {
        reach[(reach.len() * 9 / 10).min(reach.len() - 1)]
    };
    let right = left.iter().map(|l| l + width).collect();
    Metrics {
        body_size,
        line_step,
        left,
        right,
    }
}

/// Chinese heading and list markers that start a paragraph: `一、` `（一）` `(一)` `1.` `1、`
/// `１．` `（1）` `①` `第一部分` `第二章`. `1.5万` is a number, not a marker.
pub fn starts_with_marker(s: &str) -> bool {
    const CN: &str = "一二三四五六七八九十百零〇";
    let mut chars = s.chars();
    let Some(c0) = chars.next() else {
        return false;
    };
    if ('\u{2460}'..='\u{2473}').contains(&c0) || ('\u{2474}'..='\u{2487}').contains(&c0) {
        return true; // ① ⑴
    }
    if c0 == '（' || c0 == '(' {
        let inner: String = chars
            .clone()
            .take_while(|c| *c != '）' && *c != ')')
            .collect();
        let n = inner.chars().count();
        return (1..=3).contains(&n)
            && (inner.chars().all(|c| CN.contains(c))
                || inner
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)))
            && chars.nth(n).is_some();
    }
    if c0 == '第' {
        let rest: String = chars.clone().take_while(|c| CN.contains(*c)).collect();
        let after = chars.skip(rest.chars().count()).collect::<String>();
        return !rest.is_empty()
            && ["部分", "章", "节", "条"]
                .iter()
                .any(|k| after.starts_with(k));
    }
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    if CN.contains(c0) {
        let rest: String = s.chars().skip_while(|c| CN.contains(*c)).collect();
        return rest.starts_with('、');
    }
    if digit(c0) {
        let mut rest = s.chars().skip_while(|c| digit(*c));
        return match rest.next() {
            Some('、') => true,
            Some('.' | '．') => rest.next().is_some_and(|c| !digit(c) && c != '%'),
            _ => false,
        };
    }
    false
}

/// Lines -> paragraphs.
fn paragraphs(lines: &[Line]) -> Vec<Block> {
    let lines: Vec<&Line> = lines.iter().filter(|l| !l.text.is_empty()).collect();
    let owned: Vec<Line> = lines.iter().map(|l| (*l).clone()).collect();
    let m = measure(&owned);
    let mut blocks: Vec<Block> = Vec::new();
    let mut current = String::new();
    let mut current_table = false;
    // The paragraph's leading bold span so far, and whether every line so far is all bold.
    let mut bold = Bold::default();
    let mut prev: Option<(&Line, bool)> = None; // the previous line and whether it stood alone
    for &line in &lines {
        let em = line.size.max(f32::MIN_POSITIVE);
        let left = m.left[line.page];
        let right = m.right[line.page];
        let slack_l = line.x0 - left;
        let slack_r = right - line.x1;
        let centred = slack_l > 2.0 * em
            && slack_r > 2.0 * em
            && (slack_l - slack_r).abs() < 2.0 * em.max(0.1 * (right - left));
        let table_row = line.cells >= 2;
        let alone = centred || slack_l > FAR_INDENT_EM * em || line.cells >= 1;
        let gap_limit = GAP_FACTOR * m.line_step.unwrap_or(1.5 * m.body_size);
        let starts = match prev {
            None => true,
            // A line that fills the measure without ending a sentence wraps into the next one
            // of its size even when that one is centred or set in: the second line of a long
            // centred title, a breadcrumb wrapped in a narrower box, a converter's misplaced
            // line. Chinese paragraphs end on punctuation, so this joins no two of them.
            Some((p, false))
                if line.cells == 0
                    && !(p.page == line.page && line.y - p.y > gap_limit.max(p.size))
                    && (p.size - line.size).abs() <= SIZE_CHANGE * p.size.max(line.size)
                    && m.right[p.page] - p.x1 <= p.size
                    && !p.text.ends_with(SENTENCE_END)
                    && !starts_with_marker(&line.text) =>
            {
                false
            }
            Some((p, p_alone)) => {
                let p_em = p.size.max(f32::MIN_POSITIVE);
                let p_right = m.right[p.page];
                let first_word = first_word_width(&line.text, em);
                p_alone
                    || alone
                    || (p.size - line.size).abs() > SIZE_CHANGE * p.size.max(line.size)
                    || slack_l > INDENT_EM * em
                    || p_right - p.x1 > first_word + p_em
                    || starts_with_marker(&line.text)
                    || (p.page == line.page && line.y - p.y > gap_limit.max(p_em))
            }
        };
        if starts {
            flush(&mut blocks, &mut current, current_table, &mut bold);
            current_table = table_row;
        } else if current
            .chars()
            .last()
            .is_some_and(|c| is_latin(c) && c != '-')
            && line.text.chars().next().is_some_and(is_latin)
        {
            current.push(' ');
        }
        bold.add(current.len(), line, current.is_empty());
        current.push_str(&line.text);
        prev = Some((line, alone));
    }
    flush(&mut blocks, &mut current, current_table, &mut bold);
    blocks
}

/// A paragraph's leading bold span as its lines are added: it grows across lines that are
/// bold from start to end and stops at the first line that is not.
#[derive(Default)]
struct Bold {
    /// Byte length of the span in the paragraph's text.
    prefix: usize,
    /// Every line so far was bold throughout (the span may still grow).
    open: bool,
    /// Every line so far was bold throughout, and there was at least one.
    all: bool,
}

impl Bold {
    /// Adds `line`, whose text starts at byte `at` of the paragraph.
    fn add(&mut self, at: usize, line: &Line, first: bool) {
        if first {
            *self = Bold {
                prefix: 0,
                open: true,
                all: true,
            };
        }
        if self.open && line.bold_prefix > 0 {
            self.prefix = at + line.bold_prefix;
        }
        if !line.all_bold {
            self.open = false;
            self.all = false;
        }
    }
}

/// The width the first word of a line would need at the end of the previous one: a CJK
/// character is one em, a Latin word half an em per character.
fn first_word_width(text: &str, em: f32) -> f32 {
    let mut chars = text.chars();
    match chars.next() {
        None => 0.0,
        Some(c) if is_cjk_like(c) => em,
        Some(_) => {
            let n = text
                .chars()
                .take_while(|c| !c.is_whitespace() && !is_cjk_like(*c))
                .count();
            n as f32 * 0.5 * em
        }
    }
}

fn flush(blocks: &mut Vec<Block>, current: &mut String, in_table: bool, bold: &mut Bold) {
    let bold = std::mem::take(bold);
    if current.is_empty() {
        return;
    }
    let mut b = Block::plain(std::mem::take(current), blocks.len() + 1);
    b.in_table = in_table;
    if !in_table && bold.prefix > 0 && b.text.is_char_boundary(bold.prefix) {
        // As the docx reader marks a leading bold span: `bold_prefix` and `**…**` in `raw`.
        b.bold_prefix = bold.prefix;
        b.all_bold = bold.all;
        b.raw = format!("**{}**{}", &b.text[..bold.prefix], &b.text[bold.prefix..]);
    }
    blocks.push(b);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of CJK text at (x, y), one em per character.
    fn cjk(x: f32, y: f32, text: &str) -> Run {
        Run {
            x,
            y,
            width: text.chars().count() as f32 * 10.0,
            size: 10.0,
            text: text.into(),
            bold: false,
        }
    }
    fn latin(x: f32, y: f32, text: &str) -> Run {
        Run {
            x,
            y,
            width: text.chars().count() as f32 * 5.0,
            size: 10.0,
            text: text.into(),
            bold: false,
        }
    }
    fn page(runs: Vec<Run>) -> Page {
        Page {
            width: 400.0,
            height: 600.0,
            runs,
        }
    }
    fn texts(l: &Laid) -> Vec<&str> {
        l.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn centred_title_wrapped_onto_a_second_line_is_one_paragraph() {
        // Body from 50 to 250 at 10 units, lines 15 apart; a 14-unit title fills its first
        // line (LibreOffice wraps a long centred title) and goes on centred on the next.
        let title = |x: f32, y: f32, t: &str| Run {
            x,
            y,
            width: t.chars().count() as f32 * 14.0,
            size: 14.0,
            text: t.into(),
            bold: false,
        };
        let mut runs = vec![
            title(60.0, 20.0, "东坝乡人民政府二〇二二年法治"),
            title(122.0, 40.0, "政府报告"),
        ];
        runs.extend(para(
            70.0,
            "第一段首行缩进两个字正文正文正文正文",
            &["正文正文正文正文正文正文正文正文正文正文"],
            "结尾。",
        ));
        runs.push(title(115.0, 140.0, "二〇二三年"));
        runs.push(title(136.0, 160.0, "报告"));
        let l = lay_out(&[page(runs)]);
        let t = texts(&l);
        assert_eq!(t[0], "东坝乡人民政府二〇二二年法治政府报告");
        // A short centred line is not full: the next centred line stands alone.
        assert_eq!(&t[2..], ["二〇二三年", "报告"]);
    }

    #[test]
    fn leading_bold_runs_become_the_bold_prefix() {
        let run = |x: f32, y: f32, t: &str, bold: bool| Run {
            x,
            y,
            width: t.chars().count() as f32 * 10.0,
            size: 10.0,
            text: t.into(),
            bold,
        };
        // A bold heading sentence that fills a line and goes on into body text.
        let runs = vec![
            run(70.0, 100.0, "（一）完善监督体制机制强化监督", true),
            run(50.0, 115.0, "工作。", true),
            run(80.0, 115.0, "一是形成长效机制。", false),
            run(70.0, 150.0, "二、全部加粗的标题", true),
        ];
        let l = lay_out(&[page(runs)]);
        let b = &l.blocks[0];
        assert_eq!(
            &b.text[..b.bold_prefix],
            "（一）完善监督体制机制强化监督工作。"
        );
        assert!(!b.all_bold);
        assert!(b
            .raw
            .starts_with("**（一）完善监督体制机制强化监督工作。**一是"));
        assert!(l.blocks[1].all_bold);
        assert_eq!(l.blocks[1].bold_prefix, l.blocks[1].text.len());
    }

    #[test]
    fn a_typed_space_between_cjk_runs_is_kept_but_digits_join_bare() {
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, "签发人：张健平"),
            cjk(123.0, 100.0, "余志强"),
            latin(50.0, 130.0, "2023"),
            cjk(72.0, 130.0, "年"),
        ])]);
        let t = texts(&l).join("|");
        assert!(t.contains("签发人：张健平 余志强"), "{t}");
        assert!(t.contains("2023年"), "{t}");
    }

    /// Body text 20 ems wide from x = 50 to 250, lines 15 units apart.
    fn para(y0: f32, first: &str, rest: &[&str], last: &str) -> Vec<Run> {
        let mut v = vec![cjk(70.0, y0, first)];
        for (i, l) in rest.iter().enumerate() {
            v.push(cjk(50.0, y0 + 15.0 * (i + 1) as f32, l));
        }
        v.push(cjk(50.0, y0 + 15.0 * (rest.len() + 1) as f32, last));
        v
    }
    const FULL: &str = "一二三四五六七八九十一二三四五六七八九十";

    #[test]
    fn runs_out_of_order_on_one_baseline_are_read_left_to_right() {
        let l = lay_out(&[page(vec![
            cjk(90.0, 100.0, "年度"),
            latin(70.0, 100.2, "2023"),
            cjk(50.0, 99.9, "开展"),
        ])]);
        assert_eq!(texts(&l), ["开展2023年度"]);
    }

    #[test]
    fn a_run_set_inside_another_is_read_where_it_stands() {
        // 按照“有件必备”的: the quotes come as objects of their own, after the ideographs.
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, "按照有件必备的原则"),
            cjk(68.0, 100.0, "“"),
            cjk(109.0, 100.0, "”"),
        ])]);
        assert_eq!(texts(&l), ["按照“有件必备”的原则"]);
    }

    #[test]
    fn a_space_set_inside_a_spread_run_parts_its_words() {
        // easyofd: 签发人：张健平余志强 spread over the line, the space between the names set as
        // a run of its own where it stands; another space at the run's end changes nothing.
        let mut spread = cjk(50.0, 100.0, "签发人：张健平余志强");
        spread.width = 10.0 * 10.5;
        let l = lay_out(&[page(vec![
            spread,
            cjk(50.0 + 7.0 * 10.5 + 1.0, 100.0, " "),
            cjk(50.0 + 10.0 * 10.5, 100.0, " "),
        ])]);
        assert_eq!(texts(&l), ["签发人：张健平 余志强"]);
    }

    #[test]
    fn spaces_between_runs_or_on_other_lines_change_nothing() {
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, "主要举措"),
            cjk(90.0, 100.0, " "),
            cjk(91.5, 100.0, "和成效"),
            cjk(60.0, 130.0, " "),
        ])]);
        assert_eq!(texts(&l), ["主要举措和成效"]);
    }

    #[test]
    fn quotes_land_inside_a_stack_of_runs() {
        // easyofd: the line's objects all start at its left end, spread over its width; the
        // quotes alone are where they are set.
        let stacked = |t: &str| Run {
            x: 50.0,
            y: 100.0,
            width: 100.0,
            size: 10.0,
            text: t.into(),
            bold: false,
        };
        let l = lay_out(&[page(vec![
            stacked("建成常安"),
            stacked("+"),
            stacked("联调联控平台"),
            cjk(68.0, 100.0, "“"),
            cjk(92.0, 100.0, "”"),
        ])]);
        assert_eq!(texts(&l), ["建成“常安+”联调联控平台"]);
    }

    #[test]
    fn equal_x_keeps_emission_order() {
        // easyofd sets every object of a line at the line's start.
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, "（"),
            cjk(50.0, 100.0, "一"),
            cjk(50.0, 100.0, "）"),
            cjk(50.0, 100.0, "强化应对"),
        ])]);
        assert_eq!(texts(&l), ["（一）强化应对"]);
    }

    #[test]
    fn spaces_only_between_wide_latin_gaps() {
        let one = |runs: Vec<Run>| lay_out(&[page(runs)]).blocks[0].text.clone();
        // A gap of 0.3 em between Latin runs is a word space.
        assert_eq!(
            one(vec![latin(50.0, 100.0, "GB/T"), latin(73.0, 100.0, "9704")]),
            "GB/T 9704"
        );
        // Digit-CJK: never a space, whatever the gap.
        assert_eq!(
            one(vec![latin(50.0, 100.0, "2023"), cjk(75.0, 100.0, "年")]),
            "2023年"
        );
        // 0.1 em is kerning, not a space.
        assert_eq!(
            one(vec![latin(50.0, 100.0, "ab"), latin(61.0, 100.0, "cd")]),
            "abcd"
        );
    }

    #[test]
    fn wrapped_chinese_lines_join_and_indent_starts_a_paragraph() {
        let mut runs = para(
            100.0,
            "一二三四五六七八九十一二三四五六七八",
            &[FULL],
            "结束。",
        );
        runs.extend(para(
            145.0,
            "另起一段一二三四五六七八九十一二三四",
            &[],
            "完。",
        ));
        let l = lay_out(&[page(runs)]);
        assert_eq!(
            texts(&l),
            [
                format!("一二三四五六七八九十一二三四五六七八{FULL}结束。"),
                "另起一段一二三四五六七八九十一二三四完。".to_string()
            ]
        );
    }

    #[test]
    fn short_line_vertical_gap_and_marker_end_paragraphs() {
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, FULL),
            cjk(50.0, 115.0, "短行。"),
            cjk(50.0, 130.0, FULL), // after a short line
            cjk(50.0, 160.0, FULL), // after a gap of two line steps
            cjk(50.0, 175.0, FULL),
            cjk(50.0, 190.0, "二、下一部分"), // a heading marker after a full line
            cjk(50.0, 205.0, FULL),
            cjk(50.0, 220.0, FULL),
            cjk(50.0, 235.0, FULL),
        ])]);
        assert_eq!(
            texts(&l),
            [
                format!("{FULL}短行。"),
                FULL.to_string(),
                format!("{FULL}{FULL}"),
                "二、下一部分".to_string(),
                format!("{FULL}{FULL}{FULL}"),
            ]
        );
    }

    #[test]
    fn a_long_centred_title_wrapped_onto_a_centred_line_is_one_block() {
        let mut runs = vec![
            cjk(50.0, 60.0, "东坝乡人民政府二〇二二年法治政府建设情况"),
            cjk(140.0, 75.0, "报告"),
        ];
        runs.extend(para(
            100.0,
            "一二三四五六七八九十一二三四五六七八",
            &[FULL, FULL],
            "完。",
        ));
        let l = lay_out(&[page(runs)]);
        assert_eq!(texts(&l)[0], "东坝乡人民政府二〇二二年法治政府建设情况报告");
        assert_eq!(l.blocks.len(), 2);
    }

    #[test]
    fn latin_wrap_joins_with_one_space() {
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, FULL),
            latin(
                50.0,
                115.0,
                "the quick brown fox jumps over the lazy dog now ok",
            ),
            latin(50.0, 130.0, "again"),
        ])]);
        assert_eq!(
            texts(&l),
            [
                FULL.to_string(),
                "the quick brown fox jumps over the lazy dog now ok again".to_string()
            ]
        );
    }

    #[test]
    fn centred_title_stands_alone_and_size_change_splits() {
        let mut title = cjk(110.0, 60.0, "年度报告");
        title.size = 16.0;
        title.width = 64.0;
        let l = lay_out(&[page(vec![
            title,
            cjk(130.0, 80.0, "某某街道"), // centred, body size
            cjk(70.0, 100.0, "一二三四五六七八九十一二三四五六七八"),
            cjk(50.0, 115.0, FULL),
            cjk(50.0, 130.0, FULL),
            cjk(50.0, 145.0, FULL),
            cjk(50.0, 160.0, FULL),
            cjk(50.0, 175.0, "尾。"),
        ])]);
        assert_eq!(texts(&l)[..2], ["年度报告", "某某街道"]);
        assert_eq!(l.blocks.len(), 3);
    }

    #[test]
    fn page_numbers_and_running_heads_are_removed_and_paragraph_crosses_pages() {
        let mut pages = Vec::new();
        for n in 1..=3 {
            let mut runs = vec![cjk(50.0, 30.0, "某某街道办事处文件")];
            for i in 0..8 {
                runs.push(cjk(50.0, 100.0 + 15.0 * i as f32, FULL));
            }
            runs.push(latin(140.0, 560.0, &format!("— {n} —")));
            pages.push(page(runs));
        }
        let l = lay_out(&pages);
        assert_eq!(l.blocks.len(), 1, "{:?}", texts(&l));
        assert_eq!(l.blocks[0].text, FULL.repeat(24));
        assert_eq!(l.headers, ["某某街道办事处文件"]);
        assert!(l
            .warnings
            .iter()
            .any(|w| w.code == "layout_page_numbers_removed"));
    }

    #[test]
    fn a_document_of_page_numbers_alone_keeps_them() {
        let l = lay_out(&[page(vec![latin(50.0, 100.0, "1")])]);
        assert_eq!(texts(&l), ["1"]);
        assert!(l.warnings.is_empty());
    }

    #[test]
    fn page_number_forms() {
        for s in [
            "— 1 —",
            "- 2 -",
            "第 3 页",
            "第3页 共12页",
            "3/12",
            "Page 4",
            "12",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["2023年", "一、总体情况", "第三部分", "1.5", "—"] {
            assert!(!is_page_number(s), "{s}");
        }
    }

    #[test]
    fn markers() {
        for s in [
            "一、总体",
            "（一）完善",
            "(二)加强",
            "1.建立",
            "1、建立",
            "１．建立",
            "（1）建立",
            "①建立",
            "第一部分 总体",
            "第二章",
        ] {
            assert!(starts_with_marker(s), "{s}");
        }
        for s in ["1.5万元", "2023年", "第一时间", "一是加强", "（一个）"] {
            assert!(!starts_with_marker(s), "{s}");
        }
    }

    #[test]
    fn table_rows_stay_lines_with_tabs() {
        let l = lay_out(&[page(vec![
            cjk(50.0, 100.0, "指标"),
            cjk(120.0, 100.0, "单位"),
            cjk(190.0, 100.0, "完成数"),
            cjk(50.0, 115.0, "案件"),
            cjk(120.0, 115.0, "件"),
            latin(190.0, 115.0, "26"),
        ])]);
        assert_eq!(texts(&l), ["指标\t单位\t完成数", "案件\t件\t26"]);
        assert!(l.blocks.iter().all(|b| b.in_table));
    }

    #[test]
    fn two_columns_are_read_column_by_column() {
        let mut runs = Vec::new();
        for i in 0..6 {
            let y = 100.0 + 15.0 * i as f32;
            runs.push(cjk(50.0, y, "左栏文字左栏文字左栏"));
            runs.push(cjk(200.0, y, "右栏文字右栏文字右栏"));
        }
        let l = lay_out(&[page(runs)]);
        let all: String = texts(&l).concat();
        assert_eq!(
            all,
            format!(
                "{}{}",
                "左栏文字左栏文字左栏".repeat(6),
                "右栏文字右栏文字右栏".repeat(6)
            )
        );
    }

    #[test]
    fn no_runs_give_no_blocks_and_nan_is_ignored() {
        assert!(lay_out(&[]).blocks.is_empty());
        let mut bad = cjk(f32::NAN, 10.0, "x");
        bad.y = f32::NAN;
        assert!(
            lay_out(&[page(vec![bad, cjk(50.0, 100.0, "好")])])
                .blocks
                .len()
                == 1
        );
    }
}
