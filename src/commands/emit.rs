//! `flowc emit`: check a site, then print or write the rulesets of one backend.

use crate::files::FileSystemWorld;
use crate::output_directory::OutputDirectory;
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
        report_warnings(&input, backend, chosen.into_iter());
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
    // Rulesets are rendered on every core while this thread writes them, a few at a time, so
    // that only a few rulesets' text is in memory at once.
    let render = |target: Option<Target>| -> (String, Vec<(String, String)>) {
        let name = target.map_or("-".to_string(), |target| {
            policy.target_name(target).to_string()
        });
        (name, backend.files(&input, target))
    };
    let emitted: Vec<Target> = targets.iter().flatten().copied().collect();
    let mut outputs = match OutputDirectory::begin(directory, backend.name()) {
        Ok(outputs) => outputs,
        Err(error) => {
            eprintln!(
                "error: cannot write to {}: {error}",
                crate::output::shown(directory)
            );
            return status::USAGE;
        }
    };
    let written = crate::parallel::map_unordered(targets, render, |rendered| {
        for (name, files) in rendered {
            for (relative, contents) in files {
                outputs
                    .write(&name, Path::new(&relative), contents.as_bytes())
                    .map_err(|error| (directory.join(&relative), error))?;
            }
        }
        Ok(())
    })
    .and_then(|()| {
        outputs
            .finish(|name| policy.target_named(name).is_some())
            .map_err(|error| (directory.to_path_buf(), error))
    });
    let summary = match written {
        Ok(summary) => summary,
        Err((path, error)) => {
            eprintln!(
                "error: cannot write {}: {error}",
                crate::output::shown(&path)
            );
            return status::USAGE;
        }
    };
    let count = summary.files;
    for removed in &summary.removed {
        eprintln!(
            "removed {}: its target is no longer in the site",
            crate::output::shown(&directory.join(removed))
        );
    }
    eprintln!(
        "wrote {count} file(s) to {}",
        crate::output::shown(directory)
    );
    report_warnings(&input, backend, emitted.into_iter());
    crate::release_at_exit(input);
    crate::release_at_exit(checked);
    status::CLEAN
}

/// Prints on standard error what the backend reports its output of each target cannot
/// express exactly (the AIX backend's `aix-stateless` warnings). Warnings of several targets
/// at the same item that differ only in addresses and numbers (a thousand NIM clients of one
/// master) are printed once, with the number of other targets; the backend's notes about
/// every target's output follow.
fn report_warnings(
    input: &Input<'_>,
    backend: &dyn flowc_compiler::emit::Backend,
    targets: impl Iterator<Item = Target>,
) {
    let mut merged: Vec<(flowc_compiler::Diagnostic, usize)> = Vec::new();
    let mut seen: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    let mut any = false;
    for warning in targets.flat_map(|target| {
        any = true;
        backend.warnings(input, target)
    }) {
        let key = (
            warning.code,
            warning.primary.span,
            warning
                .notes
                .iter()
                .map(|note| masked(note))
                .collect::<Vec<_>>(),
        );
        match seen.get(&key) {
            Some(&index) => merged[index].1 += 1,
            None => {
                seen.insert(key, merged.len());
                merged.push((warning, 0));
            }
        }
    }
    let warnings: Vec<flowc_compiler::Diagnostic> = (merged.into_iter())
        .map(|(warning, others)| match others {
            0 => warning,
            _ => warning.with_note(format!(
                "the same holds, with their own addresses, for {others} more target(s) of the {} output; each script lists its own",
                backend.name()
            )),
        })
        .collect();
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if !warnings.is_empty() {
        eprint!(
            "{}",
            flowc_compiler::report::render_human(input.sources, &warnings, color)
        );
        eprintln!(
            "{} warning(s) about what the {} output cannot express exactly",
            warnings.len(),
            backend.name()
        );
    }
    if any {
        for note in backend.notes() {
            eprintln!("note: {note}");
        }
    }
}

/// A note with its addresses, ports and counts replaced by `#`, to compare warnings of
/// different targets.
fn masked(note: &str) -> String {
    note.split(' ')
        .map(|word| {
            let numeric = word.chars().any(|c| c.is_ascii_digit() || c == ':')
                && word
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || ":./,()[]-".contains(c));
            if numeric {
                "#"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
