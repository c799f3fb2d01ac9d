//! Splitting rules by address family, and the ICMP vocabulary the backends share (port lists
//! come from the model, where diagnostics print them too).

pub use crate::model::flow::{port_list, push_decimal, write_port_range};
use crate::model::{Action, AddressSet, Protocol, TargetRule};
use ipnet::IpNet;
use std::borrow::Cow;

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// The part of `set` in this family: `set` itself, borrowed, when it has no other.
    pub fn part(self, set: &AddressSet) -> Cow<'_, AddressSet> {
        match self {
            Family::V4 if set.v6.is_empty() => Cow::Borrowed(set),
            Family::V6 if set.v4.is_empty() => Cow::Borrowed(set),
            Family::V4 => Cow::Owned(AddressSet {
                v4: set.v4.clone(),
                v6: Default::default(),
            }),
            Family::V6 => Cow::Owned(AddressSet {
                v4: Default::default(),
                v6: set.v6.clone(),
            }),
        }
    }

    /// Whether `set` holds every address of this family.
    pub fn is_full(self, set: &AddressSet) -> bool {
        match self {
            Family::V4 => set.v4.is_full(),
            Family::V6 => set.v6.is_full(),
        }
    }

    /// Whether a protocol exists in this family (ICMP is IPv4's, ICMPv6 is IPv6's).
    pub fn carries(self, protocol: Protocol) -> bool {
        !matches!(
            (self, protocol),
            (Family::V4, Protocol::Icmpv6) | (Family::V6, Protocol::Icmp)
        )
    }
}

/// One side of a rule in one family: `None` when it matches the whole family. Borrowed from
/// the rule when the rule's set is of this family only, the usual case.
pub type Side<'a> = Option<Cow<'a, AddressSet>>;

/// A rule restricted to one family; skipped when either side has no address of the family.
#[derive(Clone, Debug)]
pub struct FamilyRule<'a> {
    pub rule: &'a TargetRule<'a>,
    pub family: Family,
    pub source: Side<'a>,
    pub destination: Side<'a>,
}

/// The rule split by family, IPv4 first; a family with no source or no destination, or that
/// cannot carry the protocol, yields nothing.
pub fn by_family<'a>(rule: &'a TargetRule<'a>) -> Vec<FamilyRule<'a>> {
    [Family::V4, Family::V6]
        .into_iter()
        .filter(|family| family.carries(rule.opening.protocol))
        .filter_map(|family| {
            let source = family.part(&rule.source);
            let destination = family.part(&rule.destination);
            if source.is_empty() || destination.is_empty() {
                return None;
            }
            let side = |set: Cow<'a, AddressSet>| {
                if family.is_full(&set) {
                    None
                } else {
                    Some(set)
                }
            };
            Some(FamilyRule {
                rule,
                family,
                source: side(source),
                destination: side(destination),
            })
        })
        .collect()
}

/// The CIDRs of one side, or `None` for the whole family.
pub fn networks(side: &Side<'_>) -> Option<Vec<IpNet>> {
    side.as_deref().map(AddressSet::to_networks)
}

/// `accept`/`drop`-style word of an action, for backends that need one.
pub fn verdict(action: Action) -> &'static str {
    match action {
        Action::Allow => "accept",
        Action::Deny => "drop",
    }
}

/// ICMP type names shared by the backends that print names (nftables, firewalld).
pub fn icmp_type_name(protocol: Protocol, number: u16) -> Option<&'static str> {
    let name = match (protocol, number) {
        (Protocol::Icmp, 0) => "echo-reply",
        (Protocol::Icmp, 3) => "destination-unreachable",
        (Protocol::Icmp, 5) => "redirect",
        (Protocol::Icmp, 8) => "echo-request",
        (Protocol::Icmp, 11) => "time-exceeded",
        (Protocol::Icmp, 12) => "parameter-problem",
        (Protocol::Icmp, 13) => "timestamp-request",
        (Protocol::Icmp, 14) => "timestamp-reply",
        (Protocol::Icmpv6, 1) => "destination-unreachable",
        (Protocol::Icmpv6, 2) => "packet-too-big",
        (Protocol::Icmpv6, 3) => "time-exceeded",
        (Protocol::Icmpv6, 4) => "parameter-problem",
        (Protocol::Icmpv6, 128) => "echo-request",
        (Protocol::Icmpv6, 129) => "echo-reply",
        _ => return None,
    };
    Some(name)
}
