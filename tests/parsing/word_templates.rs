//! 公文 Word files as the public template collections lay them out: the 发文机关标志 in a text
//! box, the 版记 (抄送, 印发) as a borderless table, a 令 or 公告 whose header stands over its
//! number, and unfilled templates whose slots (`[此处输入主送机关]`, `[市长]  XXX`, `〔20XX〕第XX号`)
//! stand where values go. Every fixture is a docx of our own writing.

use crate::docx_support::{hand_docx, p};

use docingest::document::{parse, Input, Limits, ParseResult};

fn parse_docx(body: &str) -> ParseResult {
    let bytes = hand_docx(body, &[], &[]);
    parse(
        &Input {
            bytes: &bytes,
            name: Some("template.docx"),
            uri: String::new(),
        },
        &Limits::default(),
    )
    .expect("docx parses")
}

/// A paragraph anchoring a text box that holds `lines`, as WPS and Word write it.
fn text_box(lines: &[&str]) -> String {
    let inner: String = lines.iter().map(|l| p(&[l])).collect();
    format!(
        r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#
    )
}

/// A borderless table, one row per entry, cells given in order.
fn table(rows: &[&[&str]]) -> String {
    let mut s = String::from("<w:tbl>");
    for row in rows {
        s.push_str("<w:tr>");
        for cell in *row {
            s.push_str(&format!("<w:tc>{}</w:tc>", p(&[cell])));
        }
        s.push_str("</w:tr>");
    }
    s.push_str("</w:tbl>");
    s
}

#[test]
fn an_imprint_laid_out_as_a_table_gives_copy_to_and_print_date() {
    let body = [
        text_box(&["某某县人民政府办公室文件"]),
        p(&["某政办发〔2024〕12号"]),
        p(&["关于做好防汛工作的通知"]),
        p(&["各乡镇人民政府，县直各单位："]),
        p(&["为切实做好今年防汛工作，确保人民群众生命财产安全，现将有关事项通知如下。"]),
        p(&["请各单位认真贯彻落实。"]),
        p(&["某某县人民政府办公室"]),
        p(&["2024年5月6日"]),
        table(&[
            &["抄送：县委办公室，县人大常委会办公室。", ""],
            &["某某县人民政府办公室", "2024年5月7日印发"],
        ]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(m.title.as_deref(), Some("关于做好防汛工作的通知"));
    assert_eq!(
        m.gbt9704.red_header.as_deref(),
        Some("某某县人民政府办公室文件")
    );
    assert_eq!(m.doc_number.unwrap().raw, "某政办发〔2024〕12号");
    assert_eq!(m.addressee.as_deref(), Some("各乡镇人民政府，县直各单位"));
    assert_eq!(m.dates.written.as_deref(), Some("2024-05-06"));
    assert_eq!(m.dates.printed.as_deref(), Some("2024-05-07"));
    let g = &m.gbt9704;
    assert_eq!(g.copy_to, vec!["县委办公室", "县人大常委会办公室"]);
    assert_eq!(g.printing_org.as_deref(), Some("某某县人民政府办公室"));
    assert_eq!(g.signature_orgs, vec!["某某县人民政府办公室"]);
}

#[test]
fn template_slots_are_not_addressees_titles_or_signers() {
    let body = [
        text_box(&["某某县人民政府文件"]),
        p(&["〔2024〕号                     签发人：□□□"]),
        p(&["[此处输入文件标题]"]),
        p(&["[此处输入主送机关]："]),
        p(&["[此处输入正文内容]"]),
        p(&["某某县人民政府"]),
        p(&["2024年5月6日"]),
    ]
    .concat();
    let r = parse_docx(&body);
    let m = &r.metadata;
    assert_eq!(m.title, None);
    assert_eq!(m.addressee, None);
    assert!(m.signers.is_empty(), "{:?}", m.signers);
    assert_eq!(m.doc_number, None);
    assert_eq!(m.dates.written.as_deref(), Some("2024-05-06"));
    assert_eq!(m.gbt9704.signature_orgs, vec!["某某县人民政府"]);
    assert!(r.warnings.iter().any(|w| w.code == "unfilled_template"));

    // A slot that names its kind of value is still a slot: `[各单位]：`.
    let body = [
        p(&["某某县人民政府"]),
        p(&["关于开展安全检查的通知"]),
        p(&["[各单位]："]),
        p(&["[此处输入正文内容]"]),
        p(&["某某县人民政府"]),
        p(&["2024年5月6日"]),
    ]
    .concat();
    assert_eq!(parse_docx(&body).metadata.addressee, None);
}

#[test]
fn a_decree_header_over_its_number_is_the_header_not_the_title() {
    let body = [
        text_box(&["某某市人民政府令"]),
        p(&["第  号"]),
        p(&["[此处输入正文内容]"]),
        p(&["[市长]  XXX"]),
        p(&["2024年5月6日"]),
        text_box(&[]),
        table(&[&["某某市人民政府办公室", "2024年5月8日印发"]]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(m.title, None);
    assert_eq!(m.document_kind.as_deref(), Some("命令"));
    assert_eq!(m.gbt9704.red_header.as_deref(), Some("某某市人民政府令"));
    // Neither the number slot nor the signer slot is a 署名 or a signer.
    assert!(
        m.gbt9704.signature_orgs.is_empty(),
        "{:?}",
        m.gbt9704.signature_orgs
    );
    assert!(m.signers.is_empty(), "{:?}", m.signers);
    assert_eq!(m.dates.written.as_deref(), Some("2024-05-06"));
    assert_eq!(m.dates.printed.as_deref(), Some("2024-05-08"));
}

#[test]
fn a_filled_decree_names_its_signer_and_no_title() {
    let body = [
        text_box(&["某某市人民政府令"]),
        p(&["第5号"]),
        p(&["《某某市行政规范性文件管理办法》已经市政府常务会议审议通过，现予公布，自2024年6月1日起施行。"]),
        p(&["市长  张三"]),
        p(&["2024年5月6日"]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(m.title, None);
    assert_eq!(m.document_kind.as_deref(), Some("命令"));
    assert_eq!(m.signers, vec!["张三"]);
    assert_eq!(m.dates.written.as_deref(), Some("2024-05-06"));
}

#[test]
fn a_bulletin_header_over_its_number_leaves_the_title_below_it() {
    let body = [
        text_box(&["某某县人民政府公告"]),
        p(&["〔2024〕第3号"]),
        p(&["关于调整城区限行措施的公告"]),
        p(&["为改善城区交通秩序，经县人民政府研究，决定自2024年6月1日起调整城区限行措施。"]),
        p(&["某某县人民政府"]),
        p(&["2024年5月6日"]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(m.title.as_deref(), Some("关于调整城区限行措施的公告"));
    assert_eq!(m.document_kind.as_deref(), Some("公告"));
    assert_eq!(m.gbt9704.red_header.as_deref(), Some("某某县人民政府公告"));
    assert_eq!(m.gbt9704.signature_orgs, vec!["某某县人民政府"]);

    // Its number slot in a template is not a 署名 either.
    let body = [
        text_box(&["某某县人民政府公告"]),
        p(&["〔20XX〕第XX号"]),
        p(&["[此处输入文件标题]"]),
        p(&["[此处输入正文内容]"]),
        p(&["某某县人民政府"]),
        p(&["2024年5月6日"]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(m.title, None);
    assert_eq!(m.document_kind.as_deref(), Some("公告"));
    assert_eq!(m.gbt9704.signature_orgs, vec!["某某县人民政府"]);
    assert_eq!(m.dates.written.as_deref(), Some("2024-05-06"));
}

#[test]
fn minutes_date_their_header_line() {
    let body = [
        text_box(&["某某县人民政府常务会议纪要"]),
        p(&["〔2024〕5号"]),
        p(&["某某县人民政府办公室                    2024年3月1日"]),
        p(&["2024年2月28日，县长主持召开县人民政府第十次常务会议，研究防汛工作。现纪要如下。"]),
        p(&["会议要求各乡镇做好防汛准备。"]),
        table(&[&["某某县人民政府办公室", "2024年3月2日印发"]]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(m.document_kind.as_deref(), Some("纪要"));
    assert_eq!(m.dates.written.as_deref(), Some("2024-03-01"));
    assert_eq!(m.dates.printed.as_deref(), Some("2024-03-02"));
}

#[test]
fn a_joint_header_whose_wen_jian_box_comes_first_is_one_header() {
    let body = [
        text_box(&["文件"]),
        text_box(&["中共某某镇委员会", "某某镇人民政府"]),
        p(&["某镇发〔2024〕8号"]),
        p(&["关于加强森林防火工作的通知"]),
        p(&["各村（居）委会，镇直各单位："]),
        p(&["为切实做好森林防火工作，现将有关事项通知如下。"]),
        p(&["中共某某镇委员会        某某镇人民政府"]),
        p(&["2024年3月1日"]),
    ]
    .concat();
    let m = parse_docx(&body).metadata;
    assert_eq!(
        m.gbt9704.red_header.as_deref(),
        Some("中共某某镇委员会 某某镇人民政府文件")
    );
    assert_eq!(m.title.as_deref(), Some("关于加强森林防火工作的通知"));
    assert_eq!(m.doc_number.unwrap().raw, "某镇发〔2024〕8号");

    // Slots between the boxes (`发文机关二`) leave the header unread rather than half read.
    let body = [
        text_box(&["文件"]),
        text_box(&["某某县人民政府", "发文机关二"]),
        p(&["〔2024〕号"]),
        p(&["[此处输入文件标题]"]),
    ]
    .concat();
    assert_eq!(parse_docx(&body).metadata.gbt9704.red_header, None);
}
