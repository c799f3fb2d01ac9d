//! Lowering: the resolved model of a site. Zones and firewalls with their addresses, machines
//! (hosts and groups, group membership flattened), services as openings, and every role
//! instance with its arguments checked against the role's parameter types.

mod arguments;
pub mod evaluate;
mod machines;
pub mod services;
pub mod types;
mod zones;

use crate::diagnostic::Diagnostic;
use crate::model::{AddressSet, Opening};
use crate::resolve::{Definition, DefinitionId, DefinitionKind, ModuleId};
use crate::source::Span;
use crate::syntax::ast::{Item, ItemKind, Role};
use crate::Analysis;
use foldhash::fast::FixedState;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;
pub use types::{ParamKind, Value};
pub use zones::ZoneDef;

crate::declare_codes! {
    /// A role argument names a parameter the role does not have.
    ///
    /// The message suggests the closest parameter name; `flowc doc MODULE` lists every role's
    /// parameters.
    UNKNOWN_PARAMETER = "E0201", "unknown role parameter";
    /// A role is used without an argument for a parameter that has no default.
    MISSING_ARGUMENT = "E0202", "missing role argument";
    /// A role argument of the wrong type: a word where a number is expected, a port outside
    /// 0..65535, a value that is not one of an enumeration's words, a host that does not hold
    /// the role a `host is ROLE` parameter asks for.
    WRONG_ARGUMENT = "E0203", "argument of the wrong type";
    /// A computed port outside 0..65535, reported where the role is used with a note pointing
    /// into the role body.
    ///
    /// This is how the ITM limit of 15 agents per system shows: agent ports are
    /// `1918 + k * 4096`, and with `count = 16` the sixteenth agent would need port 67454.
    COMPUTED_PORT_OUT_OF_RANGE = "E0204", "computed port out of range";
    /// An expression in a role body that cannot be evaluated: a condition that is not a
    /// boolean, arithmetic on a word, a comparison with a word that is not one of the
    /// parameter's values, or a loop of more than 65536 steps.
    INVALID_EXPRESSION = "E0205", "invalid expression";
    /// A group that contains itself, directly or through other groups, or a service defined in
    /// terms of itself.
    CYCLE = "E0206", "definition cycle";
    /// An ICMP type or protocol name that flowc does not know. Use the number instead
    /// (`icmp 13`, `proto 132`).
    UNKNOWN_PROTOCOL_NAME = "E0207", "unknown ICMP type or protocol name";
    /// Two zones claim the same network, or more than one zone is `any`: every address must
    /// belong to exactly one zone.
    OVERLAPPING_ZONES = "E0208", "zones claim the same addresses";
}

/// A role name resolved during expansion: the role, and the role and machine expanding it.
pub type PeerKey = (DefinitionId, Option<(DefinitionId, usize)>);

/// A host or group with its flattened addresses.
#[derive(Clone, Debug)]
pub struct MachineDef {
    pub name: String,
    pub definition: DefinitionId,
    pub is_group: bool,
    pub addresses: AddressSet,
    pub span: Span,
}

/// One role held by one machine, with its explicit arguments checked.
#[derive(Clone, Debug)]
pub struct RoleInstance {
    pub machine: usize,
    pub role: DefinitionId,
    /// `nim.master` for stdlib roles, the plain name for the site's own.
    pub role_name: String,
    /// The span of the role use (`nim.master(mountd = 33333)`), where its errors are reported.
    pub use_span: Span,
    /// The span of the machine's whole item, whose `@allow` attributes apply.
    pub item_span: Span,
    pub arguments: BTreeMap<String, Value>,
    /// Arguments that were given but rejected: never bound another way, so one mistake is
    /// reported once.
    pub rejected: Vec<String>,
}

/// The resolved model of a site, built on top of an [`Analysis`].
pub struct Site<'a> {
    pub analysis: &'a Analysis,
    pub machines: Vec<MachineDef>,
    pub machine_of: HashMap<DefinitionId, usize, FixedState>,
    /// The addresses of every host and group definition, site and stdlib.
    pub address_sets: HashMap<DefinitionId, AddressSet>,
    pub zones: Vec<ZoneDef>,
    pub instances: Vec<RoleInstance>,
    /// Role definition → indexes into `instances`.
    pub holders: HashMap<DefinitionId, Vec<usize>>,
    /// Every resolved name by its span, sorted by span. Looked up for each name of each rule:
    /// expansion asks in the order of the files, which resolution recorded them in, so
    /// neighbouring questions search the same part of the table, where a hash table sent each
    /// one to a random place in memory.
    reference_at: Vec<(Span, DefinitionId)>,
    /// The caches and the diagnostics are behind locks, so that expansion can share the site
    /// between threads (each lock is held for one lookup or insertion, never across a call).
    services: Mutex<HashMap<DefinitionId, Arc<Vec<Opening>>>>,
    /// The services being evaluated, by thread: a service met again on its own thread's
    /// stack includes itself.
    service_stack: Mutex<Vec<(ThreadId, DefinitionId)>>,
    /// Peers of a role name per (role, expanding role and machine), filled during expansion.
    pub peer_cache: Mutex<HashMap<PeerKey, crate::expand::Resolved>>,
    pub diagnostics: Mutex<Vec<Diagnostic>>,
}

impl<'a> Site<'a> {
    pub fn new(analysis: &'a Analysis) -> Site<'a> {
        let reference_at = references_by_span(&analysis.resolution.references);
        let mut site = Site {
            analysis,
            machines: Vec::new(),
            machine_of: HashMap::default(),
            address_sets: HashMap::new(),
            zones: Vec::new(),
            instances: Vec::new(),
            holders: HashMap::new(),
            reference_at,
            services: Mutex::new(HashMap::new()),
            service_stack: Mutex::new(Vec::new()),
            peer_cache: Mutex::new(HashMap::new()),
            diagnostics: Mutex::new(Vec::new()),
        };
        zones::collect_zones(&mut site);
        machines::collect_machines(&mut site);
        arguments::collect_instances(&mut site);
        site
    }

    pub fn report(&self, diagnostic: Diagnostic) {
        locked(&self.diagnostics).push(diagnostic);
    }

    pub fn definition(&self, id: DefinitionId) -> &Definition {
        self.analysis.resolution.definition(id)
    }

    /// The definition a name at this span resolved to.
    pub fn resolved(&self, span: Span) -> Option<DefinitionId> {
        let position = (self.reference_at)
            .binary_search_by_key(&span, |(span, _)| *span)
            .ok()?;
        Some(self.reference_at[position].1)
    }

    pub fn item(&self, id: DefinitionId) -> &'a Item {
        let definition = self.analysis.resolution.definition(id);
        let file = self
            .analysis
            .file(definition.item_span.file)
            .expect("definitions come from analysed files");
        &file.parsed.ast.items[definition.item_index]
    }

    pub fn role(&self, id: DefinitionId) -> &'a Role {
        match &self.item(id).kind {
            ItemKind::Role(role) => role,
            _ => unreachable!("role definitions are role items"),
        }
    }

    /// `module.name` for stdlib definitions, `name` for the site's.
    pub fn qualified_name(&self, id: DefinitionId) -> String {
        let definition = self.definition(id);
        if definition.module == ModuleId::SITE {
            definition.name.clone()
        } else {
            format!(
                "{}.{}",
                self.analysis.resolution.modules[definition.module.0 as usize].name,
                definition.name
            )
        }
    }

    /// Every site definition of one kind, in declaration order.
    pub fn site_definitions(
        &self,
        kind: DefinitionKind,
    ) -> impl Iterator<Item = DefinitionId> + '_ {
        let definitions = &self.analysis.resolution.definitions;
        (0..definitions.len())
            .map(|index| DefinitionId(index as u32))
            .filter(move |id| {
                let definition = &definitions[id.0 as usize];
                definition.kind == kind && definition.module == ModuleId::SITE
            })
    }

    /// The `seed NNN § "…"` citation among doc lines, if there is one.
    pub fn citation(docs: &[crate::syntax::ast::DocLine]) -> Option<String> {
        docs.iter()
            .map(|line| line.text.trim())
            .find(|text| text.starts_with("seed "))
            .map(str::to_string)
    }
}

/// The references sorted by span; of several at one span (a name resolved twice), the last.
fn references_by_span(references: &[crate::resolve::Reference]) -> Vec<(Span, DefinitionId)> {
    let mut sorted: Vec<(Span, DefinitionId)> = (references.iter())
        .map(|reference| (reference.span, reference.target))
        .collect();
    // Stable, so that equal spans keep the order they were resolved in.
    sorted.sort_by_key(|(span, _)| *span);
    let mut kept: Vec<(Span, DefinitionId)> = Vec::with_capacity(sorted.len());
    for pair in sorted {
        match kept.last_mut() {
            Some(last) if last.0 == pair.0 => *last = pair,
            _ => kept.push(pair),
        }
    }
    kept
}

/// The value behind a lock of the site. A lock is poisoned only by a panic while it was held,
/// which no caller survives (a panic on an expansion thread continues on the joining thread),
/// so the value is taken as it is.
pub(crate) fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
