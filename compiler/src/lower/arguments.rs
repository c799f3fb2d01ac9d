//! Role instances: every `is ROLE(args)` of every machine, with each argument checked against
//! its parameter's type. Host-typed parameters that are omitted are bound later, when a flow
//! uses them, because only then is it known whether one holder or several would fit.

use super::evaluate::{as_ports, evaluate};
use super::types::{ParamKind, Value};
use super::{Model, RoleInstance, MISSING_ARGUMENT, UNKNOWN_PARAMETER, WRONG_ARGUMENT};
use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::resolve::{did_you_mean, DefinitionId};
use crate::syntax::ast::{Argument, Expr, ItemKind, Param, RoleUse};
use std::cell::RefCell;
use std::collections::BTreeMap;

pub(super) fn collect_instances(analysis: &Analysis, model: &mut Model) {
    // First every (machine, role) pair, so `host is ROLE` arguments can check who holds what.
    let mut uses: Vec<&RoleUse> = Vec::new();
    for (index, machine) in model.machines.iter().enumerate() {
        let item = analysis.item(machine.definition);
        let role_uses = match &item.kind {
            ItemKind::Host(host) => &host.roles,
            ItemKind::Group(group) => &group.roles,
            _ => continue,
        };
        for role_use in role_uses {
            let Some(role) = analysis.resolution.resolved(role_use.role.span) else {
                continue;
            };
            model
                .holders
                .entry(role)
                .or_default()
                .push(model.instances.len());
            model.instances.push(RoleInstance {
                machine: index,
                role,
                role_name: analysis.qualified_name(role),
                use_span: role_use.span,
                item_span: item.span,
                arguments: BTreeMap::new(),
                rejected: Vec::new(),
                arguments_failed: false,
            });
            uses.push(role_use);
        }
    }
    let diagnostics = RefCell::new(Vec::new());
    let report = |diagnostic| diagnostics.borrow_mut().push(diagnostic);
    let checked: Vec<_> = (uses.into_iter().enumerate())
        .map(|(instance, role_use)| {
            let role = model.instances[instance].role;
            let errors_before = diagnostics.borrow().len();
            let checked = check_arguments(analysis, model, role, role_use, &report);
            (checked, diagnostics.borrow().len() > errors_before)
        })
        .collect();
    for (instance, ((arguments, rejected), failed)) in model.instances.iter_mut().zip(checked) {
        instance.arguments = arguments;
        instance.rejected = rejected;
        instance.arguments_failed = failed;
    }
    model.diagnostics.extend(diagnostics.into_inner());
}

/// What checking arguments reads: the names, the machines and who holds which role, and
/// where mistakes are reported.
struct Checking<'a> {
    analysis: &'a Analysis,
    model: &'a Model,
    report: &'a dyn Fn(Diagnostic),
}

fn check_arguments(
    analysis: &Analysis,
    model: &Model,
    role: DefinitionId,
    role_use: &RoleUse,
    report: &dyn Fn(Diagnostic),
) -> (BTreeMap<String, Value>, Vec<String>) {
    let checking = Checking {
        analysis,
        model,
        report,
    };
    let params: &[Param] = super::role_of(analysis, role)
        .params
        .as_deref()
        .unwrap_or(&[]);
    let role_name = analysis.qualified_name(role);
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
            report(diagnostic.with_note(format!(
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
            report(Diagnostic::error(
                WRONG_ARGUMENT,
                argument.span,
                format!("argument `{}` is given twice", argument.name.name),
            ));
            continue;
        }
        match check_argument(&checking, param, argument) {
            Some(value) => {
                values.insert(param.name.name.clone(), value);
            }
            None => rejected.push(param.name.name.clone()),
        }
    }
    for param in params {
        let kind = ParamKind::of(analysis, param);
        let given = values.contains_key(&param.name.name) || rejected.contains(&param.name.name);
        if param.default.is_none() && !given && !matches!(kind, ParamKind::Host(_)) {
            report(
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
                        kind.describe(analysis)
                    ),
                ),
            );
        }
    }
    (values, rejected)
}

fn check_argument(checking: &Checking<'_>, param: &Param, argument: &Argument) -> Option<Value> {
    let Checking {
        analysis,
        model,
        report,
    } = *checking;
    let kind = ParamKind::of(analysis, param);
    let lookup = |path: &crate::syntax::ast::Path| {
        let machine = (analysis.resolution.resolved(path.span))
            .and_then(|id| model.machine_of.get(&id).copied());
        machine.map(Value::Machine)
    };
    let wrong = |message: String| {
        report(
            Diagnostic::error(WRONG_ARGUMENT, argument.value.span(), message).with_label(
                param.span,
                format!(
                    "`{}` is declared `{}`",
                    param.name.name,
                    kind.describe(analysis)
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
            Some(Value::Addresses(model.machines[machine].addresses.clone()))
        }
        (ParamKind::Host(roles), Value::Machine(machine)) => {
            let holds = roles.iter().any(|role| {
                model.holders.get(role).is_some_and(|instances| {
                    instances
                        .iter()
                        .any(|&instance| model.instances[instance].machine == machine)
                })
            });
            if holds {
                Some(Value::Machine(machine))
            } else {
                let wanted: Vec<String> = roles
                    .iter()
                    .map(|role| analysis.qualified_name(*role))
                    .collect();
                wrong(format!(
                    "`{}` does not hold {}",
                    model.machines[machine].name,
                    wanted.join(" or ")
                ))
            }
        }
        (_, Value::Word(word)) if matches!(argument.value, Expr::Name(_)) => wrong(format!(
            "unknown name `{word}`: expected {}",
            kind.describe(analysis)
        )),
        (_, other) => wrong(format!(
            "expected {}, found {}",
            kind.describe(analysis),
            other.describe()
        )),
    }
}
