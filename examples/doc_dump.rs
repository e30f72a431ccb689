//! Prints what a reader makes of a file: blocks (with heading level, table flag, bold
//! prefix), tables and supplementary material. A debugging aid for the .doc reader, whose output should match the docx reader's for a
//! rendition of the same document:
//! `cargo run --no-default-features --example doc_dump -- FILE.doc`.

use docingest::document::detect::detect;
use docingest::document::readers;
use docingest::document::Limits;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        let format = match detect(&bytes, Some(&path)) {
            Ok(f) => f,
            Err(e) => {
                println!("== {path}: {} {e}", e.code());
                continue;
            }
        };
        match readers::read(format, &bytes[..], &Limits::default()) {
            Ok(doc) => {
                println!(
                    "== {path}: {} blocks, {} tables",
                    doc.blocks.len(),
                    doc.tables.len()
                );
                for b in &doc.blocks {
                    println!(
                        "{:>4} h={:?} t={} b={} {:?}",
                        b.line,
                        b.heading_level,
                        u8::from(b.in_table),
                        b.bold_prefix,
                        b.raw
                    );
                }
                println!("supplementary: {:?}", doc.supplementary);
            }
            Err(e) => println!("== {path}: {} {e}", e.code()),
        }
    }
}
