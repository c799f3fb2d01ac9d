//! The AIX backend: snapshots, shell syntax, balanced IF/ENDIF blocks, and the rules run by a
//! small interpreter of genfilt's first-match semantics against `Policy::decide` for packets
//! to and from each AIX host (there is no AIX kernel to load them into here).

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, Backend, Input};
use flowc_compiler::model::{Policy, Protocol, Target};
use std::collections::BTreeMap;
use std::net::IpAddr;

fn aix() -> &'static dyn Backend {
    backend("aix").expect("registered")
}

#[test]
fn every_site_snapshots_and_every_script_is_valid_shell() {
    for path in sites() {
        let checked = checked(&path);
        let text = emit_all(aix(), &checked);
        snapshot("aix", &site_name(&path), &text);
        for (name, script) in rulesets(aix(), &checked) {
            let file = temporary_file(&script, "sh");
            let status = std::process::Command::new("sh")
                .arg("-n")
                .arg(file.path())
                .status()
                .expect("sh runs");
            assert!(status.success(), "{name}: not valid shell:\n{script}");
            let mut depth = 0i32;
            for line in script.lines().filter(|line| line.starts_with("genfilt")) {
                depth += i32::from(line.contains(" -a I ")) - i32::from(line.contains(" -a E "));
                assert!(
                    (0..=1).contains(&depth),
                    "{name}: unbalanced IF/ENDIF at {line}"
                );
            }
            assert_eq!(depth, 0, "{name}: an IF is never closed");
        }
    }
}

#[test]
fn the_default_targets_are_the_hosts_holding_nim_roles() {
    let checked = checked(&data_directory().join("emit/kernel.flow"));
    let names: Vec<&str> = aix()
        .targets(&checked.policy)
        .into_iter()
        .map(|target| checked.policy.target_name(target))
        .collect();
    assert_eq!(names, ["nim01", "aix"]);
}

/// One parsed `genfilt` command.
struct Filter(BTreeMap<String, String>);

impl Filter {
    fn parse(line: &str) -> Filter {
        let mut flags = BTreeMap::new();
        let words: Vec<&str> = line
            .split(" -D ")
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        for pair in words[1..].chunks(2) {
            flags.insert(
                pair[0].trim_start_matches('-').to_string(),
                pair.get(1).unwrap_or(&"").to_string(),
            );
        }
        Filter(flags)
    }

    fn get(&self, flag: &str) -> &str {
        self.0.get(flag).map_or("", String::as_str)
    }

    fn address_matches(&self, address: IpAddr, flag: &str, mask_flag: &str) -> bool {
        let network: IpAddr = self.get(flag).parse().expect("an address");
        match (address, network) {
            (IpAddr::V4(address), IpAddr::V4(network)) => {
                let mask = u32::from(
                    self.get(mask_flag)
                        .parse::<std::net::Ipv4Addr>()
                        .expect("a mask"),
                );
                u32::from(address) & mask == u32::from(network) & mask
            }
            (IpAddr::V6(address), IpAddr::V6(network)) => {
                let length: u32 = self.get(mask_flag).parse().expect("a prefix length");
                let mask = if length == 0 {
                    0
                } else {
                    u128::MAX << (128 - length)
                };
                u128::from(address) & mask == u128::from(network) & mask
            }
            _ => false,
        }
    }

    fn port_matches(&self, operator_flag: &str, value_flag: &str, port: u16) -> bool {
        let value: u16 = self.get(value_flag).parse().unwrap_or(0);
        match self.get(operator_flag) {
            "" | "any" => true,
            "eq" => port == value,
            "ge" => port >= value,
            "le" => port <= value,
            other => panic!("unexpected operator {other}"),
        }
    }

    /// Whether a request packet (no ACK) arriving (`inbound`) or leaving matches.
    fn matches(&self, packet: &Packet, inbound: bool) -> bool {
        let version = if packet.source.is_ipv4() { "4" } else { "6" };
        let direction = match self.get("w") {
            "B" => true,
            "I" => inbound,
            "O" => !inbound,
            _ => false,
        };
        let protocol = match self.get("c") {
            "all" | "" => true,
            "tcp" => packet.protocol == Protocol::Tcp,
            "udp" => packet.protocol == Protocol::Udp,
            _ => false, // tcp/ack (replies), ICMP and others: no request probe matches
        };
        self.get("v") == version
            && self.get("i") != "lo0"
            && direction
            && protocol
            && self.address_matches(packet.source, "s", "m")
            && self.address_matches(packet.destination, "d", "M")
            && self.port_matches("o", "p", packet.source_port)
            && self.port_matches("O", "P", packet.port)
    }
}

struct Packet {
    source: IpAddr,
    destination: IpAddr,
    protocol: Protocol,
    port: u16,
    source_port: u16,
}

/// Runs the script's rules on one packet: first match wins, an IF that does not match skips
/// its block, and the default rule denies (the script sets `mkfilt -z D`).
fn verdict(script: &str, packet: &Packet, inbound: bool) -> bool {
    let filters: Vec<Filter> = script
        .lines()
        .filter(|line| line.starts_with("genfilt"))
        .map(Filter::parse)
        .collect();
    let mut index = 0;
    while index < filters.len() {
        let filter = &filters[index];
        match filter.get("a") {
            "I" if !filter.matches(packet, inbound) => {
                while filters[index].get("a") != "E" {
                    index += 1;
                }
            }
            "P" if filter.matches(packet, inbound) => return true,
            "D" if filter.matches(packet, inbound) => return false,
            _ => {}
        }
        index += 1;
    }
    false
}

/// Request packets around every TCP/UDP flow touching `own`: range ends, one past them, and
/// source ports inside and outside a constraint.
fn packets(policy: &Policy, own: &flowc_compiler::model::AddressSet) -> Vec<(Packet, bool)> {
    let mut packets = Vec::new();
    for flow in policy
        .flows
        .iter()
        .filter(|flow| flow.opening.protocol.has_ports())
    {
        let opening = &flow.opening;
        let pick = |set: &flowc_compiler::model::AddressSet, family: bool| {
            if family {
                set.v4.first().map(|value| IpAddr::V4(value.into()))
            } else {
                set.v6.first().map(|value| IpAddr::V6(value.into()))
            }
        };
        let mut ports = Vec::new();
        for &(lo, hi) in opening.ports.ranges() {
            ports.extend([lo, hi, hi.saturating_add(1), lo.saturating_sub(1)]);
        }
        let mut source_ports = vec![1023, 40000];
        source_ports.extend(
            opening
                .source_ports
                .ranges()
                .iter()
                .flat_map(|&(lo, hi)| [lo, hi, hi.saturating_add(1)]),
        );
        for family in [true, false] {
            // Inbound to the host, then outbound from it.
            let ends = [
                (
                    pick(&flow.source, family),
                    pick(&flow.destination.intersection(own), family),
                    true,
                ),
                (
                    pick(&flow.source.intersection(own), family),
                    pick(&flow.destination, family),
                    false,
                ),
            ];
            for (from, to, inbound) in ends {
                let (Some(from), Some(to)) = (from, to) else {
                    continue;
                };
                for &port in &ports {
                    for &source_port in &source_ports {
                        let packet = Packet {
                            source: from,
                            destination: to,
                            protocol: opening.protocol,
                            port,
                            source_port,
                        };
                        packets.push((packet, inbound));
                    }
                }
            }
        }
    }
    packets
}

#[test]
fn the_rules_decide_like_the_model_for_packets_to_and_from_each_aix_host() {
    for site in [
        "emit/kernel.flow",
        "ok/brief_site.flow",
        "ok/stdlib/nim_site.flow",
    ] {
        let checked = checked(&data_directory().join(site));
        let policy = &checked.policy;
        let input = Input::new(policy, &checked.analysis.sources);
        let targets = aix().targets(policy);
        assert!(!targets.is_empty(), "{site} has AIX hosts");
        let (mut allowed, mut denied) = (0, 0);
        for target in targets {
            let Target::Machine(machine) = target else {
                unreachable!()
            };
            let script = aix().emit(&input, Some(target));
            let packets = packets(policy, &policy.machines[machine].addresses);
            assert!(!packets.is_empty(), "{site}: no packets");
            for (packet, inbound) in &packets {
                let request = policy.decide(
                    packet.source,
                    packet.destination,
                    packet.protocol,
                    packet.port,
                    packet.source_port,
                );
                // Stateless: a UDP datagram shaped like the reply of an allowed flow passes too
                // (TCP replies need ACK, which a request does not carry).
                let reply = packet.protocol == Protocol::Udp
                    && policy.decide(
                        packet.destination,
                        packet.source,
                        packet.protocol,
                        packet.source_port,
                        packet.port,
                    );
                let model = request || reply;
                let rules = verdict(&script, packet, *inbound);
                assert_eq!(
                    rules,
                    model,
                    "{site} {}: {:?} {} -> {} port {} from {} ({})",
                    policy.target_name(target),
                    packet.protocol,
                    packet.source,
                    packet.destination,
                    packet.port,
                    packet.source_port,
                    if *inbound { "in" } else { "out" }
                );
                if request {
                    allowed += 1
                } else if !model {
                    denied += 1
                }
            }
        }
        assert!(
            allowed > 20 && denied > 20,
            "{site}: {allowed} allowed, {denied} denied"
        );
    }
}
