//! Per-target rule lists: the flows a firewall or machine enforces, restricted to it, merged
//! into classes, denies first. Every backend prints these; none computes its own.

use super::addresses::AddressSet;
use super::flow::{Action, Flow, Protocol};
use super::merge::{merge, Piece};
use super::policy::{Direction, Policy, Target, TargetRules, Touch};
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
