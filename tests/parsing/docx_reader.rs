//! The docx reader against fixtures: one per feature (built with docx-rs where it can express
//! the feature, by hand otherwise), the five docx renditions of the seed reports (their body
//! blocks must equal the seed text lines), and the 123 real-world files of pandoc's docx tests.

use crate::docx_support;

use docingest::document::readers::docx::read;
use docingest::document::{Block, Input, Limits, RawDocument};
use docx_rs::*;
use docx_support::*;
use unicode_normalization::UnicodeNormalization;

fn raw(bytes: &[u8]) -> RawDocument {
    read(bytes, &Limits::default()).expect("docx reads")
}

fn texts(doc: &RawDocument) -> Vec<&str> {
    doc.blocks.iter().map(|b| b.text.as_str()).collect()
}

fn block<'d>(doc: &'d RawDocument, text_start: &str) -> &'d Block {
    doc.blocks
        .iter()
        .find(|b| b.text.starts_with(text_start))
        .unwrap_or_else(|| panic!("no block starting {text_start:?} in {:#?}", texts(doc)))
}

fn run(t: &str) -> Run {
    Run::new().add_text(t)
}

fn para(t: &str) -> Paragraph {
    Paragraph::new().add_run(run(t))
}

fn level(i: usize, start: usize, fmt: &str, text: &str) -> Level {
    Level::new(
        i,
        Start::new(start),
        NumberFormat::new(fmt),
        LevelText::new(text),
        LevelJc::new("left"),
    )
}

fn numbered(num: usize, lvl: usize, t: &str) -> Paragraph {
    para(t).numbering(NumberingId::new(num), IndentLevel::new(lvl))
}

// ---------------------------------------------------------------- numbering

fn chinese_numbering(docx: Docx) -> Docx {
    docx.add_abstract_numbering(
        AbstractNumbering::new(10)
            .add_level(level(0, 1, "chineseCounting", "%1、"))
            .add_level(level(1, 1, "chineseCounting", "（%2）")),
    )
    .add_numbering(Numbering::new(10, 10))
}

#[test]
fn chinese_counting_labels_count_past_ten_and_restart_sublevels() {
    let mut docx = chinese_numbering(Docx::new());
    for i in 1..=12 {
        docx = docx.add_paragraph(numbered(10, 0, &format!("标题{i}")));
        if i <= 2 {
            docx = docx
                .add_paragraph(numbered(10, 1, "压实工作责任"))
                .add_paragraph(numbered(10, 1, "加强组织领导"));
        }
    }
    let doc = raw(&pack(docx));
    let t = texts(&doc);
    assert_eq!(t[0], "一、标题1");
    assert_eq!(t[1], "（一）压实工作责任");
    assert_eq!(t[2], "（二）加强组织领导");
    assert_eq!(t[3], "二、标题2");
    assert_eq!(t[4], "（一）压实工作责任", "level 1 restarts after level 0");
    let heads: Vec<&str> = t.iter().filter(|s| !s.starts_with('（')).copied().collect();
    assert_eq!(
        heads[8..],
        ["九、标题9", "十、标题10", "十一、标题11", "十二、标题12"]
    );
    // Ordinals are dense and 1-based.
    let lines: Vec<usize> = doc.blocks.iter().map(|b| b.line).collect();
    assert_eq!(lines, (1..=doc.blocks.len()).collect::<Vec<_>>());
}

#[test]
fn number_formats_start_values_overrides_and_num_id_zero() {
    let docx = chinese_numbering(Docx::new())
        .add_abstract_numbering(
            AbstractNumbering::new(20)
                .add_level(level(0, 1, "decimalEnclosedCircle", "%1"))
                .add_level(level(1, 1, "ideographTraditional", "%2、"))
                .add_level(level(2, 1, "decimalFullWidth", "%3．"))
                .add_level(level(3, 1, "upperLetter", "%4."))
                .add_level(level(4, 1, "lowerRoman", "(%5)"))
                .add_level(level(5, 3, "decimal", "%1.%6").is_lgl())
                .add_level(level(6, 1, "decimalEnclosedParen", "%7"))
                .add_level(level(7, 1, "bullet", "•")),
        )
        .add_numbering(Numbering::new(20, 20))
        .add_numbering(Numbering::new(30, 10).add_override(LevelOverride::new(0).start(5)))
        .add_paragraph(numbered(20, 0, "第一"))
        .add_paragraph(numbered(20, 1, "第二"))
        .add_paragraph(numbered(20, 2, "第三"))
        .add_paragraph(numbered(20, 3, "第四"))
        .add_paragraph(numbered(20, 4, "第五"))
        .add_paragraph(numbered(20, 5, "第六"))
        .add_paragraph(numbered(20, 6, "第七"))
        .add_paragraph(numbered(20, 7, "圆点"))
        .add_paragraph(numbered(30, 0, "重新编号"))
        .add_paragraph(numbered(30, 0, "继续"))
        .add_paragraph(numbered(0, 0, "不编号"));
    let doc = raw(&pack(docx));
    assert_eq!(
        texts(&doc),
        [
            "①第一",
            "甲、第二",
            "１．第三",
            "A. 第四",
            "(i) 第五",
            "1.3 第六",
            "⑴第七",
            "圆点",
            "五、重新编号",
            "六、继续",
            "不编号",
        ]
    );
}

// ---------------------------------------------------------------- styles and bold

#[test]
fn styles_follow_based_on_for_heading_levels_and_bold() {
    let docx = Docx::new()
        .add_style(
            Style::new("H1x", StyleType::Paragraph)
                .name("heading 1")
                .bold(),
        )
        .add_style(
            Style::new("Derived", StyleType::Paragraph)
                .name("Derived heading")
                .based_on("H1x"),
        )
        .add_style(
            Style::new("Outline2", StyleType::Paragraph)
                .name("Sub")
                .outline_lvl(1),
        )
        .add_style(
            Style::new("BodyX", StyleType::Paragraph)
                .name("Body X")
                .based_on("Outline2")
                .outline_lvl(9),
        )
        .add_style(
            Style::new("CycA", StyleType::Paragraph)
                .name("Cycle A")
                .based_on("CycB"),
        )
        .add_style(
            Style::new("CycB", StyleType::Paragraph)
                .name("Cycle B")
                .based_on("CycA"),
        )
        .add_paragraph(para("一级标题").style("H1x"))
        .add_paragraph(para("派生标题").style("Derived"))
        .add_paragraph(para("二级大纲").style("Outline2"))
        .add_paragraph(para("正文样式").style("BodyX"))
        .add_paragraph(para("直接大纲").outline_lvl(2))
        .add_paragraph(para("循环样式").style("CycA"))
        .add_paragraph(
            Paragraph::new()
                .style("H1x")
                .add_run(run("不加粗").disable_bold()),
        );
    let doc = raw(&pack(docx));
    let h = |t: &str| block(&doc, t).heading_level;
    assert_eq!(h("一级标题"), Some(1));
    assert_eq!(h("派生标题"), Some(1));
    assert_eq!(h("二级大纲"), Some(2));
    assert_eq!(h("正文样式"), None);
    assert_eq!(h("直接大纲"), Some(3));
    assert_eq!(h("循环样式"), None);
    let derived = block(&doc, "派生标题");
    assert!(derived.all_bold, "bold inherited through basedOn");
    assert_eq!(derived.raw, "**派生标题**");
    let plain = block(&doc, "不加粗");
    assert!(!plain.all_bold);
    assert_eq!(plain.bold_prefix, 0);
}

#[test]
fn leading_bold_span_becomes_bold_prefix_and_markdown_raw() {
    let docx = chinese_numbering(Docx::new())
        .add_paragraph(
            Paragraph::new()
                .add_run(run("（一）完善监督体制机制。").bold())
                .add_run(run("一是形成长效机制。")),
        )
        .add_paragraph(Paragraph::new().add_run(run("二、主要举措").bold()))
        .add_paragraph(
            Paragraph::new()
                .numbering(NumberingId::new(10), IndentLevel::new(1))
                .add_run(run("压实工作责任。").bold())
                .add_run(run("街道党工委高度重视。")),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run("  "))
                .add_run(run("加强").bold())
                .add_run(run(" "))
                .add_run(run("组织领导。").bold())
                .add_run(run("正文")),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run("先普通"))
                .add_run(run("后加粗").bold()),
        );
    let doc = raw(&pack(docx));

    let b = block(&doc, "（一）完善");
    assert_eq!(b.raw, "**（一）完善监督体制机制。**一是形成长效机制。");
    assert_eq!(b.bold_prefix, "（一）完善监督体制机制。".len());
    assert!(!b.all_bold);

    let b = block(&doc, "二、主要举措");
    assert!(b.all_bold);
    assert_eq!(b.bold_prefix, b.text.len());
    assert_eq!(b.raw, "**二、主要举措**");

    // The numbering label joins the bold span when the text after it is bold.
    let b = block(&doc, "（一）压实");
    assert_eq!(b.text, "（一）压实工作责任。街道党工委高度重视。");
    assert_eq!(b.raw, "**（一）压实工作责任。**街道党工委高度重视。");

    // Leading blanks are trimmed; a blank between bold runs neither extends nor breaks it.
    let b = block(&doc, "加强");
    assert_eq!(b.text, "加强 组织领导。正文");
    assert_eq!(b.raw, "**加强 组织领导。**正文");

    let b = block(&doc, "先普通");
    assert_eq!((b.bold_prefix, b.all_bold), (0, false));
    assert_eq!(b.raw, b.text);
}

// ---------------------------------------------------------------- tables

#[test]
fn tables_with_grid_span_and_vertical_merge() {
    let cell = |t: &str| TableCell::new().add_paragraph(para(t));
    let docx = Docx::new()
        .add_paragraph(para("表前"))
        .add_table(Table::new(vec![
            TableRow::new(vec![cell("项目").grid_span(2), cell("数量")]),
            TableRow::new(vec![
                cell("行政复议").vertical_merge(VMergeType::Restart),
                cell("受理"),
                cell("12件"),
            ]),
            TableRow::new(vec![
                TableCell::new()
                    .add_paragraph(Paragraph::new())
                    .vertical_merge(VMergeType::Continue),
                cell("办结"),
                cell("10件"),
            ]),
        ]))
        .add_paragraph(para("表后"));
    let doc = raw(&pack(docx));
    assert_eq!(
        doc.tables,
        vec![docingest::document::result::Table {
            sheet: None,
            header: vec!["项目".into(), "".into(), "数量".into()],
            rows: vec![
                vec!["行政复议".into(), "受理".into(), "12件".into()],
                vec!["行政复议".into(), "办结".into(), "10件".into()],
            ]
            .into(),
        }]
    );
    assert_eq!(
        texts(&doc),
        [
            "表前",
            "项目\t数量",
            "行政复议\t受理\t12件",
            "办结\t10件",
            "表后"
        ]
    );
    let flags: Vec<bool> = doc.blocks.iter().map(|b| b.in_table).collect();
    assert_eq!(flags, [false, true, true, true, false]);
    assert_eq!(doc.blocks[4].line, 5);
}

#[test]
fn nested_tables_keep_their_text_in_the_outer_cell_and_are_listed() {
    let inner = r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>内层</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>二</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
    let body = format!(
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>外层</w:t></w:r></w:p>{inner}</w:tc><w:tc><w:p><w:r><w:t>右</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#
    );
    let doc = raw(&hand_docx(&body, &[], &[]));
    assert_eq!(texts(&doc), ["外层\n内层\t二\t右"]);
    assert_eq!(doc.tables.len(), 2);
    assert_eq!(doc.tables[0].header, ["外层\n内层\t二", "右"]);
    assert_eq!(doc.tables[1].header, ["内层", "二"]);
}

#[test]
fn deleted_rows_and_deleted_paragraph_marks_are_applied() {
    let body = r#"
      <w:tbl><w:tr><w:tc><w:p><w:r><w:t>保留行</w:t></w:r></w:p></w:tc></w:tr>
        <w:tr><w:trPr><w:del w:id="1" w:author="a"/></w:trPr><w:tc><w:p><w:r><w:t>删除行</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
      <w:p><w:pPr><w:rPr><w:del w:id="2" w:author="a"/></w:rPr></w:pPr><w:r><w:t>前半段</w:t></w:r></w:p>
      <w:p><w:r><w:t>后半段</w:t></w:r></w:p>
      <w:p><w:moveFrom w:id="3" w:author="a"><w:r><w:t>移走</w:t></w:r></w:moveFrom><w:moveTo w:id="4" w:author="a"><w:r><w:t>移入</w:t></w:r></w:moveTo></w:p>"#;
    let doc = raw(&hand_docx(body, &[], &[]));
    assert_eq!(texts(&doc), ["保留行", "前半段后半段", "移入"]);
    assert_eq!(doc.tables[0].header, ["保留行"]);
    assert!(doc.tables[0].rows.is_empty());
}

// ---------------------------------------------------------------- inline content

#[test]
fn hyperlinks_and_tracked_insertions_keep_text_deletions_do_not() {
    let docx = Docx::new()
        .add_paragraph(
            Paragraph::new()
                .add_run(run("详见"))
                .add_hyperlink(
                    Hyperlink::new("https://www.gov.cn", HyperlinkType::External)
                        .add_run(run("中国政府网")),
                )
                .add_run(run("。")),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run("保留"))
                .add_insert(
                    Insert::new(run("新增"))
                        .author("审阅")
                        .date("2023-01-01T00:00:00Z"),
                )
                .add_delete(Delete::new().add_run(Run::new().add_delete_text("删除")))
                .add_run(run("结束")),
        );
    let doc = raw(&pack(docx));
    assert_eq!(texts(&doc), ["详见中国政府网。", "保留新增结束"]);
}

#[test]
fn runs_tabs_breaks_symbols_hyphens_entities_and_math() {
    let body = r#"<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:br w:type="page"/><w:t>丁</w:t><w:cr/>
      <w:t>A</w:t><w:noBreakHyphen/><w:t>B</w:t><w:softHyphen/><w:t>C</w:t><w:sym w:font="Wingdings" w:char="2605"/>
      <w:t>&amp;&lt;&#x4E00;&#20108;</w:t><w:rt><w:t>注音</w:t></w:rt></w:r>
      <m:oMath><m:r><m:t>x+1</m:t></m:r></m:oMath></w:p>"#;
    let doc = raw(&hand_docx(body, &[], &[]));
    assert_eq!(texts(&doc), ["甲\t乙\n丙\n丁\nA-BC★&<一二x+1"]);
}

#[test]
fn field_results_are_kept_and_instructions_dropped_page_fields_included_in_the_body() {
    let body = r#"
      <w:p><w:r><w:t>见</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "http://x" </w:instrText></w:r>
        <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>链接结果</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
        <w:r><w:t>，第</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>页</w:t></w:r></w:p>
      <w:p><w:fldSimple w:instr=" DATE \@ &quot;yyyy&quot; "><w:r><w:t>2023</w:t></w:r></w:fldSimple><w:fldSimple w:instr="NUMPAGES"><w:r><w:t>9</w:t></w:r></w:fldSimple></w:p>
      <w:p><w:r><w:fldChar w:fldCharType="begin"/><w:instrText>IF </w:instrText><w:fldChar w:fldCharType="begin"/><w:instrText>PAGE</w:instrText><w:fldChar w:fldCharType="separate"/><w:t>1</w:t><w:fldChar w:fldCharType="end"/><w:instrText> = 1 "甲" "乙"</w:instrText><w:fldChar w:fldCharType="separate"/><w:t>嵌套结果</w:t><w:fldChar w:fldCharType="end"/></w:r></w:p>"#;
    let doc = raw(&hand_docx(body, &[], &[]));
    // Page fields in the body are text (`第7页`); only headers and footers drop them.
    assert_eq!(texts(&doc), ["见链接结果，第7页", "20239", "嵌套结果"]);
}

#[test]
fn text_boxes_are_read_once_after_their_anchor() {
    let txbx =
        |t: &str| format!(r#"<w:txbxContent><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:txbxContent>"#);
    let body = format!(
        r#"<w:p><w:r><w:t>锚点段落</w:t></w:r><w:r><mc:AlternateContent>
          <mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx>{}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>
          <mc:Fallback><w:pict><v:shape><v:textbox>{}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
        <w:p><w:r><w:pict><v:shape><v:textbox>{}</v:textbox></v:shape></w:pict></w:r></w:p>
        <w:p><w:r><w:t>末段</w:t></w:r></w:p>"#,
        txbx("文本框内容"),
        txbx("文本框内容"),
        txbx("VML文本框")
    );
    let doc = raw(&hand_docx(&body, &[], &[]));
    assert_eq!(texts(&doc), ["锚点段落", "文本框内容", "VML文本框", "末段"]);
}

#[test]
fn content_controls_are_transparent() {
    let body = r#"<w:sdt><w:sdtPr><w:alias w:val="标题"/><w:placeholder><w:docPart w:val="x"/></w:placeholder></w:sdtPr>
        <w:sdtContent><w:p><w:r><w:t>块级控件</w:t></w:r></w:p></w:sdtContent></w:sdt>
      <w:p><w:r><w:t>行内</w:t></w:r><w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt></w:p>"#;
    let doc = raw(&hand_docx(body, &[], &[]));
    assert_eq!(texts(&doc), ["块级控件", "行内控件"]);
}

// ---------------------------------------------------------------- packages

#[test]
fn strict_namespaces_and_relationship_types_are_understood() {
    let rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let doc_rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/numbering" Target="numbering.xml"/></Relationships>"#;
    let numbering = format!(
        r#"<x:numbering xmlns:x="{W_STRICT_NS}"><x:abstractNum x:abstractNumId="0"><x:lvl x:ilvl="0"><x:start x:val="1"/><x:numFmt x:val="chineseCounting"/><x:lvlText x:val="%1、"/></x:lvl></x:abstractNum><x:num x:numId="1"><x:abstractNumId x:val="0"/></x:num></x:numbering>"#
    );
    let document = format!(
        r#"<document xmlns="{W_STRICT_NS}"><body>
          <p><pPr><outlineLvl val="0"/><numPr><ilvl val="0"/><numId val="1"/></numPr></pPr><r><rPr><b/></rPr><t>严格命名空间</t></r></p>
          <tbl><tr><tc><p><r><t>格</t></r></p></tc></tr></tbl></body></document>"#
    );
    let bytes = zip_parts(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/_rels/document.xml.rels", doc_rels.as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
    ]);
    let doc = raw(&bytes);
    let b = block(&doc, "一、");
    assert_eq!(b.text, "一、严格命名空间");
    assert_eq!(b.heading_level, Some(1));
    assert!(b.all_bold);
    assert_eq!(doc.tables.len(), 1);
}

#[test]
fn the_main_part_is_found_through_relationships_not_a_fixed_path() {
    let rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/Word/Main%20Doc.xml"/></Relationships>"#;
    let real = document_xml(&p(&["真正的正文"]));
    let decoy = document_xml(&p(&["诱饵"]));
    let bytes = zip_parts(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("word/main doc.xml", real.as_bytes()),
        ("word/document.xml", decoy.as_bytes()),
    ]);
    assert_eq!(texts(&raw(&bytes)), ["真正的正文"]);
}

#[test]
fn style_level_numbering_uses_the_style_or_the_level_that_names_it() {
    let styles = format!(
        r#"<w:styles xmlns:w="{W_NS}">
          <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
          <w:style w:type="paragraph" w:styleId="L1"><w:name w:val="List One"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
          <w:style w:type="paragraph" w:styleId="L2"><w:name w:val="List Two"/><w:basedOn w:val="L1"/></w:style>
        </w:styles>"#
    );
    let numbering = format!(
        r#"<w:numbering xmlns:w="{W_NS}"><w:abstractNum w:abstractNumId="3">
          <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:pStyle w:val="L1"/></w:lvl>
          <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:pStyle w:val="L2"/></w:lvl>
        </w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num></w:numbering>"#
    );
    let sp = |style: &str, t: &str| {
        format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>"#)
    };
    let body = format!(
        "{}{}{}{}",
        sp("L1", "总体情况"),
        sp("L2", "主要做法"),
        sp("L2", "存在问题"),
        r#"<w:p><w:pPr><w:pStyle w:val="L1"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>取消编号</w:t></w:r></w:p>"#
    );
    let bytes = hand_docx(
        &body,
        &[
            ("word/styles.xml", &styles),
            ("word/numbering.xml", &numbering),
        ],
        &[
            ("r1", "styles", "styles.xml"),
            ("r2", "numbering", "numbering.xml"),
        ],
    );
    assert_eq!(
        texts(&raw(&bytes)),
        [
            "一、总体情况",
            "（一）主要做法",
            "（二）存在问题",
            "取消编号"
        ]
    );
}

#[test]
fn valueless_start_does_not_panic_and_counts_from_zero() {
    let numbering = format!(
        r#"<w:numbering xmlns:w="{W_NS}"><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>
          <w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
    );
    let body = r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>标题</w:t></w:r></w:p>
      <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>标题</w:t></w:r></w:p>"#;
    let bytes = hand_docx(
        body,
        &[("word/numbering.xml", &numbering)],
        &[("r1", "numbering", "numbering.xml")],
    );
    // The standard's default start is 0 when `w:start` gives no value.
    assert_eq!(texts(&raw(&bytes)), ["〇、标题", "一、标题"]);
}

// ---------------------------------------------------------------- side material

#[test]
fn headers_footers_comments_footnotes_go_to_supplementary() {
    let mut footnote = Footnote::new();
    let footnote = footnote.add_content(para("脚注内容"));
    let docx = Docx::new()
        .header(Header::new().add_paragraph(para("政务公开专栏")))
        .footer(
            Footer::new()
                .add_paragraph(Paragraph::new().add_page_num(PageNum::new()))
                .add_paragraph(para("- 2 -"))
                .add_paragraph(para("金兰山街道办事处")),
        )
        .add_paragraph(
            Paragraph::new()
                .add_comment_start(
                    Comment::new(1)
                        .author("审阅人")
                        .add_paragraph(para("请核实数据")),
                )
                .add_run(run("正文第一段"))
                .add_comment_end(1),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run("正文第二段"))
                .add_run(Run::new().add_footnote_reference(footnote)),
        );
    let doc = raw(&pack(docx));
    assert_eq!(texts(&doc), ["正文第一段", "正文第二段"]);
    let s = doc.supplementary.expect("supplementary");
    assert_eq!(s.headers, ["政务公开专栏"]);
    assert_eq!(s.footers, ["金兰山街道办事处"]);
    assert_eq!(s.comments, ["请核实数据"]);
    assert_eq!(s.footnotes, ["脚注内容"]);
    assert!(s.endnotes.is_empty());
}

#[test]
fn note_separators_are_skipped() {
    let notes = format!(
        r#"<w:footnotes xmlns:w="{W_NS}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/><w:t>---</w:t></w:r></w:p></w:footnote>
          <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
          <w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 第一条</w:t></w:r></w:p><w:p><w:r><w:t>续</w:t></w:r></w:p></w:footnote></w:footnotes>"#
    );
    let endnotes = format!(
        r#"<w:endnotes xmlns:w="{W_NS}"><w:endnote w:id="1"><w:p><w:r><w:t>尾注</w:t></w:r></w:p></w:endnote></w:endnotes>"#
    );
    let bytes = hand_docx(
        &p(&["正文"]),
        &[
            ("word/footnotes.xml", &notes),
            ("word/endnotes.xml", &endnotes),
        ],
        &[
            ("r1", "footnotes", "footnotes.xml"),
            ("r2", "endnotes", "endnotes.xml"),
        ],
    );
    let s = raw(&bytes).supplementary.unwrap();
    assert_eq!(s.footnotes, ["第一条\n续"]);
    assert_eq!(s.endnotes, ["尾注"]);
}

#[test]
fn a_damaged_comments_part_is_a_warning_not_a_failure() {
    let bytes = hand_docx(
        &p(&["正文"]),
        &[("word/comments.xml", "<w:comments xmlns:w=\"x\"><w:comment>")],
        &[("r1", "comments", "comments.xml")],
    );
    let doc = raw(&bytes);
    assert_eq!(texts(&doc), ["正文"]);
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].code, "docx_part_unreadable");
}

#[test]
fn core_properties_are_read() {
    let core = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>2022年度法治政府建设工作报告</dc:title><dc:creator>金兰山街道</dc:creator>
<dcterms:created xsi:type="dcterms:W3CDTF">2023-01-05T08:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2023-01-06T09:30:00Z</dcterms:modified></cp:coreProperties>"#;
    let bytes = rezip(
        &pack(Docx::new().add_paragraph(para("正文"))),
        &[("docProps/core.xml", core.as_bytes())],
    );
    let props = raw(&bytes).core_properties.expect("core properties");
    assert_eq!(props.title.as_deref(), Some("2022年度法治政府建设工作报告"));
    assert_eq!(props.author.as_deref(), Some("金兰山街道"));
    assert_eq!(props.created.as_deref(), Some("2023-01-05T08:00:00Z"));
    assert_eq!(props.modified.as_deref(), Some("2023-01-06T09:30:00Z"));
}

// ---------------------------------------------------------------- the seed renditions

/// The shared corpus; `DOCINGEST_CORPUS` points elsewhere when it lives somewhere else.
fn corpus() -> std::path::PathBuf {
    std::env::var_os("DOCINGEST_CORPUS")
        .map(Into::into)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus").into())
}

/// What a Word rendition and its text original share once formatting-only differences are
/// removed: NFKC (the docx numbering writes full-width （一） where the seed text has (一)),
/// no whitespace at all (indentation, the tab-less label, spaces around ASCII), and no
/// Markdown markup (seed 002 is Markdown: `#` headings and `**` bold spans, which its Word
/// rendition expresses as styles instead).
fn normalize(line: &str) -> String {
    let line = line.trim_start().trim_start_matches('#');
    line.replace("**", "")
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn seed_lines(prefix: &str) -> Vec<String> {
    let dir = corpus().join("seeds");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .unwrap();
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(normalize)
        .collect()
}

fn variant(name: &str) -> RawDocument {
    raw(&std::fs::read(corpus().join("variants").join(name)).unwrap())
}

fn assert_same_text(seed: &str, docx: &str) -> RawDocument {
    let doc = variant(docx);
    let got: Vec<String> = doc.blocks.iter().map(|b| normalize(&b.text)).collect();
    let want = seed_lines(seed);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{docx}: block {} differs from seed line", i + 1);
    }
    assert_eq!(got.len(), want.len(), "{docx}: block count");
    doc
}

#[test]
fn seed_000_plain_rendition_has_the_seed_text_including_web_chrome() {
    // The seed is a scraped web page; its breadcrumb and `• 索 引 号:` lines were typed into
    // the Word file as paragraphs too, so they are body text here (normalization's job).
    let doc = assert_same_text("000_", "000_plain.docx");
    // The breadcrumb keeps its no-break spaces, as in the seed.
    assert_eq!(
        doc.blocks[0].text,
        "当前位置: 信息公开首页\u{a0}>\u{a0}政务公开\u{a0}>\u{a0}镇街\u{a0}>\u{a0}常庄街道"
    );
    assert!(doc.supplementary.is_none());
}

#[test]
fn seed_001_autonumbered_headings_get_their_labels_and_noise_goes_aside() {
    let doc = assert_same_text("001_", "001_autonum_noise.docx");
    assert_eq!(
        block(&doc, "一、").text,
        "一、依法履职,全面推行法治政府建设"
    );
    assert_eq!(block(&doc, "（九）").text, "（九）法律顾问依法开展各项工作");
    assert!(texts(&doc).contains(&"四、2023年法治政府建设工作改进思路"));
    let s = doc.supplementary.as_ref().expect("header and footer");
    assert_eq!(s.headers, ["政务公开专栏"]);
    assert!(
        s.footers.is_empty(),
        "the footer is only the page number — 1 —"
    );
    assert!(doc
        .blocks
        .iter()
        .all(|b| !b.text.contains("政务公开专栏") && !b.text.contains("— 1 —")));
}

#[test]
fn seed_002_styled_rendition_matches_the_markdown_seed_without_markup() {
    let doc = assert_same_text("002_", "002_styles.docx");
    let h = block(&doc, "一、2022年度党政主要负责人");
    assert_eq!(h.heading_level, Some(1));
    let h = block(&doc, "（一）完善监督体制机制");
    assert_eq!(h.heading_level, Some(2));
    assert_eq!(
        doc.core_properties
            .as_ref()
            .and_then(|c| c.title.as_deref()),
        Some("关于2022年度法治政府建设工作情况的报告")
    );
}

#[test]
fn seed_003_plain_noise_rendition_keeps_the_body_and_sets_noise_aside() {
    let doc = assert_same_text("003_", "003_plain_noise.docx");
    let s = doc.supplementary.as_ref().expect("header");
    assert_eq!(s.headers, ["政务公开专栏"]);
    assert!(s.footers.is_empty());
}

#[test]
fn seed_004_autonumbered_styled_headings() {
    let doc = assert_same_text("004_", "004_autonum_styles.docx");
    let h = block(&doc, "一、2022年推进");
    assert_eq!(h.heading_level, Some(1));
    assert!(h.all_bold, "Heading 1 style is bold");
    assert_eq!(h.raw, format!("**{}**", h.text));
    let h = block(&doc, "（四）推进规范公正文明执法");
    assert_eq!(h.heading_level, Some(2));
    assert_eq!(
        block(&doc, "四、").text,
        "四、2023年度推进法治政府建设的主要安排"
    );
    // The second list of level-2 items restarts under 三、.
    assert_eq!(block(&doc, "（一）有力强化").heading_level, Some(2));
}

// ---------------------------------------------------------------- pandoc's docx test files

fn pandoc_dir() -> std::path::PathBuf {
    corpus().join("external/pandoc-docx")
}

fn pandoc(name: &str) -> RawDocument {
    raw(&std::fs::read(pandoc_dir().join(name)).unwrap())
}

#[test]
fn all_pandoc_test_files_parse_end_to_end() {
    let mut names: Vec<_> = std::fs::read_dir(pandoc_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 123);
    for path in &names {
        let bytes = std::fs::read(path).unwrap();
        let input = Input {
            bytes: &bytes,
            name: path.to_str(),
            uri: path.display().to_string(),
        };
        let result = docingest::document::parse(&input, &Limits::default());
        assert!(result.is_ok(), "{}: {:?}", path.display(), result.err());
        assert_eq!(
            result.unwrap().source.format,
            docingest::document::Format::Docx
        );
    }
}

#[test]
fn pandoc_files_show_the_features_their_names_promise() {
    let d = pandoc("alternate_document_path.docx");
    assert_eq!(block(&d, "Test").heading_level, Some(1));

    let d = pandoc("comments.docx");
    let c = &d.supplementary.as_ref().unwrap().comments;
    assert!(c.contains(&"I left a comment.".to_string()));
    assert!(c.contains(&"This one has multiple paragraphs.\nSee?".to_string()));
    assert!(texts(&d).iter().all(|t| !t.contains("I left a comment")));

    let d = pandoc("notes.docx");
    let s = d.supplementary.as_ref().unwrap();
    assert_eq!(s.footnotes, ["My note."]);
    assert_eq!(
        s.endnotes,
        ["This is an endnote at the end of the document."]
    );

    let d = pandoc("tables.docx");
    assert_eq!(d.tables[0].header, ["Name", "Game", "Fame", "Blame"]);
    assert_eq!(&d.tables[0].rows.row(0)[0], "Lebron James");

    let d = pandoc("enumerated_headings.docx");
    assert_eq!(texts(&d)[..3], ["1 H1", "1.1 H2", "1.1.1 H3"]);
    assert_eq!(d.blocks[2].heading_level, Some(3));

    let d = pandoc("lists_restarting.docx");
    assert_eq!(
        texts(&d),
        ["2. Foo", "3. Bar", "4. Baz", "Interruption", "1. Bop."]
    );

    let d = pandoc("textbox_image_duplicate_encoding.docx");
    assert_eq!(texts(&d), ["The image is below.", "The image is above."]);

    let d = pandoc("track_changes_deletion.docx");
    assert_eq!(texts(&d), ["This is a text with a deletion."]);
    let d = pandoc("track_changes_insertion.docx");
    assert_eq!(texts(&d), ["This is a text with two exciting insertions."]);
    let d = pandoc("track_changes_move.docx");
    assert_eq!(
        texts(&d),
        [
            "Here is some text.",
            "Here is the text to be moved.",
            "Here is some more text."
        ]
    );

    let d = pandoc("ns0-reference.docx");
    assert_eq!(texts(&d), ["ref"]);

    let d = pandoc("sdt_elements.docx");
    assert_eq!(
        d.tables[0].rows.row(0),
        ["col1 content", "Body copy", "col3 content"]
    );

    let d = pandoc("table_header_rowspan.docx");
    // Vertically merged header cells repeat in the second header row.
    assert_eq!(d.tables[0].header[..5], ["A", "B", "C", "D", "E"]);
    assert_eq!(
        d.tables[0].rows.row(0).to_vec()[..5],
        ["A", "B", "C", "D", "G"]
    );

    let d = pandoc("instrText_hyperlink.docx");
    assert!(texts(&d)[0].contains("Foundations of Analysis"));
    assert!(texts(&d).iter().all(|t| !t.contains("HYPERLINK")));

    let d = pandoc("special_punctuation.docx");
    assert_eq!(texts(&d), ["Soft hyphen: []", "Non-breaking hyphen: [-]"]);
}
