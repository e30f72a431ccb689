//! Hostile OFD inputs end as typed errors at bounded cost: zip bombs (honest and lying
//! sizes), deep XML, page lists, text objects and codes beyond their limits, `g` repeats that
//! claim billions of glyphs, templates that name themselves, paths out of the package, scans.
//!
//! The files are made here, in memory; the expansion of a bomb never exists in memory. This
//! binary installs a counting global allocator: every test holds one lock, so the peak
//! measured around a `read` is that read's own.

use crate::counting_alloc;

use counting_alloc::{measured, serial};
use docingest::document::readers::ofd::read;
use docingest::document::{Input, Limits, ParseError, RawDocument};
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

const MB: usize = 1024 * 1024;
/// The issue's bound is 200 MB per hostile file; the reader must stay well under it.
const MEMORY_CEILING: usize = 100 * MB;
/// The issue's bound is 2 s in a release build (`cargo test --release`). An unoptimized build
/// on a loaded machine is only checked for hangs: a million text codes take ~25 s there.
fn time_ceiling() -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 2 })
}

fn read_bounded(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let start = Instant::now();
    let (result, peak) = measured(|| read(bytes, limits));
    let took = start.elapsed();
    eprintln!(
        "read peak {} KiB in {took:?} -> {:?}",
        peak / 1024,
        result.as_ref().err()
    );
    assert!(peak < MEMORY_CEILING, "read used {} MB", peak / MB);
    assert!(took < time_ceiling(), "read took {took:?}");
    result
}

fn expect_err(result: Result<RawDocument, ParseError>, code: &str) -> String {
    match result {
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e.to_string()
        }
        Ok(doc) => panic!(
            "expected {code}, got a document of {} blocks",
            doc.blocks.len()
        ),
    }
}

const OFD_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#;

fn document_xml(pages: usize, extra: &str) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"#,
    );
    s.push_str(extra);
    s.push_str("</ofd:CommonData><ofd:Pages>");
    for i in 0..pages {
        s.push_str(&format!(
            r#"<ofd:Page ID="{i}" BaseLoc="Pages/Page_0/Content.xml"/>"#
        ));
    }
    s.push_str("</ofd:Pages></ofd:Document>");
    s
}

const PAGE_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer ID="1">"#;
const PAGE_TAIL: &str = "</ofd:Layer></ofd:Content></ofd:Page>";

fn text_object(y: f32, text: &str) -> String {
    format!(
        r#"<ofd:TextObject ID="2" Boundary="25 {y} 160 6" Font="1" Size="4.2"><ofd:TextCode X="0" Y="4">{text}</ofd:TextCode></ofd:TextObject>"#
    )
}

/// A package of these parts (OFD.xml added unless given), deflated.
fn package(parts: &[(&str, String)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = SimpleFileOptions::default();
        if !parts.iter().any(|(n, _)| *n == "OFD.xml") {
            w.start_file("OFD.xml", opts).unwrap();
            w.write_all(OFD_XML.as_bytes()).unwrap();
        }
        for (name, data) in parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// A one-page package whose page is `head`, `repeat` until `total` bytes, then `tail`,
/// deflated as it is written.
fn page_bomb(head: &str, repeat: &str, tail: &str, total: usize) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = SimpleFileOptions::default().compression_level(Some(9));
        w.start_file("OFD.xml", opts).unwrap();
        w.write_all(OFD_XML.as_bytes()).unwrap();
        w.start_file("Doc_0/Document.xml", opts).unwrap();
        w.write_all(document_xml(1, "").as_bytes()).unwrap();
        w.start_file("Doc_0/Pages/Page_0/Content.xml", opts.large_file(false))
            .unwrap();
        w.write_all(head.as_bytes()).unwrap();
        let chunk = repeat.repeat((MB / repeat.len()).max(1));
        let mut written = head.len();
        while written + chunk.len() + tail.len() < total {
            w.write_all(chunk.as_bytes()).unwrap();
            written += chunk.len();
        }
        w.write_all(tail.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    out.into_inner()
}

/// Offsets of an entry's local header and central-directory record.
fn entry_offsets(zip: &[u8], name: &str) -> (usize, usize) {
    let find = |sig: &[u8], name_len_at: usize, name_at: usize| {
        (0..zip.len().saturating_sub(name_at))
            .find(|&i| {
                zip[i..].starts_with(sig) && {
                    let n = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]])
                        as usize;
                    zip.get(i + name_at..i + name_at + n) == Some(name.as_bytes())
                }
            })
            .expect("entry present")
    };
    (find(b"PK\x03\x04", 26, 30), find(b"PK\x01\x02", 28, 46))
}

fn one_page(body: &str) -> Vec<u8> {
    package(&[
        ("Doc_0/Document.xml", document_xml(1, "")),
        (
            "Doc_0/Pages/Page_0/Content.xml",
            format!("{PAGE_HEAD}{body}{PAGE_TAIL}"),
        ),
    ])
}

#[test]
fn a_small_valid_package_reads() {
    let _g = serial();
    let body = text_object(30.0, "法治政府建设年度报告") + &text_object(40.0, "一、总体情况");
    let doc = read_bounded(&one_page(&body), &Limits::default()).unwrap();
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(texts, ["法治政府建设年度报告", "一、总体情况"]);
}

#[test]
fn zip_bomb_with_honest_sizes_is_refused_before_inflating() {
    let _g = serial();
    let obj = text_object(30.0, "法治政府建设年度报告");
    let bytes = page_bomb(PAGE_HEAD, &obj, PAGE_TAIL, 300 * MB);
    assert!(
        bytes.len() < 2 * MB,
        "the bomb itself is small: {}",
        bytes.len()
    );
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("Content.xml"), "{msg}");
    // Through the whole pipeline (detection included) too.
    let input = Input {
        bytes: &bytes,
        name: Some("bomb.ofd"),
        uri: String::new(),
    };
    let (result, peak) = measured(|| docingest::document::parse(&input, &Limits::default()));
    assert!(peak < MEMORY_CEILING);
    assert_eq!(result.unwrap_err().code(), "limit_exceeded");
}

#[test]
fn zip_bomb_that_lies_about_its_size_is_stopped_by_counting() {
    let _g = serial();
    let obj = text_object(30.0, "法治政府建设年度报告");
    let mut bytes = page_bomb(PAGE_HEAD, &obj, PAGE_TAIL, 300 * MB);
    // Claim 40 MB, under every byte limit: the zip reader stops inflating at the declared
    // size (damage), having kept no more than the runs read so far.
    let (local, central) = entry_offsets(&bytes, "Doc_0/Pages/Page_0/Content.xml");
    let lie = (40 * MB as u32).to_le_bytes();
    bytes[local + 22..local + 26].copy_from_slice(&lie);
    bytes[central + 24..central + 28].copy_from_slice(&lie);
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    assert!(msg.contains("declared"), "{msg}");
    // The text-code budget ends it first when it is the smaller bound.
    let limits = Limits {
        max_ofd_text_codes: 50_000,
        ..Limits::default()
    };
    let msg = expect_err(read_bounded(&bytes, &limits), "limit_exceeded");
    assert!(msg.contains("max_ofd_text_codes"), "{msg}");
}

#[test]
fn deep_nesting_hits_the_depth_limit() {
    let _g = serial();
    let bytes = page_bomb(PAGE_HEAD, "<ofd:PageBlock>", PAGE_TAIL, 2 * MB);
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("nested"), "{msg}");
}

#[test]
fn page_count_limit() {
    let _g = serial();
    let limits = Limits {
        max_ofd_pages: 1_000,
        ..Limits::default()
    };
    let body = text_object(30.0, "正文");
    let bytes = package(&[
        ("Doc_0/Document.xml", document_xml(1_001, "")),
        (
            "Doc_0/Pages/Page_0/Content.xml",
            format!("{PAGE_HEAD}{body}{PAGE_TAIL}"),
        ),
    ]);
    let msg = expect_err(read_bounded(&bytes, &limits), "limit_exceeded");
    assert!(msg.contains("max_ofd_pages"), "{msg}");
    // At the limit, the one page named a thousand times is read a thousand times.
    let bytes = package(&[
        ("Doc_0/Document.xml", document_xml(1_000, "")),
        (
            "Doc_0/Pages/Page_0/Content.xml",
            format!("{PAGE_HEAD}{body}{PAGE_TAIL}"),
        ),
    ]);
    let doc = read_bounded(&bytes, &limits).unwrap();
    // The same line at the same place on every page would be a running header, but as it is
    // all the text there is, it is kept: once per page.
    let all: String = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(all.matches("正文").count(), 1000);
}

#[test]
fn text_object_and_code_limits() {
    let _g = serial();
    let body = text_object(30.0, "甲").repeat(50);
    let few_objects = Limits {
        max_ofd_text_objects: 49,
        ..Limits::default()
    };
    let msg = expect_err(
        read_bounded(&one_page(&body), &few_objects),
        "limit_exceeded",
    );
    assert!(msg.contains("max_ofd_text_objects"), "{msg}");
    let few_codes = Limits {
        max_ofd_text_codes: 49,
        ..Limits::default()
    };
    let msg = expect_err(read_bounded(&one_page(&body), &few_codes), "limit_exceeded");
    assert!(msg.contains("max_ofd_text_codes"), "{msg}");
    // With the default limits, a page of a million empty codes is refused cheaply.
    let code = r#"<ofd:TextCode X="0" Y="1">字</ofd:TextCode>"#;
    let bytes = page_bomb(
        &format!(r#"{PAGE_HEAD}<ofd:TextObject ID="2" Boundary="0 0 10 10" Size="3">"#),
        code,
        &format!("</ofd:TextObject>{PAGE_TAIL}"),
        80 * MB,
    );
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("max_ofd_text_codes"), "{msg}");
}

#[test]
fn repeat_counts_are_never_expanded() {
    let _g = serial();
    let body = r#"<ofd:TextObject ID="2" Boundary="25 30 160 6" Size="4"><ofd:TextCode X="0" Y="4" DeltaX="g 4000000000 4 g 18446744073709551615 1e38" DeltaY="g 99999999999 1">法治政府建设</ofd:TextCode></ofd:TextObject>"#;
    let doc = read_bounded(&one_page(body), &Limits::default()).unwrap();
    assert_eq!(doc.blocks[0].text, "法治政府建设");
}

#[test]
fn templates_are_followed_one_level_and_never_loop() {
    let _g = serial();
    // Template 1 names itself and the page names it twice: read twice, never recursively.
    let template = format!(r#"{PAGE_HEAD}{}{PAGE_TAIL}"#, text_object(20.0, "模板文字")).replace(
        "<ofd:Content>",
        r#"<ofd:Template TemplateID="1"/><ofd:Content>"#,
    );
    let page = format!("{PAGE_HEAD}{}{PAGE_TAIL}", text_object(60.0, "正文内容")).replace(
        "<ofd:Content>",
        r#"<ofd:Template TemplateID="1"/><ofd:Template TemplateID="1"/><ofd:Template TemplateID="9"/><ofd:Content>"#,
    );
    let bytes = package(&[
        (
            "Doc_0/Document.xml",
            document_xml(
                1,
                r#"<ofd:TemplatePage ID="1" BaseLoc="Tpls/Tpl_0/Content.xml"/>"#,
            ),
        ),
        ("Doc_0/Tpls/Tpl_0/Content.xml", template),
        ("Doc_0/Pages/Page_0/Content.xml", page),
    ]);
    let doc = read_bounded(&bytes, &Limits::default()).unwrap();
    let all: String = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert!(
        all.contains("模板文字") && all.contains("正文内容"),
        "{all}"
    );
    assert!(doc
        .warnings
        .iter()
        .any(|w| w.code == "ofd_templates_missing"));
}

#[test]
fn paths_out_of_the_package_and_missing_parts() {
    let _g = serial();
    let ofd = OFD_XML.replace("Doc_0/Document.xml", "../../etc/passwd");
    let bytes = package(&[("OFD.xml", ofd)]);
    expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    let ofd = OFD_XML.replace("<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>", "");
    let bytes = package(&[("OFD.xml", ofd)]);
    expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    // A document whose only page is missing has no text at all.
    let bytes = package(&[("Doc_0/Document.xml", document_xml(1, ""))]);
    expect_err(read_bounded(&bytes, &Limits::default()), "no_text_layer");
}

#[test]
fn a_scan_is_no_text_layer_and_image_pages_are_named() {
    let _g = serial();
    let image = r#"<ofd:ImageObject ID="3" Boundary="0 0 210 297" ResourceID="4"/>"#;
    let bytes = one_page(image);
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "no_text_layer");
    assert!(msg.contains("1 page"), "{msg}");

    let text_page = format!("{PAGE_HEAD}{}{PAGE_TAIL}", text_object(30.0, "正文"));
    let doc =
        document_xml(2, "").replacen("Pages/Page_0/Content.xml", "Pages/Page_1/Content.xml", 1);
    let bytes = package(&[
        ("Doc_0/Document.xml", doc),
        ("Doc_0/Pages/Page_0/Content.xml", text_page),
        (
            "Doc_0/Pages/Page_1/Content.xml",
            format!("{PAGE_HEAD}{image}{PAGE_TAIL}"),
        ),
    ]);
    let doc = read_bounded(&bytes, &Limits::default()).unwrap();
    let w = doc
        .warnings
        .iter()
        .find(|w| w.code == "ofd_pages_without_text")
        .expect("warning");
    assert!(w.message.ends_with(": 1"), "{}", w.message);
}

#[test]
fn truncated_and_malformed_packages_are_corrupt() {
    let _g = serial();
    let good = one_page(&text_object(30.0, "正文"));
    for cut in [good.len() / 2, good.len() - 10] {
        let r = read_bounded(&good[..cut], &Limits::default());
        assert!(
            matches!(r, Err(ParseError::Corrupt(_))),
            "cut at {cut}: {:?}",
            r.map(|d| d.blocks.len())
        );
    }
    let bad = one_page("<ofd:TextObject><ofd:TextCode>未闭合</ofd:TextObject>");
    expect_err(read_bounded(&bad, &Limits::default()), "corrupt_document");
}
