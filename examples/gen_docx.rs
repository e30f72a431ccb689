//! Writes a synthetic Word report of a chosen size for `benches/docx_bench.sh`.
//!
//! `cargo run --release --example gen_docx -- OUT.docx [MEGABYTES]` produces a docx whose
//! `word/document.xml` is about MEGABYTES (default 5) of what real reports contain: 一、/（一）
//! auto-numbered headings (numbering.xml, chineseCounting), body paragraphs split over several
//! runs with a bold lead-in, tables with a merged header cell, a header and a PAGE-field
//! footer. The output is deterministic, so runs compare like with like.

use std::io::Write;
use zip::write::SimpleFileOptions;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const SENTENCES: &[&str] = &[
    "街道党工委、办事处高度重视法治政府建设，定期听取法治建设工作汇报4次，研究解决重点难点问题。",
    "全年共办理行政复议案件12件，行政应诉案件3件，行政机关负责人出庭应诉率达到100%。",
    "严格落实重大行政决策程序规定，对涉及群众切身利益的事项广泛征求意见，累计收集意见建议236条。",
    "深入开展“八五”普法宣传，组织法治讲座18场，覆盖群众4.2万人次，发放宣传资料1.5万份。",
    "持续推进行政执法“三项制度”，全年立案357件，结案率98.6%，无一起执法过错责任追究情形。",
    "健全矛盾纠纷多元化解机制，人民调解组织受理纠纷526件，调解成功率97.3%。",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: gen_docx OUT.docx [MEGABYTES]")?;
    let megabytes: f64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5.0);
    let target = (megabytes * 1024.0 * 1024.0) as usize;

    let mut body = String::with_capacity(target + 64 * 1024);
    let mut section = 0usize;
    while body.len() < target {
        section += 1;
        numbered(
            &mut body,
            0,
            &format!("第{section}部分 推进法治政府建设的主要举措和成效"),
        );
        for sub in 0..6 {
            numbered(&mut body, 1, &format!("完善依法行政制度体系{sub}"));
            for k in 0..4 {
                paragraph(&mut body, section + sub + k);
            }
            if sub % 3 == 2 {
                table(&mut body, section);
            }
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rIdH"/><w:footerReference w:type="default" r:id="rIdF"/></w:sectPr></w:body></w:document>"#
    );

    let file = std::fs::File::create(&out)?;
    let mut zip = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default();
    let parts: [(&str, String); 9] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
        ("word/document.xml", document),
        (
            "word/styles.xml",
            format!(r#"<w:styles xmlns:w="{W}">{STYLES}</w:styles>"#),
        ),
        (
            "word/numbering.xml",
            format!(r#"<w:numbering xmlns:w="{W}">{NUMBERING}</w:numbering>"#),
        ),
        (
            "word/header1.xml",
            format!(
                r#"<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>政务公开专栏</w:t></w:r></w:p></w:hdr>"#
            ),
        ),
        (
            "word/footer1.xml",
            format!(
                r#"<w:ftr xmlns:w="{W}"><w:p><w:r><w:t xml:space="preserve">— </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#
            ),
        ),
        ("docProps/core.xml", CORE.to_string()),
    ];
    for (name, data) in parts {
        zip.start_file(name, opts)?;
        zip.write_all(data.as_bytes())?;
    }
    zip.finish()?;
    Ok(())
}

fn numbered(out: &mut String, ilvl: u8, text: &str) {
    let style = if ilvl == 0 { "Heading1" } else { "Heading2" };
    out.push_str(&format!(
        r#"<w:p><w:pPr><w:pStyle w:val="{style}"/><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:rPr><w:rFonts w:ascii="黑体" w:eastAsia="黑体"/><w:sz w:val="32"/></w:rPr><w:t>{text}</w:t></w:r></w:p>"#
    ));
}

fn paragraph(out: &mut String, seed: usize) {
    out.push_str(r#"<w:p><w:pPr><w:ind w:firstLine="640"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="32"/></w:rPr><w:t>一是加强组织领导。</w:t></w:r>"#);
    for i in 0..3 {
        let s = SENTENCES[(seed + i) % SENTENCES.len()];
        out.push_str(&format!(
            r#"<w:r><w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr><w:t>{s}</w:t></w:r>"#
        ));
    }
    out.push_str("</w:p>");
}

fn table(out: &mut String, seed: usize) {
    let cell = |t: &str, extra: &str| {
        format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/>{extra}</w:tcPr><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>"#
        )
    };
    out.push_str(r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/><w:gridCol w:w="2000"/></w:tblGrid>"#);
    out.push_str("<w:tr>");
    out.push_str(&cell("指标", r#"<w:vMerge w:val="restart"/>"#));
    out.push_str(&cell("完成情况", r#"<w:gridSpan w:val="2"/>"#));
    out.push_str(&cell("备注", ""));
    out.push_str("</w:tr><w:tr>");
    out.push_str(&cell("", "<w:vMerge/>"));
    out.push_str(&cell("数量", ""));
    out.push_str(&cell("单位", ""));
    out.push_str(&cell("", ""));
    out.push_str("</w:tr>");
    for row in 0..5 {
        out.push_str("<w:tr>");
        out.push_str(&cell(&format!("行政复议案件{row}"), ""));
        out.push_str(&cell(&format!("{}", seed * 7 + row), ""));
        out.push_str(&cell("件", ""));
        out.push_str(&cell("同比增长", ""));
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdN" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

const STYLES: &str = r#"<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="32"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>"#;

const NUMBERING: &str = r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#;

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>法治政府建设年度报告（基准测试）</dc:title><dc:creator>gen_docx</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created></cp:coreProperties>"#;
