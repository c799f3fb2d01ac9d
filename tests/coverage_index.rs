//! The interval-tree indexes answer exactly what comparing everything with everything would, on
//! random sites (IPv4 and IPv6 hosts, groups with gaps, port ranges, source ports, ICMP and
//! any-protocol flows): the coverage index against random questions, and the per-machine flow
//! lists against every machine.

use flowc_compiler::coverage::{boxes, FlowIndex, PacketBox};
use flowc_compiler::model::policy::Touch;
use flowc_compiler::model::{Action, Flow, Policy};
use flowc_compiler::{check, MemoryWorld};
use proptest::prelude::*;

/// A host address: IPv4 in 198.18.0.0/24, or IPv6 in fd00:f10c::/64.
fn address(number: u8, ipv6: bool) -> String {
    if ipv6 {
        format!("fd00:f10c::{number:x}")
    } else {
        format!("198.18.0.{number}")
    }
}

const OPENINGS: &[&str] = &[
    "tcp 22",
    "tcp 1000..1010",
    "udp {53, 67..68}",
    "tcp {80, 443, 8000..8100}",
    "tcp 1058 from 513..1023",
    "udp 514 from 514",
    "icmp",
    "icmp 8",
    "esp",
    "proto 47",
    "any",
];

/// A site of hosts, groups of them, and allows and denies between them; and its flows.
fn site_flows(
    hosts: &[(u8, bool)],
    groups: &[Vec<usize>],
    rules: &[(bool, usize, usize, usize)],
) -> Vec<Flow> {
    site_policy(hosts, groups, rules).flows
}

/// The checked policy of that site.
fn site_policy(
    hosts: &[(u8, bool)],
    groups: &[Vec<usize>],
    rules: &[(bool, usize, usize, usize)],
) -> Policy {
    let mut text = String::from("zone inside = any\n");
    for (index, &(number, ipv6)) in hosts.iter().enumerate() {
        text.push_str(&format!("host h{index} = {}\n", address(number, ipv6)));
    }
    for (index, members) in groups.iter().enumerate() {
        let names: Vec<String> = members
            .iter()
            .map(|member| format!("h{}", member % hosts.len()))
            .collect();
        text.push_str(&format!("group g{index} = {}\n", names.join(", ")));
    }
    let endpoints = hosts.len() + groups.len();
    let name = |index: usize| {
        let index = index % endpoints;
        if index < hosts.len() {
            format!("h{index}")
        } else {
            format!("g{}", index - hosts.len())
        }
    };
    for &(allow, source, destination, opening) in rules {
        text.push_str(&format!(
            "{} {} -> {} : {}\n",
            if allow { "allow" } else { "deny" },
            name(source),
            name(destination),
            OPENINGS[opening % OPENINGS.len()]
        ));
    }
    let checked = check(&MemoryWorld::single("site.flow", &text));
    assert!(
        checked.lowered(),
        "the generated site must check:\n{text}\n{:?}",
        checked.analysis.diagnostics
    );
    checked.policy
}

/// A question box somewhere around the generated addresses and ports: often wide in some
/// dimensions, so that questions meet flows, and narrow in others, so that they cut them.
fn question() -> impl Strategy<Value = PacketBox> {
    let base = |ipv6: bool| {
        if ipv6 {
            0xfd00_f10c_0000_0000_0000_0000_0000_0000_u128
        } else {
            0xc612_0000_u128
        }
    };
    let width = || prop::sample::select(vec![0u128, 3, 20, 100, 300]);
    let ports = || {
        prop_oneof![
            Just((0u128, 65535u128)),
            (0u128..1200, 0u128..300).prop_map(|(start, width)| (start, start + width)),
        ]
    };
    (
        any::<bool>(),
        ((0u128..260, width()), (0u128..260, width())),
        prop::sample::select(vec![(0u128, 255u128), (6, 6), (17, 17), (1, 1), (50, 50)]),
        ports(),
        ports(),
    )
        .prop_map(move |(ipv6, addresses, protocol, port, source_port)| {
            let ((source, source_width), (destination, destination_width)) = addresses;
            let start = base(ipv6);
            PacketBox {
                ipv6,
                ranges: [
                    (start + source, start + source + source_width),
                    (start + destination, start + destination + destination_width),
                    protocol,
                    port,
                    source_port,
                ],
            }
        })
}

fn brute_force(
    flows: &[Flow],
    keep: impl Fn(&Flow) -> bool,
    query: &PacketBox,
) -> Vec<(PacketBox, usize)> {
    let mut found: Vec<(PacketBox, usize)> = flows
        .iter()
        .enumerate()
        .filter(|(_, flow)| keep(flow))
        .flat_map(|(index, flow)| {
            boxes(&flow.source, &flow.destination, &flow.opening)
                .into_iter()
                .map(move |packet| (packet, index))
        })
        .filter(|(packet, _)| packet.intersection(query).is_some())
        .collect();
    found.sort();
    found.dedup();
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn index_finds_exactly_the_overlapping_boxes(
        hosts in prop::collection::vec((0u8..250, prop::bool::weighted(0.3)), 1..24),
        groups in prop::collection::vec(prop::collection::vec(0usize..24, 1..6), 0..6),
        rules in prop::collection::vec((prop::bool::weighted(0.8), 0usize..40, 0usize..40, 0usize..10), 1..40),
        questions in prop::collection::vec(question(), 1..24),
    ) {
        let flows = site_flows(&hosts, &groups, &rules);
        prop_assert!(!flows.is_empty());
        // Besides the random questions, every box of the first flows, a little widened: each
        // of these must at least find the box it came from.
        let mut questions = questions;
        let random_questions = questions.len();
        for flow in flows.iter().take(8) {
            for packet in boxes(&flow.source, &flow.destination, &flow.opening) {
                let mut wider = packet;
                for range in &mut wider.ranges[2..] {
                    *range = (range.0.saturating_sub(1), range.1 + 1);
                }
                questions.push(packet);
                questions.push(wider);
            }
        }
        let mut met = 0;
        for action in [Action::Allow, Action::Deny] {
            let keep = |flow: &Flow| flow.action == action;
            let index = FlowIndex::new(&flows, keep);
            for query in &questions {
                let mut answer = index.overlapping(query);
                answer.sort();
                answer.dedup();
                met += answer.len();
                prop_assert_eq!(answer, brute_force(&flows, keep, query));
            }
        }
        prop_assert!(met > 0 || questions.len() == random_questions);
    }

    #[test]
    fn machine_flows_are_exactly_the_flows_touching_each_machine(
        hosts in prop::collection::vec((0u8..250, prop::bool::weighted(0.3)), 1..24),
        groups in prop::collection::vec(prop::collection::vec(0usize..24, 1..6), 0..6),
        rules in prop::collection::vec((prop::bool::weighted(0.8), 0usize..40, 0usize..40, 0usize..10), 1..40),
    ) {
        let policy = site_policy(&hosts, &groups, &rules);
        for (machine, info) in policy.machines.iter().enumerate() {
            let touching: Vec<u32> = (policy.flows.iter().enumerate())
                .filter(|(_, flow)| {
                    flow.source.intersects(&info.addresses)
                        || flow.destination.intersects(&info.addresses)
                })
                .map(|(index, _)| index as u32)
                .collect();
            prop_assert_eq!(policy.machine_flows().of(machine), &touching[..]);
            // Which ends touch: `All` only when that end holds every address of the machine,
            // `Some` when it holds part (or, for a machine of several ranges, maybe all).
            let ends = policy.machine_flows().ends_of(machine);
            prop_assert_eq!(ends.len(), touching.len());
            for (&flow, ends) in touching.iter().zip(ends) {
                let flow = &policy.flows[flow as usize];
                for (end, set) in [(ends.source, &flow.source), (ends.destination, &flow.destination)] {
                    let expected = if !set.intersects(&info.addresses) {
                        vec![Touch::None]
                    } else if !info.addresses.is_subset(set) {
                        vec![Touch::Some]
                    } else if info.addresses.v4.ranges().len() + info.addresses.v6.ranges().len() == 1 {
                        vec![Touch::All]
                    } else {
                        vec![Touch::Some, Touch::All]
                    };
                    prop_assert!(expected.contains(&end), "{:?} not in {:?}", end, expected);
                }
            }
        }
    }
}
