//! Lowering: the resolved model of a site. Zones and firewalls with their addresses, machines
//! (hosts and groups, group membership flattened), services as openings, and every role
//! instance with its arguments checked against the role's parameter types.

mod arguments;
pub mod evaluate;
mod machines;
pub mod services;
pub mod types;
mod zones;

use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::{AddressSet, Opening};
use crate::resolve::{Definition, DefinitionId, DefinitionKind};
use crate::source::Span;
use crate::syntax::ast::{Item, ItemKind, Role};
use foldhash::fast::FixedState;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
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
    /// Whether checking the arguments reported an error (an unknown, repeated, missing or
    /// rejected argument). Such an instance opens nothing: a rejected value never falls back
    /// to the default, so one mistake gives one error and no lints about flows the
    /// administrator did not ask for.
    pub arguments_failed: bool,
}

/// The resolved model of a site: what lowering makes of an [`Analysis`], owned and immutable.
/// Later stages read it through a [`Site`]; the language server keeps it with the analysis.
#[derive(Debug, Default)]
pub struct Model {
    pub machines: Vec<MachineDef>,
    pub machine_of: HashMap<DefinitionId, usize, FixedState>,
    /// The addresses of every host and group definition, site and stdlib.
    pub address_sets: HashMap<DefinitionId, AddressSet>,
    pub zones: Vec<ZoneDef>,
    pub instances: Vec<RoleInstance>,
    /// Role definition → indexes into `instances`.
    pub holders: HashMap<DefinitionId, Vec<usize>>,
    /// The openings of every service, site and stdlib, each tagged with the innermost service
    /// it came from.
    pub services: HashMap<DefinitionId, Arc<Vec<Opening>>>,
    /// What lowering reported.
    pub diagnostics: Vec<Diagnostic>,
}

/// Lowers a site without syntax or name errors (every semantic stage assumes a tree without
/// holes).
pub fn lower(analysis: &Analysis) -> Model {
    let mut model = Model::default();
    zones::collect_zones(analysis, &mut model);
    machines::collect_machines(analysis, &mut model);
    arguments::collect_instances(analysis, &mut model);
    services::evaluate_services(analysis, &mut model);
    model
}

/// A lowered site together with the analysis it came from: what every later stage reads.
#[derive(Clone, Copy)]
pub struct Site<'a> {
    pub analysis: &'a Analysis,
    pub model: &'a Model,
}

impl std::ops::Deref for Site<'_> {
    type Target = Model;

    fn deref(&self) -> &Model {
        self.model
    }
}

impl<'a> Site<'a> {
    pub fn new(analysis: &'a Analysis, model: &'a Model) -> Site<'a> {
        Site { analysis, model }
    }

    pub fn definition(&self, id: DefinitionId) -> &'a Definition {
        self.analysis.definition(id)
    }

    /// The definition a name at this span resolved to.
    pub fn resolved(&self, span: Span) -> Option<DefinitionId> {
        self.analysis.resolution.resolved(span)
    }

    pub fn item(&self, id: DefinitionId) -> &'a Item {
        self.analysis.item(id)
    }

    pub fn role(&self, id: DefinitionId) -> &'a Role {
        role_of(self.analysis, id)
    }

    /// `module.name` for stdlib definitions, `name` for the site's.
    pub fn qualified_name(&self, id: DefinitionId) -> String {
        self.analysis.qualified_name(id)
    }

    /// Every site definition of one kind, in declaration order.
    pub fn site_definitions(
        &self,
        kind: DefinitionKind,
    ) -> impl Iterator<Item = DefinitionId> + 'a {
        self.analysis.site_definitions(kind)
    }

    /// A service's openings, each tagged with the innermost service it came from.
    pub fn service_openings(&self, id: DefinitionId) -> Arc<Vec<Opening>> {
        self.model.services.get(&id).cloned().unwrap_or_default()
    }

    /// The `seed NNN § "…"` citation among doc lines, if there is one.
    pub fn citation(docs: &[crate::syntax::ast::DocLine]) -> Option<String> {
        docs.iter()
            .map(|line| line.text.trim())
            .find(|text| text.starts_with("seed "))
            .map(str::to_string)
    }
}

fn role_of(analysis: &Analysis, id: DefinitionId) -> &Role {
    match &analysis.item(id).kind {
        ItemKind::Role(role) => role,
        _ => unreachable!("role definitions are role items"),
    }
}

/// The value behind a lock. A lock is poisoned only by a panic while it was held,
/// which no caller survives (a panic on an expansion thread continues on the joining thread),
/// so the value is taken as it is.
pub(crate) fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
