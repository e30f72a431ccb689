//! Per-stage timing of the text pipeline over the seed corpus (a profiling aid; the
//! published figure comes from `cargo bench --bench parse_text`). `N=20 valgrind --tool=callgrind
//! target/release/examples/stage_timing` gives instruction counts that ignore machine load.

use docingest::document::*;
use std::time::Instant;
fn main() {
    let dir = std::path::Path::new("../shared/corpus/seeds");
    let files: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let limits = Limits::default();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut t = [0f64; 5];
    for _ in 0..n {
        for b in &files {
            let s = Instant::now();
            let raw = readers::read(Format::Txt, b, &limits).unwrap();
            let a = s.elapsed().as_secs_f64();
            let s = Instant::now();
            let nm = normalize::normalize(raw, &limits);
            let bb = s.elapsed().as_secs_f64();
            let s = Instant::now();
            let st = structure::structure(&nm);
            let c = s.elapsed().as_secs_f64();
            let s = Instant::now();
            let r = extract::extract(nm, &st);
            let d = s.elapsed().as_secs_f64();
            let s = Instant::now();
            let _ = serde_json::to_string(&r).unwrap();
            let e = s.elapsed().as_secs_f64();
            t[0] += a;
            t[1] += bb;
            t[2] += c;
            t[3] += d;
            t[4] += e;
        }
    }
    let total: usize = files.iter().map(|f| f.len()).sum();
    println!(
        "read {:.3} norm {:.3} struct {:.3} extract {:.3} json {:.3} ms/corpus; total {:.1} MB/s",
        t[0] / n as f64 * 1e3,
        t[1] / n as f64 * 1e3,
        t[2] / n as f64 * 1e3,
        t[3] / n as f64 * 1e3,
        t[4] / n as f64 * 1e3,
        total as f64 * n as f64 / t.iter().sum::<f64>() / 1e6
    );
}
