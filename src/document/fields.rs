//! Portal metadata fields (索引号, 发布机构, 成文日期, …) in every layout portals print them, read
//! by one parser:
//! - `label：value`, `label:value`, several pairs on one line separated by spaces or tabs;
//! - `[ 索引号 ] value`, `【发布机构】value`, `- [ label ] value` list items;
//! - padded labels: `索 引 号`, `文　　号`;
//! - `label: | value | label: | value |` and `label | value |` pipe tables;
//! - a flattened table where labels and values alternate with no colon at all:
//!   `信息索引号 000123456789/2024-01234 文件编号` / `责任部门 某某镇 公开形式 主动公开`;
//! - a line that starts with the publication date: `2022-01-12    来源:厅办公室`.
//!
//! A value never carries the next label or a table pipe, and an empty value (`文号：`, `文号：无`,
//! `--`) is kept as an empty string so callers treat the field as absent.
//!
//! This module only reads lines; whether a line of a given document may be metadata at all
//! (web scrapes only, head zone for the ambiguous labels) is the caller's decision.

/// Every label portals use, without padding. Longer labels first where one contains another,
/// so `信息来源` wins over `来源` at the same position.
const LABELS: &[&str] = &[
    "信息索引号",
    "索引号",
    "服务对象分类",
    "主题分类",
    "信息分类",
    "信息类别",
    "组配分类",
    "体裁分类",
    "公开目录",
    "发布机构",
    "发布机关",
    "发文机构",
    "发文机关",
    "发文单位",
    "发布单位",
    "制发机构",
    "制发机关",
    "责任部门",
    "文章来源",
    "信息来源",
    "成文日期",
    "成文时间",
    "发布日期",
    "发布时间",
    "发文日期",
    "发文时间",
    "生成日期",
    "更新时间",
    "更新日期",
    "发文字号",
    "文件编号",
    "效力状态",
    "有效性",
    "公开方式",
    "公开形式",
    "公开范围",
    "公开时限",
    "主题词",
    "关键词",
    "内容概述",
    "浏览次数",
    "浏览量",
    "访问次数",
    "点击次数",
    "点击数",
    "点击率",
    "点击量",
    "阅读次数",
    "阅读量",
    "阅读数",
    "访问量",
    "责任编辑",
    "实施日期",
    "生效时间",
    "生效日期",
    "废止日期",
    "废止时间",
    "文字大小",
    "字体大小",
    "背景色",
    // Short labels: common words too, so a line made of one of them alone is only metadata
    // where the caller allows ambiguous labels (see `Field::ambiguous`).
    "来源",
    "文号",
    "标题",
    "名称",
    "分类",
    "日期",
    "时间",
    "作者",
    "编辑",
    "字体",
    "字号",
];

/// Labels that are also ordinary words at the start of a body line (`时间：2023年3月` in minutes,
/// `来源：` in a table): on their own line they are metadata only in the head of a page.
const AMBIGUOUS: &[&str] = &[
    "来源", "标题", "名称", "分类", "日期", "时间", "作者", "编辑", "字体", "字号",
];

/// Values that mean "no value" on portals.
const EMPTY_VALUES: &[&str] = &["无", "--", "-", "—", "——", "/", "暂无", "空"];

/// One `label: value` pair; `label` is the canonical (unpadded) label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Field {
    pub label: &'static str,
    pub value: String,
}

/// The fields of one metadata line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FieldLine {
    pub fields: Vec<Field>,
    /// True when the line is one ambiguous label alone (`来源：某某`): the caller decides from
    /// where the line stands whether it is metadata.
    pub ambiguous: bool,
}

/// Padding inside and around labels: any Unicode space (ASCII, NBSP, U+3000, en/em spaces).
fn is_pad(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Length in bytes of `label` at the start of `s`, allowing padding between its characters
/// (`索 引 号`, `文　　号`).
fn match_label(s: &str, label: &str) -> Option<usize> {
    let mut rest = s;
    for (k, ch) in label.chars().enumerate() {
        if k > 0 {
            rest = rest.trim_start_matches(is_pad);
        }
        rest = rest.strip_prefix(|c: char| simplified(c) == ch)?;
    }
    Some(s.len() - rest.len())
}

/// A label hit: where the label (with its opening bracket) starts, where its value starts, and
/// whether a delimiter (colon, bracket or pipe) followed it.
struct Hit {
    start: usize,
    value_start: usize,
    label: &'static str,
    delimited: bool,
}

/// Can a [`hit_at`] start with `c`: an opening bracket or the first character of a label?
fn may_start_hit(c: char) -> bool {
    let c = simplified(c);
    c == '[' || c == '【' || LABELS.iter().any(|l| l.starts_with(c))
}

/// The simplified form of a Traditional character of the labels (`發布時間`, `信息來源`, `索引號`
/// on mirrors that serve Traditional script); any other character as it is.
fn simplified(c: char) -> char {
    match c {
        '體' => '体',
        '關' => '关',
        '內' => '内',
        '擊' => '击',
        '別' => '别',
        '務' => '务',
        '單' => '单',
        '發' => '发',
        '號' => '号',
        '圍' => '围',
        '實' => '实',
        '對' => '对',
        '廢' => '废',
        '開' => '开',
        '錄' => '录',
        '態' => '态',
        '數' => '数',
        '時' => '时',
        '機' => '机',
        '來' => '来',
        '構' => '构',
        '標' => '标',
        '瀏' => '浏',
        '點' => '点',
        '狀' => '状',
        '稱' => '称',
        '類' => '类',
        '組' => '组',
        '編' => '编',
        '範' => '范',
        '覽' => '览',
        '訪' => '访',
        '詞' => '词',
        '讀' => '读',
        '責' => '责',
        '輯' => '辑',
        '鍵' => '键',
        '門' => '门',
        '問' => '问',
        '間' => '间',
        '閱' => '阅',
        '題' => '题',
        _ => c,
    }
}

/// The label at `i`, with what follows it up to the value: `]`/`】`, a colon, a pipe.
fn hit_at(line: &str, i: usize) -> Option<Hit> {
    let s = &line[i..];
    let (open, s2) = match s.strip_prefix(['[', '【']) {
        Some(r) => {
            let r2 = r.trim_start_matches(is_pad);
            (s.len() - r2.len(), r2)
        }
        None => (0, s),
    };
    let (label, len) = LABELS
        .iter()
        .find_map(|l| match_label(s2, l).map(|n| (*l, n)))?;
    let mut rest = &s2[len..];
    let mut delimited = false;
    let after_label = rest.trim_start_matches(is_pad);
    if open > 0 {
        // `[ 索引号 ]` / `【发布机构】`: the closing bracket is the delimiter.
        rest = after_label.strip_prefix([']', '】'])?;
        delimited = true;
    } else {
        rest = after_label;
    }
    let r = rest.trim_start_matches(is_pad);
    if let Some(r2) = r.strip_prefix([':', '：']) {
        rest = r2;
        delimited = true;
    }
    let r = rest.trim_start_matches(is_pad);
    if let Some(r2) = r.strip_prefix('|') {
        rest = r2;
        delimited = true;
    }
    if !delimited {
        // A flattened table: the label must stand alone, followed by a space or the end.
        let next = s2[len..].chars().next();
        if !(next.is_none() || next.is_some_and(is_pad)) {
            return None;
        }
    }
    Some(Hit {
        start: i,
        value_start: line.len() - rest.len(),
        label,
        delimited,
    })
}

fn is_han(c: char) -> bool {
    crate::document::lex::is_cjk(c)
}

/// Strips list bullets and markers that portals put before a metadata line.
fn strip_bullets(t: &str) -> &str {
    let mut t = t.trim_matches(is_pad);
    loop {
        let before = t.len();
        t = t
            .trim_start_matches(['•', '·', '●', '▪', '◆', '■', '|', '*'])
            .trim_start_matches(is_pad);
        if let Some(r) = t.strip_prefix("- ") {
            t = r.trim_start_matches(is_pad);
        }
        if t.len() == before {
            return t;
        }
    }
}

/// A publication date at the start of a line (`2022-01-12 09:30`, `2023年3月1日`), with its length.
fn leading_date(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let end = t
        .char_indices()
        .find(|(_, c)| {
            !(c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | ':' | '年' | '月' | '日' | ' '))
        })
        .map_or(t.len(), |(i, _)| i);
    let d = t[..end].trim_end();
    crate::document::lex::parse_date(d).map(|_| d.len())
}

fn clean_value(v: &str) -> String {
    let v = v
        .trim_matches(|c: char| is_pad(c) || matches!(c, '|' | '[' | '【' | ']' | '】'))
        .trim();
    let v = without_trailing_label(v);
    if EMPTY_VALUES.contains(&v) || v.chars().all(|c| matches!(c, '|' | '-' | ' ')) {
        String::new()
    } else {
        v.to_string()
    }
}

/// The value of an empty `label：` printed alone on the next line (`• 索引号:` / blank /
/// `6107280000/2024-001005`), when `line` has the form the label's values take: a date for a
/// date label, an index or a 发文字号 for theirs, a short name for an organization or a
/// category. Anything else (a title, a sentence, another label) is not taken.
pub(crate) fn value_on_next_line(label: &str, line: &str) -> Option<String> {
    let t = line.trim_matches(|c: char| is_pad(c) || c == '•' || c == '·');
    let n = t.chars().count();
    if n == 0 || n > 40 || parse_line(t).is_some() || t.ends_with([':', '：']) {
        return None;
    }
    let short_name = || {
        n <= 30
            && t.chars()
                .all(|c| is_han(c) || matches!(c, '（' | '）' | '(' | ')'))
            && !t.contains("关于")
            && crate::document::head::document_kind(t).is_none()
    };
    let fits = if label.ends_with("日期") || label.ends_with("时间") {
        crate::document::lex::starts_with_date(t)
    } else if label.ends_with("索引号") {
        n >= 5
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
            && t.contains(|c: char| c.is_ascii_digit())
    } else if matches!(label, "发文字号" | "文号" | "文件编号") {
        crate::document::lex::is_doc_number_line(&crate::document::lex::compact(t))
    } else if matches!(
        label,
        "发布机构"
            | "发布机关"
            | "发文机构"
            | "发文机关"
            | "发文单位"
            | "发布单位"
            | "制发机构"
            | "制发机关"
            | "责任部门"
            | "文章来源"
            | "信息来源"
            | "来源"
    ) {
        short_name()
    } else if label.ends_with("分类")
        || label.starts_with("公开")
        || matches!(label, "有效性" | "效力状态" | "信息类别")
    {
        n <= 16 && short_name()
    } else {
        false
    };
    fits.then(|| t.to_string())
}

/// `v` without a trailing label that has no value of its own, one this parser does not know
/// (`留下街道 点击率:` -> `留下街道`): a value never carries the next label.
fn without_trailing_label(v: &str) -> &str {
    let Some(body) = v.strip_suffix([':', '：']) else {
        return v;
    };
    let Some((pad, _)) = body.char_indices().rev().find(|&(_, c)| is_pad(c)) else {
        return v;
    };
    let tail = &body[pad..].trim_start_matches(is_pad);
    if (2..=6).contains(&tail.chars().count()) && tail.chars().all(is_han) {
        body[..pad].trim_end_matches(is_pad)
    } else {
        v
    }
}

/// The metadata fields of `line`, or `None` when it is not a metadata line.
///
/// A metadata line starts with a label (after bullets, a list dash or a table pipe), or with a
/// date followed by one. The first label must be delimited (colon, bracket, pipe) unless the
/// line is a flattened table of two labels or more. Further labels count at a word boundary,
/// or anywhere when a colon follows them (`14:52信息来源:…`).
pub(super) fn parse_line(line: &str) -> Option<FieldLine> {
    let t = strip_bullets(line);
    if t.is_empty() || t.len() > 600 {
        return None;
    }
    let mut hits: Vec<Hit> = Vec::new();
    let mut leading: Option<(usize, usize)> = None;
    // Most lines are prose: their first character starts no label, and `hit_at` need not try
    // every label to say so.
    let first_hit = t
        .chars()
        .next()
        .filter(|&c| may_start_hit(c))
        .and_then(|_| hit_at(t, 0));
    match first_hit {
        Some(h) => hits.push(h),
        None => {
            let d = leading_date(t)?;
            leading = Some((0, d));
        }
    }
    let scan_from = hits
        .first()
        .map_or(leading.map_or(0, |l| l.1), |h| h.value_start);
    let mut prev: Option<char> = None;
    for (i, c) in t.char_indices() {
        let p = prev;
        prev = Some(c);
        if i < scan_from || hits.last().is_some_and(|h| i < h.value_start) {
            continue;
        }
        if !may_start_hit(c) {
            continue;
        }
        let boundary = p.is_none_or(|p| is_pad(p) || matches!(p, '|' | ']' | '】' | ')' | '）'));
        let Some(h) = hit_at(t, i) else { continue };
        // Inside a metadata line a `label:` is a new field even glued to the previous value.
        let glued = !boundary
            && h.delimited
            && p.is_some_and(|p| !is_han(p) || hits.len() + usize::from(leading.is_some()) > 0);
        if boundary || glued {
            hits.push(h);
        }
    }
    if hits.is_empty() {
        return None;
    }
    // A flattened table needs two labels at least; a single undelimited label is a word.
    if leading.is_none() && !hits[0].delimited && hits.len() < 2 {
        return None;
    }
    if leading.is_some() && !hits[0].delimited {
        return None;
    }
    let mut fields = Vec::with_capacity(hits.len() + 1);
    if let Some((s, e)) = leading {
        fields.push(Field {
            label: "日期",
            value: t[s..e].trim().to_string(),
        });
    }
    for (k, h) in hits.iter().enumerate() {
        let end = hits.get(k + 1).map_or(t.len(), |n| n.start);
        let value = if h.value_start <= end {
            clean_value(&t[h.value_start..end])
        } else {
            String::new()
        };
        fields.push(Field {
            label: h.label,
            value,
        });
    }
    // Long prose after a label is a sentence that happens to start with a label word.
    if fields.len() == 1 && fields[0].value.chars().count() > 80 && fields[0].value.contains('。')
    {
        return None;
    }
    let ambiguous = fields.len() == 1 && AMBIGUOUS.contains(&fields[0].label);
    Some(FieldLine { fields, ambiguous })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(line: &str) -> Vec<(&'static str, String)> {
        parse_line(line)
            .unwrap_or_else(|| panic!("not metadata: {line}"))
            .fields
            .into_iter()
            .map(|f| (f.label, f.value))
            .collect()
    }

    fn p(l: &'static str, v: &str) -> (&'static str, String) {
        (l, v.to_string())
    }

    #[test]
    fn colon_layouts_and_padding() {
        assert_eq!(
            pairs("索 引 号:370403/2022-00022"),
            vec![p("索引号", "370403/2022-00022")]
        );
        assert_eq!(pairs("  • 文　　号："), vec![p("文号", "")]);
        assert_eq!(
            pairs("发布时间：2023-03-01 来源：区司法局 浏览次数：12"),
            vec![
                p("发布时间", "2023-03-01"),
                p("来源", "区司法局"),
                p("浏览次数", "12")
            ]
        );
        // Traditional labels are the same labels.
        assert_eq!(
            pairs("發布時間:2025-04-11 16:33 信息來源:某某縣某某鄉"),
            vec![
                p("发布时间", "2025-04-11 16:33"),
                p("信息来源", "某某縣某某鄉")
            ]
        );
        // An empty counter, known or not, never rides on the value before it.
        assert_eq!(
            pairs("来源:某某街道 点击率:"),
            vec![p("来源", "某某街道"), p("点击率", "")]
        );
        assert_eq!(
            pairs("来源：某某街道　 转载次数："),
            vec![p("来源", "某某街道")]
        );
        assert_eq!(
            pairs("索 引 号:zyq/2026-1 发布机构:某镇 发文日期:2026-03-16\t公开方式:政府网站"),
            vec![
                p("索引号", "zyq/2026-1"),
                p("发布机构", "某镇"),
                p("发文日期", "2026-03-16"),
                p("公开方式", "政府网站")
            ]
        );
    }

    #[test]
    fn brackets_and_list_items() {
        assert_eq!(
            pairs("- [ 索引号 ] 1150/2026-00004"),
            vec![p("索引号", "1150/2026-00004")]
        );
        assert_eq!(
            pairs("【发布机构】某某县人民政府"),
            vec![p("发布机构", "某某县人民政府")]
        );
        assert_eq!(
            pairs("[ 索引号 ] 0001/2024-1 [ 发文字号 ] "),
            vec![p("索引号", "0001/2024-1"), p("发文字号", "")]
        );
    }

    #[test]
    fn pipe_tables_never_leak_pipes() {
        assert_eq!(
            pairs("索 引 号: | hd/2025-12 | 公开目录: | 法治政府建设 |"),
            vec![p("索引号", "hd/2025-12"), p("公开目录", "法治政府建设")]
        );
        assert_eq!(
            pairs("文 号 | 无 | 有 效 性 | 有效 |"),
            vec![p("文号", ""), p("有效性", "有效")]
        );
        assert_eq!(pairs("有效性 | |||"), vec![p("有效性", "")]);
        assert_eq!(
            pairs("| 索引号 | 12/2024-00042 |"),
            vec![p("索引号", "12/2024-00042")]
        );
    }

    #[test]
    fn flattened_tables_alternate_labels_and_values() {
        assert_eq!(
            pairs("信息索引号 000123456789/2024-01234 文件编号"),
            vec![
                p("信息索引号", "000123456789/2024-01234"),
                p("文件编号", "")
            ]
        );
        assert_eq!(
            pairs("责任部门 某某镇 公开形式 主动公开"),
            vec![p("责任部门", "某某镇"), p("公开形式", "主动公开")]
        );
        assert_eq!(
            pairs("成文日期 2024-03-20 公开时限 长期公开"),
            vec![p("成文日期", "2024-03-20"), p("公开时限", "长期公开")]
        );
    }

    #[test]
    fn glued_labels_and_leading_dates() {
        assert_eq!(
            pairs("发布时间:2022-08-23 14:52信息来源:某县人民政府文字大小:[    ] 背景色:"),
            vec![
                p("发布时间", "2022-08-23 14:52"),
                p("信息来源", "某县人民政府"),
                p("文字大小", ""),
                p("背景色", "")
            ]
        );
        assert_eq!(
            pairs("2022-01-12    来源:厅办公室   "),
            vec![p("日期", "2022-01-12"), p("来源", "厅办公室")]
        );
    }

    #[test]
    fn prose_and_words_are_not_metadata() {
        for line in [
            "来源于群众的意见建议全部办结。",
            "标题党现象得到治理",
            "2023年,某某街道推进法治建设。",
            "一、主要举措和成效",
            "时间紧、任务重，全体干部加班加点。",
            "名称",
        ] {
            assert_eq!(parse_line(line), None, "{line}");
        }
        let long = format!(
            "来源：{}",
            "群众反映的问题都得到了妥善处理，".repeat(8) + "。"
        );
        assert_eq!(parse_line(&long), None);
        assert!(parse_line("来源：区司法局").unwrap().ambiguous);
        assert!(!parse_line("发布机构：区司法局").unwrap().ambiguous);
    }
}
