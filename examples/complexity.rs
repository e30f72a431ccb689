//! The complexity check: parsing cost must grow linearly with the input, for every syntax
//! family a hostile upload could repeat.
//!
//! `complexity check [FAMILY...]` parses each family's generated input at two sizes (256 KB
//! and 1 MB by default) under `valgrind --tool=callgrind`, counting only the instructions of
//! the parse itself (`--toggle-collect` on [`measured_parse`]; generating the input is not
//! counted), and fails when the cost grows by more than 1.5 times the size ratio. Instruction
//! counts are deterministic, so the check cannot flake on a loaded machine the way wall time
//! would. `complexity run FAMILY BYTES` is one measured parse (what `check` runs under
//! valgrind); `complexity time FAMILY BYTES` times one parse natively (for the README's
//! table); `complexity write FAMILY BYTES OUT` writes the input to a file; `complexity list`
//! names the families.
//!
//! A family is one line of [`FAMILIES`]: a name, a file name (whose extension the detector may
//! use) and a generator that returns at least the asked number of bytes. A new reader (PDF,
//! .doc, OFD) adds its family with one line.
//!
//! Environment: `COMPLEXITY_SMALL` / `COMPLEXITY_LARGE` (bytes), `COMPLEXITY_MAX_FACTOR` (the
//! allowed cost ratio over the size ratio, default 1.5).

use docingest::document::{self, Input, Limits};
use std::io::Write;
use std::process::{Command, ExitCode};
use zip::write::SimpleFileOptions;

type Generator = fn(usize) -> Vec<u8>;

/// Every family: name, file name given to the parser, generator.
const FAMILIES: &[(&str, &str, Generator)] = &[
    // Markup and entities.
    ("lt_run", "x.txt", |n| repeat("<", n)),
    ("unclosed_br_one_line", "x.txt", |n| repeat("<br 中文", n)),
    ("html_script_blocks", "x.html", |n| {
        html(
            n,
            "<script>var a = 1; if (a < 2) { a++; }</script><p>正文内容。</p>",
        )
    }),
    ("html_style_blocks", "x.html", |n| {
        html(n, "<style>p { color: red; }</style><p>正文内容。</p>")
    }),
    ("html_unclosed_script", "x.html", |n| {
        html(n, "<p>正文<SCRIPT type=x>内容。</p>\n")
    }),
    ("html_tags", "x.html", |n| {
        html(
            n,
            "<div><p><span style=\"x\">一、总体</span>情况<br/>正文&nbsp;内容。</p></div>\n",
        )
    }),
    ("stray_tags_in_text", "x.txt", |n| {
        repeat("正文<br/>内容<span style=\"x\">强调</span> a<b 与 c\n", n)
    }),
    ("entities", "x.txt", |n| {
        repeat("&nbsp;&amp;&#x4e2d;&#25991;&ldquo;正文&rdquo;\n", n)
    }),
    ("unterminated_entities", "x.txt", |n| repeat("&", n)),
    // Headings and markers.
    ("headings_each_style", "x.txt", |n| {
        repeat(
            "一、总体情况\n（一）加强领导\n1．完善机制\n（1）建立制度\n①落实责任\n第一部分 主要举措\n(二)健全体系\n2、推进工作\n正文内容，逐项落实。\n",
            n,
        )
    }),
    ("atx_headings", "x.md", |n| {
        repeat("# 标题\n## 一、总体\n### （一）加强\n正文，内容。\n", n)
    }),
    ("bold", "x.md", |n| {
        repeat("**（一）完善机制。**一是形成长效机制，**二是**加强。\n", n)
    }),
    ("bold_markers_one_line", "x.md", |n| repeat("  **  ", n)),
    ("yishi_markers", "x.txt", |n| {
        repeat(
            "一是加强组织领导，二是完善制度，三是强化监督，四是狠抓落实；",
            n,
        )
    }),
    ("yishi_many_lines", "x.txt", |n| {
        repeat("一是加强组织领导。\n二是完善制度。\n其次，强化监督。\n", n)
    }),
    // Tables, facts, references, chrome, dates.
    ("markdown_table", "x.md", |n| {
        let mut s = String::from("| 指标 | 数量 | 备注 |\n|---|---|---|\n");
        s.push_str(&repeat_str("| 行政复议 | 12 | **3** |\n", n));
        s.into_bytes()
    }),
    ("links_unclosed", "x.md", |n| repeat("# 标题\n[[[[![![", n)),
    ("facts", "x.txt", |n| {
        repeat(
            "全年共办理行政复议案件12件，行政应诉案件3件，出庭应诉率达到100%，培训2.5万人次。\n",
            n,
        )
    }),
    ("references", "x.txt", |n| {
        repeat(
            "依据《中华人民共和国行政复议法》和《法治政府建设实施纲要（2021－2025年）》，",
            n,
        )
    }),
    ("references_distinct", "x.txt", |n| {
        let mut s = String::new();
        let mut i = 0;
        while s.len() < n {
            s.push_str(&format!("依据《法规第{i}号》，"));
            i += 1;
        }
        s.into_bytes()
    }),
    ("references_unclosed", "x.txt", |n| repeat("《", n)),
    ("facts_one_paragraph", "x.txt", |n| {
        repeat("办理案件12件，培训2.5万人次，办结率100%，", n)
    }),
    ("chrome_fields", "x.txt", |n| {
        repeat("发布时间：2023-03-01 来源：区司法局 浏览次数：12\n• 索 引 号:370403/2022-00022\n当前位置: 首页 > 政务公开\n", n)
    }),
    ("chrome_label_long_line", "x.txt", |n| {
        let mut s = String::from("来源：");
        s.push_str(&repeat_str("区司法局 ", n));
        s.into_bytes()
    }),
    ("images_unclosed", "x.txt", |n| repeat("![", n)),
    ("dates", "x.txt", |n| {
        repeat(
            "2023年1月1日至2023年12月31日，2024年3月，二〇二三年十二月三十一日。\n",
            n,
        )
    }),
    // Line shapes.
    ("long_line", "x.txt", |n| {
        repeat("推进法治政府建设，落实依法行政制度", n)
    }),
    ("many_lines", "x.txt", |n| repeat("正文，\n", n)),
    ("blank_lines", "x.txt", |n| {
        let mut s = String::from("标题\n");
        s.push_str(&"\n".repeat(n));
        s.push_str("正文。\n");
        s.into_bytes()
    }),
    ("split_paragraphs", "x.txt", |n| {
        repeat("由党委书记任组，副书记\n", n)
    }),
    // Word.
    ("docx_paragraphs", "x.docx", |n| {
        docx(n, |body, i| {
            body.push_str(&format!(
                "<w:p><w:r><w:t>第{i}段 推进法治政府建设，全年办理案件12件。</w:t></w:r></w:p>"
            ))
        })
    }),
    ("docx_runs", "x.docx", |n| {
        docx_one_paragraph(n, |body, i| {
            body.push_str(&format!("<w:r><w:rPr><w:b/></w:rPr><w:t>字{i}</w:t></w:r>"))
        })
    }),
    ("docx_table", "x.docx", |n| {
        let mut body = String::from("<w:tbl>");
        let mut i = 0;
        while body.len() < n {
            body.push_str(&format!(
                "<w:tr><w:tc><w:p><w:r><w:t>指标{i}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{i}</w:t></w:r></w:p></w:tc></w:tr>"
            ));
            i += 1;
        }
        body.push_str("</w:tbl>");
        docx_package(&body)
    }),
    // Spreadsheets.
    ("xlsx_cells", "x.xlsx", |n| xlsx(n, 8, 1)),
    ("xlsx_sparse_wide", "x.xlsx", |n| xlsx(n, 8, 50)),
];

/// The measured parse: callgrind counts the instructions of this function and its callees only.
#[inline(never)]
fn measured_parse(bytes: &[u8], name: &str) -> usize {
    let input = Input {
        bytes,
        name: Some(name),
        uri: String::new(),
    };
    match document::parse(&input, &Limits::default()) {
        Ok(r) => r.text.len(),
        Err(e) => {
            eprintln!("parse error: {} ({e})", e.code());
            0
        }
    }
}

fn repeat_str(unit: &str, n: usize) -> String {
    unit.repeat(n.div_ceil(unit.len()).max(1))
}

fn repeat(unit: &str, n: usize) -> Vec<u8> {
    repeat_str(unit, n).into_bytes()
}

fn html(n: usize, unit: &str) -> Vec<u8> {
    let mut s = String::from("<!DOCTYPE html><html><head><title>报告</title></head><body>");
    s.push_str(&repeat_str(unit, n));
    s.push_str("</body></html>");
    s.into_bytes()
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn docx(n: usize, mut para: impl FnMut(&mut String, usize)) -> Vec<u8> {
    let mut body = String::new();
    let mut i = 0;
    while body.len() < n {
        para(&mut body, i);
        i += 1;
    }
    docx_package(&body)
}

fn docx_one_paragraph(n: usize, mut run: impl FnMut(&mut String, usize)) -> Vec<u8> {
    let mut body = String::from("<w:p>");
    let mut i = 0;
    while body.len() < n {
        run(&mut body, i);
        i += 1;
    }
    body.push_str("</w:p>");
    docx_package(&body)
}

fn docx_package(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>"#
    );
    zip_package(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        ("word/document.xml", &document),
    ])
}

fn col_name(mut c: usize) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        s.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// A sheet of about `n` bytes of XML: `cols` cells per row, the cells `stride` columns apart
/// (a stride over 1 makes a sparse, wide sheet).
fn xlsx(n: usize, cols: usize, stride: usize) -> Vec<u8> {
    let mut data = String::new();
    let mut r = 1;
    while data.len() < n {
        data.push_str(&format!(r#"<row r="{r}">"#));
        for c in 0..cols {
            let col = c * stride;
            data.push_str(&format!(
                r#"<c r="{}{r}" t="inlineStr"><is><t>值{r}</t></is></c>"#,
                col_name(col)
            ));
        }
        data.push_str("</row>");
        r += 1;
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
    );
    zip_package(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

fn zip_package(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Stored, not deflated: the generator runs under valgrind too, and its cost is not the point.
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in parts {
        zip.start_file(*name, opts).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

fn family(name: &str) -> Option<&'static (&'static str, &'static str, Generator)> {
    FAMILIES.iter().find(|(n, _, _)| *n == name)
}

fn env_or(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Instructions callgrind counted in [`measured_parse`] for one family at one size.
fn instructions(exe: &std::path::Path, family: &str, bytes: usize) -> Result<u64, String> {
    let out = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            "--toggle-collect=*measured_parse*",
        ])
        .arg(exe)
        .args(["run", family, &bytes.to_string()])
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("valgrind failed: {stderr}"));
    }
    stderr
        .lines()
        .find_map(|l| l.split("Collected :").nth(1)?.trim().parse().ok())
        .ok_or_else(|| format!("no instruction count in valgrind's output: {stderr}"))
}

fn check(names: &[String]) -> ExitCode {
    let small = env_or("COMPLEXITY_SMALL", 256.0 * 1024.0) as usize;
    let large = env_or("COMPLEXITY_LARGE", 1024.0 * 1024.0) as usize;
    let max_factor = env_or("COMPLEXITY_MAX_FACTOR", 1.5);
    let exe = std::env::current_exe().expect("own path");
    let size_ratio = large as f64 / small as f64;
    let limit = size_ratio * max_factor;
    println!(
        "complexity: {small} -> {large} bytes (x{size_ratio:.1}); cost may grow x{limit:.1} at most"
    );
    println!(
        "{:<26} {:>14} {:>14} {:>7}",
        "family", "instr small", "instr large", "ratio"
    );
    let mut failed = 0;
    for (name, _, _) in FAMILIES {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        // Both sizes at once: callgrind is single-threaded and CI has two cores.
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| instructions(&exe, name, small));
            let b = instructions(&exe, name, large);
            (a.join().expect("valgrind thread"), b)
        });
        match (a, b) {
            (Ok(a), Ok(b)) => {
                let ratio = b as f64 / a.max(1) as f64;
                let ok = ratio <= limit;
                println!(
                    "{name:<26} {a:>14} {b:>14} {ratio:>7.2}{}",
                    if ok { "" } else { "  FAIL: superlinear" }
                );
                failed += usize::from(!ok);
            }
            (Err(e), _) | (_, Err(e)) => {
                println!("{name:<26} FAIL: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        println!("complexity: {failed} families failed");
        ExitCode::FAILURE
    } else {
        println!("complexity: all families linear");
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: complexity check [FAMILY...] | run FAMILY BYTES | time FAMILY BYTES | write FAMILY BYTES OUT | list";
    let sized =
        |args: &[String]| -> Option<(&'static (&'static str, &'static str, Generator), usize)> {
            Some((family(args.get(1)?)?, args.get(2)?.parse().ok()?))
        };
    match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("list") => {
            for (name, file, _) in FAMILIES {
                println!("{name}\t{file}");
            }
            ExitCode::SUCCESS
        }
        Some("run") => match sized(&args) {
            Some(((_, file, generate), n)) => {
                let bytes = generate(n);
                std::hint::black_box(measured_parse(&bytes, file));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("{usage}");
                ExitCode::FAILURE
            }
        },
        Some("time") => match sized(&args) {
            Some(((_, file, generate), n)) => {
                let bytes = generate(n);
                let t = std::time::Instant::now();
                std::hint::black_box(measured_parse(&bytes, file));
                println!("{:.3}", t.elapsed().as_secs_f64());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("{usage}");
                ExitCode::FAILURE
            }
        },
        Some("write") => match (sized(&args), args.get(3)) {
            (Some(((_, _, generate), n)), Some(out)) => match std::fs::write(out, generate(n)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{out}: {e}");
                    ExitCode::FAILURE
                }
            },
            _ => {
                eprintln!("{usage}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("{usage}");
            ExitCode::FAILURE
        }
    }
}
