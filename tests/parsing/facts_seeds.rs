//! The facts and non-quantities of the five seed reports (corpus `seeds-expected.json`), read
//! by `facts_in` line by line after a test-side normalization that mimics the pipeline's
//! (spaces between CJK and digits removed, Markdown `**` / `#` markup stripped).
//!
//! Every expected fact must be found with the same value, unit, qualifier, kind, value_text,
//! per, unit_implicit and unit_missing, and an overlapping source. Seed 001 lists every fact
//! (`facts_complete`), so there nothing else may be found. Extras of the other seeds are printed
//! (`cargo test --test parsing facts_seeds:: -- --nocapture`) for review.
//!
//! The corpus is read from `$DOCINGEST_CORPUS` (default `../shared/corpus` next to the repository).

use docingest::document::extract::facts::facts_in;
use docingest::document::result::Fact;
use serde_json::Value;
use std::path::PathBuf;
use unicode_normalization::UnicodeNormalization;

fn corpus() -> PathBuf {
    let dir = std::env::var_os("DOCINGEST_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")));
    assert!(
        dir.join("seeds-expected.json").is_file(),
        "seed corpus not found in {} (set DOCINGEST_CORPUS)",
        dir.display()
    );
    dir
}

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(corpus().join("seeds-expected.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(map) => map,
        other => panic!("seeds-expected.json is not an object: {other}"),
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}' | '“' | '”' | '‘' | '’')
}

/// The pipeline's normalization, as far as facts depend on it.
fn normalize_line(line: &str) -> String {
    let line = line.replace(['\u{a0}', '\u{3000}'], " ").replace("**", "");
    let line = line.trim_start_matches(' ');
    let line = line.trim_start_matches('#').trim_start_matches(' ');
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let prev = i.checked_sub(1).map(|k| chars[k]);
            let next = chars.get(j).copied();
            let joins = |a: Option<char>, b: Option<char>| {
                a.zip(b).is_some_and(|(a, b)| {
                    (is_cjk(a) && (b.is_ascii_digit() || b == '%'))
                        || (a.is_ascii_digit() && (is_cjk(b) || b == '%'))
                })
            };
            if !joins(prev, next) {
                out.push(' ');
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// NFKC, whitespace removed: how sources are compared.
fn squash(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

fn seed_facts(name: &str) -> Vec<Fact> {
    let text = std::fs::read_to_string(corpus().join("seeds").join(name)).unwrap();
    text.lines()
        .flat_map(|l| facts_in(&normalize_line(l)))
        .collect()
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn matches(e: &Value, f: &Fact) -> bool {
    let value = e["value"].as_f64().unwrap();
    let src_e = squash(str_field(e, "source").unwrap());
    let src_f = squash(&f.source);
    (f.value - value).abs() < 1e-9
        && f.unit.as_deref() == str_field(e, "unit")
        && f.qualifier.as_deref() == str_field(e, "qualifier")
        && f.kind.as_deref() == str_field(e, "kind")
        && f.value_text.as_deref() == str_field(e, "value_text")
        && f.per.as_deref() == str_field(e, "per")
        && f.unit_implicit
            == e.get("unit_implicit")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        && f.unit_missing
            == e.get("unit_missing")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        && (src_f.contains(&src_e) || src_e.contains(&src_f))
}

fn show(f: &Fact) -> String {
    format!(
        "{} {} q={} k={} vt={} per={} impl={} miss={} | {}",
        f.value,
        f.unit.as_deref().unwrap_or("-"),
        f.qualifier.as_deref().unwrap_or("-"),
        f.kind.as_deref().unwrap_or("-"),
        f.value_text.as_deref().unwrap_or("-"),
        f.per.as_deref().unwrap_or("-"),
        f.unit_implicit,
        f.unit_missing,
        f.source
    )
}

/// Matches the expected facts of one seed; returns (unmatched expected, extras found).
fn compare(name: &str, seed: &Value) -> (Vec<String>, Vec<Fact>) {
    let found = seed_facts(name);
    let mut used = vec![false; found.len()];
    let mut missing = Vec::new();
    for e in seed["facts"].as_array().unwrap() {
        match (0..found.len()).find(|&i| !used[i] && matches(e, &found[i])) {
            Some(i) => used[i] = true,
            None => missing.push(e.to_string()),
        }
    }
    let extras = found
        .into_iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(f, _)| f)
        .collect();
    (missing, extras)
}

#[test]
fn every_expected_fact_of_every_seed_is_found() {
    let mut failures = Vec::new();
    for (name, seed) in expected() {
        let (missing, extras) = compare(&name, &seed);
        let n = seed["facts"].as_array().unwrap().len();
        println!(
            "== {name}: {} of {n} expected facts matched, {} extras",
            n - missing.len(),
            extras.len()
        );
        for f in &extras {
            println!("   extra: {}", show(f));
        }
        for m in missing {
            failures.push(format!("{name}: not found: {m}"));
        }
    }
    if !failures.is_empty() {
        for (name, _) in expected() {
            println!("-- all facts of {name}");
            for f in seed_facts(&name) {
                println!("   {}", show(&f));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn complete_seeds_have_no_extra_facts() {
    let mut checked = 0;
    for (name, seed) in expected() {
        if seed["facts_complete"].as_bool() != Some(true) {
            continue;
        }
        checked += 1;
        let (_, extras) = compare(&name, &seed);
        let shown: Vec<String> = extras.iter().map(show).collect();
        assert!(
            shown.is_empty(),
            "{name} lists every fact, yet we found:\n{}",
            shown.join("\n")
        );
    }
    assert_eq!(checked, 1, "seed 001 is the one complete seed");
}

/// The numbers of a non-quantity entry (its text before any " (" explanation), and the phrase
/// parts to look for: "每周二、周四 / 每周一三五" is two phrases.
fn non_quantity_phrases(entry: &str) -> Vec<String> {
    let phrase = entry.split(" (").next().unwrap();
    phrase.split(" / ").map(|p| p.trim().to_string()).collect()
}

fn numbers_in(s: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.nfkc().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(cur.trim_end_matches('.').parse().unwrap());
            cur.clear();
        }
    }
    out
}

#[test]
fn non_quantities_never_become_facts() {
    let mut checked = 0;
    for (name, seed) in expected() {
        let text = std::fs::read_to_string(corpus().join("seeds").join(&name)).unwrap();
        for entry in seed["non_quantities"].as_array().unwrap() {
            for phrase in non_quantity_phrases(entry.as_str().unwrap()) {
                let numbers = numbers_in(&phrase);
                let key = squash(&normalize_line(&phrase));
                let lines: Vec<String> = text
                    .lines()
                    .map(normalize_line)
                    .filter(|l| squash(l).contains(&key))
                    .collect();
                assert!(
                    !lines.is_empty() || numbers.is_empty(),
                    "{name}: {phrase} not in the text"
                );
                for line in &lines {
                    checked += 1;
                    for f in facts_in(line) {
                        let src = squash(&f.source);
                        let from_phrase = src.contains(&key) || key.contains(&src);
                        assert!(
                            !(from_phrase && numbers.contains(&f.value)),
                            "{name}: non-quantity {phrase} became {}",
                            show(&f)
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} lines checked");
}
