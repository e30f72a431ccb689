//! The review page: one self-contained HTML file (no network, no CDN) that opens from disk.
//!
//! What it guarantees about untrusted document text:
//! - the data is embedded once, as JSON in `<script type="application/json">` elements, with
//!   `<`, `>`, `&`, U+2028 and U+2029 written as `\u` escapes, so no document text can close the
//!   element (`</script>`), open a comment or start markup; the HTML around it holds only
//!   numbers and fixed text;
//! - the page's own script puts text into the DOM with `textContent` only;
//! - a Content-Security-Policy meta tag allows nothing but this page's one script and one style
//!   sheet, by their SHA-256 hashes: even markup that got into the DOM could not run a script,
//!   load an image or reach the network.
//!
//! Scale: the overview rows are parsed at load; each report's detail is its own JSON element,
//! placed after the script, so the first rows render before the parser has even read the
//! details, and opening a report parses that report's detail alone.

use super::aggregate::Collection;
use super::report::PART_CODES;
use super::ReviewLimits;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Short and full labels of each part, as the law's content list names them.
fn part_labels(code: &str) -> (&'static str, &'static str) {
    match code {
        "measures_achievements" => ("举措成效", "推进法治政府建设的主要举措和成效"),
        "shortcomings_causes" => ("不足原因", "存在的不足和原因"),
        "first_responsible_duties" => (
            "第一责任人",
            "党政主要负责人履行推进法治建设第一责任人职责情况",
        ),
        "next_year_plans" => ("下年安排", "下一年度推进法治政府建设的主要安排"),
        "other_matters" => ("其他事项", "其他需要报告的情况（可选）"),
        _ => ("?", "?"),
    }
}

/// JSON that is safe inside a `<script>` element: the characters that could end the element,
/// start a comment or break a JavaScript string literal are written as escapes, which JSON
/// allows only inside strings, where they decode to the same text.
pub(crate) fn script_json(v: &impl Serialize) -> serde_json::Result<String> {
    let s = serde_json::to_string(v)?;
    let mut out = String::with_capacity(s.len() + s.len() / 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A CSP source expression for inline content with exactly this text.
fn hash_source(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// The policy of the page: nothing but its own script and style.
pub(crate) fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        hash_source(JS),
        hash_source(CSS)
    )
}

#[derive(Serialize)]
struct Overview<'a> {
    parts: Vec<(&'a str, &'static str, &'static str, bool)>,
    rows: Vec<&'a super::report::Row>,
    summary: super::aggregate::Summary,
    dropped: usize,
    skipped: usize,
}

/// Write the page for `c`. `skipped` is the number of inputs that could not be read (shown so a
/// reviewer knows the page is not the whole batch).
pub(crate) fn write_html(
    c: &Collection,
    skipped: usize,
    lim: &ReviewLimits,
    mut out: impl Write,
) -> std::io::Result<()> {
    let overview = Overview {
        parts: PART_CODES
            .iter()
            .map(|code| {
                let (short, full) = part_labels(code);
                (
                    *code,
                    short,
                    full,
                    crate::document::extract::parts::MANDATORY.contains(code),
                )
            })
            .collect(),
        rows: c.reports().iter().map(|r| &r.row).collect(),
        summary: c.summary(lim),
        dropped: c.dropped(),
        skipped,
    };
    let overview = script_json(&overview)?;
    let n = c.reports().len();
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>法治政府建设年度报告审阅（{n} 份）</title>
<style>{CSS}</style>
</head>
<body>
<header class="top"><h1>法治政府建设年度报告审阅</h1><p class="sub">docingest {version} 生成 · {n} 份报告 · 点击标题查看详情，点击图表中的条目筛选</p></header>
<div id="totals"></div>
<div id="charts"></div>
<div class="filters" role="search">
<label>搜索<input id="f-q" type="search" placeholder="机构、标题、来源、document_id" autocomplete="off"></label>
<label>缺少的部分<select id="f-miss"></select></label>
<label>层级<select id="f-lvl"></select></label>
<label>年度<select id="f-yr"></select></label>
<label>格式<select id="f-fmt"></select></label>
<button id="reset" type="button">清除筛选</button>
<div class="count"><b id="count">0</b> / {n} 份</div>
</div>
<div class="wrap"><table class="main"><thead><tr id="head"></tr></thead><tbody id="rows"></tbody></table><p id="empty" hidden>没有符合条件的报告。</p></div>
<div class="pager"><button id="prev" type="button">上一页</button><span id="pageinfo"></span><button id="next" type="button">下一页</button></div>
<div id="shade" hidden></div>
<aside id="detail" hidden role="dialog" aria-modal="true" aria-label="报告详情"><button id="close" type="button">关闭</button><div id="detail-body"></div></aside>
<noscript><p>此页面需要启用 JavaScript。</p></noscript>
<script type="application/json" id="overview">{overview}</script>
<script>{JS}</script>
"#,
        csp = content_security_policy(),
        version = env!("CARGO_PKG_VERSION"),
    )?;
    // One element per report, so opening a report parses that report's JSON alone.
    for (i, r) in c.reports().iter().enumerate() {
        write!(
            out,
            "<script type=\"application/json\" id=\"d{i}\">{}</script>\n",
            script_json(&r.detail)?
        )?;
    }
    out.write_all(b"</body>\n</html>\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::report::Report;
    use serde_json::json;

    #[test]
    fn script_json_cannot_close_the_element_and_round_trips() {
        let hostile = "</script><img src=x onerror=alert(1)><!-- & \u{2028}\u{2029}";
        let s = script_json(&json!({ "t": hostile })).unwrap();
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!s.contains(bad), "{bad:?} left in {s}");
        }
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["t"], hostile);
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn the_page_holds_hostile_text_only_escaped_and_allows_only_its_own_script() {
        let lim = ReviewLimits::default();
        let mut c = Collection::default();
        let v = json!({"document_id": "sha256:x", "metadata": {"title": "</script><script>alert(1)</script>"},
            "facts": [{"value": 1, "source": "<!--"}]});
        c.add(Report::from_value(&v, &lim).unwrap(), &lim);
        let mut out = Vec::new();
        write_html(&c, 0, &lim, &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(!page.contains("alert(1)</script>"));
        assert!(!page.contains("<!--"));
        assert_eq!(
            page.matches("<script").count(),
            3,
            "two data elements and the page's script"
        );
        let csp = content_security_policy();
        assert!(page.contains(&csp));
        assert!(csp.contains(&hash_source(JS)) && !csp.contains("unsafe"));
        assert!(
            page.contains(&format!("<script>{JS}</script>")),
            "the hashed text is exactly the script element's text"
        );
        assert!(page.contains(&format!("<style>{CSS}</style>")));
    }
}
