//! Legal references: the titles quoted in 《》 (laws, regulations, plans, notices), and the
//! titles quoted in 〈〉 inside them (《关于印发〈法治政府建设实施纲要〉的通知》 cites both the
//! notice and the plan).
//!
//! Guarantees: titles are trimmed, non-empty, at most [`MAX_TITLE_CHARS`] characters and contain
//! no line break; each appears once, in order of first appearance (an outer title before the
//! inner titles it quotes). A 《 without its 》 yields nothing. One linear pass over the text,
//! with a bounded look-ahead per opening mark.

/// A 《…》 span longer than this is a stray mark, not a title.
pub const MAX_TITLE_CHARS: usize = 100;

/// The distinct titles quoted in 《》 (and 〈〉 inside them), in order of first appearance.
pub fn legal_references(text: &str) -> Vec<String> {
    let mut titles = Titles::default();
    // Where the next 》 is, searched once per stretch: a run of 《 with no 》 near it is skipped
    // without a look-ahead from each mark (exactly what `closing` would conclude).
    let mut next_close = crate::document::scan::NextMatch::new(|s| s.find('》'));
    let mut at = 0;
    while let Some(offset) = text[at..].find('《') {
        let open = at + offset;
        let body = open + '《'.len_utf8();
        match next_close.at_or_after(text, body) {
            None => break,
            // More than MAX_TITLE_CHARS characters away even at 4 bytes a character.
            Some(c) if c - body > 4 * (MAX_TITLE_CHARS + 1) => {
                at = body;
                continue;
            }
            Some(_) => {}
        }
        match closing(text, body, '《', '》') {
            Some(close) => {
                push_title(&mut titles, &text[body..close]);
                inner_titles(&mut titles, &text[body..close]);
                at = close + '》'.len_utf8();
            }
            None => at = body,
        }
    }
    titles.list
}

/// Titles in order of first appearance, with a set to find repeats in O(1): a linear search
/// of the list made a text of many distinct titles quadratic.
#[derive(Default)]
struct Titles {
    list: Vec<String>,
    seen: std::collections::HashSet<String>,
}

/// Byte offset of the mark closing the one opened just before `from`, honouring nesting, within
/// [`MAX_TITLE_CHARS`] characters and the same line.
fn closing(text: &str, from: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (n, (i, c)) in text[from..].char_indices().enumerate() {
        if n > MAX_TITLE_CHARS || c == '\n' || c == '\r' {
            return None;
        }
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Some(from + i);
            }
            depth -= 1;
        }
    }
    None
}

/// The 〈〉 titles (and, in texts that nest 《》 inside 《》, those) quoted inside a title.
fn inner_titles(titles: &mut Titles, outer: &str) {
    for (open, close) in [('〈', '〉'), ('《', '》')] {
        let mut at = 0;
        while let Some(offset) = outer[at..].find(open) {
            let body = at + offset + open.len_utf8();
            match closing(outer, body, open, close) {
                Some(end) => {
                    push_title(titles, &outer[body..end]);
                    at = end + close.len_utf8();
                }
                None => at = body,
            }
        }
    }
}

fn push_title(titles: &mut Titles, raw: &str) {
    let title = raw.trim_matches(|c: char| c.is_whitespace());
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return;
    }
    if titles.seen.insert(title.to_string()) {
        titles.list.push(title.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_in_order_of_first_appearance_without_duplicates() {
        let text = "认真贯彻落实《党政主要负责人履行推进法治建设第一责任人职责规定》,制定出台\
                    《常庄街道普法工作领导小组》《常庄街道普法责任清单制度》等系列文件。\n\
                    再次学习《党政主要负责人履行推进法治建设第一责任人职责规定》。";
        assert_eq!(
            legal_references(text),
            [
                "党政主要负责人履行推进法治建设第一责任人职责规定",
                "常庄街道普法工作领导小组",
                "常庄街道普法责任清单制度",
            ]
        );
    }

    #[test]
    fn titles_with_years_and_parentheses_are_kept_whole() {
        let text =
            "紧紧围绕《法治政府建设实施纲要(2021-2025年)》《北京市全面依法治市规划(2021-2025年)》";
        assert_eq!(
            legal_references(text),
            [
                "法治政府建设实施纲要(2021-2025年)",
                "北京市全面依法治市规划(2021-2025年)"
            ]
        );
    }

    #[test]
    fn nested_angle_brackets_give_the_outer_and_the_inner_title() {
        let text = "转发《国务院关于印发〈全面推进依法行政实施纲要〉的通知》和《民法典》";
        assert_eq!(
            legal_references(text),
            [
                "国务院关于印发〈全面推进依法行政实施纲要〉的通知",
                "全面推进依法行政实施纲要",
                "民法典",
            ]
        );
        let text = "《关于印发《法治街道建设方案》的通知》";
        assert_eq!(
            legal_references(text),
            ["关于印发《法治街道建设方案》的通知", "法治街道建设方案"]
        );
    }

    #[test]
    fn titles_are_trimmed_and_empty_ones_skipped() {
        assert_eq!(legal_references("《 宪法 》《》《　》"), ["宪法"]);
    }

    #[test]
    fn angle_brackets_outside_a_title_are_not_references() {
        assert!(legal_references("见〈附件〉").is_empty());
    }

    #[test]
    fn unclosed_and_overlong_marks_are_not_titles() {
        assert_eq!(
            legal_references("《未闭合的标题\n下一行《民法典》"),
            ["民法典"]
        );
        let long = format!("《{}》《宪法》", "长".repeat(MAX_TITLE_CHARS + 1));
        assert_eq!(legal_references(&long), ["宪法"]);
        let exact = format!("《{}》", "长".repeat(MAX_TITLE_CHARS));
        assert_eq!(legal_references(&exact).len(), 1);
    }
}
