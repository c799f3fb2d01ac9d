//! Criterion benchmarks of the pipeline's stages on generated sites: lexing and parsing
//! (throughput in bytes), the whole `check`, and nftables emission for every firewall
//! (`cargo bench --bench pipeline`). Sizes are printed with the flow counts they produce.

#[path = "support/generate.rs"]
mod generate;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flowc_compiler::emit::{backend, Input};
use flowc_compiler::model::Target;
use flowc_compiler::{check, FileId, MemoryWorld};
use std::hint::black_box;
use std::time::Duration;

/// The same allocator as the `flowc` binary, so that the numbers are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn world(hosts: usize) -> MemoryWorld {
    let site = generate::generate(hosts, 8);
    eprintln!("site: {hosts} hosts, {} lines", site.lines);
    MemoryWorld {
        files: site.files.into_iter().collect(),
    }
}

fn lex_and_parse(c: &mut Criterion) {
    let world = world(10_000);
    let bytes: usize = world.files.values().map(String::len).sum();
    let mut group = c.benchmark_group("lex+parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("{} KiB", bytes / 1024), |bench| {
        bench.iter(|| {
            for (index, text) in world.files.values().enumerate() {
                black_box(flowc_compiler::syntax::parse_file(
                    FileId(index as u32),
                    text,
                ));
            }
        })
    });
    group.finish();
}

fn check_sites(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    for hosts in [1_000, 10_000] {
        let world = world(hosts);
        let flows = check(&world).policy.flows.len();
        eprintln!("check: {hosts} hosts give {flows} flows");
        group.bench_with_input(BenchmarkId::new("hosts", hosts), &world, |bench, world| {
            bench.iter(|| black_box(check(world)))
        });
    }
    group.finish();
}

fn emit_nftables(c: &mut Criterion) {
    let world = world(10_000);
    let checked = check(&world);
    let input = Input {
        policy: &checked.policy,
        sources: &checked.analysis.sources,
    };
    let nftables = backend("nftables").expect("registered");
    let firewalls: Vec<Target> = (0..checked.policy.firewalls.len())
        .map(Target::Firewall)
        .collect();
    c.bench_function("emit nftables, every firewall, 10000 hosts", |bench| {
        bench.iter(|| {
            for &target in &firewalls {
                black_box(nftables.emit(&input, Some(target)));
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    targets = lex_and_parse, check_sites, emit_nftables
}
criterion_main!(benches);
