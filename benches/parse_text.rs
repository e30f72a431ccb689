//! Text-path throughput over the seed corpus: decode, normalize, structure and extract, in MB/s
//! of input. `cargo bench --bench parse_text`; the README records the figure for this machine.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use docingest::document::{parse, Input, Limits};
use std::path::PathBuf;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = std::env::var("DOCINGEST_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let mut files: Vec<_> = std::fs::read_dir(dir.join("seeds"))
        .expect("the seed corpus at ../shared/corpus/seeds")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let limits = Limits::default();
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut g = c.benchmark_group("text_path");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(BenchmarkId::new("seeds", files.len()), |b| {
        b.iter(|| {
            for (name, bytes) in &files {
                let r = parse(
                    &Input {
                        bytes,
                        name: Some(name),
                        uri: String::new(),
                    },
                    &limits,
                )
                .expect("seeds parse");
                std::hint::black_box(r);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
