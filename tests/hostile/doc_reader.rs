//! The .doc reader on documents built from scratch (tests/hostile/doc_support.rs): text,
//! paragraphs, tables, fields, special characters and outline levels, and hostile files that
//! must end in typed errors at bounded cost.
//!
//! This binary installs a counting global allocator (tests/hostile/main.rs): every
//! test holds one lock, so the peak measured around a `read` is that read's own.

use crate::counting_alloc;
use crate::doc_support;

use counting_alloc::serial;
use doc_support::*;
use docingest::document::detect::detect;
use docingest::document::readers::doc::read;
use docingest::document::{Format, Input, Limits, ParseError, RawDocument};
use std::time::{Duration, Instant};

const MB: usize = 1024 * 1024;
/// The issue's ceiling for one hostile file.
const MEMORY_CEILING: usize = 200 * MB;
const TIME_CEILING: Duration = Duration::from_secs(2);

/// Reads `bytes` measuring the memory held above what was live before, and the time.
fn read_bounded(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let start = Instant::now();
    let (result, peak) = counting_alloc::measured(|| read(bytes, limits));
    let took = start.elapsed();
    eprintln!(
        "read peak {} KiB in {took:?} -> {:?}",
        peak / 1024,
        result.as_ref().err()
    );
    assert!(peak < MEMORY_CEILING, "read used {} MB", peak / MB);
    assert!(took < TIME_CEILING, "read took {took:?}");
    result
}

fn expect_err(result: Result<RawDocument, ParseError>, code: &str) -> String {
    match result {
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e.to_string()
        }
        Ok(doc) => panic!(
            "expected {code}, got a document of {} blocks",
            doc.blocks.len()
        ),
    }
}

fn texts(doc: &RawDocument) -> Vec<&str> {
    doc.blocks.iter().map(|b| b.text.as_str()).collect()
}

#[test]
fn paragraphs_fields_and_special_characters() {
    let _g = serial();
    let bytes = DocParts::new(&[
        para("2022年法治政府建设年度报告\r"),
        // A field: instruction dropped, result kept; a nested field inside the instruction
        // is dropped with it; a line break, a non-breaking and an optional hyphen.
        para("共\u{13}NUMPAGES \u{13}PAGE\u{14}9\u{15}\u{14}3\u{15}页\u{0B}第二行 e\u{1E}mail co\u{1F}op\r"),
        para("\r"),
        para("结束\u{0C}"),
    ])
    .build();
    assert_eq!(detect(&bytes, Some("x.bin")).unwrap(), Format::Doc);
    let doc = read_bounded(&bytes, &Limits::default()).unwrap();
    assert_eq!(
        texts(&doc),
        [
            "2022年法治政府建设年度报告",
            "共3页\n第二行 e-mail coop",
            "结束"
        ]
    );
    assert_eq!(
        doc.blocks.iter().map(|b| b.line).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn outline_levels_and_tables_come_from_paragraph_properties() {
    let _g = serial();
    let cell = |t: &str| with_sprm(para(t), SPRM_P_F_IN_TABLE, &[1]);
    let row_end = || {
        with_sprm(
            with_sprm(para("\u{07}"), SPRM_P_F_IN_TABLE, &[1]),
            SPRM_P_F_TTP,
            &[1],
        )
    };
    let bytes = DocParts::new(&[
        with_sprm(para("一、总体情况\r"), SPRM_P_OUT_LVL, &[0]),
        para("正文\r"),
        cell("指标\u{07}"),
        cell("第一段\r"),
        cell("数值\u{07}"),
        row_end(),
        cell("案件\u{07}"),
        cell("31\u{07}"),
        row_end(),
        para("表后\r"),
    ])
    .build();
    let doc = read_bounded(&bytes, &Limits::default()).unwrap();
    assert_eq!(
        texts(&doc),
        [
            "一、总体情况",
            "正文",
            "指标\t第一段\n数值",
            "案件\t31",
            "表后"
        ]
    );
    assert_eq!(doc.blocks[0].heading_level, Some(1));
    assert_eq!(doc.blocks[1].heading_level, None);
    assert!(doc.blocks[2].in_table && doc.blocks[3].in_table && !doc.blocks[4].in_table);
    assert_eq!(doc.tables.len(), 1);
    assert_eq!(doc.tables[0].header, ["指标", "第一段\n数值"]);
    assert_eq!(
        doc.tables[0].rows.row(0).iter().collect::<Vec<_>>(),
        ["案件", "31"]
    );
}

#[test]
fn cells_whose_row_mark_is_missing_still_make_a_row() {
    let _g = serial();
    let cell = |t: &str| with_sprm(para(t), SPRM_P_F_IN_TABLE, &[1]);
    let bytes = DocParts::new(&[cell("甲\u{07}"), cell("乙\u{07}"), para("表后\r")]).build();
    let doc = read_bounded(&bytes, &Limits::default()).unwrap();
    assert_eq!(texts(&doc), ["甲\t乙", "表后"]);
    assert_eq!(doc.tables.len(), 1);
    // A row that never ends is cut at the table width limit instead of growing.
    let many: Vec<_> = (0..5).map(|i| cell(&format!("{i}\u{07}"))).collect();
    let limits = Limits {
        max_columns: 2,
        ..Limits::default()
    };
    let doc = read_bounded(&DocParts::new(&many).build(), &limits).unwrap();
    assert_eq!(texts(&doc), ["0\t1", "2\t3", "4"]);
}

#[test]
fn compressed_pieces_decode_as_cp1252() {
    let _g = serial();
    let mut parts = DocParts::new(&[para("x\r")]);
    let at = parts.word.len() as u32;
    parts.word.extend(b"\x93Report\x94 \x80 5\r");
    let n = 13;
    parts.set_ccp_text(n);
    parts.set_clx(&piece_table(&[(0, n, at, true)]));
    let doc = read_bounded(&parts.build(), &Limits::default()).unwrap();
    assert_eq!(texts(&doc), ["\u{201C}Report\u{201D} \u{20AC} 5"]);
}

#[test]
fn encrypted_and_old_versions_are_typed() {
    let _g = serial();
    let mut parts = DocParts::new(&[para("秘密\r")]);
    parts.set_flags(0x1100);
    expect_err(
        read_bounded(&parts.build(), &Limits::default()),
        "encrypted_document",
    );
    let mut parts = DocParts::new(&[para("旧\r")]);
    parts.word[2..4].copy_from_slice(&104u16.to_le_bytes());
    let msg = expect_err(
        read_bounded(&parts.build(), &Limits::default()),
        "unsupported_format",
    );
    assert!(msg.contains("Word 6.0/95"), "{msg}");
    // Word 2.0 files are not OLE: refused by detection, by name.
    let e = detect(b"\xDB\xA5\x2D\x00rest", Some("a.doc")).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains("Word 2.0"), "{e}");
}

#[test]
fn wps_is_decided_by_content() {
    let _g = serial();
    let bytes = DocParts::new(&[para("WPS 文字\r")]).build();
    assert_eq!(detect(&bytes, Some("报告.wps")).unwrap(), Format::Doc);
    let e = detect(b"WPS 2000 private format", Some("old.wps")).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains("WPS"), "{e}");
    let e = detect(&ole(&[("Contents", b"x")]), Some("old.wps")).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
}

#[test]
fn ole_detection_reads_the_root_directory_not_embedded_objects() {
    let _g = serial();
    // A .doc whose embedded workbook sits in ObjectPool: still a .doc.
    let parts = DocParts::new(&[para("正文\r")]);
    let mut cfb = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    use std::io::Write;
    cfb.create_stream("WordDocument")
        .unwrap()
        .write_all(&parts.word)
        .unwrap();
    cfb.create_stream("0Table")
        .unwrap()
        .write_all(&parts.table)
        .unwrap();
    cfb.create_storage_all("ObjectPool/_1234").unwrap();
    cfb.create_stream("ObjectPool/_1234/Workbook")
        .unwrap()
        .write_all(b"BIFF")
        .unwrap();
    cfb.flush().unwrap();
    let doc = cfb.into_inner().into_inner();
    assert_eq!(detect(&doc, Some("a.xls")).unwrap(), Format::Doc);
    // An .xls with an embedded Word object: still an .xls.
    let mut cfb = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    cfb.create_stream("Workbook")
        .unwrap()
        .write_all(b"BIFF")
        .unwrap();
    cfb.create_storage_all("MBD0001").unwrap();
    cfb.create_stream("MBD0001/WordDocument")
        .unwrap()
        .write_all(b"x")
        .unwrap();
    cfb.flush().unwrap();
    let xls = cfb.into_inner().into_inner();
    assert_eq!(detect(&xls, Some("a.doc")).unwrap(), Format::Xls);
}

#[test]
fn a_damaged_doc_is_a_word_error() {
    let _g = serial();
    let bytes = DocParts::new(&[para("正文\r")]).build();
    // Truncated: the container's sectors are gone.
    let msg = expect_err(
        read_bounded(&bytes[..1536], &Limits::default()),
        "corrupt_document",
    );
    assert!(msg.contains(".doc"), "{msg}");
    let input = Input {
        bytes: &bytes[..1536],
        name: Some("a.doc"),
        uri: String::new(),
    };
    let e = docingest::document::parse(&input, &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "corrupt_document");
    assert!(e.to_string().contains(".doc"), "{e}");
    // A WordDocument stream that is not a FIB.
    let bytes = ole(&[("WordDocument", &[0u8; 1024][..]), ("0Table", b"")]);
    expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    // The table stream is missing.
    let parts = DocParts::new(&[para("正文\r")]);
    let bytes = ole(&[("WordDocument", &parts.word[..])]);
    let msg = expect_err(read_bounded(&bytes, &Limits::default()), "corrupt_document");
    assert!(msg.contains("0Table"), "{msg}");
}

#[test]
fn hostile_counts_and_offsets_end_in_typed_errors() {
    let _g = serial();
    // The FIB claims far more characters than the stream holds.
    let mut parts = DocParts::new(&[para("正文\r")]);
    parts.set_ccp_text(u32::MAX);
    expect_err(
        read_bounded(&parts.build(), &Limits::default()),
        "corrupt_document",
    );
    // A piece pointing past the end of the WordDocument stream.
    let mut parts = DocParts::new(&[para("正文\r")]);
    parts.set_clx(&piece_table(&[(0, 3, 0x3FFF_FFF0, false)]));
    expect_err(
        read_bounded(&parts.build(), &Limits::default()),
        "corrupt_document",
    );
    // A piece table of 200,000 pieces over the limit.
    let mut parts = DocParts::new(&[para("正文\r")]);
    let pieces: Vec<_> = (0..200_000u32)
        .map(|i| (i.min(2), (i + 1).min(3), TEXT_AT as u32, false))
        .collect();
    parts.set_clx(&piece_table(&pieces));
    let msg = expect_err(
        read_bounded(&parts.build(), &Limits::default()),
        "limit_exceeded",
    );
    assert!(msg.contains("max_doc_pieces"), "{msg}");
    // Fields nested 100,000 deep.
    let deep = "\u{13}".repeat(100_000) + "x\r";
    let msg = expect_err(
        read_bounded(&DocParts::new(&[para(&deep)]).build(), &Limits::default()),
        "limit_exceeded",
    );
    assert!(msg.contains("max_doc_field_depth"), "{msg}");
    // Text over the budget.
    let long = "法".repeat(400_000) + "\r";
    let limits = Limits {
        max_text_bytes: MB,
        ..Limits::default()
    };
    let msg = expect_err(
        read_bounded(&DocParts::new(&[para(&long)]).build(), &limits),
        "limit_exceeded",
    );
    assert!(msg.contains("max_text_bytes"), "{msg}");
    // A stream larger than max_part_bytes.
    let limits = Limits {
        max_part_bytes: 1024,
        ..Limits::default()
    };
    let msg = expect_err(
        read_bounded(&DocParts::new(&[para("正文\r")]).build(), &limits),
        "limit_exceeded",
    );
    assert!(msg.contains("max_part_bytes"), "{msg}");
}

#[test]
fn a_fat_chain_that_loops_is_corrupt_not_endless() {
    let _g = serial();
    let text = "法治".repeat(3000) + "\r";
    let mut bytes = DocParts::new(&[para(&text)]).build();
    // Point every chained FAT entry of the first FAT sector at sector 0: chains loop.
    let sector = 1usize << u16::from_le_bytes([bytes[30], bytes[31]]);
    let fat_sector = u32::from_le_bytes(bytes[76..80].try_into().unwrap()) as usize;
    let at = sector * (fat_sector + 1);
    for i in 0..sector / 4 {
        let e = at + 4 * i;
        let v = u32::from_le_bytes(bytes[e..e + 4].try_into().unwrap());
        // Keep the FAT's own entries (0xFFFFFFFD) and free sectors; loop the rest.
        if v < 0xFFFF_FFF0 {
            bytes[e..e + 4].copy_from_slice(&0u32.to_le_bytes());
        }
    }
    match read_bounded(&bytes, &Limits::default()) {
        Err(e) => assert!(
            ["corrupt_document", "limit_exceeded"].contains(&e.code()),
            "{e}"
        ),
        Ok(doc) => panic!("a looping FAT gave {} blocks", doc.blocks.len()),
    }
}

#[test]
fn truncations_and_bit_flips_of_a_real_rendition_never_panic() {
    let _g = serial();
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(corpus) = base
        .ancestors()
        .map(|a| a.join("shared/corpus/variants/004_autonum_styles.doc"))
        .find(|p| p.exists())
    else {
        panic!("shared corpus not found above {}", base.display());
    };
    let good = std::fs::read(corpus).unwrap();
    assert!(read_bounded(&good, &Limits::default()).is_ok());
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..300 {
        let mut bytes = good.clone();
        if round % 3 == 0 {
            bytes.truncate(good.len() * round / 300 + 1);
        } else {
            for _ in 0..16 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed as usize) % bytes.len();
                bytes[i] ^= (seed >> 32) as u8 | 1;
            }
        }
        let input = Input {
            bytes: &bytes,
            name: Some("a.doc"),
            uri: String::new(),
        };
        let start = Instant::now();
        let r = docingest::document::parse(&input, &Limits::default());
        assert!(start.elapsed() < TIME_CEILING);
        if let Err(e) = r {
            assert_ne!(e.code(), "parser_panic", "round {round}: {e}");
        }
    }
}

/// Writes the documents built here as seeds for the `doc` fuzz target when
/// `DOCINGEST_DOC_SEEDS` names a directory (.ci/post/60-fuzz-smoke.sh does); otherwise checks
/// that each of them reads.
#[test]
fn write_fuzz_seeds() {
    let _g = serial();
    let cell = |t: &str| with_sprm(para(t), SPRM_P_F_IN_TABLE, &[1]);
    let row_end = with_sprm(
        with_sprm(para("\u{07}"), SPRM_P_F_IN_TABLE, &[1]),
        SPRM_P_F_TTP,
        &[1],
    );
    let seeds = [
        (
            "fields",
            DocParts::new(&[para("共\u{13}NUMPAGES\u{14}3\u{15}页\u{0B}x\r")]).build(),
        ),
        (
            "table",
            DocParts::new(&[
                with_sprm(para("一、标题\r"), SPRM_P_OUT_LVL, &[0]),
                cell("a\u{07}"),
                cell("b\u{07}"),
                row_end,
            ])
            .build(),
        ),
    ];
    match std::env::var_os("DOCINGEST_DOC_SEEDS") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in &seeds {
                std::fs::write(
                    std::path::Path::new(&dir).join(format!("{name}.doc")),
                    bytes,
                )
                .unwrap();
            }
        }
        None => {
            for (name, bytes) in &seeds {
                let doc = read_bounded(bytes, &Limits::default()).unwrap();
                assert!(!doc.blocks.is_empty(), "{name}");
            }
        }
    }
}
