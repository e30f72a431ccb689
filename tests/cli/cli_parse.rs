//! `docingest parse` as a user runs it: one file prints one JSON document, several files or a
//! directory print JSON Lines, a failing file is reported on stderr and the exit code is 1.

use crate::common;

use common::corpus_dir;
use std::process::Command;

fn docingest(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_docingest"))
        .args(args)
        .output()
        .expect("run docingest")
}

#[test]
fn one_file_prints_one_json_document() {
    let seed = corpus_dir().join("seeds/001_9c76b1dea792aca4.txt");
    let out = docingest(&["parse", seed.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["metadata"]["title"],
        "东坝乡人民政府2022年法治政府建设情况报告"
    );
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["parser"]["name"], "docingest");
}

#[test]
fn a_directory_prints_json_lines_in_name_order() {
    let dir = corpus_dir().join("seeds");
    let out = docingest(&["parse", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5);
    let uris: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["source"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        uris[0].ends_with("000_90f5a89fff8b2d4c.txt")
            && uris[4].ends_with("004_3631418bac9721d6.txt")
    );
}

#[test]
fn a_failing_file_is_reported_and_the_others_still_print() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("empty.txt");
    std::fs::write(&bad, b"").unwrap();
    let good = corpus_dir().join("seeds/000_90f5a89fff8b2d4c.txt");
    let missing = tmp.path().join("missing.txt");
    let out = docingest(&[
        "parse",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("empty.txt: empty_input"), "{stderr}");
    assert!(stderr.contains("missing.txt: io_error"), "{stderr}");
}

#[test]
fn pretty_indents() {
    let seed = corpus_dir().join("seeds/000_90f5a89fff8b2d4c.txt");
    let out = docingest(&["parse", "--pretty", seed.to_str().unwrap()]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("{\n  \"schema_version\": 1"));
}
