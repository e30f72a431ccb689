//! `docingest review` as a user runs it on results from `docingest parse`: duplicates show once,
//! the CSV opens in Excel, claim checks are followed only when asked and only from the results
//! bucket, a bad line is reported and the page is still written.

use crate::common;

use common::corpus_dir;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn docingest(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_docingest"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run docingest")
}

/// The seeds' results, one JSON value each.
fn seed_results() -> Vec<Value> {
    let seeds = corpus_dir().join("seeds");
    let out = docingest(&["parse", seeds.to_str().unwrap()], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_lines(path: &Path, values: &[Value]) {
    let text: String = values.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// The JSON embedded in the page's `<script type="application/json" id=ID>`.
fn embedded(page: &str, id: &str) -> Value {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = page.find(&open).unwrap() + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

#[test]
fn seeds_give_one_row_each_and_a_duplicate_shows_once_with_its_other_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = seed_results();
    let mut dup = results[1].clone();
    dup["source"]["key"] = Value::from("resubmitted/001.txt");
    results.push(dup);
    let input = dir.path().join("r.jsonl");
    write_lines(&input, &results);
    let (html, csv) = (dir.path().join("review.html"), dir.path().join("o.csv"));
    let out = docingest(
        &[
            "review",
            input.to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    let overview = embedded(&page, "overview");
    let rows = overview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1]["also"], serde_json::json!(["resubmitted/001.txt"]));
    assert_eq!(overview["summary"]["duplicates"], 1);
    for i in 0..5 {
        let d = embedded(&page, &format!("d{i}"));
        assert_eq!(
            d["facts"].as_array().unwrap().len(),
            rows[i]["nf"].as_u64().unwrap() as usize
        );
    }
    assert!(
        !page.contains("id=\"d5\""),
        "one detail per distinct report"
    );
    // The seeds' own answers, straight from their results.
    for (row, r) in rows.iter().zip(&results) {
        assert_eq!(row["id"], r["document_id"]);
        assert_eq!(row["title"], r["metadata"]["title"]);
        assert_eq!(row["yr"], r["metadata"]["report_year"]);
        assert_eq!(row["nf"], r["facts"].as_array().unwrap().len());
    }

    let csv = std::fs::read_to_string(&csv).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].contains(",measures_achievements,shortcomings_causes,first_responsible_duties,next_year_plans,other_matters,"));
    let title = results[0]["metadata"]["title"].as_str().unwrap();
    assert!(lines[1].contains(title), "{}", lines[1]);
}

#[test]
fn a_directory_of_results_and_a_bad_line_are_read_and_the_bad_line_reported() {
    let dir = tempfile::tempdir().unwrap();
    let results = seed_results();
    write_lines(&dir.path().join("a.jsonl"), &results[..2]);
    let mut text = std::fs::read_to_string(dir.path().join("a.jsonl")).unwrap();
    text.push_str("{\"no\": \"document_id\"}\n");
    std::fs::write(dir.path().join("b.jsonl"), text).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not results").unwrap();
    let html = dir.path().join("out.html");
    let out = docingest(
        &[
            "review",
            dir.path().to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("b.jsonl: no document_id"), "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        embedded(&page, "overview")["rows"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(embedded(&page, "overview")["skipped"], 1);
}

#[test]
fn claim_checks_are_followed_only_when_asked_and_only_from_the_results_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("storage");
    let results = seed_results();
    let stored = &results[2];
    let key = "results/abc/job-1.json";
    std::fs::create_dir_all(root.join("reports/results/abc")).unwrap();
    std::fs::write(root.join("reports").join(key), stored.to_string()).unwrap();
    std::fs::create_dir_all(root.join("secrets")).unwrap();
    std::fs::write(root.join("secrets/r.json"), results[3].to_string()).unwrap();
    let pointer = |bucket: &str, key: &str| {
        serde_json::json!({"schema_version": 1, "document_id": "sha256:x", "job_id": "job-1",
            "submission_id": null, "attempt": 1, "received_at": "2026-01-01T00:00:00Z",
            "result_ref": {"bucket": bucket, "key": key, "size": 10}})
    };
    let input = dir.path().join("r.jsonl");
    write_lines(
        &input,
        &[
            results[0].clone(),
            pointer("reports", key),
            pointer("secrets", "r.json"),
        ],
    );
    let html = dir.path().join("out.html");
    let args = [
        "review",
        input.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ];
    let env: [(&str, &Path); 3] = [
        ("DOCINGEST_STORAGE__BACKEND", Path::new("fs")),
        ("DOCINGEST_STORAGE__ROOT", &root),
        ("DOCINGEST_CONFIG", Path::new("")),
    ];

    let out = docingest(&args, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("pass --follow-claim-checks"), "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        embedded(&page, "overview")["rows"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let out = docingest(&[&args[..], &["--follow-claim-checks"]].concat(), &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the secrets pointer still fails: {stderr}"
    );
    assert!(
        stderr.contains("not in storage.allowed_buckets"),
        "{stderr}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    let rows = embedded(&page, "overview")["rows"].clone();
    let ids: Vec<&Value> = rows.as_array().unwrap().iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&results[0]["document_id"], &stored["document_id"]]);
}
