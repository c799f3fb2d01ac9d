//! Port specs and services turned into openings. Lowering evaluates every service once, site
//! services first in the order they are written, and reports a service that includes itself.

use super::evaluate::{as_ports, evaluate, EvaluationError};
use super::types::Value;
use super::{Model, Site, CYCLE, UNKNOWN_PROTOCOL_NAME};
use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::model::{Opening, PortSet, Protocol};
use crate::resolve::{DefinitionId, DefinitionKind};
use crate::syntax::ast::{
    IcmpVersion, ItemKind, NamedProtocol, NumberOrName, Path, PortSpec, Ports, Transport,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// ICMP type names (RFC 792 and the IANA registry) and their numbers.
const ICMP_TYPES: &[(&str, u16)] = &[
    ("echo-reply", 0),
    ("destination-unreachable", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("router-advertisement", 9),
    ("router-solicitation", 10),
    ("time-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp-request", 13),
    ("timestamp-reply", 14),
];

/// ICMPv6 type names (RFC 4443, RFC 4861) and their numbers.
const ICMPV6_TYPES: &[(&str, u16)] = &[
    ("destination-unreachable", 1),
    ("packet-too-big", 2),
    ("time-exceeded", 3),
    ("parameter-problem", 4),
    ("echo-request", 128),
    ("echo-reply", 129),
    ("router-solicitation", 133),
    ("router-advertisement", 134),
    ("neighbor-solicitation", 135),
    ("neighbor-advertisement", 136),
];

/// IP protocol names accepted after `proto`.
const PROTOCOLS: &[(&str, u8)] = &[
    ("icmp", 1),
    ("igmp", 2),
    ("tcp", 6),
    ("udp", 17),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ospf", 89),
    ("vrrp", 112),
    ("sctp", 132),
];

impl Site<'_> {
    /// The openings of a port spec. `lookup` gives role parameters and loop variables; an
    /// unknown ICMP type or protocol name goes to `report`.
    pub fn openings(
        &self,
        spec: &PortSpec,
        lookup: &dyn Fn(&Path) -> Option<Value>,
        report: &dyn Fn(Diagnostic),
    ) -> Result<Vec<Opening>, EvaluationError> {
        let specs = Specs {
            analysis: self.analysis,
            service: &|id| self.service_openings(id),
            report,
        };
        specs.openings(spec, lookup)
    }
}

/// Evaluates every service of the site and the stdlib into `model.services`.
pub(super) fn evaluate_services(analysis: &Analysis, model: &mut Model) {
    let evaluation = ServiceEvaluation {
        analysis,
        done: RefCell::new(HashMap::new()),
        stack: RefCell::new(Vec::new()),
        diagnostics: RefCell::new(Vec::new()),
    };
    // Every site service, used or not, so that its mistakes are reported; then the stdlib's.
    for service in analysis.site_definitions(DefinitionKind::Service) {
        evaluation.service(service);
    }
    for (index, definition) in analysis.resolution.definitions.iter().enumerate() {
        if definition.kind == DefinitionKind::Service {
            evaluation.service(DefinitionId(index as u32));
        }
    }
    model.services = evaluation.done.into_inner();
    model
        .diagnostics
        .extend(evaluation.diagnostics.into_inner());
}

/// The state of evaluating services: the finished ones, and the ones being evaluated (a
/// service met again on this stack includes itself).
struct ServiceEvaluation<'a> {
    analysis: &'a Analysis,
    done: RefCell<HashMap<DefinitionId, Arc<Vec<Opening>>>>,
    stack: RefCell<Vec<DefinitionId>>,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl ServiceEvaluation<'_> {
    fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    fn service(&self, id: DefinitionId) -> Arc<Vec<Opening>> {
        if let Some(known) = self.done.borrow().get(&id) {
            return Arc::clone(known);
        }
        if self.stack.borrow().contains(&id) {
            let definition = self.analysis.definition(id);
            self.report(Diagnostic::error(
                CYCLE,
                definition.name_span,
                format!("service `{}` includes itself", definition.name),
            ));
            return Arc::new(Vec::new());
        }
        self.stack.borrow_mut().push(id);
        let name = self.analysis.qualified_name(id);
        let specs = Specs {
            analysis: self.analysis,
            service: &|id| self.service(id),
            report: &|diagnostic| self.report(diagnostic),
        };
        let mut openings = Vec::new();
        if let ItemKind::Service(service) = &self.analysis.item(id).kind {
            for spec in &service.specs {
                // Services are constants: a name in a port has no value here.
                match specs.openings(spec, &|_| None) {
                    Ok(found) => openings.extend(found),
                    Err((span, message)) if !message.is_empty() => {
                        self.report(Diagnostic::error(super::INVALID_EXPRESSION, span, message));
                    }
                    Err(_) => {}
                }
            }
        }
        for opening in &mut openings {
            opening.service.get_or_insert_with(|| name.clone());
        }
        // The same opening twice opens nothing more; kept, `service s2 = s1, s1` doubling down
        // twenty levels would make millions of copies of one port.
        let mut seen = std::collections::HashSet::new();
        openings.retain(|opening| seen.insert(opening.clone()));
        self.stack.borrow_mut().pop();
        let openings = Arc::new(openings);
        self.done.borrow_mut().insert(id, Arc::clone(&openings));
        openings
    }
}

/// What evaluating a port spec reads: names, the openings of named services, and where an
/// unknown ICMP type or protocol name is reported.
struct Specs<'a> {
    analysis: &'a Analysis,
    service: &'a dyn Fn(DefinitionId) -> Arc<Vec<Opening>>,
    report: &'a dyn Fn(Diagnostic),
}

impl Specs<'_> {
    /// The openings of a port spec. `lookup` gives role parameters and loop variables.
    fn openings(
        &self,
        spec: &PortSpec,
        lookup: &dyn Fn(&Path) -> Option<Value>,
    ) -> Result<Vec<Opening>, EvaluationError> {
        let opening = |protocol, ports| Opening {
            protocol,
            ports,
            source_ports: PortSet::full(),
            service: None,
        };
        Ok(match spec {
            PortSpec::Transport {
                transport,
                ports,
                source_ports,
                ..
            } => {
                let protocol = match transport {
                    Transport::Tcp => Protocol::Tcp,
                    Transport::Udp => Protocol::Udp,
                };
                let source_ports = match source_ports {
                    Some(source_ports) => port_set(source_ports, lookup)?,
                    None => PortSet::full(),
                };
                vec![Opening {
                    protocol,
                    ports: port_set(ports, lookup)?,
                    source_ports,
                    service: None,
                }]
            }
            PortSpec::Icmp {
                version, icmp_type, ..
            } => {
                let (protocol, table) = match version {
                    IcmpVersion::V4 => (Protocol::Icmp, ICMP_TYPES),
                    IcmpVersion::V6 => (Protocol::Icmpv6, ICMPV6_TYPES),
                };
                let types = match icmp_type {
                    None => PortSet::range(0, 255),
                    Some(value) => PortSet::single(self.named_number(value, table)?),
                };
                vec![opening(protocol, types)]
            }
            PortSpec::Protocol { protocol, .. } => {
                let number = match protocol {
                    NamedProtocol::Esp => 50,
                    NamedProtocol::Ah => 51,
                    NamedProtocol::Gre => 47,
                };
                vec![opening(Protocol::Ip(number), PortSet::full())]
            }
            PortSpec::ProtocolNumber { protocol, .. } => {
                let table: Vec<(&str, u16)> = PROTOCOLS
                    .iter()
                    .map(|(name, number)| (*name, *number as u16))
                    .collect();
                let protocol = match self.named_number(protocol, &table)? {
                    1 => Protocol::Icmp,
                    6 => Protocol::Tcp,
                    17 => Protocol::Udp,
                    58 => Protocol::Icmpv6,
                    number => Protocol::Ip(number as u8),
                };
                let ports = if matches!(protocol, Protocol::Icmp | Protocol::Icmpv6) {
                    PortSet::range(0, 255)
                } else {
                    PortSet::full()
                };
                vec![opening(protocol, ports)]
            }
            PortSpec::Any(_) => vec![Opening::any()],
            PortSpec::Named(path) => match self.analysis.resolution.resolved(path.span) {
                Some(id) if self.analysis.definition(id).kind == DefinitionKind::Service => {
                    (self.service)(id).to_vec()
                }
                _ if lookup(path).is_some() => {
                    let name = path.text();
                    return Err((path.span, format!("`{name}` is a parameter: give it a protocol, `tcp {name}` or `udp {name}`")));
                }
                // Resolution already reported the unknown name.
                _ => Vec::new(),
            },
        })
    }

    fn named_number(
        &self,
        value: &NumberOrName,
        table: &[(&str, u16)],
    ) -> Result<u16, EvaluationError> {
        match value {
            NumberOrName::Number(int) => Ok(int.value.unwrap_or(0).min(255) as u16),
            NumberOrName::Name(ident) => match table.iter().find(|(name, _)| *name == ident.name) {
                Some((_, number)) => Ok(*number),
                None => {
                    let names: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
                    let mut diagnostic = Diagnostic::error(
                        UNKNOWN_PROTOCOL_NAME,
                        ident.span,
                        format!("unknown name `{}`", ident.name),
                    )
                    .with_note(format!("known names: {}", names.join(", ")));
                    if let Some(suggestion) = crate::resolve::did_you_mean(&ident.name, names) {
                        diagnostic = diagnostic.with_fix(
                            format!("use `{suggestion}`"),
                            ident.span,
                            suggestion,
                        );
                    }
                    (self.report)(diagnostic);
                    Err((ident.span, String::new()))
                }
            },
        }
    }
}

/// A port list: each element a number, a range, or a `ports` parameter.
fn port_set(
    ports: &Ports,
    lookup: &dyn Fn(&Path) -> Option<Value>,
) -> Result<PortSet, EvaluationError> {
    let mut set = PortSet::empty();
    for range in &ports.ranges {
        let value = match &range.end {
            None => evaluate(&range.start, lookup)?,
            Some(end) => {
                let expression = crate::syntax::ast::Expr::Range {
                    start: Box::new(range.start.clone()),
                    end: Box::new(end.clone()),
                    span: range.span,
                };
                evaluate(&expression, lookup)?
            }
        };
        set = set.union(&as_ports(&value, range.span)?);
    }
    Ok(set)
}
