//! Expanding one role instance: `self`, parameters, peers, `if`, `for` and computed ports,
//! per holder. Errors in a role body are reported where the role is used, with a label in the
//! body, because that is the line the administrator can change.

use super::endpoints::{bind_host, named, Resolved};
use super::limits::{
    with_separators, MAX_FLOWS_PER_ITEM, MAX_LOOP_STEPS_PER_ITEM, TOO_MANY_FLOWS_IN_ITEM,
};
use super::Run;
use crate::diagnostic::Diagnostic;
use crate::lower::evaluate::{evaluate, EvaluationError};
use crate::lower::{ParamKind, Site, Value, COMPUTED_PORT_OUT_OF_RANGE, INVALID_EXPRESSION};
use crate::model::{Action, AddressSet, Flow, FlowOrigin};
use crate::syntax::ast::{
    Arrow, BinaryOp, Block, ElseBranch, Endpoint, Expr, IfStatement, Param, Path, Statement,
    StatementKind,
};
use crate::syntax::literals::parse_address;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

/// Expands one instance into `flows`; returns the explicit arguments it never read (those of
/// branches its arguments do not take), for `ineffective-argument`.
pub(super) fn expand_instance(
    site: &Run<'_>,
    instance: usize,
    flows: &mut Vec<Flow>,
) -> Vec<String> {
    let role_instance = &site.instances[instance];
    // An instance whose arguments were rejected opens nothing rather than the defaults: the
    // error says what to fix, and flows the administrator never asked for would only add
    // warnings (a `broad-range` for a default mountd range) on top of it.
    if role_instance.arguments_failed {
        return Vec::new();
    }
    let role = site.role(role_instance.role);
    let Some(body) = &role.body else {
        return Vec::new();
    };
    let machine_item = site.item(site.machines[role_instance.machine].definition);
    let expander = Expander {
        site,
        instance,
        params: role.params.as_deref().unwrap_or(&[]),
        loop_variables: RefCell::new(Vec::new()),
        allowed_lints: super::allowed_lints(machine_item),
        first_flow: flows.len(),
        loop_steps: Cell::new(0),
        exhausted: Cell::new(false),
        read: RefCell::new(BTreeSet::new()),
    };
    expander.block(body, flows);
    if expander.exhausted.get() {
        // A role use over its limit makes no flows: half of them would only mislead the checks.
        flows.truncate(expander.first_flow);
        return Vec::new();
    }
    let read = expander.read.into_inner();
    // Parameters without a default must be given whatever branch is taken, and those that a
    // lint reads (`read by lints: shared_nic` in the role's doc) matter without a flow.
    let read_by_lints: Vec<&str> = (site.item(role_instance.role).docs.iter())
        .filter_map(|line| line.text.trim().strip_prefix("read by lints:"))
        .flat_map(|names| names.split(',').map(str::trim))
        .collect();
    let optional = |name: &str| {
        (expander.params.iter()).any(|param| param.name.name == name && param.default.is_some())
    };
    (role_instance.arguments.keys())
        .filter(|name| {
            !read.contains(name.as_str())
                && optional(name)
                && !read_by_lints.contains(&name.as_str())
        })
        .cloned()
        .collect()
}

struct Expander<'s, 'a> {
    site: &'s Run<'a>,
    instance: usize,
    params: &'a [Param],
    loop_variables: RefCell<Vec<(String, i64)>>,
    allowed_lints: Vec<(String, String)>,
    /// Where this role use's flows start in the list.
    first_flow: usize,
    /// Loop steps taken so far, nested loops counted together.
    loop_steps: Cell<usize>,
    /// Set when this use went over a limit of [`super::limits`]: expansion stops.
    exhausted: Cell<bool>,
    /// The parameters the branches taken read.
    read: RefCell<BTreeSet<&'a str>>,
}

impl Expander<'_, '_> {
    fn instance(&self) -> &crate::lower::RoleInstance {
        &self.site.instances[self.instance]
    }

    /// The value of a name inside the body: loop variables, then parameters.
    fn lookup(&self, path: &Path) -> Option<Value> {
        let [name] = path.segments.as_slice() else {
            return None;
        };
        if let Some((_, value)) = self
            .loop_variables
            .borrow()
            .iter()
            .rev()
            .find(|(variable, _)| *variable == name.name)
        {
            return Some(Value::Int(*value));
        }
        let param = self
            .params
            .iter()
            .find(|param| param.name.name == name.name)?;
        self.read.borrow_mut().insert(param.name.name.as_str());
        if let Some(value) = self.instance().arguments.get(&name.name) {
            return Some(value.clone());
        }
        match ParamKind::of(self.site.analysis, param) {
            ParamKind::Host(_) => {
                bind_host(self.site, self.instance, &name.name, true).map(Value::Machine)
            }
            kind => {
                let default = param.default.as_ref()?;
                let value = evaluate(default, &|_| None).ok()?;
                // A `port` default is a set of one, like a `port` argument.
                Some(match (kind, value) {
                    (ParamKind::Port | ParamKind::Ports, Value::Int(port)) => {
                        Value::Ports(crate::model::PortSet::single(u16::try_from(port).ok()?))
                    }
                    (_, value) => value,
                })
            }
        }
    }

    fn report(&self, (span, message): EvaluationError) {
        if message.is_empty() {
            return;
        }
        let instance = self.instance();
        // Ports are checked as they are computed; their messages say "is out of range".
        let code = if message.contains("is out of range") {
            COMPUTED_PORT_OUT_OF_RANGE
        } else {
            INVALID_EXPRESSION
        };
        let mut diagnostic = Diagnostic::error(
            code,
            instance.use_span,
            format!("in role `{}`: {message}", instance.role_name),
        )
        .with_primary_message(format!("`{}` is used here", instance.role_name))
        .with_label(span, "computed here");
        let loops = self.loop_variables.borrow();
        if !loops.is_empty() {
            let values: Vec<String> = loops
                .iter()
                .map(|(name, value)| format!("{name} = {value}"))
                .collect();
            diagnostic = diagnostic.with_note(format!("with {}", values.join(", ")));
        }
        self.site.report(diagnostic);
    }

    /// Reports that this role use went over a limit, once, and stops its expansion.
    fn exhaust(&self, span: crate::Span, what: String) {
        if self.exhausted.replace(true) {
            return;
        }
        let instance = self.instance();
        let machine = &self.site.machines[instance.machine].name;
        self.site.report(
            Diagnostic::error(
                TOO_MANY_FLOWS_IN_ITEM,
                instance.use_span,
                format!("`{}` on `{machine}` {what}", instance.role_name),
            )
            .with_primary_message(format!("`{}` is used here", instance.role_name))
            .with_label(span, "expanded here")
            .with_note("the role makes no flows for this holder (`flowc explain E0301`)"),
        );
    }

    fn block(&self, block: &Block, flows: &mut Vec<Flow>) {
        for statement in &block.statements {
            if self.exhausted.get() {
                return;
            }
            match &statement.kind {
                StatementKind::Flow(flow) => self.flow(statement, flow, flows),
                StatementKind::If(if_statement) => self.if_statement(if_statement, flows),
                StatementKind::For(for_statement) => {
                    let bound =
                        |expression: &Expr| match evaluate(expression, &|path| self.lookup(path)) {
                            Ok(Value::Int(value)) => Some(value),
                            Ok(other) => {
                                self.report((
                                    expression.span(),
                                    format!(
                                        "a loop bound must be a number, found {}",
                                        other.describe()
                                    ),
                                ));
                                None
                            }
                            Err(error) => {
                                self.report(error);
                                None
                            }
                        };
                    let (Some(start), Some(end)) =
                        (bound(&for_statement.start), bound(&for_statement.end))
                    else {
                        continue;
                    };
                    // One loop too long on its own is refused before its first step.
                    if end.saturating_sub(start) >= MAX_LOOP_STEPS_PER_ITEM as i64 {
                        self.report((
                            for_statement.end.span(),
                            format!("a loop of {} steps is too long", end - start + 1),
                        ));
                        continue;
                    }
                    for value in start..=end {
                        let steps = self.loop_steps.get() + 1;
                        self.loop_steps.set(steps);
                        if steps > MAX_LOOP_STEPS_PER_ITEM {
                            self.exhaust(
                                statement.span,
                                format!(
                                    "takes more than {} loop steps",
                                    with_separators(MAX_LOOP_STEPS_PER_ITEM)
                                ),
                            );
                        }
                        if self.exhausted.get() {
                            break;
                        }
                        self.loop_variables
                            .borrow_mut()
                            .push((for_statement.variable.name.clone(), value));
                        self.block(&for_statement.body, flows);
                        self.loop_variables.borrow_mut().pop();
                    }
                }
                StatementKind::Error => {}
            }
        }
    }

    fn if_statement(&self, if_statement: &IfStatement, flows: &mut Vec<Flow>) {
        self.check_enum_words(&if_statement.condition);
        // The parameters the condition reads count as read only if the branch it selects
        // opens something: `ipmi.bmc(secure = true)` in a site without an `ipmi.manager`
        // takes a branch that opens nothing, so `secure` changes no rule.
        let read_before = self.read.borrow().clone();
        let condition = evaluate(&if_statement.condition, &|path| self.lookup(path));
        let condition_reads: Vec<&str> = (self.read.borrow().iter())
            .filter(|name| !read_before.contains(*name))
            .copied()
            .collect();
        match condition {
            Ok(Value::Bool(true)) => {
                let flows_before = flows.len();
                *self.read.borrow_mut() = read_before;
                self.block(&if_statement.then_block, flows);
                if flows.len() > flows_before || if_statement.then_block.statements.is_empty() {
                    self.read.borrow_mut().extend(condition_reads);
                }
            }
            Ok(Value::Bool(false)) => match &if_statement.else_branch {
                Some(ElseBranch::Block(block)) => self.block(block, flows),
                Some(ElseBranch::If(nested, _)) => self.if_statement(nested, flows),
                None => {}
            },
            Ok(other) => self.report((
                if_statement.condition.span(),
                format!("a condition must be a boolean, found {}", other.describe()),
            )),
            Err(error) => self.report(error),
        }
    }

    /// `protocol == nimhs` would silently be false; a word compared with an enumeration
    /// parameter must be one of its words.
    fn check_enum_words(&self, condition: &Expr) {
        match condition {
            Expr::Binary {
                op: BinaryOp::Equal | BinaryOp::NotEqual,
                lhs,
                rhs,
                ..
            } => {
                for (parameter, word) in [(lhs, rhs), (rhs, lhs)] {
                    let (Expr::Name(parameter), Expr::Name(word)) =
                        (parameter.as_ref(), word.as_ref())
                    else {
                        continue;
                    };
                    let Some(param) = self
                        .params
                        .iter()
                        .find(|param| parameter.is_name(&param.name.name))
                    else {
                        continue;
                    };
                    let ParamKind::Words(words) = ParamKind::of(self.site.analysis, param) else {
                        continue;
                    };
                    let is_local = self.lookup(word).is_some();
                    if !is_local && !words.iter().any(|known| word.is_name(known)) {
                        let message = format!(
                            "`{}` is not a value of `{}` ({})",
                            word.text(),
                            param.name.name,
                            words.join(" | ")
                        );
                        self.report((word.span, message));
                    }
                }
            }
            Expr::Binary { lhs, rhs, .. } => {
                self.check_enum_words(lhs);
                self.check_enum_words(rhs);
            }
            Expr::Not(inner, _) | Expr::Paren(inner, _) => self.check_enum_words(inner),
            _ => {}
        }
    }

    fn endpoint(&self, endpoint: &Endpoint) -> Option<Resolved> {
        let instance = self.instance();
        match endpoint {
            Endpoint::SelfKw(_) => Some(Resolved::machines(
                self.site,
                vec![instance.machine],
                self.site.machines[instance.machine].name.clone(),
            )),
            Endpoint::Any(_) => Some(Resolved {
                addresses: AddressSet::any(),
                machines: Vec::new(),
                label: "any".into(),
            }),
            Endpoint::Address(address) => {
                parse_address(&address.text).ok().map(|network| Resolved {
                    addresses: AddressSet::from_network(network),
                    machines: Vec::new(),
                    label: address.text.clone(),
                })
            }
            Endpoint::Name(path)
                if !path.is_qualified()
                    && self
                        .params
                        .iter()
                        .any(|param| path.is_name(&param.name.name)) =>
            {
                match self.lookup(path)? {
                    Value::Machine(machine) => Some(Resolved::machines(
                        self.site,
                        vec![machine],
                        self.site.machines[machine].name.clone(),
                    )),
                    Value::Addresses(addresses) => Some(Resolved {
                        addresses,
                        machines: Vec::new(),
                        label: path.text(),
                    }),
                    // An `addresses` parameter whose default is `{}` (none): no flow.
                    Value::Ports(ports) if ports.is_empty() => Some(Resolved {
                        addresses: AddressSet::empty(),
                        machines: Vec::new(),
                        label: path.text(),
                    }),
                    other => {
                        self.report((
                            path.span,
                            format!(
                                "`{}` is {}, not a host or addresses",
                                path.text(),
                                other.describe()
                            ),
                        ));
                        None
                    }
                }
            }
            Endpoint::Name(path) => named(self.site, path, Some((instance.role, instance.machine))),
        }
    }

    fn flow(
        &self,
        statement: &Statement,
        syntax: &crate::syntax::ast::FlowSyntax,
        flows: &mut Vec<Flow>,
    ) {
        let sources: Vec<Resolved> = syntax
            .sources
            .iter()
            .filter_map(|endpoint| self.endpoint(endpoint))
            .collect();
        let destinations: Vec<Resolved> = syntax
            .destinations
            .iter()
            .filter_map(|endpoint| self.endpoint(endpoint))
            .collect();
        let instance = self.instance();
        for spec in &syntax.specs {
            let openings = match self.site.openings(spec, &|path| self.lookup(path)) {
                Ok(openings) => openings,
                Err(error) => {
                    self.report(error);
                    continue;
                }
            };
            let citation =
                Site::citation(&statement.docs).or_else(|| super::spec_citation(self.site, spec));
            for opening in openings {
                for source in &sources {
                    for destination in &destinations {
                        let mut pairs = vec![(source, destination)];
                        if syntax.arrow == Arrow::Both {
                            pairs.push((destination, source));
                        }
                        for (from, to) in pairs {
                            if from.addresses.is_empty() || to.addresses.is_empty() {
                                continue;
                            }
                            if flows.len() - self.first_flow >= MAX_FLOWS_PER_ITEM {
                                self.exhaust(
                                    statement.span,
                                    format!(
                                        "expands to more than {} flows",
                                        with_separators(MAX_FLOWS_PER_ITEM)
                                    ),
                                );
                                return;
                            }
                            super::limits::make_room_for_one(flows);
                            flows.push(Flow {
                                action: Action::Allow,
                                source: from.addresses.clone(),
                                destination: to.addresses.clone(),
                                opening: opening.clone(),
                                origin: FlowOrigin {
                                    item: instance.use_span,
                                    statement: Some(statement.span),
                                    role: Some(instance.role_name.clone()),
                                    citation: citation.clone(),
                                    source_label: from.label.clone(),
                                    destination_label: to.label.clone(),
                                    allowed_lints: self.allowed_lints.clone(),
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
}
