//! Hostile PDFs end as typed errors at bounded cost: every file here is written by the test
//! itself (tests/pdf_support), read with the default limits unless a test lowers one to keep
//! its input small, and must finish within 2 s and 200 MB.
//!
//! This binary installs a counting global allocator: every test holds one lock, so the peak
//! measured around a `read` is that read's own.

use crate::counting_alloc;
use crate::pdf_support;

use counting_alloc::serial;
use docingest::document::readers::pdf::read;
use docingest::document::{Limits, ParseError, RawDocument};
use pdf_support::*;
use std::time::{Duration, Instant};

const MB: usize = 1024 * 1024;
const MEMORY_CEILING: usize = 200 * MB;
/// The bound is 2 s in a release build; the tests run unoptimized (dependencies at
/// opt-level 1) on a shared machine, so they allow a multiple of it.
const TIME_CEILING: Duration = Duration::from_secs(10);

fn read_bounded(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let start = Instant::now();
    let (result, peak) = counting_alloc::measured(|| read(bytes, limits));
    let took = start.elapsed();
    eprintln!(
        "read peak {} KiB in {:?} -> {:?}",
        peak / 1024,
        took,
        result.as_ref().err()
    );
    assert!(peak < MEMORY_CEILING, "peak {peak} bytes");
    assert!(took < TIME_CEILING, "took {took:?}");
    result
}

fn limit_exceeded(r: Result<RawDocument, ParseError>, needle: &str) {
    match r {
        Err(ParseError::LimitExceeded(m)) => assert!(m.contains(needle), "{m}"),
        other => panic!("expected LimitExceeded({needle}), got {other:?}"),
    }
}

/// A catalog and one page with `content` and `resources`; returns the file.
fn one_page(mut pdf: Pdf, resources: &str, content: &[u8]) -> Vec<u8> {
    let c = pdf.stream("", content);
    let pages = pdf.reserve();
    let page = pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Resources {resources} \
         /Contents {c} 0 R >>"
    ));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    pdf.finish(root)
}

#[test]
fn flate_bomb_in_page_content_is_refused_by_the_stream_limit() {
    let _g = serial();
    // 80 MiB of spaces behind a ~80 KiB Flate stream; the default per-stream limit is 64 MiB.
    let bomb = vec![b' '; 80 * MB];
    let mut pdf = Pdf::new();
    let font = pdf.add(STSONG_UCS2);
    let c = pdf.flate_stream("", &bomb);
    drop(bomb);
    let pages = pdf.reserve();
    let page = pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /Resources << /Font << /F1 {font} 0 R >> >> \
         /Contents {c} 0 R >>"
    ));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let file = pdf.finish(root);
    limit_exceeded(
        read_bounded(&file, &Limits::default()),
        "max_pdf_stream_bytes",
    );
}

#[test]
fn many_streams_under_the_per_stream_limit_hit_the_total_limit() {
    let _g = serial();
    // Ten pages of 2 MiB content each against a 10 MiB total.
    let limits = Limits {
        max_total_uncompressed_bytes: 10 * MB as u64,
        ..Limits::default()
    };
    let page = vec![b' '; 2 * MB];
    let file = document(Pdf::new(), STSONG_UCS2, &vec![page; 10]);
    limit_exceeded(read_bounded(&file, &limits), "max_total_uncompressed_bytes");
}

#[test]
fn object_stream_bomb_is_a_typed_error() {
    let _g = serial();
    // An object stream whose data inflates to 80 MiB; lopdf decodes object streams while
    // loading, under the same per-stream limit.
    let mut pdf = Pdf::new();
    let mut data = b"7 0 ".to_vec();
    data.resize(80 * MB, b' ');
    let objstm = pdf.flate_stream("/Type /ObjStm /N 1 /First 4", &data);
    drop(data);
    let _ = objstm;
    let file = one_page(pdf, "<< >>", b"BT ET");
    let r = read_bounded(&file, &Limits::default());
    assert!(
        matches!(
            r,
            Err(ParseError::LimitExceeded(_)) | Err(ParseError::NoTextLayer(_))
        ),
        "{r:?}"
    );
}

#[test]
fn page_tree_that_contains_itself_is_refused() {
    let _g = serial();
    let mut pdf = Pdf::new();
    let a = pdf.reserve();
    let b = pdf.reserve();
    pdf.set(a, format!("<< /Type /Pages /Kids [{b} 0 R] /Count 1 >>"));
    pdf.set(
        b,
        format!("<< /Type /Pages /Parent {a} 0 R /Kids [{a} 0 R] /Count 1 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {a} 0 R >>"));
    let file = pdf.finish(root);
    limit_exceeded(read_bounded(&file, &Limits::default()), "cycle");
}

#[test]
fn page_listed_twice_is_refused_as_a_cycle() {
    let _g = serial();
    // Two /Kids entries naming the same page: the walk would otherwise read it twice (and a
    // tree of such fan-outs grows exponentially).
    let mut pdf = Pdf::new();
    let c = pdf.stream("", b"BT ET");
    let pages = pdf.reserve();
    let page = pdf.add(format!(
        "<< /Type /Page /Parent {pages} 0 R /Contents {c} 0 R >>"
    ));
    pdf.set(
        pages,
        format!("<< /Type /Pages /Kids [{page} 0 R {page} 0 R] /Count 2 >>"),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages} 0 R >>"));
    let file = pdf.finish(root);
    limit_exceeded(read_bounded(&file, &Limits::default()), "cycle");
}

#[test]
fn deep_page_tree_is_refused() {
    let _g = serial();
    let mut pdf = Pdf::new();
    let c = pdf.stream("", b"BT ET");
    let mut child = pdf.add(format!("<< /Type /Page /Contents {c} 0 R >>"));
    for _ in 0..100 {
        child = pdf.add(format!("<< /Type /Pages /Kids [{child} 0 R] /Count 1 >>"));
    }
    let root = pdf.add(format!("<< /Type /Catalog /Pages {child} 0 R >>"));
    let file = pdf.finish(root);
    limit_exceeded(read_bounded(&file, &Limits::default()), "max_pdf_depth");
}

#[test]
fn deeply_nested_arrays_do_not_overflow_the_stack() {
    let _g = serial();
    let mut pdf = Pdf::new();
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    pdf.add(deep);
    let file = one_page(pdf, "<< >>", b"BT ET");
    let r = read_bounded(&file, &Limits::default());
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn deep_nesting_in_content_streams_is_flat_work() {
    let _g = serial();
    let mut content = "[".repeat(1_000_000).into_bytes();
    content.extend_from_slice(b"<< << << q q q");
    let mut pdf = Pdf::new();
    let font = pdf.add(STSONG_UCS2);
    let file = one_page(pdf, &format!("<< /Font << /F1 {font} 0 R >> >>"), &content);
    let r = read_bounded(&file, &Limits::default());
    assert!(matches!(r, Err(ParseError::NoTextLayer(_))), "{r:?}");
}

#[test]
fn form_fan_out_hits_the_operator_limit() {
    let _g = serial();
    // Billion laughs with forms: each of 9 levels draws the next ten times (10^9 operators).
    let mut pdf = Pdf::new();
    let mut inner = pdf.stream("/Type /XObject /Subtype /Form /BBox [0 0 1 1]", b"q Q q Q");
    for _ in 0..9 {
        let body = "/X Do ".repeat(10);
        inner = pdf.stream(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X {inner} 0 R >> >>"
            ),
            body.as_bytes(),
        );
    }
    let file = one_page(
        pdf,
        &format!("<< /XObject << /X {inner} 0 R >> >>"),
        b"/X Do",
    );
    let limits = Limits {
        max_pdf_operators: 2_000_000,
        ..Limits::default()
    };
    limit_exceeded(read_bounded(&file, &limits), "max_pdf_operators");
}

#[test]
fn form_that_draws_itself_is_refused() {
    let _g = serial();
    let mut pdf = Pdf::new();
    let form = pdf.reserve();
    pdf.set(
        form,
        stream_body(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X {form} 0 R >> >>"
            ),
            b"/X Do",
        ),
    );
    let file = one_page(
        pdf,
        &format!("<< /XObject << /X {form} 0 R >> >>"),
        b"/X Do",
    );
    limit_exceeded(read_bounded(&file, &Limits::default()), "invokes itself");
}

#[test]
fn deeply_nested_distinct_forms_are_refused() {
    let _g = serial();
    let mut pdf = Pdf::new();
    let mut inner = pdf.stream("/Type /XObject /Subtype /Form /BBox [0 0 1 1]", b"q Q");
    for _ in 0..100 {
        inner = pdf.stream(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X {inner} 0 R >> >>"
            ),
            b"/X Do",
        );
    }
    let file = one_page(
        pdf,
        &format!("<< /XObject << /X {inner} 0 R >> >>"),
        b"/X Do",
    );
    limit_exceeded(read_bounded(&file, &Limits::default()), "max_pdf_depth");
}

#[test]
fn too_many_objects_are_refused() {
    let _g = serial();
    let mut pdf = Pdf::new();
    for i in 0..2_000 {
        pdf.add(format!("{i}"));
    }
    let file = one_page(pdf, "<< >>", b"BT ET");
    let limits = Limits {
        max_pdf_objects: 1_000,
        ..Limits::default()
    };
    limit_exceeded(read_bounded(&file, &limits), "max_pdf_objects");
}

#[test]
fn a_million_tiny_objects_are_refused_before_they_are_built() {
    let _g = serial();
    // ~14 MB of `N 0 obj 0 endobj`: more objects than the default limit, counted in the raw
    // bytes before lopdf would hold them all.
    let mut pdf = Pdf::new();
    for _ in 0..600_000 {
        pdf.add("0");
    }
    let file = one_page(pdf, "<< >>", b"BT ET");
    limit_exceeded(read_bounded(&file, &Limits::default()), "max_pdf_objects");
}

#[test]
fn too_many_pages_are_refused() {
    let _g = serial();
    let pages = vec![ucs2_page(&[(72.0, 700.0, "正文")]); 30];
    let file = document(Pdf::new(), STSONG_UCS2, &pages);
    let limits = Limits {
        max_pdf_pages: 20,
        ..Limits::default()
    };
    limit_exceeded(read_bounded(&file, &limits), "max_pdf_pages");
}

#[test]
fn too_much_text_is_refused() {
    let _g = serial();
    let line = "法治政府建设".repeat(20);
    let lines: Vec<(f32, f32, &str)> = (0..40)
        .map(|i| (72.0, 800.0 - i as f32 * 18.0, line.as_str()))
        .collect();
    let file = document(Pdf::new(), STSONG_UCS2, &[ucs2_page(&lines)]);
    let limits = Limits {
        max_text_bytes: 10_000,
        ..Limits::default()
    };
    limit_exceeded(read_bounded(&file, &limits), "max_text_bytes");
}

#[test]
fn oversized_input_is_too_large() {
    let _g = serial();
    let file = document(
        Pdf::new(),
        STSONG_UCS2,
        &[ucs2_page(&[(72.0, 700.0, "正文")])],
    );
    let limits = Limits {
        max_input_bytes: 100,
        ..Limits::default()
    };
    let r = read_bounded(&file, &limits);
    assert!(matches!(r, Err(ParseError::TooLarge { .. })), "{r:?}");
}

#[test]
fn truncated_and_garbled_files_are_typed_errors_or_partial_text() {
    let _g = serial();
    let lines = [
        (72.0, 760.0, "一、总体情况"),
        (72.0, 740.0, "全年办结行政复议案件12件。"),
    ];
    let file = document(
        Pdf::new(),
        STSONG_UCS2,
        &[ucs2_page(&lines), ucs2_page(&lines)],
    );
    for cut in [10, 100, file.len() / 3, file.len() / 2, file.len() - 40] {
        let r = read_bounded(&file[..cut], &Limits::default());
        match r {
            Ok(doc) => assert!(!doc.blocks.is_empty()),
            Err(
                ParseError::Corrupt(_) | ParseError::NoTextLayer(_) | ParseError::LimitExceeded(_),
            ) => {}
            Err(e) => panic!("cut at {cut}: {e:?}"),
        }
    }
    // Bytes flipped all over the file.
    let mut garbled = file.clone();
    for i in (0..garbled.len()).step_by(37) {
        garbled[i] ^= 0x5a;
    }
    let r = read_bounded(&garbled, &Limits::default());
    assert!(
        !matches!(r, Err(ParseError::Internal(_))),
        "garbled file: {r:?}"
    );
}
