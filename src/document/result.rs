//! The versioned result type: what `docingest parse` prints and what every published result
//! carries (CONTRACT §2). The JSON Schema in `schema/result.schema.json` is generated from these
//! types (`cargo run -- schema`), and a test fails when the committed copy drifts.
//!
//! Field order is the declaration order, and every collection is a `Vec` or a `BTreeMap`, so the
//! same bytes always serialize to byte-identical JSON.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::rows::{Row, Rows};

/// Bumped on any change a consumer could notice (a removed or retyped field).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ParseResult {
    pub schema_version: u32,
    /// `sha256:<hex>` of the raw input bytes.
    pub document_id: String,
    pub source: Source,
    pub metadata: Metadata,
    pub sections: Vec<Section>,
    pub compliance: Compliance,
    pub facts: Vec<Fact>,
    pub tables: Vec<Table>,
    pub legal_references: Vec<String>,
    /// Text that is not part of the body: headers, footers, notes, comments (docx only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplementary: Option<Supplementary>,
    /// The normalized plain text of the body.
    pub text: String,
    pub warnings: Vec<Warning>,
    pub parser: ParserInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Source {
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    pub size: u64,
    pub media_type: String,
    pub format: Format,
    pub encoding: Option<String>,
    pub line_endings: Option<LineEndings>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Txt,
    Markdown,
    Docx,
    Xlsx,
    Xls,
    Ods,
    Html,
    // Word 97-2003 binary (.doc), and WPS Office's .wps when it is such an OLE file.
    Doc,
    // PDF with a text layer.
    Pdf,
    // OFD (GB/T 33190), the national electronic-document format.
    Ofd,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Txt => "text/plain",
            Format::Markdown => "text/markdown",
            Format::Html => "text/html",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Xls => "application/vnd.ms-excel",
            Format::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Format::Doc => "application/msword",
            Format::Pdf => "application/pdf",
            Format::Ofd => "application/ofd",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum LineEndings {
    LF,
    CRLF,
    CR,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Metadata {
    pub title: Option<String>,
    /// The 公文 kind (文种) the title (or the red header) names: 报告, 通知, 请示, 函, 纪要, 命令,
    /// 意见, 决定, 通报, 批复, 公告, 通告, 公报, 决议, 议案; simplified script. `null` when the
    /// document names none.
    #[serde(default)]
    pub document_kind: Option<String>,
    pub issuing_organization: IssuingOrganization,
    /// 街道 / 乡 / 镇 / 县 / 区 / 市 / 省
    pub admin_level: Option<String>,
    /// The year reported on (not the issue year).
    pub report_year: Option<i32>,
    /// The year of the "next year's plans" part.
    pub plan_year: Option<i32>,
    /// False when the plan part only says 下一步 with no year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_year_explicit: Option<bool>,
    pub doc_number: Option<DocNumber>,
    /// 政府信息公开 索引号.
    pub index_number: Option<String>,
    pub dates: Dates,
    pub signers: Vec<String>,
    pub addressee: Option<String>,
    pub gbt9704: Gbt9704,
    pub web_metadata: Option<WebMetadata>,
    pub core_properties: Option<CoreProperties>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IssuingOrganization {
    /// As written; several for a joint report.
    pub names: Vec<String>,
    /// Bare place name plus level, e.g. 金兰山街道.
    pub normalized: Option<String>,
    pub joint: bool,
    /// Where the names were found: web_metadata, title, red_header, signature, body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DocNumber {
    /// e.g. 金文〔2023〕5号
    pub raw: String,
    pub agency_code: Option<String>,
    pub year: Option<i32>,
    pub seq: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Dates {
    /// 成文日期, ISO `YYYY-MM-DD`.
    pub written: Option<String>,
    /// 发布日期 / 发文时间.
    pub published: Option<String>,
    /// 印发日期.
    pub printed: Option<String>,
    /// The source strings, keyed by their label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, String>,
}

/// GB/T 9704-2012 official-document elements. `null` / empty when the text does not show them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Gbt9704 {
    /// 份号
    pub copy_number: Option<String>,
    /// 密级 (绝密 / 机密 / 秘密)
    pub security_level: Option<String>,
    /// 保密期限
    pub secrecy_period: Option<String>,
    /// 紧急程度 (特急 / 加急)
    pub urgency: Option<String>,
    /// 发文机关标志, e.g. 中共某某街道工作委员会文件
    pub red_header: Option<String>,
    /// 附件说明 as written
    pub attachment_note: Option<String>,
    /// 附件 names
    pub attachments: Vec<String>,
    /// 署名 organizations
    pub signature_orgs: Vec<String>,
    /// 成文日期, ISO
    pub written_date: Option<String>,
    /// 附注
    pub annotation_fuzhu: Option<String>,
    /// 抄送
    pub copy_to: Vec<String>,
    /// 印发机关
    pub printing_org: Option<String>,
    /// 印发日期, ISO
    pub print_date: Option<String>,
}

/// Portal metadata scraped with the page: breadcrumb and `• label:value` lines.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct WebMetadata {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breadcrumb: Vec<String>,
    /// Every `label:value` pair, labels with their padding removed (索 引 号 -> 索引号).
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CoreProperties {
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Section {
    /// Depth in the tree, 1 = top.
    pub level: u32,
    /// The numbering token verbatim, e.g. 一、 （一） (1) 1.
    pub number: String,
    pub style: NumberStyle,
    /// The heading without markup, numbering and one trailing 。
    pub title: String,
    /// The title up to its first 。
    pub short_title: String,
    /// The exact source span of the heading, from the numbering token or its markup.
    pub raw: String,
    pub heading_delimiter: HeadingDelimiter,
    /// 1-based line in the source text (paragraph number for docx).
    pub line: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bracket_width: Option<BracketWidth>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    /// `#`, `##`... when the heading was a Markdown heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown_heading: Option<String>,
    /// Required-part codes this (level-1) section covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_parts: Vec<String>,
    /// Inline 一是/二是/其次 markers in the section's own body (they are not sub-sections).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enumeration_markers: Vec<String>,
    /// The section's own body text (children excluded), normalized.
    pub text: String,
    pub children: Vec<Section>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum NumberStyle {
    /// 一、
    ChineseDunhao,
    /// （一） or (一)
    ParenChinese,
    /// 1、
    ArabicDunhao,
    /// 1. or １．
    ArabicDot,
    /// （1） or (1)
    ParenArabic,
    /// 第一部分 / 第一章
    Part,
    /// ①
    CircledArabic,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HeadingDelimiter {
    /// The whole line is the heading.
    Line,
    /// An inline heading ending at the first 。
    FirstSentence,
    /// The heading is a leading bold span.
    Bold,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BracketWidth {
    Full,
    Half,
}

pub const PROFILE: &str = "law_based_government_annual_report";

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Compliance {
    pub profile: String,
    /// Whether the profile applies: true for a 法治政府建设 annual report. A notice, an opinion or
    /// any other document has no "missing parts": then this is false and both lists are empty.
    #[serde(default = "default_true")]
    pub applicable: bool,
    pub present_required_parts: Vec<String>,
    /// Mandatory parts with no dedicated section.
    pub missing_required_parts: Vec<String>,
    /// Optional parts (other_matters) with no section.
    #[serde(default)]
    pub optional_parts_absent: Vec<String>,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Fact {
    /// The number, 万 expanded (4.2万 -> 42000). Whole numbers are written without a fraction.
    #[serde(serialize_with = "whole_or_fraction")]
    pub value: f64,
    pub unit: Option<String>,
    /// Verbatim substring of the normalized text the fact was read from.
    pub source: String,
    /// The number as written when it differs from `value` (4.2万, 全角 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_text: Option<String>,
    /// 余 / 多 / 约 / 超过 / 不少于 / 以上 / 仅 ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// count (default, omitted) | ratio | amount | area | change | target | score
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The unit was not written next to the number but implied by the phrase (人数 -> 人).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unit_implicit: bool,
    /// A money-like value written without any unit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unit_missing: bool,
    /// "per" denominator, e.g. 每名执法人员.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Section path, e.g. 一/（一）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Where a spreadsheet fact came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_cell: Option<TableCell>,
}

/// `4` rather than `4.0` for counts: consumers compare against integers.
fn whole_or_fraction<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TableCell {
    pub table: usize,
    pub row: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Table {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub header: Vec<String>,
    // An array of arrays of strings in JSON, held compactly (see `Rows`). A plain comment: a
    // doc comment would become a description in the committed JSON Schema.
    pub rows: Rows,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Supplementary {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub footnotes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endnotes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

impl Warning {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Warning {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ParserInfo {
    pub name: String,
    pub version: String,
}

impl Default for ParserInfo {
    fn default() -> Self {
        ParserInfo {
            name: "docingest".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}
