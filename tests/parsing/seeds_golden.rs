//! Golden tests: every field of the worked answers in `seeds-expected.json`, checked field by
//! field on the five seed reports, so a failure names the seed, the field and both values.

use crate::common;

use common::golden::*;
use common::{corpus_dir, parse_path};
use docingest::document::result::{ParseResult, Section};
use serde_json::Value;

fn run(check: fn(&mut Diff, &ParseResult, &Value)) {
    let mut problems = Vec::new();
    for (seed, e) in expected() {
        let r = parse_path(&corpus_dir().join("seeds").join(&seed))
            .unwrap_or_else(|err| panic!("{seed}: {err}"));
        let mut d = Diff {
            seed,
            mode: Mode::Exact,
            problems: Vec::new(),
        };
        check(&mut d, &r, &e);
        problems.extend(d.problems);
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn seeds_metadata_match_the_worked_answers() {
    run(check_metadata);
}

#[test]
fn seeds_sections_match_the_worked_answers() {
    run(|d, r, e| check_sections(d, &r.sections, e["sections"].as_array().unwrap(), ""));
}

#[test]
fn seeds_compliance_matches_the_worked_answers() {
    run(check_compliance);
}

#[test]
fn seeds_facts_match_the_worked_answers() {
    run(check_facts);
}

#[test]
fn seeds_not_sections_are_not_sections() {
    run(|d, r, e| {
        fn all(s: &[Section], out: &mut Vec<String>) {
            for n in s {
                out.push(n.raw.clone());
                all(&n.children, out);
            }
        }
        let mut raws = Vec::new();
        all(&r.sections, &mut raws);
        for ns in e
            .get("not_sections")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let line = ns
                .as_str()
                .unwrap()
                .split(" (")
                .next()
                .unwrap()
                .trim_end_matches("...");
            let line = line.trim_end_matches('.');
            if raws.iter().any(|r| r.starts_with(line)) {
                d.problems
                    .push(format!("{}: became a section: {line}", d.seed));
            }
        }
    });
}

#[test]
fn parsing_is_deterministic_and_ids_are_content_hashes() {
    for (seed, _) in expected() {
        let p = corpus_dir().join("seeds").join(&seed);
        let a = serde_json::to_string(&parse_path(&p).unwrap()).unwrap();
        let b = serde_json::to_string(&parse_path(&p).unwrap()).unwrap();
        assert_eq!(a, b, "{seed}");
        let r = parse_path(&p).unwrap();
        assert_eq!(
            r.document_id,
            docingest::document::document_id(&std::fs::read(&p).unwrap())
        );
        assert!(r.document_id.starts_with("sha256:") && r.document_id.len() == 71);
    }
}
