//! Per-target rule lists: the flows a firewall or machine enforces, restricted to it, merged
//! into classes, denies first. Every backend prints these; none computes its own.

use super::addresses::AddressSet;
use super::flow::{Action, Flow, Protocol};
use super::interval_tree::{build, search};
use super::merge::{merge, Piece};
use super::policy::{Direction, MachineFlows, Policy, Target, TargetRules};
use std::borrow::Cow;
use std::net::IpAddr;

impl Policy {
    /// Every target of the site: firewalls first, then machines, each in declaration order.
    pub fn targets(&self) -> Vec<Target> {
        (0..self.firewalls.len())
            .map(Target::Firewall)
            .chain((0..self.machines.len()).map(Target::Machine))
            .collect()
    }

    pub fn target_name(&self, target: Target) -> &str {
        match target {
            Target::Firewall(index) => &self.firewalls[index].name,
            Target::Machine(index) => &self.machines[index].name,
        }
    }

    /// The target with this name, firewall or machine.
    pub fn target_named(&self, name: &str) -> Option<Target> {
        self.targets()
            .into_iter()
            .find(|target| self.target_name(*target) == name)
    }

    /// For each machine, the flows whose source or destination holds one of its addresses, in
    /// flow order; a machine's ruleset reads only these. Built on first use (only rulesets of
    /// machines need it, `flowc check` never does) from one interval tree over every machine
    /// address range, queried with each flow's ranges, so a site of many machines and many
    /// flows never compares every machine with every flow.
    pub fn machine_flows(&self) -> &MachineFlows {
        self.machine_flows_cache.get_or_init(|| {
            // One tree per family, over plain numbers.
            let trees = [false, true].map(|ipv6| {
                let mut ranges: Vec<((u128, u128), u32)> = Vec::new();
                for (machine, info) in self.machines.iter().enumerate() {
                    let machine = machine as u32;
                    ranges.extend(
                        info.addresses
                            .family_ranges(ipv6)
                            .map(|range| (range, machine)),
                    );
                }
                ranges.sort_unstable();
                let (intervals, machines): (Vec<(u128, u128)>, Vec<u32>) =
                    ranges.into_iter().unzip();
                let mut max_end = vec![0; intervals.len()];
                build(&intervals, &mut max_end);
                (intervals, max_end, machines)
            });
            // Every (machine, flow) pair once, in flow order; a flow meets a machine several
            // times when both its ends or several of its ranges hold the machine's addresses.
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            let mut last_flow = vec![u32::MAX; self.machines.len()];
            for (index, flow) in self.flows.iter().enumerate() {
                let index = index as u32;
                for (ipv6, (intervals, max_end, machines)) in [false, true].into_iter().zip(&trees)
                {
                    let ends = flow.source.family_ranges(ipv6);
                    for range in ends.chain(flow.destination.family_ranges(ipv6)) {
                        search(intervals, max_end, 0, range, &mut |position| {
                            let machine = machines[position];
                            if last_flow[machine as usize] != index {
                                last_flow[machine as usize] = index;
                                pairs.push((machine, index));
                            }
                        });
                    }
                }
            }
            // A counting sort by machine keeps each machine's flows in flow order.
            let mut starts = vec![0u32; self.machines.len() + 1];
            for &(machine, _) in &pairs {
                starts[machine as usize + 1] += 1;
            }
            for machine in 1..starts.len() {
                starts[machine] += starts[machine - 1];
            }
            let mut next = starts.clone();
            let mut flows = vec![0u32; pairs.len()];
            for (machine, flow) in pairs {
                flows[next[machine as usize] as usize] = flow;
                next[machine as usize] += 1;
            }
            MachineFlows { starts, flows }
        })
    }

    /// The ruleset of one target.
    pub fn rules_for(&self, target: Target) -> TargetRules<'_> {
        let mut pieces: Vec<Piece<'_>> = Vec::new();
        match target {
            Target::Firewall(index) => {
                for route in self
                    .routes
                    .iter()
                    .filter(|route| route.firewalls.contains(&index))
                {
                    let flow = &self.flows[route.flow];
                    if flow.opening.opens_nothing() {
                        continue;
                    }
                    pieces.push((
                        Direction::Forward,
                        flow,
                        Cow::Borrowed(&route.source),
                        Cow::Borrowed(&route.destination),
                    ));
                }
            }
            Target::Machine(index) => {
                let own = &self.machines[index].addresses;
                let touching = self.machine_flows().of(index);
                let flows = touching.iter().map(|&flow| &self.flows[flow as usize]);
                for flow in flows.filter(|flow| !flow.opening.opens_nothing()) {
                    let inbound = restricted(&flow.destination, own);
                    if !inbound.is_empty() {
                        pieces.push((Direction::Input, flow, Cow::Borrowed(&flow.source), inbound));
                    }
                    let outbound = restricted(&flow.source, own);
                    if !outbound.is_empty() {
                        pieces.push((
                            Direction::Output,
                            flow,
                            outbound,
                            Cow::Borrowed(&flow.destination),
                        ));
                    }
                }
            }
        }
        TargetRules {
            target,
            name: self.target_name(target).to_string(),
            rules: merge(pieces),
        }
    }

    /// Whether one packet is allowed: some allow flow contains it and no deny flow does.
    /// This is the model's exact answer, used to predict what the kernel must do.
    pub fn decide(
        &self,
        source: IpAddr,
        destination: IpAddr,
        protocol: Protocol,
        port: u16,
        source_port: u16,
    ) -> bool {
        let matches = |flow: &Flow| {
            let opening = &flow.opening;
            let ports_match = match opening.protocol {
                Protocol::Any => true,
                Protocol::Tcp | Protocol::Udp => {
                    opening.ports.contains(port) && opening.source_ports.contains(source_port)
                }
                // For ICMP the port is the ICMP type.
                Protocol::Icmp | Protocol::Icmpv6 => opening.ports.contains(port),
                Protocol::Ip(_) => true,
            };
            let protocol_matches =
                opening.protocol == Protocol::Any || opening.protocol == protocol;
            flow.source.contains(source)
                && flow.destination.contains(destination)
                && protocol_matches
                && ports_match
        };
        let denied = self
            .flows
            .iter()
            .any(|flow| flow.action == Action::Deny && matches(flow));
        !denied
            && self
                .flows
                .iter()
                .any(|flow| flow.action == Action::Allow && matches(flow))
    }
}

/// `set ∩ own`, borrowing `own` when `set` holds all of it: the usual case (a host has one
/// address, and a flow reaches all of it or none), so no set is built per flow and machine.
fn restricted<'a>(set: &AddressSet, own: &'a AddressSet) -> Cow<'a, AddressSet> {
    if own.is_subset(set) {
        Cow::Borrowed(own)
    } else {
        Cow::Owned(set.intersection(own))
    }
}
