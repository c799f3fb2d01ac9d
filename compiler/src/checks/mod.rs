//! Site checks, one module per lint. Each module's `declare_codes!` doc comment is the text
//! `flowc explain` prints and `spec/diagnostics.md` lists.

pub mod any_source;
pub mod bmc_port_conflict;
pub mod broad_range;
pub mod duplicate_address;
pub mod expect_failed;
pub mod family_mismatch;
pub mod generalization;
pub mod ineffective_argument;
pub mod insecure_service;
pub mod levels;
pub mod partly_shadowed;
pub mod port_collision;
pub mod redundant;
pub mod shadowed;
pub mod unmet_requirement;
pub mod unused;

use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::expand::ExpectCase;
use crate::lower::Site;
use crate::model::policy::Route;
use crate::model::Flow;
use crate::query::Evaluator;
use crate::topology::Topology;

/// What every check can look at.
pub struct Context<'a, 's> {
    pub site: &'a Site<'s>,
    pub flows: &'a [Flow],
    pub routes: &'a [Route],
    pub topology: &'a Topology,
    pub expects: &'a [ExpectCase],
    /// Explicit role arguments that the branches taken never read: (instance, parameter).
    pub unread_arguments: &'a [(usize, String)],
    pub settings: &'a levels::Settings,
}

/// What the checks that read only the flows and their coverage index found, with the index.
pub struct Coverage<'a> {
    evaluator: Evaluator<'a>,
    shadowed: Vec<Diagnostic>,
    redundant: Vec<Diagnostic>,
}

/// Builds the coverage index and runs `shadowed` and `redundant`, the two on separate cores.
/// They are most of the checking, and need neither the site nor the routes: the pipeline
/// starts this on another thread as soon as the flows exist, while it routes them and runs
/// the checks that read the site (whose caches are not shared between threads).
pub fn coverage(flows: &[Flow]) -> Coverage<'_> {
    let evaluator = Evaluator::new(flows);
    let (shadowed, redundant) = std::thread::scope(|scope| {
        let shadowed = scope.spawn(|| shadowed::check(flows, &evaluator));
        let redundant = redundant::check(flows, &evaluator);
        (crate::parallel::joined(shadowed.join()), redundant)
    });
    Coverage {
        evaluator,
        shadowed,
        redundant,
    }
}

/// Runs every check that works on flows; `no-path` and `unbound-peer` are found while routing
/// and expanding. The checks that read the site run first; then `coverage` hands over what
/// [`coverage`] found (waiting for it if it still runs elsewhere). Diagnostics are collected
/// in the same order whichever finishes first.
pub fn run<'a>(
    context: &Context<'_, '_>,
    coverage: impl FnOnce() -> Coverage<'a>,
) -> Vec<Diagnostic> {
    let mut site = Vec::new();
    site.extend(broad_range::check(context));
    site.extend(any_source::check(context));
    site.extend(insecure_service::check(context));
    site.extend(port_collision::check(context));
    site.extend(bmc_port_conflict::check(context));
    site.extend(ineffective_argument::check(context));
    site.extend(unmet_requirement::check(context));
    site.extend(duplicate_address::check(context));
    site.extend(unused::check(context));
    site.extend(family_mismatch::check(context));
    let Coverage {
        evaluator,
        shadowed,
        redundant,
    } = coverage();
    let mut diagnostics = shadowed;
    diagnostics.extend(redundant);
    diagnostics.extend(site);
    diagnostics.extend(expect_failed::check(context, &evaluator));
    diagnostics
}

/// The explanation of every lint, for the registry: from the stages that report them.
pub fn lint_codes() -> Vec<CodeInfo> {
    [
        crate::topology::CODES,
        crate::expand::CODES,
        family_mismatch::CODES,
        shadowed::CODES,
        partly_shadowed::CODES,
        generalization::CODES,
        redundant::CODES,
        broad_range::CODES,
        any_source::CODES,
        insecure_service::CODES,
        port_collision::CODES,
        bmc_port_conflict::CODES,
        ineffective_argument::CODES,
        unmet_requirement::CODES,
        duplicate_address::CODES,
        unused::CODES,
        expect_failed::CODES,
    ]
    .iter()
    .flat_map(|codes| codes.iter().copied())
    .collect()
}

/// Where a flow came from, as a label: the role statement when there is one.
pub fn origin_label(diagnostic: Diagnostic, flow: &Flow) -> Diagnostic {
    match (flow.origin.statement, &flow.origin.role) {
        (Some(statement), Some(role)) => {
            diagnostic.with_label(statement, format!("this flow of `{role}`"))
        }
        _ => diagnostic,
    }
}

/// The source of the role statement a flow came from, lower-cased; empty for explicit rules.
/// Checks read it to name the cause of a wide or insecure opening (`tcp mountd`).
pub fn statement_text(context: &Context<'_, '_>, flow: &Flow) -> String {
    let sources = &context.site.analysis.sources;
    flow.origin
        .statement
        .map(|span| sources.get(span.file).slice(span).to_lowercase())
        .unwrap_or_default()
}
