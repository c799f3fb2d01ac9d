//! Expansion: every role instance, `allow` and `deny` becomes flows; every `expect` becomes a
//! case to evaluate. Flows are the only thing the checks and emitters see.

mod endpoints;
pub mod limits;
mod roles;

use crate::analysis::AnalyzedFile;
use crate::diagnostic::Diagnostic;
use crate::lower::evaluate::EvaluationError;
use crate::lower::{locked, Site, Value};
use crate::model::{Action, AddressSet, Flow, FlowOrigin, Opening};
use crate::source::Span;
use crate::syntax::ast::{self, Arrow, Endpoint, FlowSyntax, ItemKind, Outcome};

pub use endpoints::{Resolved, CODES};

/// One `expect` port spec to check: the traffic it describes and what it should be.
#[derive(Clone, Debug)]
pub struct ExpectCase {
    /// The `expect` item.
    pub item: Span,
    /// The port spec within it.
    pub spec: Span,
    pub outcome: Outcome,
    pub source: AddressSet,
    pub destination: AddressSet,
    pub source_label: String,
    pub destination_label: String,
    pub openings: Vec<Opening>,
    /// Whether the spec constrains source ports (`from`); without it the question is whether
    /// some source port is allowed.
    pub has_source_ports: bool,
}

/// Everything expansion produces.
#[derive(Debug, Default)]
pub struct Expansion {
    pub flows: Vec<Flow>,
    pub expects: Vec<ExpectCase>,
    /// What expansion reported, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Explicit role arguments that no branch taken reads: (instance, parameter), in instance
    /// order. `ineffective-argument` reports them.
    pub unread_arguments: Vec<(usize, String)>,
}

pub fn expand(site: Site<'_>) -> Expansion {
    expand_split(site, PARALLEL_ITEMS)
}

/// A role name resolved during expansion: the role, and the role and machine expanding it.
type PeerKey = (
    crate::resolve::DefinitionId,
    Option<(crate::resolve::DefinitionId, usize)>,
);

/// One expansion: the site it reads, and what expanding accumulates. The peers of each role
/// name and the diagnostics are behind locks so that two threads can share the run; each lock
/// is held for one lookup or insertion, never across a call.
struct Run<'a> {
    site: Site<'a>,
    peers: std::sync::Mutex<std::collections::HashMap<PeerKey, Resolved>>,
    diagnostics: std::sync::Mutex<Vec<Diagnostic>>,
}

impl<'a> std::ops::Deref for Run<'a> {
    type Target = Site<'a>;

    fn deref(&self) -> &Site<'a> {
        &self.site
    }
}

impl Run<'_> {
    fn report(&self, diagnostic: Diagnostic) {
        locked(&self.diagnostics).push(diagnostic);
    }

    fn known_peers(&self, key: &PeerKey) -> Option<Resolved> {
        locked(&self.peers).get(key).cloned()
    }

    fn remember_peers(&self, key: PeerKey, resolved: Resolved) {
        locked(&self.peers).insert(key, resolved);
    }

    /// The openings of a port spec, reporting unknown ICMP and protocol names to this run.
    fn openings(
        &self,
        spec: &ast::PortSpec,
        lookup: &dyn Fn(&ast::Path) -> Option<Value>,
    ) -> Result<Vec<Opening>, EvaluationError> {
        self.site
            .openings(spec, lookup, &|diagnostic| self.report(diagnostic))
    }
}

/// [`expand`], using a second thread when the site has `parallel_items` items or more.
fn expand_split(site: Site<'_>, parallel_items: usize) -> Expansion {
    let run = Run {
        site,
        peers: Default::default(),
        diagnostics: Default::default(),
    };
    let site = &run;
    let mut expansion = Expansion::default();
    for instance in 0..site.instances.len() {
        if expansion.flows.len() > limits::MAX_FLOWS_PER_SITE {
            break;
        }
        let unread = roles::expand_instance(site, instance, &mut expansion.flows);
        (expansion.unread_arguments).extend(unread.into_iter().map(|name| (instance, name)));
    }
    // The rules of the second half of the files are expanded on another core. Each half keeps
    // its flows in file order and the second half's follow the first's, so the flows come out
    // as one pass would make them.
    let files: Vec<&AnalyzedFile> = site.analysis.site_files().collect();
    let split = parallel_split(&files, parallel_items);
    let (first, second) = files.split_at(split);
    // This list takes the second half's flows too, so it has room for every rule's.
    let second_estimate = rule_flow_estimate(second);
    reserve_rule_flows(
        &mut expansion.flows,
        rule_flow_estimate(first) + second_estimate,
    );
    let rest = std::thread::scope(|scope| {
        let worker = (!second.is_empty())
            .then(|| scope.spawn(|| expand_rules(site, second, second_estimate)));
        expand_rules_into(site, first, &mut expansion);
        worker.map(|worker| crate::parallel::joined(worker.join()))
    });
    if let Some(mut rest) = rest {
        if expansion.flows.len() <= limits::MAX_FLOWS_PER_SITE {
            // Past the limit only the first flow over it matters (to say where it is crossed).
            let room = limits::MAX_FLOWS_PER_SITE + 1 - expansion.flows.len();
            rest.flows.truncate(room);
            expansion.flows.extend(rest.flows);
            expansion.expects.extend(rest.expects);
        }
    }
    refuse_oversized_site(&run, &mut expansion);
    // Sorted, so the order the threads reported in does not show.
    expansion.diagnostics = run
        .diagnostics
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    crate::diagnostic::sort_diagnostics(&mut expansion.diagnostics);
    expansion
}

/// Where the files are cut in two for expansion: at half their items, or not at all (the end)
/// when the site is too small for a thread to pay off or there is one core.
fn parallel_split(files: &[&AnalyzedFile], parallel_items: usize) -> usize {
    let items = |file: &&AnalyzedFile| file.parsed.ast.items.len();
    let total: usize = files.iter().map(items).sum();
    let cores = std::thread::available_parallelism().map_or(1, |count| count.get());
    if total < parallel_items || cores < 2 {
        return files.len();
    }
    let mut seen = 0;
    for (position, file) in files.iter().enumerate() {
        if seen >= total / 2 {
            return position;
        }
        seen += items(file);
    }
    files.len()
}

/// The fewest items for which expansion uses a second thread: below it (every site a person
/// edits by hand) starting the thread costs more than it saves.
const PARALLEL_ITEMS: usize = 4096;

/// The flows of the `allow` and `deny` items and the cases of the `expect` items of `files`.
/// `estimate` is their [`rule_flow_estimate`].
fn expand_rules(site: &Run<'_>, files: &[&AnalyzedFile], estimate: usize) -> Expansion {
    let mut expansion = Expansion::default();
    reserve_rule_flows(&mut expansion.flows, estimate);
    expand_rules_into(site, files, &mut expansion);
    expansion
}

/// Room in `flows` for about `estimate` more, with a quarter to spare. The list of flows is
/// allocated once: grown by doubling, a site's hundred thousand flows (of nearly 400 bytes
/// each) were copied again and again into fresh memory. Untouched spare room costs no memory.
fn reserve_rule_flows(flows: &mut Vec<Flow>, estimate: usize) {
    flows.reserve(estimate + estimate / 4);
}

fn expand_rules_into(site: &Run<'_>, files: &[&AnalyzedFile], expansion: &mut Expansion) {
    for file in files {
        for item in &file.parsed.ast.items {
            // Each half stops once it alone is over the limit, so the flow at the limit, where
            // the error points, is the same whichever half finishes first.
            if expansion.flows.len() > limits::MAX_FLOWS_PER_SITE {
                return;
            }
            match &item.kind {
                ItemKind::Rule(rule) => {
                    let action = match rule.action {
                        ast::Action::Allow => Action::Allow,
                        ast::Action::Deny => Action::Deny,
                    };
                    rule_flows(site, item, action, &rule.flow, &mut expansion.flows);
                }
                ItemKind::Expect(expect) => {
                    expect_cases(site, item, expect, &mut expansion.expects)
                }
                _ => {}
            }
        }
    }
}

/// A site over [`limits::MAX_FLOWS_PER_SITE`] keeps no flows (checking or emitting a part of
/// it would mislead) and gets one error, at the item whose flows cross the limit. Expansion
/// stopped soon after that item, so the memory taken stays near the limit.
fn refuse_oversized_site(run: &Run<'_>, expansion: &mut Expansion) {
    let Some(crossing) = expansion.flows.get(limits::MAX_FLOWS_PER_SITE) else {
        return;
    };
    run.report(
        Diagnostic::error(
            limits::TOO_MANY_FLOWS_IN_SITE,
            crossing.origin.item,
            format!(
                "the site expands to more than {} flows; this item crosses the limit",
                limits::with_separators(limits::MAX_FLOWS_PER_SITE)
            ),
        )
        .with_note("no flow of the site is checked or emitted (`flowc explain E0302`)"),
    );
    expansion.flows = Vec::new();
    expansion.expects = Vec::new();
}

/// About how many flows the site's `allow` and `deny` items make: one per source, destination,
/// port spec and direction. A service of several openings makes more.
fn rule_flow_estimate(files: &[&AnalyzedFile]) -> usize {
    (files.iter())
        .flat_map(|file| &file.parsed.ast.items)
        .map(|item| match &item.kind {
            ItemKind::Rule(rule) => {
                let flow = &rule.flow;
                let arrows = if flow.arrow == Arrow::Both { 2 } else { 1 };
                (flow.sources.len() * flow.destinations.len() * flow.specs.len() * arrows)
                    .min(limits::MAX_FLOWS_PER_ITEM)
            }
            _ => 0,
        })
        .sum::<usize>()
        .min(limits::MAX_FLOWS_PER_SITE)
}

/// `@allow` attributes of an item as `(lint, reason)` pairs.
pub fn allowed_lints(item: &ast::Item) -> Vec<(String, String)> {
    item.attributes
        .iter()
        .map(|attribute| (attribute.lint.name.clone(), attribute.reason.value.clone()))
        .collect()
}

fn site_endpoints(site: &Run<'_>, endpoints: &[Endpoint]) -> Vec<Resolved> {
    endpoints
        .iter()
        .filter_map(|endpoint| endpoints::site_endpoint(site, endpoint))
        .collect()
}

fn rule_flows(
    site: &Run<'_>,
    item: &ast::Item,
    action: Action,
    flow: &FlowSyntax,
    flows: &mut Vec<Flow>,
) {
    // Flows cite the line of the `allow`/`deny` keyword, not of an `@allow` attribute above it.
    let text = &site.analysis.sources.get(item.span.file).text;
    let before_flow = text[..flow.span.start as usize].trim_end().len();
    let keyword_start = before_flow.saturating_sub(action_keyword(action).len()) as u32;
    let item_span = crate::Span {
        start: keyword_start.max(item.span.start),
        ..item.span
    };
    let sources = site_endpoints(site, &flow.sources);
    let destinations = site_endpoints(site, &flow.destinations);
    let mut specs = Vec::with_capacity(flow.specs.len());
    for spec in &flow.specs {
        match site.openings(spec, &|_| None) {
            Ok(openings) => specs.push((spec, openings)),
            Err((span, message)) => {
                if !message.is_empty() {
                    site.report(Diagnostic::error(
                        crate::lower::INVALID_EXPRESSION,
                        span,
                        message,
                    ));
                }
            }
        }
    }
    // Counted before any is made, so that a cross product of thousands never takes memory.
    let directions = if flow.arrow == Arrow::Both { 2 } else { 1 };
    let count = (specs.iter().map(|(_, openings)| openings.len()))
        .fold(0usize, |total, openings| total.saturating_add(openings))
        .saturating_mul(sources.len())
        .saturating_mul(destinations.len())
        .saturating_mul(directions);
    if count > limits::MAX_FLOWS_PER_ITEM {
        site.report(
            Diagnostic::error(
                limits::TOO_MANY_FLOWS_IN_ITEM,
                item_span,
                format!(
                    "this `{}` expands to {} flows, more than the {} one item may make",
                    action_keyword(action),
                    limits::with_separators(count),
                    limits::with_separators(limits::MAX_FLOWS_PER_ITEM)
                ),
            )
            .with_note(format!(
                "{} × {} × {}{}; put the endpoints in a group or zone",
                counted(sources.len(), "source"),
                counted(destinations.len(), "destination"),
                counted(
                    count / directions / sources.len().max(1) / destinations.len().max(1),
                    "opening"
                ),
                if directions == 2 {
                    " × 2 directions"
                } else {
                    ""
                }
            )),
        );
        return;
    }
    for (spec, openings) in specs {
        let citation = spec_citation(site, spec);
        for opening in openings {
            for source in &sources {
                for destination in &destinations {
                    let mut pairs = vec![(source, destination)];
                    if flow.arrow == Arrow::Both {
                        pairs.push((destination, source));
                    }
                    for (from, to) in pairs {
                        limits::make_room_for_one(flows);
                        flows.push(Flow {
                            action,
                            source: from.addresses.clone(),
                            destination: to.addresses.clone(),
                            opening: opening.clone(),
                            origin: FlowOrigin {
                                item: item_span,
                                statement: None,
                                role: None,
                                citation: citation.clone(),
                                source_label: from.label.clone(),
                                destination_label: to.label.clone(),
                                allowed_lints: allowed_lints(item),
                            },
                            source_holders: from.machines.clone(),
                            destination_holders: to.machines.clone(),
                        });
                    }
                }
            }
        }
    }
}

/// `1 source`, `2 sources`.
fn counted(count: usize, noun: &str) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {noun}{plural}")
}

fn action_keyword(action: Action) -> &'static str {
    match action {
        Action::Allow => "allow",
        Action::Deny => "deny",
    }
}

/// The citation of the service a spec names, if it names one.
pub(crate) fn spec_citation(site: &Site<'_>, spec: &ast::PortSpec) -> Option<String> {
    let ast::PortSpec::Named(path) = spec else {
        return None;
    };
    let id = site.resolved(path.span)?;
    Site::citation(&site.item(id).docs)
}

fn expect_cases(
    site: &Run<'_>,
    item: &ast::Item,
    expect: &ast::Expect,
    cases: &mut Vec<ExpectCase>,
) {
    let union = |resolved: Vec<Resolved>| {
        let addresses = resolved.iter().fold(AddressSet::empty(), |set, endpoint| {
            set.union(&endpoint.addresses)
        });
        let labels: Vec<String> = resolved
            .into_iter()
            .map(|endpoint| endpoint.label)
            .collect();
        (addresses, labels.join(", "))
    };
    let (source, source_label) = union(site_endpoints(site, &expect.flow.sources));
    let (destination, destination_label) = union(site_endpoints(site, &expect.flow.destinations));
    for spec in &expect.flow.specs {
        let Ok(openings) = site.openings(spec, &|_| None) else {
            continue;
        };
        let has_source_ports = openings
            .iter()
            .any(|opening| !opening.source_ports.is_full());
        let mut directions = vec![(
            source.clone(),
            destination.clone(),
            source_label.clone(),
            destination_label.clone(),
        )];
        if expect.flow.arrow == Arrow::Both {
            directions.push((
                destination.clone(),
                source.clone(),
                destination_label.clone(),
                source_label.clone(),
            ));
        }
        for (source, destination, source_label, destination_label) in directions {
            cases.push(ExpectCase {
                item: item.span,
                spec: spec.span(),
                outcome: expect.outcome,
                source,
                destination,
                source_label,
                destination_label,
                openings: openings.clone(),
                has_source_ports,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::expand_split;
    use crate::lower::{lower, Site};
    use crate::source::MemoryWorld;

    /// A site of many files whose rules use hosts, groups, zones, roles, site and stdlib
    /// services, both arrows, expectations, and in every file a mistake that expansion reports.
    fn site() -> MemoryWorld {
        let mut world = MemoryWorld::default();
        world.files.insert(
            "a-topology.flow".into(),
            "import nim\nzone lan = 198.18.0.0/24\nzone dmz = 198.18.1.0/24\n\
             firewall fw { zones lan, dmz }\nservice web = tcp 80, tcp 443\n\
             host nim01 = 198.18.0.10 is nim.master\n\
             group clients = 198.18.1.0/28 is nim.client(master = nim01)\n"
                .into(),
        );
        for file in 0..12 {
            let mut text = String::new();
            for rule in 0..20 {
                let host = file * 20 + rule;
                text.push_str(&format!("host h{host} = 198.18.1.{}\n", 16 + host));
                text.push_str(&format!("allow h{host} -> nim01 : web, ssh\n"));
                text.push_str(&format!(
                    "allow clients <-> h{host} : tcp {}\n",
                    1000 + host
                ));
                text.push_str(&format!("deny dmz -> h{host} : nim.nimsh\n"));
                text.push_str(&format!("allow nim.master -> h{host} : udp 69\n"));
                text.push_str(&format!("expect h{host} -> nim01 : tcp 443 allowed\n"));
            }
            // A port spec that expansion itself rejects, once per file.
            text.push_str("allow lan -> dmz : icmp no-such-type\n");
            world.files.insert(format!("rules-{file:02}.flow"), text);
        }
        world
    }

    /// Cut in two halves or not, expansion makes the same flows in the same order, the same
    /// cases and the same diagnostics once sorted.
    #[test]
    fn split_expansion_matches_one_pass() {
        let world = site();
        let analysis = crate::analyze(&world);
        let model = lower(&analysis);
        let expand = |parallel_items| {
            let mut expansion = expand_split(Site::new(&analysis, &model), parallel_items);
            let mut diagnostics = std::mem::take(&mut expansion.diagnostics);
            diagnostics.dedup();
            (expansion, diagnostics)
        };
        let (whole, whole_diagnostics) = expand(usize::MAX);
        let (split, split_diagnostics) = expand(0);
        assert!(whole.flows.len() > 1000, "{} flows", whole.flows.len());
        assert_eq!(whole.flows, split.flows);
        assert_eq!(whole.expects.len(), split.expects.len());
        for (a, b) in whole.expects.iter().zip(&split.expects) {
            assert_eq!((a.item, a.spec, &a.source), (b.item, b.spec, &b.source));
        }
        assert!(!whole_diagnostics.is_empty());
        assert_eq!(whole_diagnostics, split_diagnostics);
    }
}
