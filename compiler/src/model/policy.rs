//! The checked model handed to emitters: zones, firewalls, machines, flows, the routes flows
//! take through firewalls, and per-target rule lists that every backend prints.

use super::addresses::AddressSet;
use super::flow::{Action, Flow, FlowOrigin, Opening};
use crate::source::Span;
use std::borrow::Cow;

#[derive(Clone, Debug)]
pub struct ZoneInfo {
    pub name: String,
    /// The addresses that belong to this zone: its CIDRs minus more specific zones' CIDRs.
    pub region: AddressSet,
    /// Whether the zone was declared `= any`.
    pub is_any: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FirewallInfo {
    pub name: String,
    /// Indexes into `Policy::zones`, in declaration order.
    pub zones: Vec<usize>,
    /// The firewall's own interface addresses (`address …`).
    pub addresses: AddressSet,
    pub span: Span,
    pub docs: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MachineKind {
    Host,
    Group,
}

/// A host or group: a machine (or set of machines) that holds roles and can be an emit target.
#[derive(Clone, Debug)]
pub struct Machine {
    pub name: String,
    pub kind: MachineKind,
    pub addresses: AddressSet,
    /// Qualified names of the roles it holds (`nim.client`).
    pub roles: Vec<String>,
    pub span: Span,
}

/// The part of a flow that crosses firewalls from one zone to another.
#[derive(Clone, Debug)]
pub struct Route {
    /// Index into `Policy::flows`.
    pub flow: usize,
    pub source_zone: Option<usize>,
    pub destination_zone: Option<usize>,
    /// Firewalls crossed, in order from source to destination.
    pub firewalls: Vec<usize>,
    /// The flow's addresses restricted to the two zones.
    pub source: AddressSet,
    pub destination: AddressSet,
}

/// Everything emitters need, after every check passed.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub zones: Vec<ZoneInfo>,
    pub firewalls: Vec<FirewallInfo>,
    pub machines: Vec<Machine>,
    pub flows: Vec<Flow>,
    pub routes: Vec<Route>,
    /// Built on first use by [`Policy::machine_flows`]; private, so that only [`Policy::new`]
    /// and [`Policy::flows_mut`] decide when it is empty.
    pub(super) machine_flows_cache: std::sync::OnceLock<MachineFlows>,
    /// Built on first use by [`Policy::origin_ranks`], as the one above.
    pub(super) origin_ranks_cache: std::sync::OnceLock<Vec<u32>>,
}

impl Policy {
    /// A policy of these parts; the lookups made from them are built on first use.
    pub fn new(
        zones: Vec<ZoneInfo>,
        firewalls: Vec<FirewallInfo>,
        machines: Vec<Machine>,
        flows: Vec<Flow>,
        routes: Vec<Route>,
    ) -> Policy {
        Policy {
            zones,
            firewalls,
            machines,
            flows,
            routes,
            machine_flows_cache: std::sync::OnceLock::new(),
            origin_ranks_cache: std::sync::OnceLock::new(),
        }
    }

    /// The flows, to change in place: the lookups built from them are dropped, and built
    /// again from the changed flows when next asked for.
    pub fn flows_mut(&mut self) -> &mut Vec<Flow> {
        self.machine_flows_cache = std::sync::OnceLock::new();
        self.origin_ranks_cache = std::sync::OnceLock::new();
        &mut self.flows
    }
}

/// For each machine, the indices of the flows that touch its addresses, in flow order: one
/// flat array cut into a run per machine, with which ends of each flow touch it.
#[derive(Clone, Debug, Default)]
pub struct MachineFlows {
    /// `starts[machine]..starts[machine + 1]` is the machine's run of `flows` and `ends`.
    pub starts: Vec<u32>,
    pub flows: Vec<u32>,
    pub ends: Vec<TouchingEnds>,
}

/// Which ends of a flow hold a machine's addresses: some of them, or (for a machine of one
/// address range) all of them, found while the flow was matched to the machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TouchingEnds {
    pub source: Touch,
    pub destination: Touch,
}

/// How much of a machine's addresses one end of a flow holds. `Some` is also what a machine
/// of several ranges gets when it is in fact covered: the ruleset then works it out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Touch {
    #[default]
    None,
    Some,
    All,
}

impl MachineFlows {
    /// The flows touching `machine` (none for an unknown machine).
    pub fn of(&self, machine: usize) -> &[u32] {
        &self.flows[self.run(machine)]
    }

    /// Which ends of each flow of [`MachineFlows::of`] touch `machine`.
    pub fn ends_of(&self, machine: usize) -> &[TouchingEnds] {
        &self.ends[self.run(machine)]
    }

    fn run(&self, machine: usize) -> std::ops::Range<usize> {
        match (self.starts.get(machine), self.starts.get(machine + 1)) {
            (Some(&start), Some(&end)) => start as usize..end as usize,
            _ => 0..0,
        }
    }
}

/// What a ruleset is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// Index into `Policy::firewalls`: forward rules for traffic it carries.
    Firewall(usize),
    /// Index into `Policy::machines`: the machine's own input and output rules.
    Machine(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Through a firewall.
    Forward,
    /// To the machine itself.
    Input,
    /// From the machine itself.
    Output,
}

/// One rule of a target: flows with the same action, direction, addresses and source ports
/// merged, so the rule count follows (source set, destination set, service) classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRule<'a> {
    pub direction: Direction,
    pub action: Action,
    /// Borrowed from the policy where the rule uses a set of it as it is (a flow's end, a
    /// machine's own addresses): a site's rulesets would otherwise copy them millions of times.
    pub source: Cow<'a, AddressSet>,
    pub destination: Cow<'a, AddressSet>,
    pub opening: Opening,
    /// Every flow origin merged into this rule, sorted and without duplicates. Borrowed from
    /// the policy's flows: a busy server's rules name thousands of them.
    pub origins: Vec<&'a FlowOrigin>,
}

/// A target's whole ruleset: denies first (deny overrides allow), then allows, each group in a
/// deterministic order.
#[derive(Clone, Debug)]
pub struct TargetRules<'a> {
    pub target: Target,
    pub name: String,
    pub rules: Vec<TargetRule<'a>>,
}
