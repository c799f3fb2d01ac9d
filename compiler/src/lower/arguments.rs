//! Role instances: every `is ROLE(args)` of every machine, with each argument checked against
//! its parameter's type. Host-typed parameters that are omitted are bound later, when a flow
//! uses them, because only then is it known whether one holder or several would fit.

use super::evaluate::{as_ports, evaluate};
use super::types::{ParamKind, Value};
use super::{RoleInstance, Site, MISSING_ARGUMENT, UNKNOWN_PARAMETER, WRONG_ARGUMENT};
use crate::diagnostic::Diagnostic;
use crate::resolve::{did_you_mean, DefinitionId};
use crate::syntax::ast::{Argument, Expr, ItemKind, Param, RoleUse};
use std::collections::BTreeMap;

pub(super) fn collect_instances(site: &mut Site<'_>) {
    // First every (machine, role) pair, so `host is ROLE` arguments can check who holds what.
    let mut uses: Vec<&RoleUse> = Vec::new();
    for (index, machine) in site.machines.iter().enumerate() {
        let item = site.item(machine.definition);
        let role_uses = match &item.kind {
            ItemKind::Host(host) => &host.roles,
            ItemKind::Group(group) => &group.roles,
            _ => continue,
        };
        for role_use in role_uses {
            let Some(role) = site.resolved(role_use.role.span) else {
                continue;
            };
            site.holders
                .entry(role)
                .or_default()
                .push(site.instances.len());
            site.instances.push(RoleInstance {
                machine: index,
                role,
                role_name: site.qualified_name(role),
                use_span: role_use.span,
                item_span: item.span,
                arguments: BTreeMap::new(),
                rejected: Vec::new(),
            });
            uses.push(role_use);
        }
    }
    for (instance, role_use) in uses.into_iter().enumerate() {
        let (arguments, rejected) = check_arguments(site, site.instances[instance].role, role_use);
        site.instances[instance].arguments = arguments;
        site.instances[instance].rejected = rejected;
    }
}

fn check_arguments(
    site: &Site<'_>,
    role: DefinitionId,
    role_use: &RoleUse,
) -> (BTreeMap<String, Value>, Vec<String>) {
    let params: &[Param] = site.role(role).params.as_deref().unwrap_or(&[]);
    let role_name = site.qualified_name(role);
    let mut values = BTreeMap::new();
    let mut rejected = Vec::new();
    for argument in role_use.arguments.iter().flatten() {
        let Some(param) = params
            .iter()
            .find(|param| param.name.name == argument.name.name)
        else {
            let mut diagnostic = Diagnostic::error(
                UNKNOWN_PARAMETER,
                argument.name.span,
                format!(
                    "role `{role_name}` has no parameter `{}`",
                    argument.name.name
                ),
            );
            let names = params.iter().map(|param| param.name.name.as_str());
            if let Some(suggestion) = did_you_mean(&argument.name.name, names) {
                diagnostic = diagnostic
                    .with_primary_message(format!("did you mean `{suggestion}`?"))
                    .with_fix(
                        format!("use `{suggestion}`"),
                        argument.name.span,
                        suggestion,
                    );
            }
            let all: Vec<&str> = params
                .iter()
                .map(|param| param.name.name.as_str())
                .collect();
            site.report(diagnostic.with_note(format!(
                "its parameters: {}",
                if all.is_empty() {
                    "none".into()
                } else {
                    all.join(", ")
                }
            )));
            continue;
        };
        if values.contains_key(&param.name.name) {
            site.report(Diagnostic::error(
                WRONG_ARGUMENT,
                argument.span,
                format!("argument `{}` is given twice", argument.name.name),
            ));
            continue;
        }
        match check_argument(site, param, argument) {
            Some(value) => {
                values.insert(param.name.name.clone(), value);
            }
            None => rejected.push(param.name.name.clone()),
        }
    }
    for param in params {
        let kind = ParamKind::of(site, param);
        let given = values.contains_key(&param.name.name) || rejected.contains(&param.name.name);
        if param.default.is_none() && !given && !matches!(kind, ParamKind::Host(_)) {
            site.report(
                Diagnostic::error(
                    MISSING_ARGUMENT,
                    role_use.span,
                    format!(
                        "role `{role_name}` needs an argument for `{}`",
                        param.name.name
                    ),
                )
                .with_label(
                    param.span,
                    format!(
                        "`{}: {}` has no default",
                        param.name.name,
                        kind.describe(site)
                    ),
                ),
            );
        }
    }
    (values, rejected)
}

fn check_argument(site: &Site<'_>, param: &Param, argument: &Argument) -> Option<Value> {
    let kind = ParamKind::of(site, param);
    let lookup = |path: &crate::syntax::ast::Path| {
        let machine = site
            .resolved(path.span)
            .and_then(|id| site.machine_of.get(&id).copied());
        machine.map(Value::Machine)
    };
    let wrong = |message: String| {
        site.report(
            Diagnostic::error(WRONG_ARGUMENT, argument.value.span(), message).with_label(
                param.span,
                format!(
                    "`{}` is declared `{}`",
                    param.name.name,
                    kind.describe(site)
                ),
            ),
        );
        None
    };
    let value = match evaluate(&argument.value, &lookup) {
        Ok(value) => value,
        Err((_, message)) => return wrong(message),
    };
    match (&kind, value) {
        (ParamKind::Words(words), Value::Word(word)) if words.contains(&word) => {
            Some(Value::Word(word))
        }
        (ParamKind::Words(words), Value::Int(number)) if words.contains(&number.to_string()) => {
            Some(Value::Word(number.to_string()))
        }
        (ParamKind::Words(words), other) => {
            let shown = match &other {
                Value::Word(word) => format!("`{word}`"),
                Value::Int(number) => format!("`{number}`"),
                other => other.describe().to_string(),
            };
            let mut message = format!("{shown} is not one of {}", words.join(" | "));
            if let Value::Word(word) = &other {
                if let Some(suggestion) = did_you_mean(word, words.iter().map(String::as_str)) {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
            }
            wrong(message)
        }
        (ParamKind::Int, Value::Int(number)) => Some(Value::Int(number)),
        (ParamKind::Bool, Value::Bool(value)) => Some(Value::Bool(value)),
        (ParamKind::Port, value @ Value::Int(_))
        | (ParamKind::Ports, value @ (Value::Int(_) | Value::Ports(_))) => {
            match as_ports(&value, argument.value.span()) {
                Ok(ports) => Some(Value::Ports(ports)),
                Err((_, message)) => wrong(message),
            }
        }
        (ParamKind::Addresses, Value::Addresses(set)) => Some(Value::Addresses(set)),
        (ParamKind::Addresses, Value::Machine(machine)) => {
            Some(Value::Addresses(site.machines[machine].addresses.clone()))
        }
        (ParamKind::Host(roles), Value::Machine(machine)) => {
            let holds = roles.iter().any(|role| {
                site.holders.get(role).is_some_and(|instances| {
                    instances
                        .iter()
                        .any(|&instance| site.instances[instance].machine == machine)
                })
            });
            if holds {
                Some(Value::Machine(machine))
            } else {
                let wanted: Vec<String> = roles
                    .iter()
                    .map(|role| site.qualified_name(*role))
                    .collect();
                wrong(format!(
                    "`{}` does not hold {}",
                    site.machines[machine].name,
                    wanted.join(" or ")
                ))
            }
        }
        (_, Value::Word(word)) if matches!(argument.value, Expr::Name(_)) => wrong(format!(
            "unknown name `{word}`: expected {}",
            kind.describe(site)
        )),
        (_, other) => wrong(format!(
            "expected {}, found {}",
            kind.describe(site),
            other.describe()
        )),
    }
}
