//! The driver: the analysis, then lowering, expansion, routing, the checks and lint levels, in
//! order, each stage's owned output handed to the next.

use crate::analysis::{analyze_cached, Analysis, ParseCache};
use crate::diagnostic::{self, Diagnostic};
use crate::parallel::joined;
use crate::source::World;
use crate::{checks, expand, lower, model, topology};

/// A site after every stage: the analysis with all diagnostics, and the policy for emitters.
#[derive(Debug)]
pub struct Checked {
    pub analysis: Analysis,
    pub policy: model::Policy,
    /// The lowered site, when the semantic stages ran: `None` when the site has syntax or name
    /// errors, and then `policy` is empty.
    pub model: Option<lower::Model>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.analysis.has_errors()
    }

    /// Whether the semantic stages ran (see [`Checked::model`]).
    pub fn lowered(&self) -> bool {
        self.model.is_some()
    }

    /// The lowered site with its analysis, when the semantic stages ran.
    pub fn site(&self) -> Option<lower::Site<'_>> {
        Some(lower::Site::new(&self.analysis, self.model.as_ref()?))
    }
}

/// Runs the whole pipeline: analysis, lowering, expansion, topology, checks and lint levels.
/// Semantic stages run only on a site without syntax or name errors, so they never see holes.
pub fn check(world: &dyn World) -> Checked {
    check_with(world).0
}

/// `check`, also returning the expectations and topology for `flowc query`.
/// `check`, reusing parsed files from `cache` (the language server keeps one).
pub fn check_cached(world: &dyn World, cache: &mut ParseCache) -> Checked {
    check_with_cache(world, cache).0
}

pub(crate) fn check_with(world: &dyn World) -> (Checked, Option<Semantics>) {
    check_with_cache(world, &mut ParseCache::default())
}

fn check_with_cache(world: &dyn World, cache: &mut ParseCache) -> (Checked, Option<Semantics>) {
    let mut analysis = analyze_cached(world, cache);
    if analysis.has_errors() {
        return (
            Checked {
                analysis,
                policy: model::Policy::default(),
                model: None,
            },
            None,
        );
    }
    let model = lower::lower(&analysis);
    let mut semantics = semantics(lower::Site::new(&analysis, &model));
    analysis.diagnostics.append(&mut semantics.diagnostics);
    diagnostic::sort_diagnostics(&mut analysis.diagnostics);
    analysis.diagnostics.dedup();
    diagnostic::limit_errors_per_file(&mut analysis.diagnostics);
    let policy = std::mem::take(&mut semantics.policy);
    let checked = Checked {
        analysis,
        policy,
        model: Some(model),
    };
    (checked, Some(semantics))
}

/// What the semantic stages produce besides the analysis.
pub(crate) struct Semantics {
    pub policy: model::Policy,
    pub diagnostics: Vec<Diagnostic>,
    pub expects: Vec<expand::ExpectCase>,
    pub topology: topology::Topology,
}

/// Everything after lowering.
fn semantics(site: lower::Site<'_>) -> Semantics {
    let analysis = site.analysis;
    let mut expansion = expand::expand(site);
    let flows = &expansion.flows;
    // The checks that read only the flows start now on other cores, while this thread routes
    // the flows and runs the checks that read the site.
    let (topology, routes, settings, mut diagnostics) = std::thread::scope(|scope| {
        let coverage = scope.spawn(move || checks::coverage(flows));
        let mut topology = topology::Topology::new(&site);
        let (routes, route_diagnostics) = topology.routes(flows);
        let settings = checks::levels::Settings::from_analysis(analysis);
        let context = checks::Context {
            site: &site,
            flows,
            routes: &routes,
            topology: &topology,
            expects: &expansion.expects,
            unread_arguments: &expansion.unread_arguments,
            settings: &settings,
        };
        let mut diagnostics = checks::run(&context, || joined(coverage.join()));
        diagnostics.extend(route_diagnostics);
        (topology, routes, settings, diagnostics)
    });
    diagnostics.extend(site.diagnostics.iter().cloned());
    diagnostics.append(&mut expansion.diagnostics);
    let diagnostics = settings.apply(diagnostics);
    // Role names per machine in one pass over the instances, not one pass per machine.
    let mut roles_of: Vec<Vec<String>> = vec![Vec::new(); site.machines.len()];
    for instance in &site.instances {
        roles_of[instance.machine].push(instance.role_name.clone());
    }
    let machines = site
        .machines
        .iter()
        .zip(roles_of)
        .map(|(machine, roles)| model::policy::Machine {
            name: machine.name.clone(),
            kind: if machine.is_group {
                model::policy::MachineKind::Group
            } else {
                model::policy::MachineKind::Host
            },
            addresses: machine.addresses.clone(),
            roles,
            span: machine.span,
        })
        .collect();
    let policy = model::Policy::new(
        topology.zones.clone(),
        topology.firewalls.clone(),
        machines,
        expansion.flows,
        routes,
    );
    Semantics {
        policy,
        diagnostics,
        expects: expansion.expects,
        topology,
    }
}
