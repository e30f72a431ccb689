//! The committed JSON Schema (`schema/result.schema.json`) is the one generated from the Rust
//! types, and every result we produce on the corpus validates against it.

use crate::common;

use common::{corpus_dir, parse_path};

fn committed() -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/result.schema.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn committed_schema_matches_the_types() {
    let generated: serde_json::Value =
        serde_json::from_str(&docingest::cli::schema::schema_json()).unwrap();
    assert_eq!(
        committed(),
        generated,
        "schema/result.schema.json is stale: run `cargo run -- schema > schema/result.schema.json`"
    );
}

#[test]
fn corpus_results_validate_against_the_schema() {
    let validator = jsonschema::validator_for(&committed()).unwrap();
    let mut checked = 0;
    for dir in ["seeds", "variants"] {
        for entry in std::fs::read_dir(corpus_dir().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let Ok(result) = parse_path(&path) else {
                continue;
            };
            let json = serde_json::to_value(&result).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} corpus files parsed");
}

#[test]
fn schema_rejects_a_result_missing_a_required_field() {
    let validator = jsonschema::validator_for(&committed()).unwrap();
    let r = parse_path(&corpus_dir().join("seeds/000_90f5a89fff8b2d4c.txt")).unwrap();
    let mut json = serde_json::to_value(&r).unwrap();
    json.as_object_mut().unwrap().remove("sections");
    assert!(!validator.is_valid(&json));
}
