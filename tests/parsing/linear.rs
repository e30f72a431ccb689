//! Parse cancellation: a parse whose [`Cancel`] flag is set stops and returns `parse_timeout`,
//! in every reader that loops over the input, so an overrunning parse frees its thread.
//!
//! The linear-cost side of the same issue is proven by the complexity check
//! (`examples/complexity.rs`, run by `.ci/post/40-complexity.sh`), which counts instructions
//! under callgrind rather than timing anything here.

use crate::common::parsing;

use docingest::document::limits::Cancel;
use docingest::document::{self, Input, Limits, ParseError};
use std::time::{Duration, Instant};

fn parse(bytes: &[u8], name: &str, limits: &Limits) -> Result<document::ParseResult, ParseError> {
    document::parse(
        &Input {
            bytes,
            name: Some(name),
            uri: String::new(),
        },
        limits,
    )
}

fn cancelled() -> Limits {
    let cancel = Cancel::new();
    cancel.cancel();
    Limits {
        cancel,
        ..Limits::default()
    }
}

/// ~13 MB of a real report: long enough that a deadline can fall in its middle.
fn big_report() -> Vec<u8> {
    std::fs::read(parsing::corpus_dir().join("seeds/000_90f5a89fff8b2d4c.txt"))
        .unwrap()
        .repeat(1600)
}

#[test]
fn a_cancelled_parse_returns_parse_timeout_in_every_reader() {
    let seed = std::fs::read(parsing::corpus_dir().join("seeds/000_90f5a89fff8b2d4c.txt")).unwrap();
    let markdown = "# 标题\n\n**一、总体**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n".repeat(50);
    let mut inputs: Vec<(Vec<u8>, &str)> = vec![(seed, "a.txt"), (markdown.into_bytes(), "a.md")];
    let mut variants: Vec<_> = std::fs::read_dir(parsing::corpus_dir().join("variants"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    variants.sort();
    for (ext, name) in [("docx", "a.docx"), ("xlsx", "a.xlsx")] {
        let path = variants
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap_or_else(|| panic!("a .{ext} in corpus/variants"));
        inputs.push((std::fs::read(path).unwrap(), name));
    }
    for (bytes, name) in &inputs {
        // The same input parses without the flag...
        parse(bytes, name, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        // ...and stops with it.
        let e = parse(bytes, name, &cancelled()).unwrap_err();
        assert_eq!(e, ParseError::Cancelled, "{name}");
        assert_eq!(e.code(), "parse_timeout");
    }
}

/// The flag set from another thread while the parse runs stops it long before it would have
/// ended. The full parse is timed first in this same build, so the bound means the same in
/// debug and release and on a loaded machine.
#[test]
fn a_parse_stops_soon_after_its_flag_is_set_from_another_thread() {
    let big = big_report();
    let t = Instant::now();
    parse(&big, "big.txt", &Limits::default()).unwrap();
    let full = t.elapsed();

    let cancel = Cancel::new();
    let limits = Limits {
        cancel: cancel.clone(),
        ..Limits::default()
    };
    let deadline = full / 10;
    let setter = std::thread::spawn(move || {
        std::thread::sleep(deadline);
        cancel.cancel();
    });
    let t = Instant::now();
    let e = parse(&big, "big.txt", &limits).unwrap_err();
    let stopped_after = t.elapsed();
    setter.join().unwrap();
    assert_eq!(e, ParseError::Cancelled);
    eprintln!("full parse {full:?}; flag set at {deadline:?}; stopped at {stopped_after:?}");
    assert!(
        stopped_after < deadline + full / 2 && stopped_after < deadline + Duration::from_secs(5),
        "a parse that takes {full:?} was told to stop at {deadline:?} and ran until {stopped_after:?}"
    );
}
