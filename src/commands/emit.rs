//! `flowc emit`: check a site, then print or write the rulesets of one backend.

use crate::atomic_files::AtomicFiles;
use crate::files::FileSystemWorld;
use crate::{status, ReportFormat};
use flowc_compiler::emit::{backend, Input, Layout};
use flowc_compiler::model::Target;
use std::path::{Path, PathBuf};

/// Which rulesets `-o DIR` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetKind {
    /// The forward rulesets of the firewalls.
    Firewalls,
    /// The input and output rulesets of hosts and groups.
    Machines,
}

pub fn run(
    target: &str,
    for_name: Option<&str>,
    only: Option<TargetKind>,
    output: Option<&Path>,
    paths: &[PathBuf],
) -> u8 {
    let Some(backend) = backend(target) else {
        eprintln!("error: unknown target `{target}`");
        return status::USAGE;
    };
    let world = match FileSystemWorld::collect_or_report(paths) {
        Ok(world) => world,
        Err(code) => return code,
    };
    let checked = flowc_compiler::check(&world);
    if !checked.analysis.diagnostics.is_empty() {
        eprint!(
            "{}",
            crate::commands::check::render(&checked.analysis, ReportFormat::Human)
        );
    }
    if checked.has_errors() {
        eprintln!("error: not emitting: the site has errors");
        return status::PROBLEMS;
    }
    let policy = &checked.policy;
    let input = Input::new(policy, &checked.analysis.sources);
    let chosen: Option<Target> = match for_name {
        Some(name) => match policy.target_named(name) {
            Some(target) => Some(target),
            None => {
                let names: Vec<&str> = policy
                    .targets()
                    .into_iter()
                    .map(|target| policy.target_name(target))
                    .collect();
                eprintln!(
                    "error: no firewall, host or group named `{name}` (targets: {})",
                    names.join(", ")
                );
                return status::USAGE;
            }
        },
        None => None,
    };
    let Some(directory) = output else {
        if chosen.is_none() && backend.layout() == Layout::PerTarget {
            eprintln!(
                "error: --target {target} writes one ruleset per target: name one with --for NAME, or write them all with -o DIR"
            );
            return status::USAGE;
        }
        crate::output::print(&backend.emit(&input, chosen));
        return status::CLEAN;
    };
    let wanted = |target: &Target| {
        matches!(
            (only, target),
            (None, _)
                | (Some(TargetKind::Firewalls), Target::Firewall(_))
                | (Some(TargetKind::Machines), Target::Machine(_))
        )
    };
    let targets: Vec<Option<Target>> = match (chosen, backend.layout()) {
        (Some(target), _) => vec![Some(target)],
        (None, Layout::PerSite) => vec![None],
        (None, Layout::PerTarget) => backend
            .targets(policy)
            .into_iter()
            .filter(wanted)
            .map(Some)
            .collect(),
    };
    // Rulesets are rendered on every core, and each is written to its temporary file by the
    // thread that made it, so only a few rulesets' text is in memory at once and each is freed
    // where it was allocated. This thread stops at the first failure; the workers finish their
    // batch, and every temporary file is removed.
    let files = AtomicFiles::default();
    let render = |target: Option<Target>| -> Result<(), (PathBuf, std::io::Error)> {
        for (relative, contents) in backend.files(&input, target) {
            files.stage(&directory.join(relative), contents.as_bytes())?;
        }
        Ok(())
    };
    let staged = crate::parallel::map_unordered(targets, render, |results| {
        results.collect::<Result<(), _>>()
    });
    let written = match staged {
        Ok(()) => files.commit(),
        Err(failure) => {
            files.abandon();
            Err(failure)
        }
    };
    let count = match written {
        Ok(count) => count,
        Err((path, error)) => {
            eprintln!("error: cannot write {}: {error}", path.display());
            return status::USAGE;
        }
    };
    eprintln!("wrote {count} file(s) to {}", directory.display());
    crate::release_at_exit(input);
    crate::release_at_exit(checked);
    status::CLEAN
}
