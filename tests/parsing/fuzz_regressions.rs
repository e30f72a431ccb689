//! Inputs the fuzzers found (tests/fixtures/fuzz/, see its README): each must parse or end as a
//! typed error, never as a panic, not even one `parse` would contain (`parse_uncaught`), except
//! for panics inside calamine, which the sheet reader contains and reports as corrupt.

use docingest::document::{parse, parse_uncaught, Input, Limits};

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "README.md")
        .collect();
    v.sort();
    v
}

#[test]
fn no_fuzz_finding_ends_as_a_parser_panic() {
    let files = fixtures();
    assert!(files.len() >= 8);
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.to_string_lossy();
        let input = Input {
            bytes: &bytes,
            name: Some(&name),
            uri: String::new(),
        };
        if let Err(e) = parse(&input, &Limits::default()) {
            assert_ne!(e.code(), "parser_panic", "{}: {e}", p.display());
        }
    }
}

#[test]
fn ampersand_before_cjk_text_parses() {
    let text = "一、总体情况\nA&B公司法治政府建设。全年培训&nbsp;4次，&amp;合作单位&#20013;。\n";
    let input = Input {
        bytes: text.as_bytes(),
        name: Some("amp.txt"),
        uri: String::new(),
    };
    let r = parse_uncaught(&input, &Limits::default()).unwrap();
    assert!(r.text.contains("A&B公司法治政府建设"));
    assert!(r.text.contains("&合作单位中"));
}
