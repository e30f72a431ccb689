//! The PDF reader on small PDFs written by the tests themselves (tests/pdf_support): each
//! font and encoding path, the text operators, forms, headers and footers, scans and
//! encryption. The seed renditions are checked field by field in tests/parsing/pdf.rs.

use crate::pdf_support;

use docingest::document::readers::pdf::read;
use docingest::document::{detect, parse, Format, Input, Limits, ParseError, RawDocument};
use pdf_support::*;

fn texts(doc: &RawDocument) -> Vec<String> {
    doc.blocks.iter().map(|b| b.text.clone()).collect()
}

fn read_ok(file: &[u8]) -> RawDocument {
    read(file, &Limits::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn detected_as_pdf() {
    let file = document(
        Pdf::new(),
        STSONG_UCS2,
        &[ucs2_page(&[(72.0, 700.0, "正文")])],
    );
    assert_eq!(detect::detect(&file, None), Ok(Format::Pdf));
}

#[test]
fn ucs2_cid_font_without_to_unicode_reads_chinese_and_drops_page_numbers() {
    // reportlab's way: STSong-Light, UniGB-UCS2-H, no ToUnicode; `— N —` footers.
    let page = |n: u32, body: &[&str]| {
        let mut lines: Vec<(f32, f32, String)> = body
            .iter()
            .enumerate()
            .map(|(i, t)| (72.0, 760.0 - 20.0 * i as f32, t.to_string()))
            .collect();
        lines.push((280.0, 40.0, format!("— {n} —")));
        let l: Vec<(f32, f32, &str)> = lines.iter().map(|(x, y, t)| (*x, *y, t.as_str())).collect();
        ucs2_page(&l)
    };
    let file = document(
        Pdf::new(),
        STSONG_UCS2,
        &[
            page(1, &["一、总体情况", "全年办结行政复议案件12件。"]),
            page(2, &["二、存在的问题", "执法力量不足。"]),
        ],
    );
    let doc = read_ok(&file);
    assert_eq!(
        texts(&doc),
        [
            "一、总体情况",
            "全年办结行政复议案件12件。",
            "二、存在的问题",
            "执法力量不足。"
        ]
    );
    assert!(doc.warnings.iter().all(|w| w.code != "pdf_unmapped_glyphs"));
}

#[test]
fn identity_h_with_to_unicode() {
    let mut pdf = Pdf::new();
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar <0001> <6CD5> <0002> <6CBB> <0003> <0032> endbfchar
1 beginbfrange <0010> <0012> <653F> endbfrange
endcmap end end";
    let tu = pdf.flate_stream("", cmap);
    let font = format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H \
         /ToUnicode {tu} 0 R /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 \
         /BaseFont /ABCDEF+SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
         /DW 1000 /W [3 [500]] >>] >>"
    );
    let content = b"BT /F1 12 Tf 72 700 Td <000100020010> Tj <00030003> Tj ET".to_vec();
    let doc = read_ok(&document(pdf, &font, &[content]));
    assert_eq!(texts(&doc), ["法治政22"]);
}

#[test]
fn identity_h_without_to_unicode_uses_the_adobe_gb1_collection() {
    // CIDs 1000 and 34 of Adobe-GB1 are 拜 and A.
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H \
        /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> >>] >>";
    let content = b"BT /F1 12 Tf 72 700 Td <03E80022> Tj ET".to_vec();
    let doc = read_ok(&document(Pdf::new(), font, &[content]));
    assert_eq!(texts(&doc), ["拜A"]);
}

#[test]
fn identity_h_without_any_mapping_leaves_glyphs_out_and_warns() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /XYZ+Sub /Encoding /Identity-H \
        /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /XYZ+Sub \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>] >>";
    let mut pdf = Pdf::new();
    let helv = pdf
        .add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
    let f1 = pdf.add(font);
    let c = pdf.stream(
        "",
        b"BT /F1 12 Tf 72 700 Td <03E80022> Tj /F2 12 Tf 1 0 0 1 72 680 Tm (Report 2023) Tj ET",
    );
    let pages = pdf.reserve();
    let page = pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 {f1} 0 R /F2 {helv} 0 R >> >> /Contents {c} 0 R >>"
    ));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let doc = read_ok(&pdf.finish(root));
    assert_eq!(texts(&doc), ["Report 2023"]);
    let w = doc
        .warnings
        .iter()
        .find(|w| w.code == "pdf_unmapped_glyphs")
        .expect("warning");
    assert!(w.message.starts_with("2 glyph"), "{}", w.message);
}

#[test]
fn only_unmappable_glyphs_are_no_text_layer_with_the_reason() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /XYZ+Sub /Encoding /Identity-H \
        /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /XYZ+Sub \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>] >>";
    let content = b"BT /F1 12 Tf 72 700 Td <03E80022> Tj ET".to_vec();
    match read(&document(Pdf::new(), font, &[content]), &Limits::default()) {
        Err(ParseError::NoTextLayer(m)) => assert!(m.contains("2 glyph(s)"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gbk_euc_h_cmap() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /GBK-EUC-H \
        /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>] >>";
    // 法治 in GBK, then ASCII digits as one-byte codes.
    let content = b"BT /F1 12 Tf 72 700 Td <B7A8D6CE> Tj (2023) Tj ET".to_vec();
    let doc = read_ok(&document(Pdf::new(), font, &[content]));
    assert_eq!(texts(&doc), ["法治2023"]);
}

#[test]
fn utf16_cmap_with_a_supplementary_character() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H \
        /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 5 >> >>] >>";
    let content = b"BT /F1 12 Tf 72 700 Td <4E2DD840DC0056FD> Tj ET".to_vec();
    let doc = read_ok(&document(Pdf::new(), font, &[content]));
    assert_eq!(texts(&doc), ["中\u{20000}国"]);
}

#[test]
fn simple_font_with_differences_and_kerned_tj() {
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman \
        /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding \
        /Differences [1 /emdash /uni6CD5 /u6CBB] >> /FirstChar 32 /LastChar 126 \
        /Widths [250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 \
        500 500 500 500 500 500 500 500 500 500 278 278 564 564 564 444 921 722 667 667 722 \
        611 556 722 722 333 389 722 611 889 722 722 556 722 667 556 611 722 722 944 722 722 \
        611 333 278 333 469 500 333 444 500 444 500 444 333 500 500 278 278 500 278 778 500 \
        500 500 500 333 389 278 500 500 722 500 500 444 480 200 480 541] >>";
    // A kerned TJ (small adjustments stay inside words; -300 is a word gap), a
    // Differences dash, glyph names of the uniXXXX and uXXXX forms.
    let content = b"BT /F1 12 Tf 72 700 Td [(W) 80 (ork) -300 (plan)] TJ \
        0 -20 Td (\x01) Tj (\x02\x03) Tj ET"
        .to_vec();
    let doc = read_ok(&document(Pdf::new(), font, &[content]));
    // Two short lines: layout may join them into one paragraph (Latin + CJK joins bare).
    let joined = texts(&doc).join("");
    assert!(joined.starts_with("Work plan"), "{joined}");
    assert!(joined.ends_with("—法治"), "{joined}");
}

#[test]
fn text_operators_place_lines() {
    // TL + T*, ' and " move to the next line; Tm sets the matrix; a scaled CTM scales all.
    let mut content = String::from("q 1 0 0 1 0 0 cm BT /F1 12 Tf 14 TL 72 760 Td ");
    content.push_str(&format!(
        "{} Tj T* {} Tj ",
        utf16_hex("第一行"),
        utf16_hex("第二行")
    ));
    content.push_str(&format!(
        "{} ' 0 0 {} \" ET Q",
        utf16_hex("第三行"),
        utf16_hex("第四行")
    ));
    let doc = read_ok(&document(Pdf::new(), STSONG_UCS2, &[content.into_bytes()]));
    let joined = texts(&doc).join("|");
    for l in ["第一行", "第二行", "第三行", "第四行"] {
        assert!(joined.contains(l), "{joined}");
    }
    assert!(joined.find("第一行") < joined.find("第四行"), "{joined}");
}

#[test]
fn form_xobject_text_is_read_with_its_own_resources() {
    let mut pdf = Pdf::new();
    let font = pdf.add(STSONG_UCS2);
    let form_content = format!("BT /FF 12 Tf 0 0 Td {} Tj ET", utf16_hex("表单里的文字"));
    let form = pdf.stream(
        &format!(
            "/Type /XObject /Subtype /Form /BBox [0 0 500 100] /Matrix [1 0 0 1 72 600] \
             /Resources << /Font << /FF {font} 0 R >> >>"
        ),
        form_content.as_bytes(),
    );
    let c = pdf.stream("", b"/Fm Do");
    let pages = pdf.reserve();
    let page = pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] \
         /Resources << /XObject << /Fm {form} 0 R >> >> /Contents {c} 0 R >>"
    ));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let doc = read_ok(&pdf.finish(root));
    assert_eq!(texts(&doc), ["表单里的文字"]);
}

fn image_page(pdf: &mut Pdf, pages: usize, text: Option<(usize, &str)>) -> usize {
    let img = pdf.stream(
        "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8",
        b"\x80",
    );
    let mut content = String::from("q 595 0 0 842 0 0 cm /Im Do Q ");
    let mut fonts = String::new();
    if let Some((font, t)) = text {
        content.push_str(&format!("BT /F1 12 Tf 72 700 Td {} Tj ET", utf16_hex(t)));
        fonts = format!("/Font << /F1 {font} 0 R >>");
    }
    let c = pdf.stream("", content.as_bytes());
    pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] \
         /Resources << /XObject << /Im {img} 0 R >> {fonts} >> /Contents {c} 0 R >>"
    ))
}

#[test]
fn a_scan_is_no_text_layer_never_an_empty_result() {
    let mut pdf = Pdf::new();
    let pages = pdf.reserve();
    let p1 = image_page(&mut pdf, pages, None);
    let p2 = image_page(&mut pdf, pages, None);
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{p1} 0 R {p2} 0 R] /Count 2 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let file = pdf.finish(root);
    let err = read(&file, &Limits::default()).unwrap_err();
    assert!(matches!(err, ParseError::NoTextLayer(_)), "{err:?}");
    assert_eq!(err.code(), "no_text_layer");
    // Through the whole pipeline too.
    let err = parse(
        &Input {
            bytes: &file,
            name: Some("scan.pdf"),
            uri: "scan.pdf".into(),
        },
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "no_text_layer");
}

#[test]
fn image_only_pages_of_a_text_pdf_are_named_in_a_warning() {
    let mut pdf = Pdf::new();
    let font = pdf.add(STSONG_UCS2);
    let pages = pdf.reserve();
    let p1 = image_page(&mut pdf, pages, Some((font, "第一页正文")));
    let p2 = image_page(&mut pdf, pages, None);
    let p3 = image_page(&mut pdf, pages, None);
    let p4 = image_page(&mut pdf, pages, Some((font, "第四页正文")));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{p1} 0 R {p2} 0 R {p3} 0 R {p4} 0 R] /Count 4 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let doc = read_ok(&pdf.finish(root));
    let w = doc
        .warnings
        .iter()
        .find(|w| w.code == "pdf_image_only_pages")
        .expect("warning");
    assert!(w.message.contains("page(s) 2-3 "), "{}", w.message);
}

fn encrypted(user_password: &str) -> Vec<u8> {
    let lines = [(72.0, 760.0, "加密文件的正文")];
    let plain = document(Pdf::new(), STSONG_UCS2, &[ucs2_page(&lines)]);
    let mut doc = lopdf::Document::load_mem(&plain).unwrap();
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner-secret",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    };
    let state = lopdf::EncryptionState::try_from(version).unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn encrypted_with_an_empty_user_password_is_opened() {
    let doc = read_ok(&encrypted(""));
    assert_eq!(texts(&doc), ["加密文件的正文"]);
}

#[test]
fn encrypted_with_a_user_password_is_encrypted_document() {
    let err = read(&encrypted("user-secret"), &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "encrypted_document", "{err:?}");
}

#[test]
fn info_dictionary_gives_core_properties() {
    let mut pdf = Pdf::new();
    let font = pdf.add(STSONG_UCS2);
    let c = pdf.flate_stream("", &ucs2_page(&[(72.0, 700.0, "正文")]));
    let pages = pdf.reserve();
    let page = pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /Resources << /Font << /F1 {font} 0 R >> >> /Contents {c} 0 R >>"
    ));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let info = pdf.add(format!(
        "<< /Title <FEFF{}> /Author (Office) /CreationDate (D:20230115093000+08'00') >>",
        &utf16_hex("年度报告")[1..17]
    ));
    let mut file = pdf.finish(root);
    // Name the Info dictionary in the trailer.
    let pos = file.windows(7).rposition(|w| w == b"trailer").unwrap();
    let tail = String::from_utf8_lossy(&file[pos..])
        .replace("<< /Size", &format!("<< /Info {info} 0 R /Size"));
    file.truncate(pos);
    file.extend_from_slice(tail.as_bytes());
    let doc = read_ok(&file);
    let core = doc.core_properties.expect("core properties");
    assert_eq!(core.title.as_deref(), Some("年度报告"));
    assert_eq!(core.author.as_deref(), Some("Office"));
    assert_eq!(core.created.as_deref(), Some("2023-01-15T09:30:00"));
}
