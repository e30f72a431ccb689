//! Blocks -> title and section tree.
//!
//! Numbering decides the tree, never markup: converters put `#`, `##`, `###` on headings of the
//! same rank, and the red header and title carry `#` too. A heading is a block that starts with
//! a numbering token (一、 （一） (一) 1、 1. １． （1） (1) ① 第一部分). Levels are assigned by order
//! of appearance: the first style seen is level 1, a new style nests under the current heading,
//! and a style already open closes everything below it — so `二、` followed directly by `1、`
//! nests `1、` at level 2 (a skipped level), as the documents are actually written.
//!
//! Within a block the heading is, in order of preference: a leading bold span (`bold`), the
//! first sentence when text follows it (`first_sentence`), or the whole line (`line`).
//! 一是/二是/其次 enumerations are recorded on the section, never made into sections.

use super::cn_numeral;
pub use super::head::document_kind;
use super::lex::take_while;
pub use super::lex::{looks_numbered, parse_number, NumToken};
use super::model::Block;
use super::normalize::Normalized;
use super::result::{HeadingDelimiter, NumberStyle, Section};
use super::scan::CharSet;

#[derive(Debug, Clone, Default)]
pub struct Structured {
    pub title: Option<String>,
    /// Index in `blocks` of the title's first and last block.
    pub title_blocks: Option<(usize, usize)>,
    /// 发文机关标志, e.g. 中共某某街道工作委员会文件.
    pub red_header: Option<String>,
    /// A 发文字号 printed in brackets at the end of the title, cut off it.
    pub title_doc_number: Option<String>,
    pub sections: Vec<Section>,
    /// Index of the first block of the first section (the end of the preamble).
    pub body_start: usize,
    /// For each block, the path of the section it belongs to, e.g. `一/（一）`.
    pub block_paths: Vec<Option<String>>,
}

/// A heading found in one block.
#[derive(Debug, Clone)]
struct Heading {
    tok: NumToken,
    delimiter: HeadingDelimiter,
    /// Byte end of the heading within `text`.
    end: usize,
    title: String,
    short_title: String,
    raw: String,
    bold: bool,
}

fn continues_after_first_sentence(s: &str) -> bool {
    s.find('。')
        .is_some_and(|i| !s[i + '。'.len_utf8()..].trim().is_empty())
}

fn strip_one_trailing_period(s: &str) -> &str {
    s.strip_suffix('。')
        .or_else(|| s.strip_suffix('.'))
        .or_else(|| s.strip_suffix('．'))
        .unwrap_or(s)
}

/// `line_markup`: the format's heading markup delimits a whole line (Markdown `#`). A Word
/// heading style is only a hint: Word users put the style on paragraphs that go on with body
/// text after an inline heading, so there the bold span or first sentence still decides.
fn heading_in(b: &Block, line_markup: bool) -> Option<Heading> {
    if b.in_table {
        return None;
    }
    let tok = parse_number(&b.text)?;
    let text = b.text.as_str();
    let after_tok = &text[tok.len..];
    if after_tok.trim().is_empty() {
        return None;
    }
    let (delimiter, end) = if b.bold_prefix > tok.len && !b.all_bold && b.bold_prefix < text.len() {
        (HeadingDelimiter::Bold, b.bold_prefix)
    } else if (line_markup && b.heading_level.is_some())
        || (b.all_bold && !continues_after_first_sentence(after_tok))
    {
        // Markup delimits the heading: the whole line, whatever punctuation it has. A paragraph
        // that is bold throughout only because of its (heading) style still ends its heading at
        // the first 。 when body text follows.
        (HeadingDelimiter::Line, text.len())
    } else {
        // Plain text: a heading written as a sentence ends at its first 。, whether or not the
        // paragraph goes on after it.
        match after_tok.find('。') {
            Some(i) => (
                HeadingDelimiter::FirstSentence,
                tok.len + i + '。'.len_utf8(),
            ),
            None => (HeadingDelimiter::Line, text.len()),
        }
    };
    let title = strip_one_trailing_period(text[tok.len..end].trim())
        .trim()
        .to_string();
    if title.is_empty() {
        return None;
    }
    let short_title = title.split('。').next().unwrap_or(&title).to_string();
    let raw = raw_span(&b.raw, delimiter);
    // The number as written in the source (１． stays full-width even though the text is ASCII).
    let mut tok = tok;
    if let Some(src) = parse_number(b.raw.trim_start_matches(['#', ' ', '*', '_', '\t'])) {
        if src.style == tok.style && src.value == tok.value {
            tok.text = src.text;
        }
    }
    Some(Heading {
        tok,
        delimiter,
        end,
        title,
        short_title,
        raw,
        bold: b.bold_prefix > 0 && (b.all_bold || delimiter == HeadingDelimiter::Bold),
    })
}

/// The heading's span in the source line: all of it, up to the first 。, or through the `**`
/// that closes the leading bold span.
fn raw_span(raw: &str, delimiter: HeadingDelimiter) -> String {
    let raw = raw.trim_end();
    match delimiter {
        HeadingDelimiter::Line => raw.to_string(),
        HeadingDelimiter::FirstSentence => match raw.find('。') {
            Some(i) => raw[..i + '。'.len_utf8()].to_string(),
            None => raw.to_string(),
        },
        HeadingDelimiter::Bold => {
            let open = raw.find("**").or_else(|| raw.find("__"));
            match open.and_then(|o| raw[o + 2..].find(&raw[o..o + 2]).map(|c| o + 2 + c + 2)) {
                Some(end) => raw[..end].to_string(),
                None => raw.to_string(),
            }
        }
    }
}

/// The characters an enumeration marker starts with.
static MARKER_STARTS: CharSet = CharSet::new(&[
    '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '第', '首', '其', '再', '最',
]);

/// 一是 / 二是 / 第一， / 首先 / 其次 / 再次 / 最后, each at a clause boundary.
pub fn enumeration_markers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(i) = MARKER_STARTS.find_from(text, from) {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or_default();
        from = i + c.len_utf8();
        // A marker starts the text or follows the end of a clause.
        let at_boundary = text[..i].chars().next_back().is_none_or(|p| {
            matches!(
                p,
                '。' | '；' | ';' | '，' | ',' | '：' | ':' | '！' | '？' | ' ' | '*' | '\n' | '、'
            )
        });
        if !at_boundary {
            continue;
        }
        let marker = if cn_numeral::is_cn_digit(c) {
            let n = take_while(rest, cn_numeral::is_cn_digit);
            (rest[n.len()..].starts_with('是') && cn_numeral::value(n).is_some())
                .then(|| format!("{n}是"))
        } else if c == '第' {
            let n = take_while(&rest[3..], cn_numeral::is_cn_digit);
            (!n.is_empty() && rest[3 + n.len()..].starts_with(['，', ',']))
                .then(|| format!("第{n}"))
        } else {
            ["首先", "其次", "再次", "最后"]
                .iter()
                .find(|m| {
                    rest.starts_with(*m) && rest[m.len()..].starts_with(['，', ',', '：', ':'])
                })
                .map(|m| m.to_string())
        };
        if let Some(m) = marker {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

pub fn structure(n: &Normalized) -> Structured {
    let blocks = &n.doc.blocks;
    let line_markup = n.doc.format == super::result::Format::Markdown;
    let mut s = Structured {
        block_paths: vec![None; blocks.len()],
        body_start: blocks.len(),
        ..Default::default()
    };

    // Pass 1: headings, accepted only when their numbering continues the sequence they join.
    let attachments_from = blocks
        .iter()
        .position(|b| {
            let t = b.text.trim_start();
            (t.starts_with("附件：") || t.starts_with("附件:") || t.starts_with("附件1"))
                && !b.in_table
        })
        .unwrap_or(blocks.len());
    // Stack of (style, last value, index path into the tree).
    let mut stack: Vec<(NumberStyle, u32)> = Vec::new();
    let mut roots: Vec<Section> = Vec::new();
    // Path of indices from the roots to the open section at each depth.
    let mut open: Vec<usize> = Vec::new();
    let mut path_labels: Vec<String> = Vec::new();
    for (bi, b) in blocks.iter().enumerate() {
        let heading = if bi < attachments_from {
            heading_in(b, line_markup)
        } else {
            None
        };
        let accepted = heading.and_then(|h| {
            let depth = match stack.iter().position(|(st, _)| *st == h.tok.style) {
                Some(d) => {
                    if h.tok.value <= stack[d].1 {
                        return None;
                    }
                    d
                }
                None => {
                    if h.tok.value != 1 {
                        return None;
                    }
                    stack.len()
                }
            };
            Some((h, depth))
        });
        let Some((h, depth)) = accepted else {
            // Body text of the innermost open section (or preamble).
            if !open.is_empty() {
                let node = node_at(&mut roots, &open);
                push_text(&mut node.text, &b.text);
                s.block_paths[bi] = Some(path_labels.join("/"));
            }
            continue;
        };
        if s.body_start == blocks.len() {
            s.body_start = bi;
        }
        stack.truncate(depth);
        stack.push((h.tok.style, h.tok.value));
        open.truncate(depth);
        path_labels.truncate(depth);
        path_labels.push(h.tok.text.trim_end_matches(['、', '.', '．']).to_string());
        let section = Section {
            level: depth as u32 + 1,
            number: h.tok.text.clone(),
            style: h.tok.style,
            title: h.title.clone(),
            short_title: h.short_title.clone(),
            raw: h.raw.clone(),
            heading_delimiter: h.delimiter,
            line: b.line,
            bracket_width: h.tok.bracket_width,
            bold: h.bold,
            markdown_heading: b.heading_level.map(|l| "#".repeat(l as usize)),
            required_parts: Vec::new(),
            enumeration_markers: Vec::new(),
            text: b.text[h.end..].trim().to_string(),
            children: Vec::new(),
        };
        let siblings = if open.is_empty() {
            &mut roots
        } else {
            &mut node_at(&mut roots, &open).children
        };
        siblings.push(section);
        open.push(siblings.len() - 1);
        s.block_paths[bi] = Some(path_labels.join("/"));
    }
    fill_markers(&mut roots);
    s.sections = roots;
    let head = super::head::read_head(n, s.body_start);
    s.title = head.title;
    s.title_blocks = head.title_blocks;
    s.red_header = head.red_header;
    s.title_doc_number = head.title_doc_number;
    s
}

fn push_text(dst: &mut String, t: &str) {
    if !dst.is_empty() {
        dst.push('\n');
    }
    dst.push_str(t);
}

fn node_at<'a>(roots: &'a mut [Section], path: &[usize]) -> &'a mut Section {
    let mut node = &mut roots[path[0]];
    for &i in &path[1..] {
        node = &mut node.children[i];
    }
    node
}

fn fill_markers(nodes: &mut [Section]) {
    for n in nodes {
        n.enumeration_markers = enumeration_markers(&n.text);
        fill_markers(&mut n.children);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::limits::Limits;
    use crate::document::model::RawDocument;
    use crate::document::result::BracketWidth;

    #[test]
    fn numbering_tokens_in_every_variant() {
        let cases = [
            ("一、总体", NumberStyle::ChineseDunhao, 1, "一、"),
            ("十二、其他", NumberStyle::ChineseDunhao, 12, "十二、"),
            ("（一）压实", NumberStyle::ParenChinese, 1, "（一）"),
            ("(二) 推进", NumberStyle::ParenChinese, 2, "(二)"),
            ("1、扎实", NumberStyle::ArabicDunhao, 1, "1、"),
            ("1.加强", NumberStyle::ArabicDot, 1, "1."),
            ("１．加强", NumberStyle::ArabicDot, 1, "１．"),
            ("（1）落实", NumberStyle::ParenArabic, 1, "（1）"),
            ("(10)落实", NumberStyle::ParenArabic, 10, "(10)"),
            ("第一部分 总体", NumberStyle::Part, 1, "第一部分"),
            ("②完善", NumberStyle::CircledArabic, 2, "②"),
        ];
        for (text, style, value, token) in cases {
            let t = parse_number(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (t.style, t.value, t.text.as_str()),
                (style, value, token),
                "{text}"
            );
        }
        assert_eq!(
            parse_number("(二) 推进").unwrap().bracket_width,
            Some(BracketWidth::Half)
        );
        for not in [
            "一是加强",
            "2021年",
            "4.2万人",
            "1.5倍",
            "第一责任人",
            "一方面",
            "123、",
        ] {
            assert!(parse_number(not).is_none(), "{not}");
        }
    }

    #[test]
    fn chinese_numbers() {
        for (s, v) in [
            ("一", 1),
            ("十", 10),
            ("十一", 11),
            ("二十", 20),
            ("二十三", 23),
        ] {
            assert_eq!(cn_numeral::value(s), Some(v));
        }
        assert_eq!(cn_numeral::value("一二"), None);
    }

    fn structure_of(lines: &[&str]) -> Structured {
        let doc = RawDocument::from_lines(lines);
        let n = crate::document::normalize::normalize(doc, &Limits::default());
        structure(&n)
    }

    #[test]
    fn tree_by_order_with_level_skip_and_inline_headings() {
        let s = structure_of(&[
            "某某街道2024年法治政府建设情况报告",
            "2024年,某某街道推进法治建设。现报告如下:",
            "一、主要举措和成效",
            "(一)夯实主体责任,统筹推进",
            "1、扎实推进法治建设。一是学法，二是用法。",
            "二、存在的不足和原因",
            "1、能力有待提升。正文。",
            "2、队伍有待加强。正文。",
        ]);
        assert_eq!(
            s.title.as_deref(),
            Some("某某街道2024年法治政府建设情况报告")
        );
        let top: Vec<_> = s
            .sections
            .iter()
            .map(|n| (n.number.as_str(), n.level))
            .collect();
        assert_eq!(top, vec![("一、", 1), ("二、", 1)]);
        let c = &s.sections[0].children[0];
        assert_eq!(
            (c.number.as_str(), c.heading_delimiter),
            ("(一)", HeadingDelimiter::Line)
        );
        let g = &c.children[0];
        assert_eq!((g.level, g.title.as_str()), (3, "扎实推进法治建设"));
        assert_eq!(g.heading_delimiter, HeadingDelimiter::FirstSentence);
        assert_eq!(g.raw, "1、扎实推进法治建设。");
        assert_eq!(g.enumeration_markers, vec!["一是", "二是"]);
        let skip = &s.sections[1].children;
        assert_eq!(skip.len(), 2);
        assert_eq!(skip[0].level, 2);
        assert_eq!(s.block_paths[4].as_deref(), Some("一/(一)/1"));
    }

    #[test]
    fn out_of_sequence_numbers_are_not_headings() {
        let s = structure_of(&["一、总体", "3、不是标题。正文。", "二、其次"]);
        assert_eq!(s.sections.len(), 2);
        assert!(s.sections[0].children.is_empty());
        assert!(s.sections[0].text.contains("3、不是标题"));
    }

    #[test]
    fn red_header_and_doc_number_are_not_the_title() {
        let s = structure_of(&[
            "中共某某街道工作委员会文件",
            "某文〔2023〕5号",
            "签发人：张三",
            "关于2022年度法治政府建设",
            "工作情况的报告",
            "县委、县政府：",
        ]);
        assert_eq!(s.red_header.as_deref(), Some("中共某某街道工作委员会文件"));
        assert_eq!(
            s.title.as_deref(),
            Some("关于2022年度法治政府建设工作情况的报告")
        );
        assert_eq!(s.title_blocks, Some((3, 4)));
    }

    #[test]
    fn prose_first_means_no_title() {
        let s = structure_of(&[
            "2022年,在区委、区政府的正确领导下,我街推进法治建设。",
            "一、举措",
        ]);
        assert_eq!(s.title, None);
    }
}
