//! Hostile docx inputs end as typed errors at bounded cost.
//!
//! This binary installs a counting global allocator: every test holds one lock, so the peak
//! measured around a `read` is that read's own (the test harness is idle meanwhile). No test
//! here asserts on time.

use crate::counting_alloc;
use crate::docx_support;

use counting_alloc::{measured, serial};
use docingest::document::readers::docx::read;
use docingest::document::{detect, Format, Input, Limits, ParseError, RawDocument};
use docx_support::*;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

const MB: usize = 1024 * 1024;
const MEMORY_CEILING: usize = 100 * MB;

fn read_bounded(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let (result, peak) = measured(|| read(bytes, limits));
    eprintln!(
        "read peak {} KiB -> {:?}",
        peak / 1024,
        result.as_ref().err()
    );
    assert!(
        peak < MEMORY_CEILING,
        "read used {} MB, result {:?}",
        peak / MB,
        result.as_ref().map(|d| d.blocks.len())
    );
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

/// A docx whose document.xml is `head`, then `repeat` written until `total` bytes, then
/// `tail`, deflated on the fly (the expansion never exists in memory).
fn bomb(head: &str, repeat: &str, tail: &str, total: usize) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = SimpleFileOptions::default().compression_level(Some(9));
        for (name, data) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
        ] {
            w.start_file(name, opts).unwrap();
            w.write_all(data.as_bytes()).unwrap();
        }
        w.start_file("word/document.xml", opts.large_file(false))
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

const DOC_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#;
const DOC_TAIL: &str = "</w:body></w:document>";
const PARA: &str = "<w:p><w:r><w:t>法治政府建设年度报告</w:t></w:r></w:p>";

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

#[test]
fn zip_bomb_with_honest_sizes_is_refused_before_inflating() {
    let _g = serial();
    let bytes = bomb(DOC_HEAD, PARA, DOC_TAIL, 300 * MB);
    assert!(
        bytes.len() < 2 * MB,
        "the bomb itself is small: {}",
        bytes.len()
    );
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("word/document.xml"), "{msg}");
    // Through the whole pipeline too.
    let input = Input {
        bytes: &bytes,
        name: Some("bomb.docx"),
        uri: String::new(),
    };
    let (result, peak) = measured(|| docingest::document::parse(&input, &Limits::default()));
    assert!(peak < MEMORY_CEILING);
    assert_eq!(result.unwrap_err().code(), "limit_exceeded");
}

#[test]
fn zip_bomb_that_lies_about_its_size_is_stopped_by_counting() {
    let _g = serial();
    let mut bytes = bomb(DOC_HEAD, PARA, DOC_TAIL, 300 * MB);
    // Claim 60 MB: under the 64 MB part limit, so only the bytes actually inflated count.
    let (local, central) = entry_offsets(&bytes, "word/document.xml");
    let lie = (60 * MB as u32).to_le_bytes();
    bytes[local + 22..local + 26].copy_from_slice(&lie);
    bytes[central + 24..central + 28].copy_from_slice(&lie);
    // The 32 MB text budget (text, its raw copy and per-block overhead) ends it first.
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("text"), "{msg}");
    // With a generous text budget, the part limit stops it.
    let limits = Limits {
        max_text_bytes: usize::MAX,
        max_part_bytes: 8 * MB as u64,
        ..Limits::default()
    };
    let (local, central) = entry_offsets(&bytes, "word/document.xml");
    let lie = (4 * MB as u32).to_le_bytes();
    bytes[local + 22..local + 26].copy_from_slice(&lie);
    bytes[central + 24..central + 28].copy_from_slice(&lie);
    // The zip reader refuses to inflate past the declared size: damage, not a limit.
    let msg = expect_err(read_bounded(&bytes, &limits), "corrupt_document");
    assert!(msg.contains("declared"), "{msg}");
}

#[test]
fn one_giant_text_run_is_bounded_by_the_part_and_text_limits() {
    let _g = serial();
    // 60 MB of text in one `w:t`: under the 64 MB part limit, so it is inflated and parsed
    // (the parser holds one text node whole, so the part limit bounds that buffer), then
    // refused by the 32 MB text budget before it is copied into a paragraph.
    let head = format!("{DOC_HEAD}<w:p><w:r><w:t>");
    let tail = "</w:t></w:r></w:p></w:body></w:document>";
    let bytes = bomb(&head, "法", tail, 60 * MB);
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("text exceeds"), "{msg}");
    // A smaller part limit refuses the same file from its declared size alone.
    let limits = Limits {
        max_part_bytes: 16 * MB as u64,
        ..Limits::default()
    };
    let msg = expect_err(read_bounded(&bytes, &limits), "limit_exceeded");
    assert!(msg.contains("part limit"), "{msg}");
}

fn nested_tables(n: usize) -> String {
    let mut body = String::with_capacity(n * 60);
    for _ in 0..n {
        body.push_str("<w:tbl><w:tr><w:tc>");
    }
    body.push_str("<w:p><w:r><w:t>深</w:t></w:r></w:p>");
    for _ in 0..n {
        body.push_str("</w:tc></w:tr></w:tbl>");
    }
    body
}

#[test]
fn five_thousand_nested_tables_hit_the_depth_limit_or_are_walked_iteratively() {
    let _g = serial();
    let bytes = hand_docx(&nested_tables(5_000), &[], &[]);
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "limit_exceeded");
    assert!(msg.contains("deeper than 256"), "{msg}");
    // With the depth limit lifted, the walk is iterative: a 128 KiB stack is enough.
    let deep = Limits {
        max_xml_depth: 20_000,
        ..Limits::default()
    };
    let handle = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || read(&bytes, &deep))
        .unwrap();
    let doc = handle.join().expect("no stack overflow").expect("reads");
    assert_eq!(doc.tables.len(), 5_000);
    assert_eq!(doc.blocks.len(), 1);
    assert_eq!(doc.blocks[0].text, "深");
    assert!(doc.blocks[0].in_table);
}

#[test]
fn deep_nesting_of_any_element_is_refused() {
    let _g = serial();
    let body = format!(
        "<w:p>{}<w:r><w:t>x</w:t></w:r>{}</w:p>",
        "<w:sdt><w:sdtContent>".repeat(200),
        "</w:sdtContent></w:sdt>".repeat(200)
    );
    expect_err(
        read_bounded(&hand_docx(&body, &[], &[]), &Limits::default()),
        "limit_exceeded",
    );
}

#[test]
fn truncated_zip_is_corrupt() {
    let _g = serial();
    let bytes = hand_docx(&p(&["正文"]), &[], &[]);
    for cut in [bytes.len() / 2, bytes.len() - 10, 30] {
        expect_err(
            read_bounded(&bytes[..cut], &Limits::default()),
            "corrupt_document",
        );
    }
}

#[test]
fn bad_crc_is_corrupt() {
    let _g = serial();
    // Stored: flip one letter of the text, leaving well-formed XML that only the CRC betrays.
    let doc = document_xml(&p(&["abcdefgh"]));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut bytes = zip_parts_with(
        &[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", ROOT_RELS.as_bytes()),
            ("word/document.xml", doc.as_bytes()),
        ],
        stored,
    );
    let at = bytes.windows(8).position(|w| w == b"abcdefgh").unwrap();
    bytes[at + 3] = b'X';
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    assert!(msg.to_lowercase().contains("checksum"), "{msg}");

    // Deflated: flip a byte inside document.xml's compressed data.
    let mut bytes = hand_docx(
        &p(&["一段足够长的正文，让压缩数据有一定长度。"; 20]),
        &[],
        &[],
    );
    let (local, _) = entry_offsets(&bytes, "word/document.xml");
    let name_len = u16::from_le_bytes([bytes[local + 26], bytes[local + 27]]) as usize;
    let extra_len = u16::from_le_bytes([bytes[local + 28], bytes[local + 29]]) as usize;
    let csize = u32::from_le_bytes(bytes[local + 18..local + 22].try_into().unwrap()) as usize;
    let data = local + 30 + name_len + extra_len;
    bytes[data + csize / 2] ^= 0x55;
    expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
}

#[test]
fn malformed_xml_is_corrupt() {
    let _g = serial();
    for body in [
        "<w:p><w:r><w:t>未闭合</w:r></w:p>",
        "<w:p><w:r><w:t>a</w:t></w:r></w:p></w:body></w:document><extra>",
        "<w:p><w:r><w:t>a &amp b</w:t></w:r></w:p>",
        "<w:p></w:r>",
    ] {
        let bytes = hand_docx(body, &[], &[]);
        expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    }
    // Truncated inside the XML (the zip itself is fine).
    let doc = document_xml(&p(&["正文"]));
    let cut = &doc[..doc.len() - 30];
    let bytes = zip_parts(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("word/document.xml", cut.as_bytes()),
    ]);
    expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    // A package with no main document part at all.
    let bytes = zip_parts(&[("[Content_Types].xml", CONTENT_TYPES.as_bytes())]);
    expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
}

#[test]
fn xlsx_renamed_docx_is_detected_as_xlsx_and_not_read_as_word() {
    let _g = serial();
    let types = r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>"#;
    let bytes = zip_parts(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
    ]);
    assert_eq!(
        detect::detect(&bytes, Some("report.docx")).unwrap(),
        Format::Xlsx
    );
    let input = Input {
        bytes: &bytes,
        name: Some("report.docx"),
        uri: String::new(),
    };
    match docingest::document::parse(&input, &Limits::default()) {
        Ok(result) => assert_eq!(result.source.format, Format::Xlsx),
        Err(e) => assert!(
            e.to_string().to_lowercase().contains("xlsx")
                || e.to_string().to_lowercase().contains("sheet"),
            "{e}"
        ),
    }
    // Handed to the Word reader anyway, it refuses instead of reading a workbook as a document.
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    assert!(msg.contains("not a WordprocessingML document"), "{msg}");
}

#[test]
fn entry_count_input_size_total_and_width_limits() {
    let _g = serial();
    let doc = document_xml(&p(&["正文"]));
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("word/document.xml".into(), doc.clone().into_bytes()),
    ];
    for i in 0..60 {
        parts.push((format!("media/{i}.bin"), vec![0u8; 4]));
    }
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let bytes = zip_parts(&refs);
    let few = Limits {
        max_zip_entries: 50,
        ..Limits::default()
    };
    expect_err(read_bounded(&bytes, &few), "limit_exceeded");

    let small = Limits {
        max_input_bytes: 100,
        ..Limits::default()
    };
    expect_err(read_bounded(&bytes, &small), "too_large");

    let tiny_total = Limits {
        max_total_uncompressed_bytes: 200,
        ..Limits::default()
    };
    expect_err(read_bounded(&bytes, &tiny_total), "limit_exceeded");

    let tiny_text = Limits {
        max_text_bytes: 1_000,
        ..Limits::default()
    };
    let long = hand_docx(&p(&["很长的正文"; 200]), &[], &[]);
    expect_err(read_bounded(&long, &tiny_text), "limit_exceeded");

    let wide = r#"<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="100000000"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>"#;
    expect_err(
        read_bounded(&hand_docx(wide, &[], &[]), &Limits::default()),
        "limit_exceeded",
    );
    let before = r#"<w:tbl><w:tr><w:trPr><w:gridBefore w:val="18446744073709551615"/></w:trPr><w:tc><w:p/></w:tc></w:tr></w:tbl>"#;
    expect_err(
        read_bounded(&hand_docx(before, &[], &[]), &Limits::default()),
        "limit_exceeded",
    );
}

#[test]
fn hostile_numbering_and_styles_do_not_panic() {
    let _g = serial();
    let numbering = format!(
        r#"<w:numbering xmlns:w="{W_NS}">
          <w:abstractNum w:abstractNumId="1">
            <w:lvl w:ilvl="0"><w:start w:val="9223372036854775807"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1%9%0%%"/></w:lvl>
            <w:lvl w:ilvl="99"><w:start w:val="1"/></w:lvl>
            <w:lvl w:ilvl="-1"><w:start w:val="1"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="-5"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%2、"/><w:lvlRestart w:val="-3"/></w:lvl>
          </w:abstractNum>
          <w:num w:numId="1"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="1"><w:startOverride/></w:lvlOverride></w:num>
          <w:num w:numId="2"><w:abstractNumId w:val="404"/></w:num>
          <w:abstractNum w:abstractNumId="3"><w:numStyleLink w:val="Loop"/></w:abstractNum>
          <w:num w:numId="3"><w:abstractNumId w:val="3"/></w:num></w:numbering>"#
    );
    let mut styles = format!(
        r#"<w:styles xmlns:w="{W_NS}"><w:style w:type="numbering" w:styleId="Loop"><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>"#
    );
    // A 5,000-link basedOn chain.
    for i in 0..5_000 {
        styles.push_str(&format!(
            r#"<w:style w:type="paragraph" w:styleId="S{i}"><w:basedOn w:val="S{}"/></w:style>"#,
            i + 1
        ));
    }
    styles.push_str("</w:styles>");
    let np = |num: &str, lvl: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="S0"/><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p>"#
        )
    };
    let body = [
        np("1", "0"),
        np("1", "0"),
        np("1", "1"),
        np("1", "300"),
        np("2", "0"),
        np("3", "0"),
        np("x", "y"),
    ]
    .concat();
    let bytes = hand_docx(
        &body,
        &[
            ("word/numbering.xml", &numbering),
            ("word/styles.xml", &styles),
        ],
        &[
            ("r1", "numbering", "numbering.xml"),
            ("r2", "styles", "styles.xml"),
        ],
    );
    let doc = read_bounded(&bytes, &Limits::default()).expect("reads");
    let t: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    // i64::MAX in letters falls back to decimal; %9 of an undefined level renders its start 0;
    // `%0` names no level and renders nothing, `%%` stays; the next paragraph saturates
    // instead of overflowing.
    assert_eq!(t[0], "92233720368547758070%% x");
    assert_eq!(t[1], "92233720368547758070%% x");
    assert_eq!(t[2], "〇、x", "valueless startOverride counts from 0");
    assert_eq!(t.len(), 7);
    assert_eq!(&t[4..], ["x", "x", "x"]);
}

#[test]
fn unbalanced_fields_are_bounded() {
    let _g = serial();
    let body = format!(
        "<w:p><w:r>{}<w:t>x</w:t></w:r></w:p>",
        r#"<w:fldChar w:fldCharType="begin"/>"#.repeat(1_000)
    );
    expect_err(
        read_bounded(&hand_docx(&body, &[], &[]), &Limits::default()),
        "limit_exceeded",
    );
    // Ends without begins are ignored.
    let body = format!(
        "<w:p><w:r>{}<w:t>正文</w:t></w:r></w:p>",
        r#"<w:fldChar w:fldCharType="end"/>"#.repeat(10)
    );
    let doc = read_bounded(&hand_docx(&body, &[], &[]), &Limits::default()).unwrap();
    assert_eq!(doc.blocks[0].text, "正文");
}
