//! GB/T 9704-2012 official-document elements, found where the standard puts them: the head
//! (份号, 密级, 紧急程度, 发文机关标志, 发文字号, 签发人) before the title, the addressee right after
//! it, and the tail (附件说明, 署名, 成文日期, 附注, 抄送, 印发机关和印发日期) after the body.
//! Anything outside those zones is body text: a 发文字号 quoted in the body is a citation, not
//! this document's number.

use crate::document::lex::{compact, is_cjk, parse_number};
pub(super) use crate::document::lex::{
    is_date_line, is_doc_number_line, is_number_line, parse_date, parse_doc_number, trailing_date,
};
use crate::document::model::Block;
use crate::document::result::{DocNumber, Gbt9704};
use regex::Regex;
use std::sync::LazyLock;

fn after_label<'a>(t: &'a str, labels: &[&str]) -> Option<&'a str> {
    let t = t.trim_start();
    for l in labels {
        // Labels are often padded: 签 发 人, 抄　送.
        let mut rest = t;
        let mut ok = true;
        for ch in l.chars() {
            rest = rest.trim_start_matches([' ', '\u{3000}', '\u{A0}']);
            match rest.strip_prefix(ch) {
                Some(r) => rest = r,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            let rest = rest.trim_start_matches([' ', '\u{3000}', '\u{A0}']);
            if let Some(v) = rest.strip_prefix(['：', ':']) {
                return Some(v.trim());
            }
        }
    }
    None
}

/// A row of a 版记 laid out as a table: `抄送：…`, `某某办公室 | 2023年3月2日印发`, or an empty
/// row between them.
pub(super) fn is_imprint_row(t: &str) -> bool {
    let t = t.trim();
    t.is_empty()
        || after_label(t, &["抄送", "主送"]).is_some()
        || (t.ends_with("印发") && parse_date(t).is_some())
}

/// Splits a list of names on 、，, ; and whitespace, dropping a final 。.
pub(super) fn split_names(s: &str) -> Vec<String> {
    s.trim_end_matches(['。', '.'])
        .split(|c: char| {
            matches!(c, '、' | '，' | ',' | '；' | ';') || c.is_whitespace() || c == '\u{3000}'
        })
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// What the head and tail zones yield.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Elements {
    pub gbt: Gbt9704,
    pub doc_number: Option<DocNumber>,
    pub signers: Vec<String>,
    pub addressee: Option<String>,
    /// (label, raw date string, ISO) for each date found in the tail.
    pub written_raw: Option<String>,
    pub printed_raw: Option<String>,
}

/// `head` are the blocks before the title's end (or before the body when there is no title),
/// `after_title` the few blocks right after the title, `tail` the blocks after the last
/// section's prose (the caller's tail zone stops at the last table row, so it holds none).
pub(super) fn extract(
    head: &[Block],
    after_title: &[Block],
    tail: &[Block],
    red: Option<&str>,
) -> Elements {
    let mut e = Elements::default();
    e.gbt.red_header = red.map(str::to_string);
    for (i, b) in head.iter().enumerate() {
        if b.in_table {
            continue;
        }
        let t = b.text.trim();
        let c = compact(t);
        if let Some(v) = after_label(t, &["签发人"]) {
            e.signers = split_names(v);
            continue;
        }
        if let Some(v) = after_label(t, &["份号"]) {
            e.gbt.copy_number = Some(v.to_string());
            continue;
        }
        // 份号: six or so digits alone on one of the very first lines.
        if i < 3 && c.len() <= 18 && c.len() >= 6 && c.chars().all(|ch| ch.is_ascii_digit()) {
            e.gbt.copy_number = Some(c.clone());
            continue;
        }
        for level in ["绝密", "机密", "秘密"] {
            if let Some(rest) = c.strip_prefix(level) {
                if rest.is_empty() || rest.starts_with('★') || rest.starts_with('*') {
                    e.gbt.security_level = Some(level.to_string());
                    let period = rest.trim_start_matches(['★', '*']);
                    if !period.is_empty() {
                        e.gbt.secrecy_period = Some(period.to_string());
                    }
                }
            }
        }
        if let Some(v) = after_label(t, &["密级"]) {
            e.gbt.security_level = Some(v.to_string());
        }
        if matches!(c.as_str(), "特急" | "加急" | "特提" | "平急") {
            e.gbt.urgency = Some(c.clone());
        }
        if let Some(v) = after_label(t, &["紧急程度"]) {
            e.gbt.urgency = Some(v.to_string());
        }
        // A 纪要 prints its issuing office and its date on one line under the header.
        if e.gbt.written_date.is_none() && red.is_some_and(|r| r.ends_with("纪要")) {
            if let Some((org, raw, iso)) = trailing_date(t) {
                if org.chars().count() <= 30 && !org.contains(['。', '，', ',', '：', ':']) {
                    e.gbt.written_date = Some(iso);
                    e.written_raw = Some(raw.to_string());
                    continue;
                }
            }
        }
        if e.doc_number.is_none() {
            // 发文字号 alone on its line, or sharing it with 签发人 (上行文).
            if let Some(d) = parse_doc_number(&c) {
                if c.starts_with(&d.raw) || c.ends_with(&d.raw) {
                    e.doc_number = Some(d);
                }
            }
        }
    }
    // The 主送机关 comes before the first paragraph of the body.
    for (k, b) in after_title.iter().take(8).enumerate() {
        let t = b.text.trim();
        if b.in_table {
            continue;
        }
        // A 发文字号 printed under the title (pages that set it there) comes before the addressee.
        if e.doc_number.is_none() {
            let number = compact(t);
            if is_doc_number_line(&number) {
                e.doc_number = parse_doc_number(&number);
                continue;
            }
        }
        if let Some(name) = addressee_line(t) {
            e.addressee = Some(name.to_string());
            break;
        }
        // A scrape that lost the colon: a short list of organs (宣州区委、区政府) alone on the
        // line right after the title, with the body's prose after it.
        let next_is_prose = after_title
            .get(k + 1)
            .is_some_and(|n| n.text.chars().count() > 40 && n.text.contains(['。', '，', ',']));
        if k == 0 && next_is_prose && t.contains('、') && t.chars().count() <= 30 {
            if let Some(name) = addressee_line(&format!("{t}：")).map(str::to_string) {
                e.addressee = Some(name);
                break;
            }
        }
        if t.chars().count() > 40 && t.contains(['。', '，', ',']) {
            break;
        }
    }
    extract_tail(tail, &mut e);
    // A cover letter (印发/转发 notices, joint covers): its 署名 and 成文日期 close the letter
    // before the attached document begins.
    if e.gbt.written_date.is_none() {
        let mut cover = Elements::default();
        extract_tail(after_title, &mut cover);
        if cover.gbt.written_date.is_some() {
            e.gbt.written_date = cover.gbt.written_date;
            e.written_raw = cover.written_raw;
            e.gbt.signature_orgs = cover.gbt.signature_orgs;
            if e.gbt.annotation_fuzhu.is_none() {
                e.gbt.annotation_fuzhu = cover.gbt.annotation_fuzhu;
            }
            if e.gbt.attachment_note.is_none() {
                e.gbt.attachment_note = cover.gbt.attachment_note;
                e.gbt.attachments = cover.gbt.attachments;
            }
            for s in cover.signers {
                if !e.signers.contains(&s) {
                    e.signers.push(s);
                }
            }
        }
    }
    e
}

/// `〔此处盖章〕`, `（盖章）`, `[单位印章]`: where a seal goes in a template or a scan.
fn is_seal_placeholder(t: &str) -> bool {
    let inner = t.trim_matches(|c: char| {
        matches!(
            c,
            '〔' | '〕' | '（' | '）' | '(' | ')' | '[' | ']' | '【' | '】' | ' ' | '\u{3000}'
        )
    });
    inner.chars().count() <= 12
        && ["盖章", "印章", "公章", "签章", "签字", "签名", "章"]
            .iter()
            .any(|w| inner.ends_with(w))
}

/// A line holding a square-bracketed slot of a template: `[市长]  XXX`, `[各单位]`,
/// `【发文机关】`. Printed 公文 never put a name or a title in square brackets.
fn has_template_slot(t: &str) -> bool {
    t.split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .any(|p| {
            let p = p.trim_end_matches(['：', ':']);
            p.chars().count() >= 3
                && ((p.starts_with('[') && p.ends_with(']'))
                    || (p.starts_with('【') && p.ends_with('】'))
                    || (p.starts_with('［') && p.ends_with('］')))
        })
}

/// `[此处输入正文内容]`, `【请填写单位名称】`: a template's prompt, not a value.
pub(super) fn is_template_placeholder(t: &str) -> bool {
    let t = t.trim();
    let bracketed = (t.starts_with('[') && t.ends_with(']'))
        || (t.starts_with('【') && t.ends_with('】'))
        || (t.starts_with('〔') && t.ends_with('〕'));
    bracketed
        && ["此处", "输入", "填写", "请填", "XX", "××"]
            .iter()
            .any(|w| t.contains(w))
}

/// An office that signs a 令: 市长, 省长, 主任, 部长 …, after an optional organ (某某市人民政府市长).
const OFFICE: &str = r"[\p{Han}]{0,12}?(?:省长|市长|州长|县长|区长|旗长|镇长|乡长|主任|主席|书记|总理|部长|厅长|局长|院长|署长)";
static SIGNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^{OFFICE}[\s\u{{3000}}]+([\p{{Han}}]{{2,4}})$")).expect("static regex")
});
/// The office alone (`市 长` once its spaces are gone): the holder's name lost or an image.
static OFFICE_ALONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{OFFICE}$")).expect("static regex"));

/// `市长 张三` under a 令: the signer's name.
fn signer_line(t: &str) -> Option<String> {
    SIGNER.captures(t).map(|c| c[1].to_string())
}

/// Words a 主送机关 list is made of: organs, units and departments (各乡（镇）人民政府，区直各单位).
const ADDRESSEE_WORDS: &[&str] = &[
    "政府",
    "党委",
    "党工委",
    "党组",
    "委员会",
    "人大",
    "政协",
    "单位",
    "部门",
    "机关",
    "机构",
    "办事处",
    "管委会",
    "办公室",
    "办公厅",
    "局",
    "厅",
    "委",
    "办",
    "院",
    "所",
    "处",
    "街道",
    "乡",
    "镇",
    "村",
    "社区",
    // Zones addressed beside governments: 经济技术开发区, 南湖新区, 屈原管理区, 高新园区.
    "开发区",
    "新区",
    "管理区",
    "园区",
    "示范区",
    "试验区",
    "公司",
    "企业",
    "学校",
    "同志",
    "各",
    "國",
    "單位",
    "機關",
    "鎮",
];

/// The 主送机关 of a line `县委、县政府：` / `各乡（镇）人民政府，区直各单位：`: organ names, listed with
/// 、，, and parentheses, ending with a colon. A sentence that ends in a colon (`现将有关情况报告如下：`)
/// is not one.
pub(super) fn addressee_line(t: &str) -> Option<&str> {
    let name = t.strip_suffix(['：', ':'])?.trim();
    let n = name.chars().count();
    // `[此处输入主送机关]：`, `[各单位]：`: a template's slot for the addressee.
    if n == 0 || n > 150 || !name.chars().any(is_cjk) || has_template_slot(name) {
        return None;
    }
    if name.contains(['。', '；', ';', '！', '？'])
        || [
            "如下", "现将", "报告", "通知", "特此", "为了", "为", "根据", "按照", "经",
        ]
        .iter()
        .any(|w| name.starts_with(w) || (*w == "如下" && name.contains(w)))
    {
        return None;
    }
    // Every group of a list (between commas) names an organ; one name alone is short.
    let groups: Vec<&str> = name
        .split(['，', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let organ = |p: &str| ADDRESSEE_WORDS.iter().any(|w| p.contains(w));
    let listed = groups.len() > 1;
    if groups.is_empty() || !groups.iter().all(|p| organ(p)) || (!listed && n > 40) {
        return None;
    }
    Some(name)
}

pub(super) fn extract_tail(tail: &[Block], e: &mut Elements) {
    let mut i = 0;
    // Lines before `floor` belong to an element already read (附件 items), not to the 署名.
    let mut floor = 0;
    while i < tail.len() {
        let t = tail[i].text.trim();
        if let Some(v) = after_label(t, &["附件"]) {
            e.gbt.attachment_note = Some(t.to_string());
            let mut names = attachment_items(v);
            // Continuation lines: 2.xxx under 附件：1.xxx
            let mut j = i + 1;
            while j < tail.len() {
                let tj = tail[j].text.trim();
                match parse_number(tj) {
                    Some(tok) if !tj.contains('。') => {
                        names.push(tj[tok.len..].trim().to_string());
                        j += 1;
                    }
                    _ => break,
                }
            }
            e.gbt.attachments = names;
            i = j;
            floor = j;
            continue;
        }
        if let Some(v) = after_label(t, &["主送", "主送机关"]) {
            // 纪要 print their 主送 in the closing block.
            if e.addressee.is_none() && !v.is_empty() && !has_template_slot(v) {
                e.addressee = Some(v.trim_end_matches(['。', '.']).to_string());
            }
            i += 1;
            continue;
        }
        if let Some(v) = after_label(t, &["抄送"]) {
            e.gbt.copy_to = split_names(v);
            i += 1;
            continue;
        }
        if t.ends_with("印发") {
            // 某某办公室  2023年3月1日印发
            let body = t.trim_end_matches("印发").trim();
            if let Some(iso) = parse_date(body) {
                e.gbt.print_date = Some(iso);
                e.printed_raw = Some(body.to_string());
                let org = body
                    .split(|c: char| c.is_ascii_digit() || "〇零○一二三四五六七八九".contains(c))
                    .next()
                    .unwrap_or("")
                    .trim();
                if !org.is_empty() {
                    e.gbt.printing_org = Some(org.to_string());
                }
            }
            i += 1;
            continue;
        }
        if is_date_line(t) {
            e.gbt.written_date = parse_date(t);
            e.written_raw = Some(t.to_string());
            // 署名: the short organization lines right above the date.
            let mut orgs = Vec::new();
            let mut k = i;
            while k > floor {
                let o = tail[k - 1].text.trim();
                // A number line (第5号, 〔20XX〕第XX号) belongs to the head: the 署名 is below it.
                if o.chars().count() > 30
                    || o.contains(['。', '，', ',', '：', ':'])
                    || is_date_line(o)
                    || is_number_line(&compact(o))
                {
                    break;
                }
                k -= 1;
                // A seal placeholder (〔此处盖章〕) is not a signature, nor is a template's slot
                // (`[市长]  XXX`); a 令's signer line (市长 张三) names a person, not an
                // organization.
                if is_seal_placeholder(o) || is_template_placeholder(o) || has_template_slot(o) {
                    continue;
                }
                // An office alone (`市 长`, its holder's name lost or printed as an image)
                // is neither a signer nor an organization.
                let office = compact(o);
                if office.chars().count() <= 4 && OFFICE_ALONE.is_match(&office) {
                    continue;
                }
                if let Some(name) = signer_line(o) {
                    if !e.signers.contains(&name) {
                        e.signers.insert(0, name);
                    }
                    continue;
                }
                orgs.insert(0, o.to_string());
            }
            let orgs: Vec<String> = orgs.iter().flat_map(|o| split_names(o)).collect();
            if !orgs.is_empty() {
                e.gbt.signature_orgs = orgs;
            }
            i += 1;
            continue;
        }
        if e.gbt.written_date.is_some()
            && ((t.starts_with('（') && t.ends_with('）'))
                || (t.starts_with('(') && t.ends_with(')')))
        {
            // The 附注 is what the parentheses hold.
            let inner = t
                .trim_start_matches(['（', '('])
                .trim_end_matches(['）', ')'])
                .trim();
            e.gbt.annotation_fuzhu = Some(inner.to_string());
        }
        i += 1;
    }
}

fn attachment_items(v: &str) -> Vec<String> {
    // 附件：1.xxx 2.xxx  or  附件：xxx
    let mut out = Vec::new();
    let mut current = String::new();
    let mut rest = v.trim();
    while !rest.is_empty() {
        if let Some(tok) = parse_number(rest) {
            if !current.trim().is_empty() {
                out.push(current.trim().to_string());
            }
            current.clear();
            rest = &rest[tok.len..];
            continue;
        }
        let ch = rest.chars().next().unwrap_or(' ');
        current.push(ch);
        rest = &rest[ch.len_utf8()..];
        // A following item number in the same line: " 2."
        if ch == ' ' && parse_number(rest.trim_start()).is_some() {
            rest = rest.trim_start();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::lex::is_doc_number_line;

    fn blocks(lines: &[&str]) -> Vec<Block> {
        crate::document::RawDocument::from_lines(lines).blocks
    }

    #[test]
    fn doc_numbers() {
        let d = parse_doc_number("金文〔2023〕5号").unwrap();
        assert_eq!(
            (d.agency_code.as_deref(), d.year, d.seq),
            (Some("金文"), Some(2023), Some(5))
        );
        assert!(parse_doc_number("京政发[2021]12号").is_some());
        assert!(is_doc_number_line("金文〔2023〕5号"));
        assert!(!is_doc_number_line("根据金文〔2023〕5号要求"));
    }

    #[test]
    fn dates_arabic_and_hanzi() {
        assert_eq!(parse_date("2022年04月07日").as_deref(), Some("2022-04-07"));
        assert_eq!(parse_date("2022-4-7").as_deref(), Some("2022-04-07"));
        assert_eq!(
            parse_date("二〇二三年三月十一日").as_deref(),
            Some("2023-03-11")
        );
        assert_eq!(parse_date("2023年2月30日"), None);
        assert!(is_date_line("2023年3月1日"));
        assert!(!is_date_line("2023年3月1日召开会议"));
    }

    #[test]
    fn head_and_tail_elements() {
        let head = blocks(&[
            "000123",
            "机密★1年",
            "特急",
            "某文〔2023〕5号",
            "签发人：张健平 余志强",
        ]);
        let after = blocks(&["县委、县政府：", "正文。"]);
        let tail = blocks(&[
            "附件：1.某某清单",
            "2.某某台账",
            "中共某某街道工作委员会",
            "某某街道办事处",
            "2023年3月1日",
            "（此件公开发布）",
            "抄送：区委办，区政府办。",
            "某某街道党政办公室 2023年3月2日印发",
        ]);
        let e = extract(&head, &after, &tail, Some("某某文件"));
        assert_eq!(e.gbt.copy_number.as_deref(), Some("000123"));
        assert_eq!(e.gbt.security_level.as_deref(), Some("机密"));
        assert_eq!(e.gbt.secrecy_period.as_deref(), Some("1年"));
        assert_eq!(e.gbt.urgency.as_deref(), Some("特急"));
        assert_eq!(e.doc_number.unwrap().raw, "某文〔2023〕5号");
        assert_eq!(e.signers, vec!["张健平", "余志强"]);
        assert_eq!(e.addressee.as_deref(), Some("县委、县政府"));
        assert_eq!(e.gbt.attachments, vec!["某某清单", "某某台账"]);
        assert_eq!(
            e.gbt.signature_orgs,
            vec!["中共某某街道工作委员会", "某某街道办事处"]
        );
        assert_eq!(e.gbt.written_date.as_deref(), Some("2023-03-01"));
        assert_eq!(e.gbt.annotation_fuzhu.as_deref(), Some("此件公开发布"));
        assert_eq!(e.gbt.copy_to, vec!["区委办", "区政府办"]);
        assert_eq!(e.gbt.printing_org.as_deref(), Some("某某街道党政办公室"));
        assert_eq!(e.gbt.print_date.as_deref(), Some("2023-03-02"));
    }

    #[test]
    fn table_cells_and_late_lines_are_not_copy_numbers() {
        let mut cell = Block::plain("87654321", 1);
        cell.in_table = true;
        let e = extract(&[cell], &[], &[], None);
        assert_eq!(e.gbt.copy_number, None);
        let late = blocks(&["标题一", "标题二", "说明", "12345678"]);
        assert_eq!(extract(&late, &[], &[], None).gbt.copy_number, None);
    }

    #[test]
    fn a_latin_label_is_not_an_addressee() {
        let e = extract(&[], &blocks(&["Index:"]), &[], None);
        assert_eq!(e.addressee, None);
    }
}
