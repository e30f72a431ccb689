//! Hostile and broken text input ends as a typed error or a result with warnings, never a
//! panic, and in bounded work (the inputs are sized so that quadratic behaviour would show as a
//! test that never finishes, not as a flaky timing assertion).

use docingest::document::{parse, Input, Limits, ParseError};

fn run(bytes: &[u8], name: &str) -> Result<docingest::document::ParseResult, ParseError> {
    parse(
        &Input {
            bytes,
            name: Some(name),
            uri: name.into(),
        },
        &Limits::default(),
    )
}

#[test]
fn empty_file_is_a_typed_error() {
    assert_eq!(run(b"", "a.txt").unwrap_err(), ParseError::Empty);
    assert_eq!(run(b"\n\r\n   \n", "a.txt").unwrap_err(), ParseError::Empty);
}

#[test]
fn random_binary_is_undecodable() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..1 << 16)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 56) as u8
        })
        .collect();
    assert_eq!(
        run(&bytes, "upload.txt").unwrap_err().code(),
        "undecodable_text"
    );
}

#[test]
fn truncated_utf16_parses_with_a_warning() {
    let text = "一、总体情况\n（一）加强领导。全年开展培训4次。\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    bytes.pop();
    let r = run(&bytes, "a.txt").unwrap();
    assert!(r.warnings.iter().any(|w| w.code == "truncated_utf16"));
    assert_eq!(r.sections[0].children[0].title, "加强领导");
}

#[test]
fn fifty_megabytes_without_a_newline() {
    let line = "推进法治政府建设，".repeat(50 * 1024 * 1024 / 27);
    let limits = Limits::default();
    let r = parse(
        &Input {
            bytes: line.as_bytes(),
            name: Some("long.txt"),
            uri: "long".into(),
        },
        &limits,
    )
    .unwrap();
    assert!(r.warnings.iter().any(|w| w.code == "long_line_split"));
    assert!(r.sections.is_empty());
}

#[test]
fn input_over_the_size_limit_is_rejected_before_work() {
    let limits = Limits {
        max_input_bytes: 10,
        ..Limits::default()
    };
    let e = parse(
        &Input {
            bytes: b"0123456789ab",
            name: None,
            uri: String::new(),
        },
        &limits,
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large");
}

#[test]
fn deeply_nested_markdown() {
    // Quote and list nesting thousands deep, emphasis runs and heading spam.
    let mut s = String::from("# 标题\n\n");
    s.push_str(&">".repeat(100_000));
    s.push_str(" 正文\n");
    for i in 0..2000 {
        s.push_str(&"  ".repeat(i));
        s.push_str("- 一、项目\n");
    }
    s.push_str(&"**".repeat(50_000));
    s.push('\n');
    s.push_str(&"[".repeat(50_000));
    s.push_str(&"](".repeat(50_000));
    s.push('\n');
    let r = run(s.as_bytes(), "nested.md").unwrap();
    assert_eq!(r.source.format, docingest::document::Format::Markdown);
}

#[test]
fn numbering_spam_does_not_nest_without_bound() {
    // Ten thousand alternating styles: the tree depth is bounded by the number of styles.
    let mut s = String::new();
    for _ in 0..10_000 {
        s.push_str("一、甲\n（一）乙\n1.丙\n（1）丁\n①戊\n");
    }
    let r = run(s.as_bytes(), "spam.txt").unwrap();
    fn depth(s: &[docingest::document::result::Section]) -> usize {
        s.iter().map(|n| 1 + depth(&n.children)).max().unwrap_or(0)
    }
    assert!(depth(&r.sections) <= 5);
}

#[test]
fn truncated_pdf_is_a_typed_pdf_error() {
    // A PDF header with nothing after it: detected as PDF and refused as damaged, never
    // `unsupported_format` nor an empty result.
    let code = run(b"%PDF-1.4 ...", "a.pdf").unwrap_err().code();
    assert!(
        matches!(code, "corrupt_document" | "no_text_layer"),
        "{code}"
    );
}

#[test]
fn a_damaged_legacy_doc_is_a_word_error() {
    // An OLE2 signature and the WordDocument stream name, but no readable container: the .doc
    // reader reports the damage as a .doc's (never as an Excel file's).
    let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    doc.extend("WordDocument".encode_utf16().flat_map(|u| u.to_le_bytes()));
    let e = run(&doc, "a.doc").unwrap_err();
    assert_eq!(e.code(), "corrupt_document");
    assert!(e.to_string().contains(".doc"), "{e}");
}
