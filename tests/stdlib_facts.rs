//! The vendor documents' port facts, one by one: every row of `tests/data/stdlib/*.facts.tsv`
//! (port, protocol, direction, condition, expected) becomes a small site holding the roles
//! involved and one `expect`, which must hold — including the facts that must *not* be open.

mod support;

use flowc_compiler::resolve::DefinitionKind;
use flowc_compiler::syntax::ast::{ItemKind, ParamType, TypeWord};
use flowc_compiler::{check, MemoryWorld, Severity};
use std::collections::BTreeMap;

/// What the stdlib says about one role: its parameters' names, types and defaults.
#[derive(Clone, Debug)]
struct RoleInfo {
    params: Vec<(String, String, bool)>,
}

/// Every stdlib role (`nim.master`) and group (`hmc.ibm_vpn_servers`), read from the compiler.
fn stdlib_names() -> (BTreeMap<String, RoleInfo>, Vec<String>) {
    let analysis = flowc_compiler::analyze(&MemoryWorld::default());
    let mut roles = BTreeMap::new();
    let mut groups = Vec::new();
    for definition in &analysis.resolution.definitions {
        let module = &analysis.resolution.modules[definition.module.0 as usize].name;
        let name = format!("{module}.{}", definition.name);
        let file = analysis.file(definition.item_span.file).unwrap();
        match (
            &definition.kind,
            &file.parsed.ast.items[definition.item_index].kind,
        ) {
            (DefinitionKind::Role, ItemKind::Role(role)) => {
                let params = role
                    .params
                    .iter()
                    .flatten()
                    .map(|param| {
                        let ty = match &param.ty {
                            ParamType::Host { .. } => "host".to_string(),
                            ParamType::Words { words, .. } => match &words[0] {
                                TypeWord::Word(word) => word.name.clone(),
                                TypeWord::Number(number) => number.text.clone(),
                            },
                        };
                        (param.name.name.clone(), ty, param.default.is_some())
                    })
                    .collect();
                roles.insert(name, RoleInfo { params });
            }
            (DefinitionKind::Group, _) => groups.push(name),
            _ => {}
        }
    }
    (roles, groups)
}

struct Row {
    case: String,
    source: String,
    destination: String,
    protocol: String,
    ports: String,
    source_ports: String,
    expected: String,
    condition: String,
}

fn rows(module: &str) -> Vec<Row> {
    let path = support::data_directory().join(format!("stdlib/{module}.facts.tsv"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 9, "{module}: malformed row {line}");
            Row {
                case: fields[0].into(),
                source: fields[1].into(),
                destination: fields[2].into(),
                protocol: fields[3].into(),
                ports: fields[4].into(),
                source_ports: fields[5].into(),
                expected: fields[6].into(),
                condition: fields[7].into(),
            }
        })
        .collect()
}

/// The site that states one fact.
fn site_for(row: &Row, roles: &BTreeMap<String, RoleInfo>, groups: &[String]) -> String {
    // Which roles need a holder: the endpoints', and those named by qualified conditions.
    let module_of = |name: &str| name.split('.').next().unwrap().to_string();
    let mut holders: Vec<String> = Vec::new();
    for endpoint in [&row.source, &row.destination] {
        if roles.contains_key(endpoint.as_str()) && !holders.contains(endpoint) {
            holders.push(endpoint.clone());
        }
    }
    let module = holders
        .first()
        .map(|role| module_of(role))
        .unwrap_or_else(|| module_of(&row.destination));
    let mut arguments: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for term in row
        .condition
        .split(',')
        .map(str::trim)
        .filter(|term| !term.is_empty() && *term != "always")
    {
        let (name, value) = term.split_once('=').expect("conditions are name=value");
        let (role, param) = match name.split_once('.') {
            Some((role, param)) => (format!("{module}.{role}"), param.to_string()),
            None => {
                let owner = holders
                    .iter()
                    .find(|role| {
                        roles[role.as_str()]
                            .params
                            .iter()
                            .any(|(p, _, _)| p == name)
                    })
                    .unwrap_or_else(|| {
                        panic!("{}: no endpoint role has parameter {name}", row.case)
                    });
                (owner.clone(), name.to_string())
            }
        };
        if !holders.contains(&role) {
            holders.push(role.clone());
        }
        // A value that names a role of the module means the machine holding that role.
        let value_role = format!("{module}.{value}");
        let value = if roles.contains_key(&value_role) {
            if !holders.contains(&value_role) {
                holders.push(value_role.clone());
            }
            format!("@{value_role}")
        } else {
            value.to_string()
        };
        arguments
            .entry(role)
            .or_default()
            .push(format!("{param} = {value}"));
    }
    // xcat.flow: a service node host also holds `xcat.node` under its management node.
    let service_node = holders.iter().any(|role| role == "xcat.service_node");
    if service_node && !holders.iter().any(|held| held == "xcat.management_node") {
        holders.push("xcat.management_node".to_string());
    }
    // Peers for host parameters whose roles nobody holds yet, so lazy binding finds one.
    let mut index = 0;
    while index < holders.len() {
        let role = holders[index].clone();
        for (param, ty, _) in &roles[&role].params {
            if ty != "host" {
                continue;
            }
            let wanted = peer_role(&role, param);
            if let Some(wanted) =
                wanted.filter(|wanted| !holders.contains(wanted) && roles.contains_key(wanted))
            {
                holders.push(wanted);
            }
        }
        index += 1;
    }
    let mut text = String::new();
    let mut modules: Vec<String> = holders.iter().map(|role| module_of(role)).collect();
    for endpoint in [&row.source, &row.destination] {
        if groups.contains(endpoint) {
            modules.push(module_of(endpoint));
        }
    }
    modules.sort();
    modules.dedup();
    for module in &modules {
        text.push_str(&format!("import {module}\n"));
    }
    text.push_str("zone everywhere = any\n");
    let host_of: BTreeMap<String, String> = holders
        .iter()
        .enumerate()
        .map(|(number, role)| (role.clone(), format!("h{number}")))
        .collect();
    for (number, role) in holders.iter().enumerate() {
        let mut given = arguments.get(role).cloned().unwrap_or_default();
        for (param, ty, has_default) in &roles[role].params {
            let mentioned = given
                .iter()
                .any(|argument| argument.starts_with(&format!("{param} ")));
            if !has_default && !mentioned && ty != "host" {
                // A required enumeration: its first word.
                given.push(format!("{param} = {ty}"));
            }
        }
        let given: Vec<String> = given
            .into_iter()
            .map(|argument| match argument.split_once("= @") {
                Some((name, role)) => format!("{name}= {}", host_of[role]),
                None => argument,
            })
            .collect();
        let arguments = if given.is_empty() {
            String::new()
        } else {
            format!("({})", given.join(", "))
        };
        let mut uses = format!("{role}{arguments}");
        if role == "xcat.service_node" {
            uses.push_str(&format!(
                ", xcat.node(master = {})",
                host_of["xcat.management_node"]
            ));
        }
        text.push_str(&format!(
            "host h{number} = 198.18.0.{} is {uses}\n",
            10 + number
        ));
        // A fact between two holders of one role (console to console) needs a second holder:
        // inside a role, its own name means the other holders.
        if row.source == row.destination && *role == row.source {
            text.push_str(&format!("host peer = 198.18.0.99 is {uses}\n"));
        }
    }
    text.push_str("host stranger = 198.18.9.9\n");
    let endpoint = |name: &str, other: &str| -> String {
        match name {
            "any" => "stranger".into(),
            "self" => host_of[other].clone(),
            name if host_of.contains_key(name) => host_of[name].clone(),
            name => name.to_string(),
        }
    };
    let source = endpoint(&row.source, &row.destination);
    let destination = if row.source == row.destination && host_of.contains_key(&row.source) {
        "peer".to_string()
    } else {
        endpoint(&row.destination, &row.source)
    };
    let spec = match row.protocol.as_str() {
        "tcp" | "udp" => {
            let from = if row.source_ports == "any" {
                String::new()
            } else {
                format!(" from {}", row.source_ports)
            };
            format!("{} {}{from}", row.protocol, row.ports)
        }
        "icmp" | "icmpv6" => format!("{} {}", row.protocol, row.ports),
        other => other.to_string(),
    };
    text.push_str(&format!(
        "expect {source} -> {destination} : {spec} {}\n",
        row.expected
    ));
    text
}

/// The role a host parameter asks for, read from the role's own declaration.
fn peer_role(role: &str, param: &str) -> Option<String> {
    let analysis = flowc_compiler::analyze(&MemoryWorld::default());
    let (module, name) = role.split_once('.')?;
    let module_id = analysis.resolution.module_named(module)?;
    let id = analysis.resolution.lookup(module_id, name)?;
    let definition = analysis.resolution.definition(id);
    let file = analysis.file(definition.item_span.file)?;
    let ItemKind::Role(role) = &file.parsed.ast.items[definition.item_index].kind else {
        return None;
    };
    let param = role
        .params
        .iter()
        .flatten()
        .find(|candidate| candidate.name.name == param)?;
    let ParamType::Host { roles, .. } = &param.ty else {
        return None;
    };
    let first = roles.first()?;
    Some(if first.is_qualified() {
        first.text()
    } else {
        format!("{module}.{}", first.text())
    })
}

#[test]
fn every_documented_port_fact_holds() {
    let (roles, groups) = stdlib_names();
    let mut failures = Vec::new();
    let mut checked = 0;
    for module in ["nim", "xcat", "hmc", "itm", "ipmi"] {
        let rows = rows(module);
        assert!(rows.len() >= 10, "{module}: only {} facts", rows.len());
        for row in rows {
            let text = site_for(&row, &roles, &groups);
            let result = check(&MemoryWorld::single("facts.flow", &text));
            let errors: Vec<String> = result
                .analysis
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.severity == Severity::Error)
                .map(|diagnostic| format!("{}: {}", diagnostic.code, diagnostic.message))
                .collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{module}/{}:\n{text}{}",
                    row.case,
                    errors.join("\n")
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} facts fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked >= 250, "only {checked} facts were checked");
}
