//! Load + validate + normalize + render over the task definitions of the test corpus.
//!
//! `cargo bench -p ecs-model --bench pipeline` prints, per stage and for the whole pipeline,
//! the time per corpus pass and the throughput in task definitions per second (`elem/s`).

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ecs_model::document::{Document, Input, parse};
use ecs_model::normalize::Normalize;
use ecs_model::validate_document;

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/task-definitions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

fn load(text: &str) -> Document {
    parse(text, None)
        .value
        .unwrap_or_else(|| panic!("corpus file does not load"))
}

fn pipeline(text: &str) -> usize {
    let document = load(text);
    let diagnostics = validate_document(&document);
    let mut bytes = diagnostics.len();
    for (_, input) in document.inputs() {
        let Input::TaskDefinition(td) = input else {
            continue;
        };
        let td = td.normalized();
        bytes += serde_json::to_string(&td).map_or(0, |s| s.len());
    }
    bytes
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let documents: Vec<Document> = texts.iter().map(|t| load(t)).collect();
    let mut group = c.benchmark_group("task-definitions");
    group.throughput(Throughput::Elements(texts.len() as u64));

    group.bench_function("load", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(load(black_box(text)));
            }
        })
    });
    group.bench_function("validate", |b| {
        b.iter(|| {
            documents
                .iter()
                .map(|d| validate_document(black_box(d)).len())
                .sum::<usize>()
        })
    });
    group.bench_function("normalize", |b| {
        b.iter(|| {
            for document in &documents {
                for (_, input) in document.inputs() {
                    if let Input::TaskDefinition(td) = input {
                        black_box(td.normalized());
                    }
                }
            }
        })
    });
    group.bench_function("render", |b| {
        b.iter(|| {
            documents
                .iter()
                .map(|d| serde_json::to_string(&d.render()).map_or(0, |s| s.len()))
                .sum::<usize>()
        })
    });
    group.bench_function("load+validate+normalize+render", |b| {
        b.iter(|| texts.iter().map(|t| pipeline(black_box(t))).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
