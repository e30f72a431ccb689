//! Blocks -> clean blocks. Every fix is counted and reported in `warnings`, so a reviewer can
//! see what was changed between the upload and the structured result.
//!
//! What is fixed, in order:
//! - HTML entities and stray tags (`&nbsp;`, `<br>`), in every format;
//! - web-page chrome: the breadcrumb and `• label:value` lines are captured into web metadata,
//!   image/pipe junk, 上一篇/下一篇 links and site footers are dropped;
//! - whitespace: NBSP / U+3000 / en- and em-space runs become one space, zero-width characters go;
//! - full-width digits and Latin letters become ASCII (Chinese punctuation stays);
//! - spaces between CJK and digits (`26 次`) or quotes (`开展 “法治讲堂”`) are removed;
//! - a paragraph cut by a hard line or page break (`任组\n\n长`) is joined again.
//!
//! `Block::raw` keeps the source as written (only leading indentation is dropped), because
//! section `raw` spans must be verbatim.

pub use super::lex::is_cjk;
use super::lex::{looks_numbered, parse_date, parse_number};
use super::limits::Limits;
use super::model::{Block, RawDocument};
use super::result::{Format, Warning, WebMetadata};
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub doc: RawDocument,
    pub web: Option<WebMetadata>,
}

const FOOTER_MARKERS: &[&str] = &[
    "版权所有",
    "主办单位",
    "承办单位",
    "ICP备",
    "网站标识码",
    "公网安备",
    "联系我们",
    "网站地图",
    "打印本页",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "分享到",
    "扫一扫在手机打开",
    "【字体",
    "字号：",
    "技术支持",
    "字体大小",
    "本网站支持IPv6",
    "返回政府网首页",
    "返回首页",
];

/// Any of [`FOOTER_MARKERS`], looked for in one pass over the line rather than one per marker.
static FOOTER_MARKER: LazyLock<Regex> = LazyLock::new(|| super::lex::any_of(FOOTER_MARKERS));

/// Portal widgets and accessibility switches that make up a whole line.
const WIDGET_LINES: &[&str] = &[
    "无障碍",
    "返回顶部",
    "回到顶部",
    "返回",
    "顶部",
    "我要纠错",
    "纠错",
    "加入收藏",
    "设为首页",
    "长辈版",
    "长者模式",
    "关怀版",
    "适老化",
    "简体",
    "繁体",
    "简体|繁体",
    "大",
    "中",
    "小",
    "大中小",
    "打印",
    "关闭",
    "收藏",
    "分享",
    "-",
    "|",
];

#[derive(Default)]
struct Counts {
    entities: usize,
    tags: usize,
    chrome: usize,
    whitespace: usize,
    fullwidth: usize,
    spaces: usize,
    joined: usize,
    split: usize,
    pinyin: usize,
}

/// Whether the document is a web scrape (or HTML remnant): only then are markup, page chrome
/// and portal metadata looked for. In a Word file, a spreadsheet, a PDF or an OFD, `Func<A,R>`
/// and `生成日期：1` are content.
pub fn is_web_source(format: Format) -> bool {
    matches!(format, Format::Txt | Format::Markdown | Format::Html)
}

/// A web page saved as Word, PDF or OFD keeps the page's head: a breadcrumb and a block of
/// portal metadata lines before the first prose paragraph. Those blocks (indexes, sorted) are
/// read as page chrome; nothing else in such a document is. A lone `生成日期：1` in a Word
/// body is content: it takes a breadcrumb or two metadata lines in a row to make a page head.
fn saved_page_head(blocks: &[Block]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    for (i, b) in blocks.iter().enumerate().take(60) {
        let t = b.text.trim_matches(|c: char| c.is_whitespace());
        if b.in_table || is_prose(t) {
            break;
        }
        if breadcrumb_rest(t).is_some() {
            out.push(i);
            continue;
        }
        match super::fields::parse_line(t) {
            Some(line) if !line.ambiguous || !run.is_empty() => run.push(i),
            _ => {
                if run.len() >= 2 {
                    out.append(&mut run);
                }
                run.clear();
            }
        }
    }
    if run.len() >= 2 {
        out.append(&mut run);
    }
    out.sort_unstable();
    out
}

/// A paragraph of running prose: where a page's head (chrome, metadata, title) ends.
fn is_prose(t: &str) -> bool {
    t.chars().count() >= 30 && t.contains(['。', '，', ','])
}

/// When `limits.cancel` is set midway, the remaining blocks are left out: the caller checks the
/// flag after this returns and discards the result.
pub fn normalize(mut doc: RawDocument, limits: &Limits) -> Normalized {
    let mut c = Counts::default();
    let mut web = WebMetadata::default();
    let web_source = is_web_source(doc.format);
    let saved_page = if web_source {
        Vec::new()
    } else {
        saved_page_head(&doc.blocks)
    };
    let mut zone = Zone::Head;
    let mut pending_label = None;
    let mut blocks: Vec<Block> = Vec::with_capacity(doc.blocks.len());
    for (index, mut b) in std::mem::take(&mut doc.blocks).into_iter().enumerate() {
        if limits.cancel.is_cancelled() {
            break;
        }
        if b.one_row_per_line {
            if let Some(text) = clean_table_rows(&b.text, web_source, &mut c) {
                b.text = text;
            }
            if !b.text.is_empty() {
                blocks.push(b);
            }
            continue;
        }
        let text = if web_source {
            b.raw = strip_leading_entities(&b.raw).to_string();
            strip_markup(&b.text, &mut c)
        } else {
            b.raw = crate::document::readers::text::trim_indent(&b.raw).to_string();
            b.text.clone()
        };
        let page_line = web_source || saved_page.binary_search(&index).is_ok();
        if page_line && !b.in_table && capture_chrome(&text, zone, &mut web, &mut pending_label) {
            c.chrome += 1;
            continue;
        }
        if zone == Zone::Head && !b.in_table && is_prose(&text) {
            zone = Zone::Body;
        }
        let text = clean_spacing(&text, b.in_table, &mut c);
        if text.is_empty() {
            continue;
        }
        // Keep the bold prefix pointing at the same characters after the text changed length.
        if b.bold_prefix > 0 {
            b.bold_prefix = if b.all_bold {
                text.len()
            } else {
                remap_prefix(&b.text, b.bold_prefix, &text)
            };
        }
        b.text = text;
        blocks.push(b);
    }
    // Word, PDF and OFD readers give whole paragraphs; only scraped text is cut by page breaks.
    let blocks = if web_source {
        split_flattened(join_split_paragraphs(blocks, &mut c.joined), &mut c.split)
    } else {
        blocks
    };
    doc.blocks = blocks;
    let w = &mut doc.warnings;
    let mut note = |n: usize, code: &str, msg: String| {
        if n > 0 {
            w.push(Warning::new(code, msg));
        }
    };
    note(
        c.entities,
        "html_entities_decoded",
        format!("{} HTML entities decoded", c.entities),
    );
    note(
        c.tags,
        "html_tags_removed",
        format!("{} HTML tags removed", c.tags),
    );
    note(
        c.chrome,
        "web_chrome_removed",
        format!(
            "{} lines of web-page chrome (breadcrumb, metadata, links, footer) removed",
            c.chrome
        ),
    );
    note(
        c.whitespace,
        "whitespace_normalized",
        format!(
            "{} runs of NBSP, U+3000, en/em or zero-width spaces normalized",
            c.whitespace
        ),
    );
    note(
        c.fullwidth,
        "fullwidth_ascii_normalized",
        format!(
            "{} full-width digits or Latin letters made ASCII",
            c.fullwidth
        ),
    );
    note(
        c.spaces,
        "cjk_number_spaces_removed",
        format!(
            "{} spaces between CJK text and numbers or quotes removed",
            c.spaces
        ),
    );
    note(
        c.joined,
        "split_paragraphs_joined",
        format!(
            "{} paragraphs cut by a line or page break were joined",
            c.joined
        ),
    );
    note(
        c.split,
        "flattened_text_split",
        format!(
            "{} headings found inside a paragraph that held several sections (a page flattened to one line)",
            c.split
        ),
    );
    note(
        c.pinyin,
        "pinyin_glosses_removed",
        format!(
            "{} pinyin glosses after characters removed (a mirror's 鄉(xiāng) annotations)",
            c.pinyin
        ),
    );
    let web = (!web.breadcrumb.is_empty() || !web.fields.is_empty()).then_some(web);
    Normalized { doc, web }
}

/// The lines of a [`Block::one_row_per_line`] block (a whole sheet), each cleaned exactly as a
/// table row of its own would be, lines left empty dropped. `None` when no line changes: the
/// usual case, and then the sheet's text (tens of megabytes for a large sheet) is not copied.
fn clean_table_rows(text: &str, web_source: bool, c: &mut Counts) -> Option<String> {
    let mut out: Option<String> = None;
    let mut start = 0;
    for line in text.split('\n') {
        let line_start = start;
        start += line.len() + 1;
        let cleaned = if needs_cleaning(line, web_source) {
            std::borrow::Cow::Owned(clean_table_row(line, web_source, c))
        } else {
            std::borrow::Cow::Borrowed(line)
        };
        let out = match &mut out {
            Some(out) => out,
            None if !cleaned.is_empty() && cleaned == line => continue,
            None => {
                // The first line that changes: the lines before it are kept as they are.
                let mut o = String::with_capacity(text.len());
                o.push_str(&text[..line_start.saturating_sub(1)]);
                out.insert(o)
            }
        };
        if !cleaned.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&cleaned);
        }
    }
    out
}

/// What normalization does to the text of a table row (no chrome: tables are content).
fn clean_table_row(row: &str, web_source: bool, c: &mut Counts) -> String {
    if web_source {
        clean_spacing(&strip_markup(row, c), true, c)
    } else {
        clean_spacing(row, true, c)
    }
}

/// HTML entities decoded, stray tags removed.
fn strip_markup(s: &str, c: &mut Counts) -> String {
    let text = decode_entities(s, &mut c.entities);
    let text = if text.contains('<') {
        strip_tags(&text, &mut c.tags)
    } else {
        text
    };
    strip_pinyin_glosses(text, &mut c.pinyin)
}

/// Mirror sites that print a pinyin gloss after characters (`鄉(xiāng)鎮(zhèn)`, `發(fā)〔2017〕`):
/// the glosses go. A gloss is letters with at least one tone mark, in brackets, right after a
/// Chinese character; `(a)` or `(試行)` are not glosses.
fn strip_pinyin_glosses(text: String, count: &mut usize) -> String {
    static GLOSS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(\p{Han})\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*)\)",
        )
        .expect("static regex")
    });
    // Tone-marked vowels are all two-byte characters with lead byte C4, C5 or C7.
    if !(text.contains('(') && text.bytes().any(|b| matches!(b, 0xC4 | 0xC5 | 0xC7))) {
        return text;
    }
    let n = GLOSS.find_iter(&text).count();
    if n == 0 {
        return text;
    }
    *count += n;
    GLOSS.replace_all(&text, "$1").into_owned()
}

/// Whitespace, zero-width and full-width characters, then spaces between CJK and numbers.
fn clean_spacing(s: &str, in_table: bool, c: &mut Counts) -> String {
    let text = clean_chars(s, in_table, c);
    remove_cjk_digit_spaces(text, &mut c.spaces)
}

/// False when [`clean_table_row`] certainly leaves `row` as it is: no entity or tag, no space
/// other than a cell-separating tab, no zero-width or full-width character.
fn needs_cleaning(row: &str, web_source: bool) -> bool {
    row.chars().any(|ch| {
        (web_source && matches!(ch, '&' | '<'))
            || matches!(
                ch,
                '\u{200B}'..='\u{200D}'
                    | '\u{FEFF}'
                    | '\u{00AD}'
                    | '０'..='９'
                    | 'Ａ'..='Ｚ'
                    | 'ａ'..='ｚ'
                    | '％'
            )
            || (is_space_like(ch) && ch != '\t')
    })
}

fn strip_leading_entities(s: &str) -> &str {
    let mut s = s;
    loop {
        let t = crate::document::readers::text::trim_indent(s);
        if let Some(r) = t
            .strip_prefix("&nbsp;")
            .or_else(|| t.strip_prefix("&#160;"))
        {
            s = r;
        } else {
            return t;
        }
    }
}

/// Named entities a scraped page realistically carries, plus numeric ones.
pub fn decode_entities(s: &str, count: &mut usize) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        // Bytes, not chars: the `;` is ASCII, so wherever it is found is a char boundary.
        let semi = tail.as_bytes()[..tail.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let decoded = semi.and_then(|semi| {
            let name = &tail[1..semi];
            let c = match name {
                "nbsp" => Some('\u{A0}'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "ensp" => Some('\u{2002}'),
                "emsp" => Some('\u{2003}'),
                "thinsp" => Some('\u{2009}'),
                "middot" => Some('·'),
                "bull" => Some('•'),
                "hellip" => Some('…'),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "times" => Some('×'),
                "yen" => Some('¥'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let v = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(v)
                }
            }?;
            Some((c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                *count += 1;
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tags left in otherwise plain text (`<br>`, `<span style=...>`): only well-formed, known tags
/// are removed, so a literal `<` in prose survives.
fn strip_tags(s: &str, count: &mut usize) -> String {
    const KNOWN: &[&str] = &[
        "br", "p", "span", "div", "font", "strong", "b", "i", "em", "u", "a", "img", "td", "tr",
        "table", "tbody", "li", "ul", "ol", "h1", "h2", "h3", "h4", "sup", "sub",
    ];
    let mut out = String::with_capacity(s.len());
    // The `>` that closes a tag is looked up once per stretch of text, not once per `<`: a
    // line of unclosed `<br` was quadratic.
    let mut gt = crate::document::scan::NextMatch::new(|s| s.find('>'));
    let mut pos = 0;
    while let Some(lt) = s[pos..].find('<').map(|i| pos + i) {
        out.push_str(&s[pos..lt]);
        let name: String = s[lt + 1..]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .take(8)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let known = KNOWN.contains(&name.as_str());
        match gt.at_or_after(s, lt).filter(|_| known) {
            Some(gt) => {
                *count += 1;
                pos = gt + 1;
            }
            None => {
                out.push('<');
                pos = lt + 1;
            }
        }
    }
    out.push_str(&s[pos..]);
    out
}

/// Where a line stands, for the labels that are also ordinary words (`来源：`, `时间：`).
#[derive(Clone, Copy, PartialEq)]
enum Zone {
    /// Before the first prose paragraph: page chrome and metadata live here.
    Head,
    Body,
}

/// `您当前所在的位置：`, `当前位置:`, `位置：`, `您现在的位置是：` …: the breadcrumb's prefix, and
/// the rest of the line after it.
fn breadcrumb_rest(t: &str) -> Option<&str> {
    let mut s = t;
    for p in ["您", "你"] {
        s = s.strip_prefix(p).unwrap_or(s);
    }
    for p in ["当前", "现在"] {
        s = s.strip_prefix(p).unwrap_or(s);
    }
    s = s.strip_prefix("所在").unwrap_or(s);
    s = s.strip_prefix("的").unwrap_or(s);
    let bare = s.len() == t.len();
    let rest = s.strip_prefix("位置")?;
    let rest = rest.strip_prefix("是").unwrap_or(rest);
    // `位置` alone must be a label (`位置：`), not a word starting a sentence (位置优越).
    let colon = rest.trim_start().starts_with([':', '：']);
    if bare && !colon {
        return None;
    }
    if !colon && !rest.trim().is_empty() && !rest.contains(['>', '＞', '»', '›', '→']) {
        return None;
    }
    Some(rest.trim_start_matches([':', '：', ' ', '\u{A0}', '\u{3000}']))
}

fn breadcrumb_parts(rest: &str) -> Vec<String> {
    rest.split(['>', '＞', '»', '›', '→'])
        .map(|s| s.trim_matches(|c: char| c.is_whitespace() || c == '\u{A0}'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A line of breadcrumb links without a prefix: `首页 > 新闻中心 > 公示公告`, `>政府信息公开>…`.
fn is_bare_breadcrumb(t: &str) -> bool {
    let seps = t.matches(['>', '＞', '»', '›', '→']).count();
    if seps == 0 || t.chars().count() > 120 || t.contains(['。', '，']) {
        return false;
    }
    let parts = breadcrumb_parts(t);
    t.starts_with(['>', '＞', '»', '›', '→'])
        || (seps >= 1
            && parts.first().is_some_and(|p| p.ends_with("首页"))
            && parts.iter().all(|p| p.chars().count() <= 20))
}

/// A page clock or date widget: `今天是:2018年5月9日 星期三`, `某某区人民政府 2019年12月3日星期二`.
/// Its date is the day the page was scraped, never the report's.
fn is_page_clock(t: &str) -> bool {
    if t.starts_with("今天是") {
        return true;
    }
    let Some(i) = t.find("星期").or_else(|| t.find("周")) else {
        return false;
    };
    let after = t[i..].trim_start_matches("星期").trim_start_matches('周');
    after.starts_with(['一', '二', '三', '四', '五', '六', '日', '天'])
        && t.chars().count() <= 40
        && parse_date(&t[..i]).is_some()
}

/// Recognises and captures web chrome. Returns true when the line is chrome and must go.
///
/// `pending` is the label of the previous line when it ended with an empty `label：`: its value
/// may stand alone on this line.
fn capture_chrome(
    text: &str,
    zone: Zone,
    web: &mut WebMetadata,
    pending: &mut Option<&'static str>,
) -> bool {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{A0}' || c == '\u{3000}');
    if let Some(label) = pending.take() {
        if let Some(value) = super::fields::value_on_next_line(label, t) {
            let slot = web.fields.entry(label.to_string()).or_default();
            if slot.is_empty() {
                *slot = value;
            }
            return true;
        }
    }
    if let Some(rest) = breadcrumb_rest(t) {
        web.breadcrumb = breadcrumb_parts(rest);
        return true;
    }
    if zone == Zone::Head && is_bare_breadcrumb(t) {
        let parts = breadcrumb_parts(t);
        web.breadcrumb.extend(parts);
        return true;
    }
    if zone == Zone::Head && is_page_clock(t) {
        return true;
    }
    if let Some(line) = super::fields::parse_line(t) {
        if !line.ambiguous || zone == Zone::Head {
            *pending = line
                .fields
                .last()
                .filter(|f| f.value.is_empty() && zone == Zone::Head)
                .map(|f| f.label);
            for f in line.fields {
                let slot = web.fields.entry(f.label.to_string()).or_default();
                // A block printed twice keeps its first non-empty value.
                if slot.is_empty() {
                    *slot = f.value;
                }
            }
            return true;
        }
    }
    // `![]() |` and `|` lines: image and table syntax with no text.
    let stripped = if t.contains("![") {
        strip_images(t)
    } else {
        t.to_string()
    };
    if (t != stripped || t.starts_with('|'))
        && stripped
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\u{A0}' | '\t'))
    {
        return true;
    }
    if t.starts_with("上一篇") || t.starts_with("下一篇") {
        return true;
    }
    if zone == Zone::Head {
        let compact: String = t
            .trim_start_matches(['•', '·', '●', '▪', '◆', '■', '-', '*'])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if WIDGET_LINES.contains(&compact.as_str())
            || compact
                .chars()
                .all(|c| matches!(c, '-' | '|' | '—' | '_' | '*' | '·'))
        {
            return true;
        }
    }
    t.chars().count() < 80 && FOOTER_MARKER.is_match(t)
}

fn strip_images(s: &str) -> String {
    let mut out = String::new();
    // Cached forward searches: a line of `![` with no `](` was quadratic.
    let mut link = crate::document::scan::NextMatch::new(|s| s.find("]("));
    let mut paren = crate::document::scan::NextMatch::new(|s| s.find(')'));
    let mut pos = 0;
    while let Some(i) = s[pos..].find("![").map(|i| pos + i) {
        out.push_str(&s[pos..i]);
        match (link.at_or_after(s, i), paren.at_or_after(s, i)) {
            (Some(a), Some(b)) if a < b => pos = b + 1,
            _ => {
                out.push_str("![");
                pos = i + 2;
            }
        }
    }
    out.push_str(&s[pos..]);
    out
}

fn is_space_like(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{A0}' | '\u{3000}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}'
    )
}

/// Can the character whose UTF-8 encoding starts with `b` be one that [`clean_chars`] changes
/// (a space, a zero-width or a full-width character)? Those are ASCII spaces or start with C2,
/// E2, E3 or EF; no other lead byte (and no continuation byte) needs the character decoded.
fn may_clean(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0xC2 | 0xE2 | 0xE3 | 0xEF)
}

/// Whitespace runs, zero-width characters, full-width ASCII letters and digits. In table rows a
/// tab separates cells and is kept.
///
/// Most characters are kept as they are: the text is copied in runs, and only the characters
/// [`may_clean`] points at (and the one after a space) are decoded.
fn clean_chars(s: &str, in_table: bool, c: &mut Counts) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    // Start of the characters kept as they are since the last change.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !pending_space && !may_clean(bytes[i]) {
            // Kept as it is; a three-byte character (most of CJK text) is passed over whole.
            i += if bytes[i] & 0xF0 == 0xE0 { 3 } else { 1 };
            continue;
        }
        // `i` is a character boundary: the lead bytes `may_clean` accepts never continue a
        // character, and after a handled character `i` moved by its whole length.
        let Some(ch) = s[i..].chars().next() else {
            break;
        };
        let next = i + ch.len_utf8();
        let changed = (in_table && ch == '\t')
            || is_space_like(ch)
            || is_zero_width(ch)
            || is_fullwidth_ascii(ch);
        if !changed && !pending_space {
            i = next;
            continue;
        }
        out.push_str(&s[run..i]);
        run = next;
        if in_table && ch == '\t' {
            pending_space = false;
            out.push('\t');
        } else if is_space_like(ch) {
            if ch != ' ' {
                c.whitespace += 1;
            }
            pending_space = true;
        } else if is_zero_width(ch) {
            c.whitespace += 1;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if is_fullwidth_ascii(ch) {
                c.fullwidth += 1;
                out.push(char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch));
            } else {
                // Kept as it is: it starts the next run.
                run = i;
            }
        }
        i = next;
    }
    out.push_str(&s[run..]);
    out
}

/// Zero-width spaces and joiners, the BOM and the soft hyphen, which are dropped.
fn is_zero_width(ch: char) -> bool {
    matches!(ch, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00AD}')
}

/// Full-width digits, Latin letters and `％`, which become ASCII.
fn is_fullwidth_ascii(ch: char) -> bool {
    matches!(ch, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％')
}

/// `巡逻 26 次` -> `巡逻26次`, `开展 “法治讲堂”` -> `开展“法治讲堂”`.
fn remove_cjk_digit_spaces(s: String, count: &mut usize) -> String {
    let numeric = |c: char| c.is_ascii_digit() || c == '%';
    let quote = |c: char| matches!(c, '“' | '”' | '‘' | '’' | '《' | '》');
    let removable = |i: usize| {
        let (Some(a), Some(b)) = (s[..i].chars().next_back(), s[i + 1..].chars().next()) else {
            return false;
        };
        (is_cjk(a) && b.is_ascii_digit())
            || (numeric(a) && is_cjk(b))
            || (is_cjk(a) && quote(b))
            || (quote(a) && is_cjk(b))
    };
    let mut spaces = s
        .match_indices(' ')
        .map(|(i, _)| i)
        .filter(|&i| removable(i));
    let Some(first) = spaces.next() else {
        return s;
    };
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for i in std::iter::once(first).chain(spaces) {
        *count += 1;
        out.push_str(&s[from..i]);
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out
}

/// Maps a byte prefix length of `old` to the same characters in `new` (after normalization),
/// counting non-space characters so removed spaces and entities don't shift the boundary.
fn remap_prefix(old: &str, prefix: usize, new: &str) -> usize {
    let want = old[..prefix.min(old.len())]
        .chars()
        .filter(|c| !is_space_like(*c))
        .count();
    let mut seen = 0;
    for (i, ch) in new.char_indices() {
        if seen == want {
            return i;
        }
        if !is_space_like(ch) {
            seen += 1;
        }
    }
    new.len()
}

/// Characters that end a paragraph.
fn ends_paragraph(s: &str) -> bool {
    s.trim_end().ends_with([
        '。', '！', '？', '；', '：', '…', '”', '」', '）', ')', '.', '!', '?', ';', ':', '》',
        '】',
    ])
}

/// Prose punctuation; a 、 alone lists names (县委、县政府) and does not make a line prose.
fn has_sentence_punctuation(s: &str) -> bool {
    s.contains(['，', '。', '；', ',', ';'])
}

/// A paragraph cut by a hard line or page break: the first part is body prose (it has sentence
/// punctuation, is not a markup heading or a table row) that stops without terminal
/// punctuation, and the next part starts mid-sentence (no numbering, no heading markup).
fn join_split_paragraphs(blocks: Vec<Block>, joined: &mut usize) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        if let Some(prev) = out.last_mut() {
            let prev_body = prev.heading_level.is_none()
                && !prev.in_table
                && !prev.all_bold
                && has_sentence_punctuation(&prev.text)
                && !ends_paragraph(&prev.text)
                && !looks_numbered(&prev.text).is_some_and(|heading_only| heading_only);
            let next_continues = b.heading_level.is_none()
                && !b.in_table
                && b.bold_prefix == 0
                && looks_numbered(&b.text).is_none()
                && b.text
                    .chars()
                    .next()
                    .is_some_and(|c| is_cjk(c) || c.is_ascii_digit());
            if prev_body && next_continues {
                prev.text.push_str(&b.text);
                prev.raw.push_str(&b.raw);
                *joined += 1;
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// Where, in a flattened paragraph, numbered headings of one style start in sequence
/// (一、 … 二、 … 三、, or （一） … （二）), each after a sentence end or a colon. Two in sequence
/// at least, starting at 1; otherwise none.
fn inline_heading_starts(text: &str, style: crate::document::result::NumberStyle) -> Vec<usize> {
    let mut out = Vec::new();
    let mut want = 1;
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let p = prev;
        prev = Some(c);
        // A bracketed number needs no sentence end before it: a flattened heading runs straight
        // into it (一、主要举措和成效（一）加强…).
        let boundary = style == crate::document::result::NumberStyle::ParenChinese
            || p.is_none_or(|p| {
                matches!(
                    p,
                    '。' | '：' | ':' | '；' | ';' | '！' | '？' | ' ' | '\u{3000}' | '”'
                )
            });
        if !boundary || !(crate::document::cn_numeral::is_cn_digit(c) || c == '（' || c == '(') {
            continue;
        }
        if let Some(tok) = parse_number(&text[i..]) {
            if tok.style == style && tok.value == want {
                out.push(i);
                want += 1;
            }
        }
    }
    if out.len() >= 2 {
        out
    } else {
        Vec::new()
    }
}

/// A whole report flattened onto one line (a scraped page that lost its line breaks): the
/// block is cut where 一、/二、 (then （一）/（二） inside each part) follow each other, so the
/// section tree can be read again. Only long blocks with at least two headings in sequence.
fn split_flattened(blocks: Vec<Block>, split: &mut usize) -> Vec<Block> {
    use crate::document::result::NumberStyle;
    /// The pieces of `text` cut before each inline heading of `style`; `None` when it has none.
    fn cut(text: &str, style: NumberStyle, split: &mut usize) -> Option<Vec<String>> {
        let mut starts = inline_heading_starts(text, style);
        starts.retain(|&i| i > 0);
        if starts.is_empty() {
            return None;
        }
        *split += starts.len();
        let mut out = Vec::with_capacity(starts.len() + 1);
        let mut from = 0;
        for end in starts.into_iter().chain(std::iter::once(text.len())) {
            let piece = text[from..end].trim();
            if !piece.is_empty() {
                out.push(piece.to_string());
            }
            from = end;
        }
        Some(out)
    }
    if !blocks.iter().any(|b| b.text.len() > 1200) {
        return blocks;
    }
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        if b.in_table || b.text.chars().count() < 400 {
            out.push(b);
            continue;
        }
        let Some(parts) = cut(&b.text, NumberStyle::ChineseDunhao, split) else {
            out.push(b);
            continue;
        };
        // Inside a flattened page's parts, （一）（二） are its second level. (In an ordinary
        // paragraph they are an inline list, and such a paragraph is never cut.)
        for part in parts {
            let pieces = cut(&part, NumberStyle::ParenChinese, split).unwrap_or_else(|| vec![part]);
            for piece in pieces {
                out.push(Block {
                    raw: piece.clone(),
                    text: piece,
                    line: b.line,
                    ..Block::default()
                });
            }
        }
    }
    out
}

/// The fields of web metadata, for tests and extraction.
pub fn web_field<'a>(web: &'a Option<WebMetadata>, label: &str) -> Option<&'a str> {
    web.as_ref()?
        .fields
        .get(label)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::result::Format;

    fn norm(lines: &[&str]) -> Normalized {
        normalize(RawDocument::from_lines(lines), &Limits::default())
    }

    fn texts(n: &Normalized) -> Vec<&str> {
        n.doc.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn web_chrome_is_captured_and_dropped() {
        let n = norm(&[
            "当前位置: 信息公开首页\u{A0}>\u{A0}政务公开\u{A0}>\u{A0}镇街",
            "  • 索 引 号:370403/2022-00022",
            "  • 文  号:",
            "  • 标  题:2021年度报告",
            "2021年度报告",
            "上一篇：关于某某的通知",
            "版权所有：某某区人民政府",
        ]);
        assert_eq!(texts(&n), vec!["2021年度报告"]);
        let web = n.web.unwrap();
        assert_eq!(web.breadcrumb, vec!["信息公开首页", "政务公开", "镇街"]);
        assert_eq!(web.fields["索引号"], "370403/2022-00022");
        assert_eq!(web.fields["文号"], "");
        assert_eq!(web.fields["标题"], "2021年度报告");
    }

    #[test]
    fn several_labels_on_one_line() {
        let n = norm(&["发布时间：2023-03-01 来源：区司法局 浏览次数：12", "正文。"]);
        let web = n.web.unwrap();
        assert_eq!(web.fields["发布时间"], "2023-03-01");
        assert_eq!(web.fields["来源"], "区司法局");
        assert_eq!(web.fields["浏览次数"], "12");
    }

    #[test]
    fn markdown_image_junk_is_dropped() {
        let n = norm(&["![]() |", "|", "2024年,翠苑街道在区委领导下。"]);
        assert_eq!(texts(&n), vec!["2024年,翠苑街道在区委领导下。"]);
    }

    #[test]
    fn whitespace_fullwidth_and_number_spaces() {
        let n = norm(&["开展治安巡逻 26 次，办结率 100%，共１２件\u{3000}\u{3000}ＡＢ&nbsp;&amp;"]);
        assert_eq!(texts(&n), vec!["开展治安巡逻26次，办结率100%，共12件 AB &"]);
        let n = norm(&["开展 “法治讲堂”活动"]);
        assert_eq!(texts(&n), vec!["开展“法治讲堂”活动"]);
    }

    #[test]
    fn spacing_is_cleaned_around_every_kind_of_character() {
        let mut c = Counts::default();
        let s = "  a\u{3000}\u{200B}b\u{A0}ｃ１\t é 中\u{2003}";
        assert_eq!(clean_chars(s, false, &mut c), "a b c1 é 中");
        assert_eq!((c.whitespace, c.fullwidth), (5, 2));
        assert_eq!(clean_chars("a\tb \t c", true, &mut c), "a\tb\t c");
        assert_eq!(
            clean_chars("中文，没有空格。", false, &mut c),
            "中文，没有空格。"
        );
    }

    #[test]
    fn page_break_split_is_joined_but_titles_and_headings_are_not() {
        let n = norm(&[
            "2021年度常庄街道法治政府建设工作报告",
            "今年以来，一是加强组织领导，由党委书记任组",
            "长，党工委副书记为常务副组长。",
            "一、强化统筹谋划,夯实基础",
            "（一）压实责任。",
        ]);
        assert_eq!(
            texts(&n),
            vec![
                "2021年度常庄街道法治政府建设工作报告",
                "今年以来，一是加强组织领导，由党委书记任组长，党工委副书记为常务副组长。",
                "一、强化统筹谋划,夯实基础",
                "（一）压实责任。"
            ]
        );
        assert!(n
            .doc
            .warnings
            .iter()
            .any(|w| w.code == "split_paragraphs_joined"));
    }

    #[test]
    fn a_sheet_block_is_cleaned_row_by_row_like_row_blocks() {
        let rows = [
            "序号\t指标",
            "&nbsp;1\t巡逻 26 次", // a leading space after decoding goes, as at a row's start
            "\u{200B}",            // nothing left: the line goes
            "２\t<br>办结率 100%\u{3000}", // full-width, tag, trailing space
            "3\tplain",
        ];
        let by_row = {
            let mut doc = RawDocument::new(Format::Xlsx);
            doc.blocks = rows
                .iter()
                .enumerate()
                .map(|(i, r)| Block {
                    in_table: true,
                    ..Block::plain(*r, i + 1)
                })
                .collect();
            normalize(doc, &Limits::default())
        };
        let by_sheet = |text: String| {
            let mut doc = RawDocument::new(Format::Xlsx);
            doc.blocks = vec![Block {
                text,
                line: 1,
                in_table: true,
                one_row_per_line: true,
                ..Block::default()
            }];
            normalize(doc, &Limits::default())
        };
        let n = by_sheet(rows.join("\n"));
        assert_eq!(n.doc.blocks.len(), 1);
        assert_eq!(n.doc.blocks[0].text, texts(&by_row).join("\n"));
        // A spreadsheet is not a web page: `&nbsp;` and `<br>` in cells are cell text.
        assert_eq!(
            n.doc.blocks[0].text,
            "序号\t指标\n&nbsp;1\t巡逻26次\n2\t<br>办结率100%\n3\tplain"
        );
        assert_eq!(n.doc.warnings, by_row.doc.warnings);
        // Clean rows are kept as they are; a sheet with nothing left has no block.
        assert_eq!(by_sheet("a\tb\nc".into()).doc.blocks[0].text, "a\tb\nc");
        assert!(by_sheet("\u{200B}\n\u{3000}".into()).doc.blocks.is_empty());
    }

    #[test]
    fn pinyin_glosses_go_list_markers_stay() {
        let mut n = 0;
        assert_eq!(
            strip_pinyin_glosses("滬府發(fā)〔2017〕92號 鄉(xiāng)鎮(zhèn)".into(), &mut n),
            "滬府發〔2017〕92號 鄉鎮"
        );
        assert_eq!(n, 3);
        let kept = "条件(a)和办法(试行)，ā";
        assert_eq!(strip_pinyin_glosses(kept.into(), &mut n), kept);
    }

    #[test]
    fn stray_tags_removed_literal_lt_kept() {
        let n = norm(&["正文<br/>内容<span style=\"x\">强调</span> a<b 与 c"]);
        assert_eq!(texts(&n), vec!["正文内容强调 a<b 与 c"]);
    }
}
