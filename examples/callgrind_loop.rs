//! The `parse_text` bench workload (every seed report through `parse`) for callgrind: one
//! warm-up pass (lazy regexes, DFA caches), then `N` passes (default 20) inside `measured`, so
//! `--toggle-collect` counts only those.
//!
//! `N=20 valgrind --tool=callgrind --toggle-collect='callgrind_loop::measured' target/release/examples/callgrind_loop`
//!
//! Divide the total by `N` for instructions per pass. Valgrind does not emulate the CPU's SHA
//! extensions, so the input's SHA-256 (`document_id`) runs in software there and weighs more
//! than in a real run: subtract its inclusive count to compare with wall-clock time.

use docingest::document::{parse, Input, Limits};

fn pass(files: &[(String, Vec<u8>)], limits: &Limits) {
    for (name, bytes) in files {
        let input = Input {
            bytes,
            name: Some(name),
            uri: String::new(),
        };
        std::hint::black_box(parse(&input, limits).expect("seeds parse"));
    }
}

#[inline(never)]
fn measured(files: &[(String, Vec<u8>)], limits: &Limits, n: usize) {
    for _ in 0..n {
        pass(files, limits);
    }
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seeds");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the seed corpus at ../shared/corpus/seeds")
        .map(|e| e.expect("directory entry").path())
        .collect();
    paths.sort();
    let files: Vec<(String, Vec<u8>)> = paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("seed file"))
        })
        .collect();
    let limits = Limits::default();
    let n = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    pass(&files, &limits);
    measured(&files, &limits, n);
}
