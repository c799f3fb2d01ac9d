//! nftables: one `table inet flowc` per target, named sets, default-drop base chains.
//!
//! Each [`TargetRule`] becomes one rule per address family it has addresses in (one rule for
//! both when neither side names addresses), so the rule count follows the merged classes.
//! Address sets of more than one CIDR and port sets of more than one element become named sets
//! shared by every rule that uses them. A deny and an allow of the same addresses, protocol and
//! source ports become one rule with a port verdict map, when no other deny stands between them.

mod print;
mod tftp;

use super::{by_family, push_origin_lines, push_rule_comment, Family, Side};
use super::{Backend, Input, Layout};
use crate::model::{Action, Direction, FlowOrigin, Policy, PortSet, Protocol, Target, TargetRule};
use foldhash::fast::FixedState;
use print::Sets;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;
use tftp::{TFTP_ASSIGNMENT, TFTP_HELPER};

/// nft refuses longer rule comments.
const COMMENT_LIMIT: usize = 128;

pub struct Nftables;

impl Backend for Nftables {
    fn name(&self) -> &'static str {
        "nftables"
    }
    fn extension(&self) -> &'static str {
        "nft"
    }
    fn summary(&self) -> &'static str {
        "nft -f input: table inet flowc, IPv4 and IPv6 together"
    }
    fn layout(&self) -> Layout {
        Layout::PerTarget
    }
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String {
        target.map_or_else(String::new, |target| ruleset(input, target))
    }
}

/// One printed rule: a [`TargetRule`] in one family (or both), possibly merged with an allow.
#[derive(Clone, Debug)]
struct Line<'a> {
    family: Option<Family>,
    source: Side<'a>,
    destination: Side<'a>,
    rule: &'a TargetRule<'a>,
    /// Ports accepted by the verdict map of a merged deny and allow.
    accepted: Option<PortSet>,
    /// The rule's origins, and an allow's too once merged into this deny.
    origins: Cow<'a, [&'a FlowOrigin]>,
}

fn ruleset(input: &Input<'_>, target: Target) -> String {
    let rules = input.policy.rules_for(target);
    // About what a rule and an origin line take, and a set element, so that neither text is
    // copied to grow.
    let origins: usize = rules.rules.iter().map(|rule| rule.origins.len()).sum();
    let ranges: usize = (rules.rules.iter())
        .map(|rule| rule.source.range_count() + rule.destination.range_count())
        .sum();
    let mut chains = String::with_capacity(1024 + rules.rules.len() * 160 + origins * 40);
    // The set declarations are written after the header, straight into the ruleset's text,
    // and the chains appended once the sets they use are known.
    let mut sets = Sets::default();
    sets.declarations
        .reserve(1024 + ranges * 24 + chains.capacity());
    let description = super::target_description(input.policy, target);
    let text = &mut sets.declarations;
    text.push_str("#!/usr/sbin/nft -f\n");
    super::push_comment_lines(
        text,
        "# ",
        &format!("flowc nftables ruleset for {description}."),
    );
    text.push_str("# Generated from the site's .flow files; do not edit. `nft -f` replaces table inet flowc\n");
    text.push_str("# and nothing else. Every rule names the .flow line it comes from.\n\n");
    text.push_str("table inet flowc\ndelete table inet flowc\n\ntable inet flowc {\n");
    let directions: &[Direction] = match target {
        Target::Firewall(_) => &[Direction::Forward],
        Target::Machine(_) => &[Direction::Input, Direction::Output],
    };
    let tftp = |direction: Direction| {
        (rules.rules.iter()).any(|rule| rule.direction == direction && super::tracks_tftp(rule))
    };
    if directions.iter().any(|&direction| tftp(direction)) {
        text.push_str(TFTP_HELPER);
    }
    for &direction in directions {
        let (name, hook) = match direction {
            Direction::Forward => ("forward", "forward"),
            Direction::Input => ("input", "input"),
            Direction::Output => ("output", "output"),
        };
        chains.push_str("\n\tchain ");
        chains.push_str(name);
        chains.push_str(" {\n\t\ttype filter hook ");
        chains.push_str(hook);
        chains.push_str(" priority filter; policy drop;\n");
        push_essentials(&mut chains, direction);
        if tftp(direction) {
            chains.push_str(TFTP_ASSIGNMENT);
        }
        let lines = merge_verdicts(lines_of(&rules.rules, direction), input.policy);
        for line in &lines {
            push_origin_lines(&mut chains, input, &line.origins, "\t\t# ");
            chains.push_str("\t\t");
            sets.write_rule(&mut chains, input, line);
            chains.push_str(" comment \"");
            push_rule_comment(&mut chains, input, &line.origins, COMMENT_LIMIT);
            chains.push_str("\"\n");
        }
        chains.push_str("\t}\n");
    }
    let mut text = sets.declarations;
    text.push_str(&chains);
    text.push_str("}\n");
    text
}

/// The rules every chain starts with: replies and related ICMP errors, invalid packets,
/// loopback and the ICMPv6 neighbour discovery without which IPv6 does not work.
fn push_essentials(out: &mut String, direction: Direction) {
    out.push_str(
        "\t\tct state established,related accept comment \"replies, and ICMP errors about allowed flows\"\n\
         \t\tct state invalid drop\n",
    );
    match direction {
        Direction::Forward => {}
        Direction::Input => out.push_str(
            "\t\tiif \"lo\" accept\n\
             \t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment \"IPv6 neighbour discovery\"\n",
        ),
        Direction::Output => out.push_str(
            "\t\toif \"lo\" accept\n\
             \t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept comment \"IPv6 neighbour discovery\"\n\
             \t\ticmpv6 type { mld-listener-report, mld2-listener-report } accept comment \"multicast listener reports for neighbour discovery\"\n",
        ),
    }
}

/// Splits the rules of one direction by family; a rule that names no address in either family
/// stays one line.
fn lines_of<'a>(rules: &'a [TargetRule<'a>], direction: Direction) -> Vec<Line<'a>> {
    let rules = rules.iter().filter(|rule| rule.direction == direction);
    // Most rules are one line; a line is large, so growing the list would copy it.
    let mut lines = Vec::with_capacity(rules.clone().count());
    for rule in rules {
        let parts = by_family(rule);
        let agnostic = parts.len() == 2
            && parts
                .iter()
                .all(|part| part.source.is_none() && part.destination.is_none());
        for part in parts {
            let family = if agnostic { None } else { Some(part.family) };
            lines.push(Line {
                family,
                source: part.source,
                destination: part.destination,
                rule,
                accepted: None,
                origins: Cow::Borrowed(&rule.origins),
            });
            if agnostic {
                break;
            }
        }
    }
    lines
}

/// Folds an allow into a deny of the same family, addresses, protocol and source ports, as one
/// port verdict map, when no other deny could match what the allow accepts.
///
/// In a firewall's chain of thousands of lines, each deny finds its allow through an index of
/// the allows by that key, not by scanning every line; a host's few lines are compared
/// directly (above [`INDEX_ALLOWS_ABOVE`] pairs the index pays). A merged allow is marked and
/// dropped at the end, so the lines keep their order.
fn merge_verdicts<'a>(mut lines: Vec<Line<'a>>, policy: &Policy) -> Vec<Line<'a>> {
    let folds = |line: &Line<'_>| {
        line.rule.action == Action::Deny && line.rule.opening.protocol.has_ports()
    };
    // Most rulesets (a host's) have no deny with ports, and so nothing to fold.
    let denies = lines.iter().filter(|line| folds(line)).count();
    if denies == 0 {
        return lines;
    }
    let hasher = FixedState::default();
    let key = |line: &Line<'_>| {
        let opening = &line.rule.opening;
        hasher.hash_one((
            line.family,
            &line.source,
            &line.destination,
            opening.protocol,
            &opening.source_ports,
        ))
    };
    let allow_positions: Vec<usize> = (lines.iter().enumerate())
        .filter(|(_, line)| line.rule.action == Action::Allow)
        .map(|(position, _)| position)
        .collect();
    // A host's few denies are matched against its allows by comparing them; hashing every allow
    // cost more. A firewall's chain of thousands indexes its allows by key first.
    let allow_index = (denies * allow_positions.len() > INDEX_ALLOWS_ABOVE).then(|| {
        let mut allows: HashMap<u64, Vec<usize>, FixedState> = HashMap::default();
        for &position in &allow_positions {
            allows
                .entry(key(&lines[position]))
                .or_default()
                .push(position);
        }
        allows
    });
    let mut merged = vec![false; lines.len()];
    for index in 0..lines.len() {
        let deny = &lines[index];
        if !folds(deny) {
            continue;
        }
        let same_match = |allow: &Line<'_>| {
            (allow.family, &allow.source, &allow.destination)
                == (deny.family, &deny.source, &deny.destination)
                && allow.rule.opening.protocol == deny.rule.opening.protocol
                && allow.rule.opening.source_ports == deny.rule.opening.source_ports
        };
        // Either way, the first allow in line order that matches and is not merged yet.
        let positions = match &allow_index {
            Some(index) => index.get(&key(deny)).map_or(&[][..], Vec::as_slice),
            None => &allow_positions[..],
        };
        let candidate = (positions.iter().copied())
            .find(|&position| !merged[position] && same_match(&lines[position]));
        let Some(position) = candidate else {
            continue;
        };
        let accepted = lines[position]
            .rule
            .opening
            .ports
            .difference(&deny.rule.opening.ports);
        let shadowed = lines.iter().enumerate().any(|(other, line)| {
            other != index
                && line.rule.action == Action::Deny
                && overlaps(line, &lines[position], &accepted)
        });
        if !accepted.is_empty() && !shadowed {
            merged[position] = true;
            let allow_origins = std::mem::take(&mut lines[position].origins);
            let deny = &mut lines[index];
            deny.accepted = Some(accepted);
            let origins = deny.origins.to_mut();
            origins.extend(allow_origins.iter().copied());
            policy.origin_ranking().sort(origins);
        }
    }
    (lines.into_iter().zip(merged))
        .filter(|(_, merged)| !merged)
        .map(|(line, _)| line)
        .collect()
}

/// Above this many (deny, allow) pairs, [`merge_verdicts`] indexes the allows by key.
const INDEX_ALLOWS_ABOVE: usize = 4096;

/// Whether deny `line` could match a packet that `allow` accepts on `ports`.
fn overlaps(line: &Line<'_>, allow: &Line<'_>, ports: &PortSet) -> bool {
    let family = line.family.is_none() || allow.family.is_none() || line.family == allow.family;
    let side = |a: &Side<'_>, b: &Side<'_>| match (a, b) {
        (Some(a), Some(b)) => a.intersects(b),
        _ => true,
    };
    let (deny, opening) = (&line.rule.opening, &allow.rule.opening);
    let protocol = deny.protocol == Protocol::Any || deny.protocol == opening.protocol;
    let ports = !deny.protocol.has_ports()
        || (deny.ports.intersects(ports) && deny.source_ports.intersects(&opening.source_ports));
    family
        && side(&line.source, &allow.source)
        && side(&line.destination, &allow.destination)
        && protocol
        && ports
}
