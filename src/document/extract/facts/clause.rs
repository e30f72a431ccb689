//! Where a fact's `source` phrase starts and ends, and whether a number sits inside quotation
//! marks or a 《》 title (model names, slogans, document titles: never facts).
//!
//! The source is the clause the number belongs to: it starts after the previous clause mark
//! (，；。： and their half-width forms, an unclosed opening parenthesis, or a 、 that ends a list
//! item with its own number) and ends at the unit, extended to the end of the clause when the
//! counted noun follows the unit ("50个村(社区)配备专业法律顾问"). Both directions are bounded,
//! so a paragraph without punctuation never yields an absurdly long source.

use super::number::is_digit;

/// Furthest a source reaches back from its number, in characters.
const MAX_BACK: usize = 40;
/// Furthest a source reaches past its unit to the end of the clause, in characters.
const MAX_FORWARD: usize = 20;
/// Furthest a quotation mark may be from the number it encloses, in characters.
const MAX_QUOTE: usize = 40;
/// Furthest a 《 may be from a number in the title it opens, in characters.
const MAX_TITLE: usize = 100;

fn char_before(p: &str, i: usize) -> Option<char> {
    p[..i].chars().next_back()
}

fn char_after(p: &str, i: usize) -> Option<char> {
    p[i..].chars().next()
}

/// A clause mark at byte `i`. A comma or colon between two digits is part of a number (1,000;
/// 10:30), not a clause mark.
pub(super) fn is_clause_mark_at(p: &str, i: usize, c: char) -> bool {
    match c {
        '，' | '；' | ';' | '。' | '：' | '！' | '!' | '？' | '?' | '\n' | '\r' | '\t' | '|' => {
            true
        }
        ',' | ':' => {
            let around = char_before(p, i)
                .zip(char_after(p, i + 1))
                .is_some_and(|(a, b)| is_digit(a) && is_digit(b));
            !around
        }
        _ => false,
    }
}

/// Does anything but the end of a clause follow byte `i`? True at the end of the paragraph, at a
/// clause mark, a 、, or a closing parenthesis.
pub(super) fn at_clause_end(p: &str, i: usize) -> bool {
    match char_after(p, i) {
        None => true,
        Some(c) => is_clause_mark_at(p, i, c) || matches!(c, '、' | ')' | '）' | '”' | '"' | '》'),
    }
}

/// Does the list item ending at the 、 at byte `i` contain a digit? Then the 、 separates two
/// facts and the later one's source starts after it; otherwise the items before it are the
/// subject of the later number ("主持召开专题会议、班子会、推进会4次").
fn item_before_has_digit(p: &str, i: usize) -> bool {
    for (j, c) in p[..i].char_indices().rev().take(MAX_BACK) {
        if c == '、' || is_clause_mark_at(p, j, c) {
            return false;
        }
        if is_digit(c) {
            return true;
        }
    }
    false
}

/// Byte offset where the source of the number starting at `num_start` begins.
pub(super) fn source_start(p: &str, num_start: usize) -> usize {
    let mut depth = 0usize;
    let mut nearest_dunhao: Option<usize> = None;
    let mut earliest_soft: Option<usize> = None;
    for (n, (i, c)) in p[..num_start].char_indices().rev().enumerate() {
        let after = i + c.len_utf8();
        if n >= MAX_BACK {
            return nearest_dunhao.or(earliest_soft).unwrap_or(after);
        }
        match c {
            ')' | '）' => depth += 1,
            '(' | '（' => {
                if depth == 0 {
                    // The number is inside this parenthesis: "(其中29件为同一件事)".
                    return after;
                }
                depth -= 1;
            }
            '、' => {
                if item_before_has_digit(p, i) {
                    return after;
                }
                nearest_dunhao.get_or_insert(after);
            }
            ' ' | '“' | '”' | '《' | '》' => earliest_soft = Some(after),
            _ if is_clause_mark_at(p, i, c) => return after,
            _ => {}
        }
    }
    0
}

/// Byte offset where the source ends, given the end of the unit (and its qualifier / per part).
/// Extends over the counted noun up to the end of the clause, but never over another number,
/// never past an unmatched closing parenthesis, and at most [`MAX_FORWARD`] characters.
pub(super) fn source_end(p: &str, unit_end: usize) -> usize {
    let mut depth = 0usize;
    for (n, (i, c)) in p[unit_end..].char_indices().enumerate() {
        let at = unit_end + i;
        if c == '、' || is_clause_mark_at(p, at, c) {
            return at;
        }
        if is_digit(c) || n >= MAX_FORWARD {
            return unit_end;
        }
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                if depth == 0 {
                    return at;
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    p.len()
}

fn closing_mark(open: char) -> Option<(char, usize)> {
    match open {
        '“' => Some(('”', MAX_QUOTE)),
        '‘' => Some(('’', MAX_QUOTE)),
        '「' => Some(('」', MAX_QUOTE)),
        '『' => Some(('』', MAX_QUOTE)),
        '《' => Some(('》', MAX_TITLE)),
        '〈' => Some(('〉', MAX_TITLE)),
        _ => None,
    }
}

fn is_closing_mark(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '》' | '〉')
}

/// Is the number spanning `start..end` enclosed in quotation marks or a 《》 title?
/// Only a closed pair counts: a stray opening mark does not hide the rest of the paragraph.
/// `ascii_quotes_before` is the number of `"` in `p[..start]` (the caller counts them as it
/// scans, which keeps a paragraph with many numbers linear).
pub(super) fn is_quoted(p: &str, start: usize, end: usize, ascii_quotes_before: usize) -> bool {
    for (n, c) in p[..start].chars().rev().enumerate() {
        // Quotations and titles do not span a full stop.
        if n >= MAX_TITLE || is_closing_mark(c) || c == '\n' || c == '。' {
            break;
        }
        if let Some((close, reach)) = closing_mark(c) {
            if n >= reach {
                break;
            }
            // A closing mark ahead, before the clause ends with a full stop.
            for (m, d) in p[end..].chars().enumerate() {
                if m >= reach || d == '。' || d == '\n' {
                    break;
                }
                if d == close {
                    return true;
                }
            }
            // An unclosed “ inside a 《》 still lets the 《 decide.
            if c != '《' {
                continue;
            }
            break;
        }
    }
    // ASCII double quotes have no direction: the number is quoted when an odd number of them
    // precede it and one follows it closely.
    ascii_quotes_before % 2 == 1
        && p[end..]
            .chars()
            .take(MAX_QUOTE)
            .take_while(|&c| c != '\n')
            .any(|c| c == '"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start_of<'a>(p: &'a str, number: &str) -> &'a str {
        let at = p.find(number).unwrap();
        &p[source_start(p, at)..at]
    }

    #[test]
    fn source_starts_after_the_previous_clause_mark() {
        assert_eq!(
            start_of("现将情况报告如下:定期听取汇报4次", "4"),
            "定期听取汇报"
        );
        assert_eq!(
            start_of("截至12月19日,行政诉讼案件共31件", "31"),
            "行政诉讼案件共"
        );
    }

    #[test]
    fn a_dunhao_splits_only_numbered_list_items() {
        let p = "开展治安巡逻26次、排查化解矛盾纠纷100余起";
        assert_eq!(start_of(p, "100"), "排查化解矛盾纠纷");
        let p = "主持召开专题会议、班子会、推进会4次";
        assert_eq!(start_of(p, "4"), "主持召开专题会议、班子会、推进会");
    }

    #[test]
    fn an_enclosing_parenthesis_starts_the_source() {
        let p = "纠错1件(其中29件为同一件事)";
        assert_eq!(start_of(p, "29"), "其中");
        let p = "为各村(社区)配备法律顾问50名";
        assert_eq!(start_of(p, "50"), "为各村(社区)配备法律顾问");
    }

    #[test]
    fn source_start_is_bounded() {
        let p = format!("{}共3件", "很".repeat(100));
        let at = p.find('3').unwrap();
        assert_eq!(
            p[..at].chars().count() - p[..source_start(&p, at)].chars().count(),
            MAX_BACK
        );
    }

    #[test]
    fn source_end_covers_the_counted_noun() {
        let p = "为街道50个村(社区)配备专业法律顾问,压实";
        let unit_end = p.find("个").unwrap() + "个".len();
        assert_eq!(
            &p[unit_end..source_end(p, unit_end)],
            "村(社区)配备专业法律顾问"
        );
        let p = "累计接访群众280批402人次";
        let unit_end = p.find("批").unwrap() + "批".len();
        assert_eq!(source_end(p, unit_end), unit_end);
    }

    fn quotes_before(p: &str, at: usize) -> usize {
        p[..at].matches('"').count()
    }

    #[test]
    fn quoted_numbers_are_recognised() {
        let p = "实行“3+8”服务供给模式,共办结“12345”市长热线45件";
        let q = |s: &str| {
            let at = p.find(s).unwrap();
            is_quoted(p, at, at + s.len(), quotes_before(p, at))
        };
        assert!(q("3+8"));
        assert!(q("12345"));
        assert!(!q("45件"));
        let p = "制定《珠吉街理论学习中心组2022年学习计划》,学法3次";
        let at = p.find("2022").unwrap();
        assert!(is_quoted(p, at, at + 4, 0));
        let at = p.find('3').unwrap();
        assert!(!is_quoted(p, at, at + 1, 0));
        let p = "结合\"3.15\"消费者权益保护日,开展活动5场";
        let at = p.find('3').unwrap();
        assert!(is_quoted(p, at, at + 4, quotes_before(p, at)));
        let at = p.rfind('5').unwrap();
        assert!(!is_quoted(p, at, at + 1, quotes_before(p, at)));
    }

    #[test]
    fn a_stray_opening_quote_does_not_hide_later_numbers() {
        let p = "开展“法治讲堂活动,全年开展讲座2次,覆盖群众300人。其后继续";
        let at = p.find('2').unwrap();
        assert!(!is_quoted(p, at, at + 1, 0));
    }
}
