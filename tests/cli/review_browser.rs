//! The review page in a real browser: Debian's `chromium`, headless. A page made from the seeds'
//! results plus reports with hostile titles must show the right row count, filter, show the
//! hostile text as text and run none of it; a screenshot is saved to
//! `target/review-screenshot.png`.
//!
//! Chromium is installed by `.ci/steps/50-chromium.sh` (`apt-get install chromium`). Under
//! `CI=true` a missing browser fails the test; locally the test is skipped with a message.
//! `DOCINGEST_CHROMIUM` names another binary.

use crate::common;

use common::corpus_dir;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What a script from the data would do if it ran: mark the document.
const PWN1: &str = "<script>document.documentElement.setAttribute('data-pwned','1')</script>";
const PWN2: &str =
    "</script><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">";
const ALERT: &str = "<script>alert(1)</script>";

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DOCINGEST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Run chromium headless on `url` with `extra` flags, bounded in time.
fn browse(bin: &Path, profile: &Path, url: &str, extra: &[&str]) -> Output {
    let child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox", // CI runs as root, where the sandbox cannot start
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--lang=zh-CN",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let id = child.id();
    let deadline = Instant::now() + Duration::from_secs(120);
    let waiter = std::thread::spawn(move || child.wait_with_output());
    while !waiter.is_finished() {
        if Instant::now() > deadline {
            // Only the process this test started, by its id.
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("chromium did not finish within 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    waiter.join().unwrap().expect("chromium output")
}

fn dump_dom(bin: &Path, profile: &Path, url: &str) -> String {
    let out = browse(
        bin,
        profile,
        url,
        &["--dump-dom", "--virtual-time-budget=5000"],
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not run (CSP hash?) on {url}:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        &dom[..dom.len().min(2000)]
    );
    dom
}

/// `<b id="count">N</b>`: the number of reports the filter lets through.
fn count(dom: &str) -> usize {
    let start = dom.find("id=\"count\">").expect("count element") + "id=\"count\">".len();
    let end = start + dom[start..].find('<').unwrap();
    dom[start..end].parse().unwrap()
}

/// Rows rendered in the table body.
fn rendered_rows(dom: &str) -> usize {
    let start = dom.find("<tbody id=\"rows\">").expect("table body");
    let end = start + dom[start..].find("</tbody>").unwrap();
    dom[start..end].matches("<tr").count()
}

fn no_script_ran(dom: &str) {
    // An attribute the hostile scripts would set serializes as data-pwned="…"; the same words
    // shown as text keep their single quotes.
    assert!(!dom.contains("data-pwned=\""), "a script from the data ran");
    assert!(
        !dom.contains("<img"),
        "markup from the data became an element"
    );
}

#[test]
fn review_page_in_headless_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromium is not installed: .ci/steps/50-chromium.sh should have installed it");
        }
        eprintln!("SKIPPED review_page_in_headless_chromium: no /usr/bin/chromium (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let seeds = corpus_dir().join("seeds");
    let out = Command::new(env!("CARGO_BIN_EXE_docingest"))
        .args(["parse", seeds.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut results: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let n_seeds = results.len();
    for (i, title) in [PWN1, PWN2, ALERT].iter().enumerate() {
        let mut r = results[i].clone();
        r["document_id"] = json!(format!("sha256:hostile{i}"));
        r["metadata"]["title"] = json!(title);
        r["metadata"]["issuing_organization"]["normalized"] = json!(PWN2);
        r["source"]["key"] = json!(format!("hostile/{PWN1}.txt"));
        r["facts"][0]["source"] = json!(PWN2);
        r["warnings"] = json!([{"code": PWN1, "message": PWN2}]);
        results.push(r);
    }
    // The same bytes submitted again: one row.
    results.push(results[0].clone());
    let total = n_seeds + 3;
    let text: String = results.iter().map(|v| format!("{v}\n")).collect();
    let input = dir.path().join("r.jsonl");
    std::fs::write(&input, text).unwrap();
    let page = dir.path().join("review.html");
    let out = Command::new(env!("CARGO_BIN_EXE_docingest"))
        .args([
            "review",
            input.to_str().unwrap(),
            "-o",
            page.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("file://{}", page.display());
    let profile = dir.path().join("profile");

    // Every report, once.
    let dom = dump_dom(&bin, &profile, &url);
    assert_eq!(count(&dom), total);
    assert_eq!(rendered_rows(&dom), total);
    no_script_ran(&dom);
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the hostile title is shown as text"
    );

    // A filter on a missing part: the count the results themselves give.
    let distinct = &results[..total];
    let missing = |part: &str| {
        distinct
            .iter()
            .filter(|r| r["compliance"]["applicable"] != json!(false))
            .filter(|r| {
                r["compliance"]["missing_required_parts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == part)
            })
            .count()
    };
    let part = [
        "measures_achievements",
        "shortcomings_causes",
        "first_responsible_duties",
        "next_year_plans",
    ]
    .into_iter()
    .max_by_key(|p| missing(p))
    .unwrap();
    let expected = missing(part);
    assert!(
        expected > 0 && expected < total,
        "the seeds should make {part} a real filter"
    );
    let dom = dump_dom(&bin, &profile, &format!("{url}#miss={part}"));
    assert_eq!(count(&dom), expected, "filter miss={part}");
    assert_eq!(rendered_rows(&dom), expected);

    // Free text: the hostile reports' keys.
    let dom = dump_dom(&bin, &profile, &format!("{url}#q=hostile/"));
    assert_eq!(count(&dom), 3);
    no_script_ran(&dom);

    // The detail of a hostile report: text everywhere, nothing run.
    let dom = dump_dom(&bin, &profile, &format!("{url}#doc=sha256:hostile1"));
    assert!(
        dom.contains("<h2>&lt;/script&gt;&lt;img src=x onerror="),
        "detail title as text"
    );
    assert!(dom.contains("GB/T 9704"));
    no_script_ran(&dom);

    // The screenshot the README shows.
    let shot = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/review-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let out = browse(
        &bin,
        &profile,
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1440,1000",
            "--virtual-time-budget=5000",
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
