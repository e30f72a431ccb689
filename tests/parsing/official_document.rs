//! A report laid out as a full GB/T 9704 official document (份号, 密级, 紧急程度, red header,
//! 发文字号, 签发人, multi-line title with joint issuers, 主送, body, 附件说明, 署名, 成文日期, 附注,
//! 抄送, 印发): every element lands in its field and none leaks into the sections.

use docingest::document::{parse, Input, Limits};

fn result() -> docingest::document::ParseResult {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gbt9704_full.txt"
    ))
    .unwrap();
    parse(
        &Input {
            bytes: &bytes,
            name: Some("gbt9704_full.txt"),
            uri: String::new(),
        },
        &Limits::default(),
    )
    .unwrap()
}

#[test]
fn head_elements() {
    let m = result().metadata;
    let g = &m.gbt9704;
    assert_eq!(g.copy_number.as_deref(), Some("000123"));
    assert_eq!(g.security_level.as_deref(), Some("机密"));
    assert_eq!(g.secrecy_period.as_deref(), Some("1年"));
    assert_eq!(g.urgency.as_deref(), Some("特急"));
    assert_eq!(g.red_header.as_deref(), Some("中共城关镇委员会文件"));
    let dn = m.doc_number.unwrap();
    assert_eq!(
        (dn.raw.as_str(), dn.year, dn.seq),
        ("城发〔2024〕3号", Some(2024), Some(3))
    );
    assert_eq!(m.signers, vec!["李明"]);
}

#[test]
fn title_issuers_addressee_and_years() {
    let m = result().metadata;
    assert_eq!(
        m.title.as_deref(),
        Some("中共城关镇委员会城关镇人民政府关于2023年度法治政府建设情况的报告")
    );
    assert_eq!(
        m.issuing_organization.names,
        vec!["中共城关镇委员会", "城关镇人民政府"]
    );
    assert!(m.issuing_organization.joint);
    assert_eq!(m.issuing_organization.normalized.as_deref(), Some("城关镇"));
    assert_eq!(m.admin_level.as_deref(), Some("镇"));
    assert_eq!(m.addressee.as_deref(), Some("区委、区政府"));
    // The document number's year (2024) is the issue year; the report is on 2023.
    assert_eq!(m.report_year, Some(2023));
    assert_eq!(
        (m.plan_year, m.plan_year_explicit),
        (Some(2024), Some(true))
    );
}

#[test]
fn tail_elements() {
    let m = result().metadata;
    let g = &m.gbt9704;
    assert_eq!(
        g.attachments,
        vec!["城关镇法治建设任务清单", "城关镇执法人员名册"]
    );
    assert_eq!(g.signature_orgs, vec!["中共城关镇委员会", "城关镇人民政府"]);
    assert_eq!(g.written_date.as_deref(), Some("2024-01-15"));
    assert_eq!(m.dates.written.as_deref(), Some("2024-01-15"));
    assert_eq!(g.annotation_fuzhu.as_deref(), Some("此件公开发布"));
    assert_eq!(g.copy_to, vec!["区司法局", "区法治办"]);
    assert_eq!(g.printing_org.as_deref(), Some("城关镇党政办公室"));
    assert_eq!(g.print_date.as_deref(), Some("2024-01-16"));
    assert_eq!(m.dates.printed.as_deref(), Some("2024-01-16"));
}

#[test]
fn all_five_parts_and_no_tail_sections() {
    let r = result();
    let numbers: Vec<&str> = r.sections.iter().map(|s| s.number.as_str()).collect();
    assert_eq!(numbers, vec!["一、", "二、", "三、", "四、", "五、"]);
    assert!(r.compliance.missing_required_parts.is_empty());
    assert!(r.compliance.optional_parts_absent.is_empty());
    // 附件 items 1./2. are attachments, not sub-sections of 五、.
    assert!(r.sections[4].children.is_empty());
    assert_eq!(r.sections[1].enumeration_markers, vec!["一是", "二是"]);
}
