//! Criterion benchmarks of the pipeline's stages on generated sites: lexing and parsing
//! (throughput in bytes), the whole `check`, and every emitter backend
//! (`cargo bench --bench pipeline`). Sizes are printed with the flow counts they produce.

#[path = "support/generate.rs"]
mod generate;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use flowc_compiler::emit::{backends, Input, Layout};
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

/// Every backend on the 10,000-host site: per-target backends over every firewall and the
/// first 200 hosts and groups, per-site backends over the whole site.
fn emit_every_backend(c: &mut Criterion) {
    let world = world(10_000);
    let checked = check(&world);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let firewalls = (0..checked.policy.firewalls.len()).map(Target::Firewall);
    let machines = (0..checked.policy.machines.len().min(200)).map(Target::Machine);
    let targets: Vec<Target> = firewalls.chain(machines).collect();
    for backend in backends() {
        let name = format!("emit {}, 10000 hosts", backend.name());
        c.bench_function(&name, |bench| match backend.layout() {
            Layout::PerTarget => bench.iter(|| {
                for &target in &targets {
                    black_box(backend.emit(&input, Some(target)));
                }
            }),
            Layout::PerSite => bench.iter(|| black_box(backend.emit(&input, None))),
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    targets = lex_and_parse, check_sites, emit_every_backend
}
criterion_main!(benches);
