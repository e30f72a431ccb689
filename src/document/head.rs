//! The head of a document: everything before the body, read once. Page chrome and portal
//! metadata were taken out by normalization (`fields` reads the metadata lines); what is left
//! is classified here: the 发文机关标志 (red header, stacked joint headers included), the GB/T
//! 9704 head elements (份号, 密级, 紧急程度, 发文字号, 签发人), and the title (every 文种, several
//! lines joined, a page's `【栏目】` prefix dropped). The addressee right after the title and the
//! tail elements are read by `extract::gbt9704` from the zones this stage delimits.
//!
//! This is the one module that knows the title vocabulary (文种 and report words).

use super::lex::{compact, is_doc_number_line, is_number_line};
use super::model::Block;
use super::normalize::Normalized;

/// What the head holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Head {
    pub title: Option<String>,
    /// Index in `blocks` of the title's first and last block.
    pub title_blocks: Option<(usize, usize)>,
    /// 发文机关标志, e.g. 中共某某街道工作委员会文件.
    pub red_header: Option<String>,
    /// A 发文字号 the title ended with in brackets (`…的通知(某办发〔2017〕2号)`), cut off it.
    pub title_doc_number: Option<String>,
}

fn is_sentence_like(t: &str) -> bool {
    t.contains(['。', '；', ';', '，', ',', '！', '？'])
}

/// Lines of the document head that are GB/T 9704 elements rather than the title.
fn is_head_element(t: &str) -> bool {
    if t.len() > 120 {
        return false;
    }
    let compact = compact(t);
    compact.starts_with("签发人")
        || compact.starts_with("份号")
        || compact.starts_with("密级")
        || compact.starts_with("紧急程度")
        || matches!(compact.as_str(), "特急" | "加急" | "特提" | "平急")
        || compact.starts_with("绝密")
        || compact.starts_with("机密")
        || compact.starts_with("秘密")
        || is_doc_number_line(&compact)
        || is_number_line(&compact)
        || compact.chars().all(|c| c.is_ascii_digit())
}

/// 文种 a title ends with (GB/T 9704 and 党政机关公文处理工作条例), in both scripts, with the
/// simplified name reported as `document_kind`.
pub(super) const DOCUMENT_KINDS: &[(&str, &str)] = &[
    ("报告", "报告"),
    ("報告", "报告"),
    ("请示", "请示"),
    ("請示", "请示"),
    ("批复", "批复"),
    ("批復", "批复"),
    ("通知", "通知"),
    ("通报", "通报"),
    ("通報", "通报"),
    ("通告", "通告"),
    ("公告", "公告"),
    ("公报", "公报"),
    ("公報", "公报"),
    ("意见", "意见"),
    ("意見", "意见"),
    ("决定", "决定"),
    ("決定", "决定"),
    ("决议", "决议"),
    ("決議", "决议"),
    ("命令", "命令"),
    ("令", "命令"),
    ("议案", "议案"),
    ("議案", "议案"),
    ("纪要", "纪要"),
    ("紀要", "纪要"),
    ("函", "函"),
];

/// Words other titles end with: documents that are not one of the 15 kinds. The first are
/// reports in all but name ([`REPORT_WORDS`]); plans, rules and a page's 解读 of a document
/// are not.
const TITLE_WORDS: &[&str] = &[
    "情况", "总结", "汇报", "總結", "匯報", "要点", "计划", "方案", "规划", "办法", "规定", "细则",
    "规则", "安排", "解读", "計劃", "規劃", "辦法", "規定", "細則", "解讀",
];

/// Title ends that make a document a report without the word 报告.
const REPORT_WORDS: &[&str] = &["情况", "总结", "汇报", "總結", "匯報"];

/// Whether a title names a report: its 文种 is 报告, or it ends in 情况/总结/汇报. A 工作要点, a
/// 实施方案 or a page's 解读 of a report is not one.
pub(crate) fn names_a_report(title: &str) -> bool {
    let core = title_core(title);
    document_kind(title) == Some("报告") || REPORT_WORDS.iter().any(|w| core.ends_with(w))
}

/// A title with a trailing `（2024年度）` / `(试行)` removed, for the end-word checks.
fn title_core(t: &str) -> &str {
    let t = t.trim_end();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if t.ends_with(close) {
            if let Some(i) = t.rfind(open) {
                if t[i..].chars().count() <= 14 {
                    return t[..i].trim_end();
                }
            }
        }
    }
    t
}

/// The simplified 文种 a title names, if its end is one.
pub fn document_kind(title: &str) -> Option<&'static str> {
    let core = title_core(title);
    let (word, kind) = DOCUMENT_KINDS.iter().find(|(w, _)| core.ends_with(w))?;
    // A bare 令 or 函 is a kind only as a whole word: 命令, 主席令, 的函, 复函 — not 指令 in a name.
    if (*word == "令" || *word == "函") && core.chars().count() < 3 {
        return None;
    }
    Some(kind)
}

fn ends_like_title(t: &str) -> bool {
    let core = title_core(t);
    document_kind(t).is_some() || TITLE_WORDS.iter().any(|w| core.ends_with(w))
}

/// A page's `【栏目】` or `栏目丨` prefix before the title: 【省政府法治建设报告】湖北省人民政府关于
/// …的报告, 政务服务丨某某市人民政府关于…的实施意见.
pub(crate) fn strip_column_prefix(t: &str) -> &str {
    if let Some(rest) = t.strip_prefix('【') {
        if let Some(i) = rest.find('】') {
            let after = rest[i + '】'.len_utf8()..].trim_start();
            if !after.is_empty() {
                return after;
            }
        }
    }
    if let Some((column, after)) = t.split_once('丨') {
        if (2..=10).contains(&column.chars().count()) && !after.trim().is_empty() {
            return after.trim_start();
        }
    }
    t
}

/// A title that ends with its 发文字号 in brackets (`…的通知(某办发〔2017〕2号)`): the title
/// without it, and the number.
fn split_trailing_doc_number(t: &str) -> (&str, Option<&str>) {
    let trimmed = t.trim_end();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = trimmed.strip_suffix(close) {
            if let Some(i) = inner.rfind(open) {
                let number = inner[i + open.len_utf8()..].trim();
                if is_doc_number_line(&compact(number)) {
                    return (inner[..i].trim_end(), Some(number));
                }
            }
        }
    }
    (t, None)
}

/// A line that can be (part of) a title: short, no sentence punctuation, not a file name.
fn title_line(t: &str) -> bool {
    let n = t.chars().count();
    n >= 2
        && n <= 100
        && !is_sentence_like(t)
        && !t.ends_with(['：', ':'])
        && !t.contains(['|', '>'])
        && ![
            ".pdf", ".doc", ".docx", ".wps", ".ofd", ".xls", ".xlsx", ".zip", ".rar",
        ]
        .iter()
        .any(|e| t.to_ascii_lowercase().ends_with(e))
}

/// An organization name alone on a line: the lines a stacked red header is made of.
fn org_line(t: &str) -> bool {
    let n = t.chars().count();
    (2..=30).contains(&n)
        && !is_sentence_like(t)
        && [
            "委员会",
            "人民政府",
            "政府",
            "办事处",
            "党委",
            "党工委",
            "办公室",
            "办公厅",
            "局",
            "委",
            "厅",
        ]
        .iter()
        .any(|w| t.ends_with(w))
}

/// The 发文机关标志: `…文件`, `…纪要`, alone on its line; `…令`, `…公告`, `…通告` over a number
/// line; or a stack of organization lines closed by (or, from text boxes, opened by) a line
/// `文件`. Returns the header and the number of lines it spans.
fn red_header_at(blocks: &[Block], i: usize, end: usize) -> Option<(String, usize)> {
    let t = blocks[i].text.trim();
    // A label before it (`第一篇：…文件` on a document-sharing site) makes it a link, not the header.
    let short = t.chars().count() <= 60 && !is_sentence_like(t) && !t.contains(['：', ':']);
    if short && t.chars().count() > 2 && (t.ends_with("文件") || t.ends_with("會議紀要")) {
        return Some((t.to_string(), 1));
    }
    if short && t.chars().count() > 2 && t.ends_with("纪要") && !t.starts_with("关于") {
        return Some((t.to_string(), 1));
    }
    // 某某市人民政府令 / 某某县人民政府公告 over its number (第5号, 〔2024〕第3号): the
    // 发文机关标志 of a 令 or a 公告, not its title (a 公告's own title follows the number).
    if short
        && t.chars().count() > 3
        && !t.contains("关于")
        && !t.contains('的')
        && ["令", "公告", "通告"].iter().any(|w| t.ends_with(w))
    {
        let next = blocks[i + 1..end]
            .iter()
            .find(|b| !b.in_table && !b.text.trim().is_empty());
        if next.is_some_and(|b| {
            let c = compact(&b.text);
            is_number_line(&c)
        }) {
            return Some((t.to_string(), 1));
        }
    }
    // A WPS template sets a joint header in two text boxes, the `文件` box anchored first:
    // 文件 / 中共某某镇委员会 / 某某镇人民政府, then the number line. Every line between is a name.
    if matches!(t, "文件" | "文 件") {
        let mut names = Vec::new();
        let mut k = i + 1;
        while k < end && k < i + 5 && org_line(blocks[k].text.trim()) {
            names.push(blocks[k].text.trim());
            k += 1;
        }
        let closed = blocks.get(k).is_none_or(|b| {
            let c = compact(&b.text);
            is_head_element(&c) || c.starts_with("签发人")
        });
        if !names.is_empty() && closed {
            return Some((format!("{}文件", names.join(" ")), k - i));
        }
    }
    // 中共某某镇委员会 / 某某镇人民政府 / 文件
    let mut names = Vec::new();
    let mut k = i;
    while k < end && k < i + 4 && org_line(blocks[k].text.trim()) {
        names.push(blocks[k].text.trim());
        k += 1;
    }
    if !names.is_empty() && k < end && matches!(blocks[k].text.trim(), "文件" | "文 件" | "纪要")
    {
        return Some((
            format!(
                "{}{}",
                names.join(" "),
                blocks[k].text.trim().replace(' ', "")
            ),
            k + 1 - i,
        ));
    }
    None
}

/// The title, in the head of the document: the first run of one to four short, unpunctuated
/// lines whose end is a 文种 or a report word (报告, 通知, 请示, 批复, 函, 意见, 总结, 情况 …),
/// multi-line titles joined. The red header (…文件, stacked joint headers), the GB/T 9704 head
/// elements and left-over page chrome are skipped; the search stops at the first prose
/// paragraph or the addressee. A page's `《title》是…` intro line and its 标题/名称 field are
/// the fallbacks. No title is better than a wrong one.
///
/// An aggregator's intro (`简介：…小编为你整理了…`) may stand before the document it wraps:
/// when the first search stops at a paragraph with no title found, and a red header or a
/// 发文字号 follows within the head, the search starts again there.
pub(super) fn read_head(n: &Normalized, body_start: usize) -> Head {
    let mut s = Head::default();
    let blocks = &n.doc.blocks;
    let head_end = body_start.min(blocks.len()).min(24);
    let stop = scan_head(blocks, 0, head_end, &mut s);
    if s.title.is_none() {
        if let Some(stop) = stop {
            let restart = (stop + 1..head_end).find(|&k| {
                let t = blocks[k].text.trim();
                !blocks[k].in_table
                    && (red_header_at(blocks, k, head_end).is_some()
                        || is_doc_number_line(&compact(t)))
            });
            if let Some(r) = restart {
                let mut again = Head::default();
                scan_head(blocks, r, head_end, &mut again);
                if again.title.is_some() {
                    s = again;
                }
            }
        }
    }
    if s.title.is_none() {
        for label in ["标题", "名称"] {
            if let Some(t) = super::normalize::web_field(&n.web, label) {
                if ends_like_title(t) {
                    s.title = Some(strip_column_prefix(t).to_string());
                    break;
                }
            }
        }
    }
    s
}

/// One pass of the title search from `start`; returns the index of the paragraph it stopped
/// at, if it stopped at one.
fn scan_head(blocks: &[Block], start: usize, head_end: usize, s: &mut Head) -> Option<usize> {
    let mut i = start;
    let mut seen_content = false;
    while i < head_end {
        let t = blocks[i].text.trim();
        if blocks[i].in_table || t.is_empty() {
            i += 1;
            continue;
        }
        if s.red_header.is_none() {
            if let Some((red, lines)) = red_header_at(blocks, i, head_end) {
                s.red_header = Some(red);
                i += lines;
                continue;
            }
        }
        if is_head_element(t) {
            i += 1;
            continue;
        }
        if !seen_content {
            // 《某某报告》是2019年某某发布的通知。: an aggregator's intro names the title. A 令's
            // `《某某办法》已经…通过，现予公布` names the rule it publishes, not its own title.
            if let Some(inner) = t
                .strip_prefix('《')
                .and_then(|r| r.split_once('》'))
                .filter(|(_, after)| after.trim_start().starts_with('是'))
                .map(|(inner, _)| inner)
                .filter(|inner| ends_like_title(inner) && title_line(inner))
            {
                s.title = Some(inner.to_string());
                break;
            }
        }
        seen_content = true;
        if is_sentence_like(t) || t.ends_with(['：', ':']) {
            return Some(i);
        }
        if !title_line(t) {
            i += 1;
            continue;
        }
        // Accumulate a multi-line title.
        let mut j = i;
        let mut title = String::new();
        let mut found = false;
        while j < head_end && j < i + 4 {
            let tj = blocks[j].text.trim();
            if blocks[j].in_table || !title_line(tj) || (j > i && is_head_element(tj)) {
                break;
            }
            // A later line that is a whole title naming its own issuer (某某镇人民政府关于…的报告)
            // starts the title afresh: what came before was a site name, not part of it.
            if j > i && ends_like_title(tj) && tj.find("关于").is_some_and(|k| k > 0) {
                i = j;
                title.clear();
            }
            title.push_str(tj);
            j += 1;
            if ends_like_title(&title) {
                found = true;
                break;
            }
        }
        let (candidate, number) = split_trailing_doc_number(strip_column_prefix(&title));
        if found && candidate.chars().count() >= 6 {
            s.title = Some(candidate.to_string());
            s.title_doc_number = number.map(str::to_string);
            s.title_blocks = Some((i, j - 1));
            return None;
        }
        i += 1;
    }
    None
}
