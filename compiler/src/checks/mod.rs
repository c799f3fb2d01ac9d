//! Site checks, one module per lint. Each module's `declare_codes!` doc comment is the text
//! `flowc explain` prints and `spec/diagnostics.md` lists.

pub mod any_source;
pub mod bmc_port_conflict;
pub mod broad_range;
pub mod expect_failed;
pub mod insecure_service;
pub mod levels;
pub mod no_path;
pub mod port_collision;
pub mod redundant;
pub mod shadowed;
pub mod unbound_peer;
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
    pub evaluator: &'a Evaluator<'a>,
    pub expects: &'a [ExpectCase],
    pub settings: &'a levels::Settings,
}

/// Runs every check that works on flows; `no-path` and `unbound-peer` are found while routing
/// and expanding.
pub fn run(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    diagnostics.extend(shadowed::check(context));
    diagnostics.extend(redundant::check(context));
    diagnostics.extend(broad_range::check(context));
    diagnostics.extend(any_source::check(context));
    diagnostics.extend(insecure_service::check(context));
    diagnostics.extend(port_collision::check(context));
    diagnostics.extend(bmc_port_conflict::check(context));
    diagnostics.extend(unused::check(context));
    diagnostics.extend(expect_failed::check(context));
    diagnostics
}

/// Every lint, for the registry.
pub fn lint_codes() -> Vec<CodeInfo> {
    [
        no_path::CODES,
        unbound_peer::CODES,
        shadowed::CODES,
        redundant::CODES,
        broad_range::CODES,
        any_source::CODES,
        insecure_service::CODES,
        port_collision::CODES,
        bmc_port_conflict::CODES,
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
