//! The port matrix and the flow graph of each firewall hold exactly the model's flows through
//! it (issue 18). Which firewalls a flow crosses is asked of `flowc query`'s answer
//! (`flowc_compiler::ask`, the path between the zones of its addresses), not of the routes the
//! matrix is printed from; each crossing flow must be one row of `--for FIREWALL`'s matrix with
//! the same action, source, destination, protocol, ports and source ports, no other row may be
//! there, and the graph `--for FIREWALL` draws an edge for each.

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, endpoint_names, Input};
use flowc_compiler::model::flow::port_list;
use flowc_compiler::model::{Action, AddressSet, Flow, Protocol};
use flowc_compiler::{ask, check, Checked, MemoryWorld, World};
use std::collections::{BTreeMap, BTreeSet};

/// The cells a matrix row must agree on: action, source, destination, protocol, ports and
/// source ports (columns 0, 1, 3, 5, 6, 7).
type Key = [String; 6];

fn key_of_row(row: &[String]) -> Key {
    [0, 1, 3, 5, 6, 7].map(|column| row[column].clone())
}

/// The same cells, from the model's flow.
fn key_of_flow(checked: &Checked, flow: &Flow) -> Key {
    let policy = &checked.policy;
    let opening = &flow.opening;
    let ports = match opening.protocol {
        Protocol::Tcp | Protocol::Udp => port_list(&opening.ports, "-", ","),
        Protocol::Icmp | Protocol::Icmpv6 if !opening.ports.is_full() => {
            port_list(&opening.ports, "-", ",")
        }
        _ => String::new(),
    };
    let source_ports = if opening.source_ports.is_full() {
        String::new()
    } else {
        port_list(&opening.source_ports, "-", ",")
    };
    [
        if flow.action == Action::Allow {
            "allow"
        } else {
            "deny"
        }
        .to_string(),
        endpoint_names(policy, &flow.source_holders, &flow.origin.source_label).join(" "),
        endpoint_names(
            policy,
            &flow.destination_holders,
            &flow.origin.destination_label,
        )
        .join(" "),
        opening.protocol.name(),
        ports,
        source_ports,
    ]
}

/// An address set as a query endpoint: its CIDRs, comma-separated.
fn endpoint(set: &AddressSet) -> String {
    let networks: Vec<String> = set.to_networks().iter().map(ToString::to_string).collect();
    networks.join(", ")
}

/// Splits CSV text into records (RFC 4180 quoting).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                field.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (character, _) => field.push(character),
        }
    }
    records
}

/// A DOT double-quoted string's contents, as the graph writes them.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A flow edge of the graph: `"kind:from" -> "kind:to" [label="[deny ]a\\nb", …];` as
/// ((from, to, deny), openings); other lines give nothing.
fn parse_edge(line: &str) -> Option<((String, String, bool), BTreeSet<String>)> {
    let rest = line.trim().strip_prefix('"')?;
    let (from, rest) = rest.split_once("\" -> \"")?;
    let (to, rest) = rest.split_once("\" [label=\"")?;
    let (label, _) = rest.rsplit_once('"')?;
    let name = |node: &str| node.split_once(':').map(|(_, name)| name.to_string());
    let deny = label.starts_with("deny ");
    let openings = label
        .trim_start_matches("deny ")
        .split("\\n")
        .map(str::to_string);
    Some(((name(from)?, name(to)?, deny), openings.collect()))
}

fn agrees(what: &str, world: &dyn World, checked: &Checked) -> usize {
    let policy = &checked.policy;
    assert!(
        !policy.firewalls.is_empty(),
        "{what}: a site with firewalls"
    );
    // The firewalls between the zones of each (source, destination), as `flowc query` says.
    let mut crossings: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut firewalls_of = |flow: &Flow| -> Vec<String> {
        let pair = (endpoint(&flow.source), endpoint(&flow.destination));
        (crossings.entry(pair.clone()))
            .or_insert_with(|| match ask(world, &pair.0, &pair.1, "any") {
                Ok(answer) => answer.firewalls,
                Err(checked) => panic!(
                    "{what}: query {} -> {}: {:?}",
                    pair.0, pair.1, checked.analysis.diagnostics
                ),
            })
            .clone()
    };
    let flows: Vec<(&Flow, Vec<String>)> = (policy.flows.iter())
        .filter(|flow| !flow.opening.opens_nothing())
        .map(|flow| (flow, firewalls_of(flow)))
        .collect();
    let input = Input::new(policy, &checked.analysis.sources);
    let mut compared = 0;
    for firewall in &policy.firewalls {
        let name = &firewall.name;
        let target = policy.target_named(name).expect("a firewall is a target");
        let crossing: Vec<&Flow> = (flows.iter())
            .filter(|(_, firewalls)| firewalls.contains(name))
            .map(|(flow, _)| *flow)
            .collect();
        let expected: BTreeSet<Key> = (crossing.iter())
            .map(|flow| key_of_flow(checked, flow))
            .collect();
        let csv = backend("matrix-csv").unwrap().emit(&input, Some(target));
        let rows = parse_csv(&csv);
        let found: BTreeSet<Key> = rows.iter().skip(1).map(|row| key_of_row(row)).collect();
        let missing: Vec<_> = expected.difference(&found).collect();
        let extra: Vec<_> = found.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{what} {name}: the matrix misses flows through it {missing:?} and has rows of flows that do not cross it {extra:?}"
        );
        for row in rows.iter().skip(1) {
            assert!(
                row[8].split(' ').any(|listed| listed == name),
                "{what} {name}: a row does not list the firewall: {row:?}"
            );
        }
        // The graph: one edge per (source, destination, action), labelled with every opening.
        let dot = backend("dot").unwrap().emit(&input, Some(target));
        let edges: BTreeMap<(String, String, bool), BTreeSet<String>> =
            dot.lines().filter_map(parse_edge).collect();
        let mut pairs: BTreeSet<(String, String, bool)> = BTreeSet::new();
        for flow in &crossing {
            let sources = endpoint_names(policy, &flow.source_holders, &flow.origin.source_label);
            let destinations = endpoint_names(
                policy,
                &flow.destination_holders,
                &flow.origin.destination_label,
            );
            let opening = escape(&flow.opening.describe());
            for from in &sources {
                for to in &destinations {
                    let pair = (escape(from), escape(to), flow.action == Action::Deny);
                    assert!(
                        edges
                            .get(&pair)
                            .is_some_and(|openings| openings.contains(&opening)),
                        "{what} {name}: no edge {pair:?} labelled {opening}:\n{dot}"
                    );
                    pairs.insert(pair);
                }
            }
        }
        assert_eq!(
            edges.len(),
            pairs.len(),
            "{what} {name}: the graph has edges of flows that do not cross it:\n{dot}"
        );
        eprintln!(
            "{what} {name}: {} of {} flows cross it, {} rows, {} edges",
            crossing.len(),
            flows.len(),
            rows.len() - 1,
            edges.len()
        );
        compared += expected.len();
    }
    compared
}

#[test]
fn each_firewalls_matrix_and_graph_hold_exactly_the_flows_through_it() {
    let mut compared = 0;
    for relative in [
        "emit/kernel.flow",
        "emit/features.flow",
        "ok/brief_site.flow",
    ] {
        let path = data_directory().join(relative);
        let text = std::fs::read_to_string(&path).expect("readable");
        let world = MemoryWorld::single(&data_name(&path), &text);
        compared += agrees(relative, &world, &checked(&path));
    }
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/site");
    let mut world = MemoryWorld::default();
    for entry in std::fs::read_dir(&directory)
        .expect("examples/site")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".flow") {
            let text = std::fs::read_to_string(entry.path()).expect("readable");
            world.files.insert(name, text);
        }
    }
    let example = check(&world);
    assert!(!example.has_errors(), "{:?}", example.analysis.diagnostics);
    compared += agrees("examples/site", &world, &example);
    assert!(compared > 50, "only {compared} rows compared");
}
