//! Per-target rule lists: the flows a firewall or machine enforces, restricted to it, merged
//! into classes, denies first. Every backend prints these; none computes its own.

use super::addresses::AddressSet;
use super::flow::{Action, Flow, Protocol};
use super::interval_tree::{build, search};
use super::merge::{merge, Piece};
use super::policy::{Direction, MachineFlows, Policy, Target, TargetRules, Touch, TouchingEnds};
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
            // times when both its ends or several of its ranges hold the machine's addresses,
            // and each meeting adds what that end holds.
            let single_range: Vec<bool> = (self.machines.iter())
                .map(|info| info.addresses.range_count() == 1)
                .collect();
            let mut pairs: Vec<(u32, u32, TouchingEnds)> = Vec::new();
            let mut last_pair = vec![usize::MAX; self.machines.len()];
            for (index, flow) in self.flows.iter().enumerate() {
                let index = index as u32;
                for (ipv6, (intervals, max_end, machines)) in [false, true].into_iter().zip(&trees)
                {
                    let ends = (flow.source.family_ranges(ipv6).map(|range| (true, range))).chain(
                        flow.destination
                            .family_ranges(ipv6)
                            .map(|range| (false, range)),
                    );
                    for (is_source, range) in ends {
                        search(intervals, max_end, 0, range, &mut |position| {
                            let machine = machines[position] as usize;
                            let (lo, hi) = intervals[position];
                            let touch = if single_range[machine] && range.0 <= lo && hi <= range.1 {
                                Touch::All
                            } else {
                                Touch::Some
                            };
                            let last = last_pair[machine];
                            if pairs.get(last).is_none_or(|pair| pair.1 != index) {
                                last_pair[machine] = pairs.len();
                                pairs.push((machine as u32, index, TouchingEnds::default()));
                            }
                            let ends = &mut pairs[last_pair[machine]].2;
                            let end = if is_source {
                                &mut ends.source
                            } else {
                                &mut ends.destination
                            };
                            *end = (*end).max(touch);
                        });
                    }
                }
            }
            // A counting sort by machine keeps each machine's flows in flow order.
            let mut starts = vec![0u32; self.machines.len() + 1];
            for &(machine, _, _) in &pairs {
                starts[machine as usize + 1] += 1;
            }
            for machine in 1..starts.len() {
                starts[machine] += starts[machine - 1];
            }
            let mut next = starts.clone();
            let mut flows = vec![0u32; pairs.len()];
            let mut touching = vec![TouchingEnds::default(); pairs.len()];
            for (machine, flow, ends) in pairs {
                let slot = next[machine as usize] as usize;
                flows[slot] = flow;
                touching[slot] = ends;
                next[machine as usize] += 1;
            }
            MachineFlows {
                starts,
                flows,
                ends: touching,
            }
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
                let machine_flows = self.machine_flows();
                // Most touching flows give the machine one piece.
                pieces.reserve(machine_flows.of(index).len());
                let touching = machine_flows
                    .of(index)
                    .iter()
                    .zip(machine_flows.ends_of(index));
                for (&flow, ends) in touching {
                    let flow = &self.flows[flow as usize];
                    if flow.opening.opens_nothing() {
                        continue;
                    }
                    let inbound = restricted(ends.destination, &flow.destination, own);
                    if !inbound.is_empty() {
                        pieces.push((Direction::Input, flow, Cow::Borrowed(&flow.source), inbound));
                    }
                    let outbound = restricted(ends.source, &flow.source, own);
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
            rules: merge(pieces, self.origin_ranking()),
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

/// `set ∩ own` for an end that touches the machine as `touch` says: nothing without a touch,
/// `own` itself, borrowed, when the end holds all of it (the usual case: a host has one
/// address, and a flow reaches all of it or none), so no set is built per flow and machine.
fn restricted<'a>(touch: Touch, set: &AddressSet, own: &'a AddressSet) -> Cow<'a, AddressSet> {
    match touch {
        Touch::None => Cow::Owned(AddressSet::empty()),
        Touch::All => Cow::Borrowed(own),
        Touch::Some if own.is_subset(set) => Cow::Borrowed(own),
        Touch::Some => Cow::Owned(set.intersection(own)),
    }
}
