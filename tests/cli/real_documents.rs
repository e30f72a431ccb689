//! Real documents nobody here wrote: the layouts of portal pages and official documents.
//!
//! Each test below is a short text of our own writing that reproduces one pattern seen on real
//! portal pages and in real 公文 (breadcrumbs, metadata blocks in every layout, stacked red
//! headers, titles of every 文种, addressee lists, seal placeholders, flattened pages …). The
//! last tests score the real development set (`../shared/corpus/real-dev`, third-party text
//! read in place, never copied here) with the shared scorer, so a regression on real pages
//! fails the build.

use crate::common;

use docingest::document::result::Metadata;
use docingest::document::{parse, Input, Limits, ParseResult};

fn parse_named(text: &str, name: &str) -> ParseResult {
    parse(
        &Input {
            bytes: text.as_bytes(),
            name: Some(name),
            uri: String::new(),
        },
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The 发文字号 as printed.
fn doc_no(m: &Metadata) -> Option<&str> {
    m.doc_number.as_ref().map(|d| d.raw.as_str())
}

fn txt(text: &str) -> ParseResult {
    parse_named(text, "page.txt")
}

const BODY: &str =
    "2024年，某某街道在区委、区政府的坚强领导下，深入推进法治政府建设，现将有关情况报告如下：\n\
一、主要举措和成效\n（一）加强组织领导。街道党工委召开专题会议3次。\n\
二、存在的不足和原因\n法治宣传的针对性有待加强。\n\
三、党政主要负责人履行推进法治建设第一责任人职责情况\n主要负责人带头学法。\n\
四、2025年工作安排\n继续推进依法行政。\n";

#[test]
fn breadcrumb_widgets_and_a_stale_clock_never_become_the_title() {
    let page = format!(
        "今天是:2018年5月9日 星期三\n无障碍\n长辈版\n您当前所在的位置：首页 > 政务公开 > 法治政府建设\n【字体：大 中 小】 打印本页 关闭窗口\n\
         东湖街道2024年度法治政府建设情况报告\n发布时间：2025-01-20 来源：东湖街道办事处 浏览次数：35\n{BODY}"
    );
    let r = txt(&page);
    let m = &r.metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("东湖街道2024年度法治政府建设情况报告")
    );
    assert_eq!(m.report_year, Some(2024));
    assert_eq!(m.dates.published.as_deref(), Some("2025-01-20"));
    let web = m.web_metadata.as_ref().unwrap();
    assert_eq!(web.breadcrumb, vec!["首页", "政务公开", "法治政府建设"]);
    assert!(!r.text.contains("今天是"));
    assert_eq!(
        m.issuing_organization.normalized.as_deref(),
        Some("东湖街道")
    );
}

#[test]
fn metadata_blocks_in_every_layout() {
    // Bracketed list items, then the whole block printed again as a pipe table.
    let page = format!(
        "- [ 索引号 ] 11500229/2025-00004\n- [ 发文字号 ] 某委文〔2025〕3号\n- [ 发布机构 ] 某某县某某乡人民政府\n\
         - [ 成文日期 ] 2025-02-12\n索 引 号 | 11500229/2025-00004 | 分 类 | 司法 |\n---|---|---|---|\n\
         发布机构 | 某某县某某乡人民政府 | 发文日期 | 2025-02-14 |\n文 号 | 无 | 有 效 性 | 有效 |\n{}",
        BODY.replace("某某街道", "某某乡")
    );
    let m = txt(&page).metadata;
    assert_eq!(m.index_number.as_deref(), Some("11500229/2025-00004"));
    assert_eq!(doc_no(&m), Some("某委文〔2025〕3号"));
    assert_eq!(m.dates.written.as_deref(), Some("2025-02-12"));
    assert_eq!(m.dates.published.as_deref(), Some("2025-02-14"));
    assert_eq!(m.issuing_organization.normalized.as_deref(), Some("某某乡"));
    assert_eq!(m.admin_level.as_deref(), Some("乡"));
}

#[test]
fn labels_with_their_values_on_the_next_line() {
    // Each label alone on its line, its value (when it has one) on the line after a blank one,
    // then the title: the title stays the title and no label becomes an addressee.
    let page = format!(
        "返回顶部\n\n某某县人民政府关于2024年法治政府建设情况的报告\n\n  • 索引号:\n\n    11500229/2025-00004\n  • 主题分类:\n\n  • 来源:\n\n\
         • 发文机构:\n\n    县政府办公室\n  • 发文字号:\n\n    某政发〔2025〕7号\n  • 发文日期:\n\n    2025年02月06日 16:40\n\
         • 内容概述:\n\n某某县人民政府关于2024年法治政府建设情况的报告\n\n{}",
        BODY.replace("某某街道", "某某县人民政府")
    );
    let m = txt(&page).metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("某某县人民政府关于2024年法治政府建设情况的报告")
    );
    assert_eq!(m.index_number.as_deref(), Some("11500229/2025-00004"));
    assert_eq!(doc_no(&m), Some("某政发〔2025〕7号"));
    assert_eq!(m.dates.published.as_deref(), Some("2025-02-06"));
    assert_eq!(m.addressee, None);
    let web = m.web_metadata.unwrap();
    assert_eq!(web.fields["发文机构"], "县政府办公室");
    assert_eq!(web.fields["来源"], "", "the next label is no value");
    assert_eq!(web.fields["内容概述"], "", "a title is no value");
}

#[test]
fn arrow_breadcrumbs_column_tags_and_an_aggregators_intro() {
    // A site label, then a breadcrumb with → separators, then the title.
    let page = format!(
        "法规查询\n \n 首页→ 网站公告\n \n某某市人民政府关于2024年度法治政府建设情况的报告\n{}",
        BODY.replace("某某街道", "某某市")
    );
    let m = txt(&page).metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("某某市人民政府关于2024年度法治政府建设情况的报告")
    );
    assert_eq!(m.document_kind.as_deref(), Some("报告"));
    // A `栏目丨` tag before the title is not part of it, nor of the issuer.
    let m = txt("政务服务丨某某市人民政府关于深化改革的实施意见\n各县区人民政府，市政府各部门：\n现提出如下意见。\n一、总体要求\n坚持依法行政。\n").metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("某某市人民政府关于深化改革的实施意见")
    );
    assert_eq!(m.issuing_organization.normalized.as_deref(), Some("某某市"));
    // A document-sharing site's intro, then the document with its red header, number and
    // two-line title.
    let page = "某某省人民政府办公厅文件\n时间:2019-05-14 10:45:55 作者:会员上传\n\
        简介:小编为你整理了多篇相关的《某某省人民政府办公厅文件》，但愿对你工作学习有帮助。\n\
        第一篇:某某省人民政府办公厅文件\n某某省人民政府办公厅文件\n某政办发〔2009〕24号\n\
        某某省人民政府办公厅关于加强普通高等学校\n毕业生就业工作的通知\n\
        各市州人民政府，省政府各厅委：\n现就有关问题通知如下：\n一、提高认识\n做好就业工作。\n";
    let m = txt(page).metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("某某省人民政府办公厅关于加强普通高等学校毕业生就业工作的通知")
    );
    assert_eq!(doc_no(&m), Some("某政办发〔2009〕24号"));
    assert_eq!(m.addressee.as_deref(), Some("各市州人民政府，省政府各厅委"));
    assert_eq!(
        m.gbt9704.red_header.as_deref(),
        Some("某某省人民政府办公厅文件")
    );
}

#[test]
fn a_doc_number_under_the_title_or_in_brackets_after_it() {
    let m = txt("某某市人民政府关于深化改革的实施意见\n某政字〔2021〕30号\n各县区人民政府：\n现提出如下意见。\n一、总体要求\n坚持依法行政。\n").metadata;
    assert_eq!(doc_no(&m), Some("某政字〔2021〕30号"));
    assert_eq!(m.addressee.as_deref(), Some("各县区人民政府"));
    // Zones addressed beside the governments and units.
    let m = txt("某某市人民政府关于深化改革的实施意见\n各县市区人民政府，某某经济技术开发区、某某新区、某某管理区，市直各单位：\n现提出如下意见。\n一、总体要求\n坚持依法行政。\n").metadata;
    assert_eq!(
        m.addressee.as_deref(),
        Some("各县市区人民政府，某某经济技术开发区、某某新区、某某管理区，市直各单位")
    );
    // Joint issuers written without a space, carrying another document.
    let m = txt("中共某某市委办公室某某市人民政府办公室印发《关于推进政务公开的实施意见》的通知(某办发〔2017〕2号)\n各县区：\n现印发给你们，请认真贯彻执行。\n").metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("中共某某市委办公室某某市人民政府办公室印发《关于推进政务公开的实施意见》的通知")
    );
    assert_eq!(doc_no(&m), Some("某办发〔2017〕2号"));
    assert_eq!(
        m.issuing_organization.names,
        vec!["中共某某市委办公室", "某某市人民政府办公室"]
    );
    assert!(m.issuing_organization.joint);
}

#[test]
fn the_level_a_report_states_of_itself() {
    for (opening, level) in [
        (
            "今年以来，我镇认真落实县委部署，我镇干部带头学法，现将有关情况报告如下：",
            "镇",
        ),
        (
            "2022年，在市委坚强领导下，现将县人民政府2022年法治政府建设工作情况报告如下：",
            "县",
        ),
    ] {
        let m = txt(&format!("{opening}\n一、主要举措和成效\n加强领导。\n")).metadata;
        assert_eq!(m.issuing_organization.normalized, None, "{opening}");
        assert_eq!(m.admin_level.as_deref(), Some(level), "{opening}");
    }
}

#[test]
fn a_flattened_table_of_labels_and_values() {
    let page = format!(
        "信息索引号 000123456789/2024-01234 文件编号\n责任部门 某某镇 公开形式 主动公开\n成文日期 2024-03-20 公开时限 长期公开\n{}",
        BODY.replace("某某街道", "某某镇")
    );
    let m = txt(&page).metadata;
    assert_eq!(m.index_number.as_deref(), Some("000123456789/2024-01234"));
    assert_eq!(m.doc_number, None, "an empty 文件编号 is no doc number");
    assert_eq!(m.dates.written.as_deref(), Some("2024-03-20"));
}

#[test]
fn an_empty_doc_number_is_null() {
    for empty in ["文　　号：无", "文号：", "文号：--"] {
        let m = txt(&format!(
            "{empty}\n某某镇2024年法治政府建设情况报告\n{BODY}"
        ))
        .metadata;
        assert_eq!(m.doc_number, None, "{empty}");
    }
}

#[test]
fn a_stacked_joint_red_header_is_not_the_title() {
    let doc = format!(
        "中共某某镇委员会\n某某镇人民政府\n文件\n某委发〔2025〕2号\n中共某某镇委员会 某某镇人民政府\n关于2024年度法治政府建设情况的报告\n县委、县政府：\n{BODY}"
    );
    let m = txt(&doc).metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("中共某某镇委员会 某某镇人民政府关于2024年度法治政府建设情况的报告")
    );
    assert!(m.gbt9704.red_header.as_deref().unwrap().ends_with("文件"));
    assert_eq!(doc_no(&m), Some("某委发〔2025〕2号"));
    assert_eq!(m.addressee.as_deref(), Some("县委、县政府"));
    assert_eq!(m.issuing_organization.normalized.as_deref(), Some("某某镇"));
    assert!(m.issuing_organization.joint);
}

#[test]
fn titles_of_every_kind_over_several_lines() {
    let cases = [
        (
            "某某县人民政府办公室\n关于印发某某县2024年度法治政府建设\n工作要点的通知",
            "某某县人民政府办公室关于印发某某县2024年度法治政府建设工作要点的通知",
            "通知",
        ),
        (
            "某某镇人民政府关于申请拨付防汛经费的请示",
            "某某镇人民政府关于申请拨付防汛经费的请示",
            "请示",
        ),
        (
            "某某市人民政府关于同意设立某某街道的批复",
            "某某市人民政府关于同意设立某某街道的批复",
            "批复",
        ),
        (
            "关于商请协助开展执法检查的函",
            "关于商请协助开展执法检查的函",
            "函",
        ),
        (
            "某某县人民政府关于加强行政执法工作的意见",
            "某某县人民政府关于加强行政执法工作的意见",
            "意见",
        ),
    ];
    for (head, title, kind) in cases {
        let doc = format!(
            "{head}\n各乡（镇）人民政府，县直各单位：\n现将有关事项通知如下，请认真贯彻执行。\n一、总体要求\n坚持依法行政。\n二、主要任务\n加强执法监督。\n"
        );
        let r = txt(&doc);
        assert_eq!(r.metadata.title.as_deref(), Some(title), "{head}");
        assert_eq!(r.metadata.document_kind.as_deref(), Some(kind), "{head}");
        assert_eq!(
            r.metadata.addressee.as_deref(),
            Some("各乡（镇）人民政府，县直各单位"),
            "{head}"
        );
        // A notice has no required parts: 一、总体要求 is not "measures".
        assert!(!r.compliance.applicable, "{head}");
        assert!(r.compliance.missing_required_parts.is_empty());
        assert!(r.sections.iter().all(|s| s.required_parts.is_empty()));
        assert_eq!(r.metadata.report_year, None);
    }
}

#[test]
fn annual_reports_are_reports_and_get_compliance() {
    let r = txt(&format!("某某街道2024年度法治政府建设情况报告\n{BODY}"));
    assert_eq!(r.metadata.document_kind.as_deref(), Some("报告"));
    assert!(r.compliance.applicable);
    assert!(r.compliance.missing_required_parts.is_empty());
}

#[test]
fn plans_and_a_reading_of_a_report_are_not_annual_reports() {
    for title in [
        "【政策解读】关于《某某县人民政府关于2024年度法治政府建设情况的报告》的政策解读",
        "某某县2025年法治政府建设工作要点",
        "某某镇法治政府建设实施方案",
    ] {
        let r = txt(&format!("{title}\n{BODY}"));
        assert_eq!(
            r.metadata.title.as_deref(),
            Some(title.trim_start_matches("【政策解读】"))
        );
        assert!(!r.compliance.applicable, "{title}");
        assert_eq!(r.metadata.report_year, None, "{title}");
    }
}

#[test]
fn short_addressees_and_seal_placeholders() {
    let doc = "关于开展安全检查的通知\n各部门：\n请于本月底前完成自查，并报送结果。\n一、检查内容\n消防安全。\n\
               某某县应急管理局\n〔此处盖章〕\n2025年3月1日\n";
    let m = txt(doc).metadata;
    assert_eq!(m.addressee.as_deref(), Some("各部门"));
    assert_eq!(m.gbt9704.signature_orgs, vec!["某某县应急管理局"]);
    assert_eq!(m.dates.written.as_deref(), Some("2025-03-01"));
}

#[test]
fn a_decree_names_its_signer() {
    let doc = "某某市人民政府令\n第5号\n《某某市行政规范性文件管理办法》已经市政府常务会议审议通过，现予公布，自2025年5月1日起施行。\n\
               市长 张三\n2025年3月20日\n";
    let m = txt(doc).metadata;
    assert_eq!(m.document_kind.as_deref(), Some("命令"));
    assert_eq!(m.signers, vec!["张三"]);
    // The office alone, spaced out, its holder's name lost: no signer, no 署名 organization.
    let m = txt(&doc.replace("市长 张三", "市 长")).metadata;
    assert!(m.signers.is_empty());
    assert!(
        m.gbt9704.signature_orgs.is_empty(),
        "{:?}",
        m.gbt9704.signature_orgs
    );
    assert_eq!(m.dates.written.as_deref(), Some("2025-03-20"));
}

#[test]
fn issuers_normalize_to_place_and_level() {
    let cases = [
        (
            "某某市某某区人民政府东湖街道办事处关于2024年度法治政府建设情况的报告",
            Some("东湖街道"),
            Some("街道"),
        ),
        (
            "南关街街道2024年法治政府建设年度报告",
            Some("南关街街道"),
            Some("街道"),
        ),
        (
            "某某县司法局2024年法治政府建设年度报告",
            Some("某某县"),
            Some("县"),
        ),
        (
            "西安市某某区2024年度法治政府建设工作报告",
            Some("某某区"),
            Some("区"),
        ),
        ("区司法局关于2024年法治政府建设情况的报告", None, Some("区")),
        (
            "關於某某區2022年度法治政府建設情況的報告",
            Some("某某區"),
            Some("区"),
        ),
        // A county-level name with a phrase character (天心区, 福建省) and a township inside a
        // chain (和平镇) are places, not the end of the chain.
        (
            "湖南省长沙市天心区某某街道办事处2024年法治政府建设年度报告",
            Some("某某街道"),
            Some("街道"),
        ),
        (
            "福建省某某市2024年法治政府建设年度报告",
            Some("某某市"),
            Some("市"),
        ),
        (
            "某某县和平镇人民政府2024年法治政府建设年度报告",
            Some("和平镇"),
            Some("镇"),
        ),
    ];
    for (title, normalized, level) in cases {
        let m = txt(&format!("{title}\n{BODY}")).metadata;
        assert_eq!(
            m.issuing_organization.normalized.as_deref(),
            normalized,
            "{title}"
        );
        assert_eq!(m.admin_level.as_deref(), level, "{title}");
    }
    // The year reported on, from a 现对…年…总结如下 sentence after a first paragraph that cites
    // a plan (no title).
    let m = txt("根据《某某纲要（2023—2027年）》要求，某某街道全面推进法治政府建设。现对2024年所做工作总结如下：\n一、主要举措和成效\n加强领导。\n").metadata;
    assert_eq!(m.report_year, Some(2024));
    // A counter label with no value never rides on the 来源 before it.
    let m = txt(&format!("某某街道2024年度法治政府建设工作报告\n发布时间:2025-02-10 15:34:38\n来源:某某街道 点击率:\n{BODY}")).metadata;
    assert_eq!(m.web_metadata.unwrap().fields["来源"], "某某街道");
    // The opening sentence's subject when nothing else names the issuer.
    let m = txt("2022年，某某县人民政府坚持依法行政，全面推进法治政府建设，现将有关情况报告如下：\n一、主要举措和成效\n加强领导。\n").metadata;
    assert_eq!(m.issuing_organization.normalized.as_deref(), Some("某某县"));
}

#[test]
fn a_flattened_page_gets_its_sections_back() {
    let one_line = "2024年，某某镇深入推进法治政府建设，取得明显成效，现将有关情况报告如下：\
                    一、主要举措和成效（一）加强组织领导。镇党委召开专题会议研究法治建设工作，明确责任分工，压实工作责任，确保各项任务落到实处。\
                    （二）推进依法决策。严格落实重大行政决策程序，全年审查合同协议，提出法律意见建议，防范法律风险。\
                    二、存在的不足和原因 法治宣传的针对性和实效性还有待进一步提升，基层执法人员的专业能力仍需加强。\
                    三、下一步工作安排 继续推进依法行政，加强执法队伍建设，持续开展法治宣传教育，营造良好法治环境。\
                    同时进一步完善行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，规范行政裁量权基准，\
                    加强行政执法人员培训和资格管理，提升基层综合行政执法能力，推动法治政府建设各项任务落地见效。\
                    坚持把学习宣传贯彻习近平法治思想作为首要政治任务，健全党委理论学习中心组学法制度，组织领导干部旁听庭审，\
                    深化“八五”普法，推进公共法律服务体系建设，及时排查化解矛盾纠纷，切实维护群众合法权益和社会和谐稳定。";
    let r = txt(&format!("某某镇2024年法治政府建设情况报告\n{one_line}\n"));
    let l1: Vec<&str> = r.sections.iter().map(|s| s.number.as_str()).collect();
    assert_eq!(l1, vec!["一、", "二、", "三、"]);
    assert_eq!(r.sections[0].children.len(), 2);
}

#[test]
fn a_lost_opening_bracket_still_numbers_a_section() {
    let r = txt("某某乡2024年法治政府建设情况报告\n2024年，某某乡推进法治建设，现报告如下：\n一、主要举措和成效\n一)加强组织领导\n学法3次。\n二)推进依法决策\n审查合同5份。\n");
    assert_eq!(r.sections[0].children.len(), 2);
    assert_eq!(r.sections[0].children[0].title, "加强组织领导");
}

#[test]
fn web_clean_up_leaves_word_and_spreadsheet_text_alone() {
    // The same lines as a docx: `<…>` and `label：value` are content there.
    let docx = common_docx(&["会议纪要", "生成日期：1", "List<A,B> 用法说明。"]);
    let r = parse(
        &Input {
            bytes: &docx,
            name: Some("a.docx"),
            uri: String::new(),
        },
        &Limits::default(),
    )
    .unwrap();
    assert!(r.text.contains("生成日期：1"), "{}", r.text);
    assert!(r.text.contains("List<A,B> 用法说明。"), "{}", r.text);
    assert!(r.metadata.web_metadata.is_none());
}

fn common_docx(paras: &[&str]) -> Vec<u8> {
    let mut d = docx_rs::Docx::new();
    for p in paras {
        d = d.add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(*p)));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).unwrap();
    buf.into_inner()
}

/// Runs the shared scorer over cases and returns its mean, printing its report.
fn score(cases: &[String]) -> f64 {
    let scorer = common::corpus_dir().join("../tools/score.py");
    let out = std::process::Command::new("python3")
        .arg(&scorer)
        .args(["--bin", env!("CARGO_BIN_EXE_docingest"), "--verbose"])
        .args(cases)
        .output()
        .expect("python3 runs the shared scorer");
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    println!("{report}");
    report
        .lines()
        .find_map(|l| l.strip_prefix("extraction score: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no score in:\n{report}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

#[test]
fn the_real_development_set_scores_at_least_0_97() {
    let dir = common::corpus_dir().join("real-dev");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .expect("../shared/corpus/real-dev")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let exp = p.with_extension("expected.json");
            format!("{}={}", p.display(), exp.display())
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 38, "{} cases", cases.len());
    let mean = score(&cases);
    assert!(mean >= 0.97, "real-dev mean {mean}");
}

/// The two OFD renditions whose exact comparison is ignored in `tests/parsing/ofd.rs` (a quote
/// pair lands a character off inside runs stacked at a line's start) still run here: scored
/// against the seeds' answers, neither may fall below what it scores with that gap.
#[test]
fn the_ofd_renditions_with_a_known_gap_score_no_lower() {
    let corpus = common::corpus_dir();
    let answers = corpus.join("seeds-expected.json");
    for (file, key, floor) in [
        ("002_styles.ofd", "002_acaf490cc139cbb4.txt", 0.98),
        ("004_autonum_styles.ofd", "004_3631418bac9721d6.txt", 0.99),
    ] {
        let case = format!(
            "{}={}#{key}",
            corpus.join("variants").join(file).display(),
            answers.display()
        );
        let s = score(&[case]);
        assert!(s >= floor, "{file}: {s} < {floor}");
    }
}
