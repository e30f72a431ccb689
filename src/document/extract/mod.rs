//! Document -> result: metadata, compliance, facts, references.

pub mod facts;
pub mod refs;

use super::model::RawDocument;
use super::result::*;
use super::structure::Structured;

pub fn extract(doc: &RawDocument, s: &Structured) -> ParseResult {
    let text: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    let text = text.join("\n");
    let mut facts = doc.facts.clone();
    for b in &doc.blocks {
        facts.extend(facts::facts_in(&b.text));
    }
    ParseResult {
        schema_version: SCHEMA_VERSION,
        document_id: String::new(),
        source: Source {
            uri: String::new(),
            bucket: None,
            key: None,
            version_id: None,
            etag: None,
            size: 0,
            media_type: doc.format.media_type().into(),
            format: doc.format,
            encoding: doc.encoding.clone(),
            line_endings: doc.line_endings,
        },
        metadata: Metadata {
            title: s.title.clone(),
            core_properties: doc.core_properties.clone(),
            ..Default::default()
        },
        sections: s.sections.clone(),
        compliance: Compliance {
            profile: PROFILE.into(),
            present_required_parts: vec![],
            missing_required_parts: vec![],
            optional_parts_absent: vec![],
        },
        facts,
        tables: doc.tables.clone(),
        legal_references: refs::legal_references(&text),
        supplementary: doc.supplementary.clone(),
        text,
        warnings: doc.warnings.clone(),
        parser: ParserInfo::default(),
    }
}
