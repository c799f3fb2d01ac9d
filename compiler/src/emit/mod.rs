//! Emitters: one module per backend behind the one [`Backend`] trait, and the helpers they share.
//!
//! Every backend prints [`Policy::rules_for`] (firewall and per-site backends read the policy
//! directly); none decides anything of its own. Output is a pure function of the policy and the
//! source map: sorted, no timestamps, byte-identical across runs. Adding a backend is adding a
//! module and one line to [`backends`].

pub mod aix;
pub mod dot;
pub mod firewalld;
pub mod iptables;
pub mod matrix;
pub mod nftables;

use crate::model::{Action, AddressSet, FlowOrigin, PortSet, Protocol, TargetRule};
use crate::model::{Policy, Target};
use crate::source::SourceMap;
use ipnet::IpNet;

/// What every backend reads: the checked policy and the files its spans point into.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub policy: &'a Policy,
    pub sources: &'a SourceMap,
}

/// How many files a backend writes with `-o DIR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One ruleset per target (`DIR/NAME.ext`).
    PerTarget,
    /// One document for the whole site (`DIR/site.ext`); `--for` narrows it to one target.
    PerSite,
}

/// One output format.
pub trait Backend: Sync {
    /// The name given to `--target`.
    fn name(&self) -> &'static str;
    /// The extension of the files it writes, without the dot.
    fn extension(&self) -> &'static str;
    /// One line for `flowc emit --help` and the spec.
    fn summary(&self) -> &'static str;
    fn layout(&self) -> Layout;
    /// The targets written with `-o DIR` and no `--for` (per-target backends).
    fn targets(&self, policy: &Policy) -> Vec<Target> {
        policy.targets()
    }
    /// The output for one target, or for the whole site when `target` is `None`.
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String;
    /// The files written with `-o DIR`, as paths relative to `DIR`; one file by default.
    fn files(&self, input: &Input<'_>, target: Option<Target>) -> Vec<(String, String)> {
        let stem = target.map_or("site", |target| input.policy.target_name(target));
        vec![(
            format!("{stem}.{}", self.extension()),
            self.emit(input, target),
        )]
    }
}

/// Every backend, in the order `flowc emit --help` lists them.
pub fn backends() -> &'static [&'static dyn Backend] {
    &[
        &nftables::Nftables,
        &iptables::Iptables::V4,
        &iptables::Iptables::V6,
        &aix::Aix,
        &firewalld::Firewalld,
        &matrix::Matrix::Csv,
        &matrix::Matrix::Markdown,
        &dot::Dot,
    ]
}

/// The backend called `name`.
pub fn backend(name: &str) -> Option<&'static dyn Backend> {
    backends()
        .iter()
        .copied()
        .find(|backend| backend.name() == name)
}

/// One line describing a target, for the header of a ruleset.
pub fn target_description(policy: &Policy, target: Target) -> String {
    match target {
        Target::Firewall(index) => {
            format!(
                "firewall {}: forward rules for the flows it carries",
                policy.firewalls[index].name
            )
        }
        Target::Machine(index) => {
            let machine = &policy.machines[index];
            let kind = match machine.kind {
                crate::model::policy::MachineKind::Host => "host",
                crate::model::policy::MachineKind::Group => "group",
            };
            format!(
                "{kind} {}: input and output rules of its own traffic",
                machine.name
            )
        }
    }
}

/// The names of the hosts and groups a flow endpoint stands for, or its label as written
/// (`internet`, `10.0.0.1`) when it stands for none.
pub fn endpoint_names(policy: &Policy, holders: &[usize], label: &str) -> Vec<String> {
    let names: Vec<String> = holders
        .iter()
        .filter_map(|&index| policy.machines.get(index))
        .map(|m| m.name.clone())
        .collect();
    if names.is_empty() {
        vec![label.to_string()]
    } else {
        names
    }
}

/// `site.flow:17`: the file and 1-based line of a span.
pub fn location(sources: &SourceMap, span: crate::Span) -> String {
    let file = sources.get(span.file);
    format!("{}:{}", file.name, file.line_column(span.start).line)
}

/// `site.flow:17 nim.master stdlib/nim.flow:97 allow(broad-range): reason`: where one flow came
/// from, in one line.
pub fn origin_text(sources: &SourceMap, origin: &FlowOrigin) -> String {
    let mut text = location(sources, origin.item);
    if let Some(role) = &origin.role {
        text.push(' ');
        text.push_str(role);
    }
    if let Some(statement) = origin.statement {
        text.push(' ');
        text.push_str(&location(sources, statement));
    }
    for (lint, reason) in &origin.allowed_lints {
        text.push_str(&format!(" allow({lint}): {reason}"));
    }
    one_line(&text)
}

/// The in-ruleset comment of a rule: every origin joined by `; `, cut to `limit` bytes at an
/// origin boundary with ` +N more` (the `#` lines above a rule list them all).
pub fn rule_comment(sources: &SourceMap, origins: &[FlowOrigin], limit: usize) -> String {
    let texts: Vec<String> = origins
        .iter()
        .map(|origin| quotable(&origin_text(sources, origin)))
        .collect();
    let mut comment = String::new();
    for (index, text) in texts.iter().enumerate() {
        let separator = if index == 0 { "" } else { "; " };
        let rest = texts.len() - index - 1;
        let suffix = if rest == 0 {
            String::new()
        } else {
            format!(" +{rest} more")
        };
        if comment.len() + separator.len() + text.len() + suffix.len() <= limit {
            comment.push_str(separator);
            comment.push_str(text);
            continue;
        }
        let more = format!(" +{} more", texts.len() - index - 1);
        if index == 0 {
            comment = shorten(
                text,
                limit.saturating_sub(if rest == 0 { 0 } else { more.len() }),
            );
            if rest > 0 {
                comment.push_str(&more);
            }
        } else {
            comment.push_str(&format!(" +{} more", texts.len() - index));
        }
        break;
    }
    truncate(&comment, limit)
}

/// `text` cut to at most `limit` bytes at a word boundary, ending in `...` when cut.
pub fn shorten(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let room = truncate(text, limit.saturating_sub(4));
    let cut = room.rfind(' ').map_or(room.as_str(), |end| &room[..end]);
    format!("{cut} ...")
}

/// The `#` comment lines above a rule: one per origin, with its citation.
pub fn origin_lines(sources: &SourceMap, origins: &[FlowOrigin], prefix: &str) -> String {
    let mut lines = String::new();
    for origin in origins {
        lines.push_str(prefix);
        lines.push_str(&origin_text(sources, origin));
        if let Some(citation) = &origin.citation {
            lines.push_str(" — ");
            lines.push_str(&one_line(citation));
        }
        lines.push('\n');
    }
    lines
}

/// Collapses whitespace runs (newlines included) to one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a double-quoted string of nft, iptables-restore and sh: no quotes, no
/// backslashes, no `$` or backquotes, no control characters.
pub fn quotable(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '"' | '`' => '\'',
            '\\' => '/',
            '$' => 'S',
            character if character.is_control() => ' ',
            character => character,
        })
        .collect()
}

/// The longest prefix of `text` of at most `limit` bytes that ends on a character boundary.
pub fn truncate(text: &str, limit: usize) -> String {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The ranges of a port set written with `separator` between the ends of a range
/// (`22`, `80-90` or `80:90`), joined by `joiner`.
pub fn port_list(ports: &PortSet, separator: &str, joiner: &str) -> String {
    ports
        .ranges()
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}{separator}{hi}")
            }
        })
        .collect::<Vec<_>>()
        .join(joiner)
}

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// The part of `set` in this family.
    pub fn part(self, set: &AddressSet) -> AddressSet {
        match self {
            Family::V4 => AddressSet {
                v4: set.v4.clone(),
                v6: Default::default(),
            },
            Family::V6 => AddressSet {
                v4: Default::default(),
                v6: set.v6.clone(),
            },
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

/// One side of a rule in one family: `None` when it matches the whole family.
pub type Side = Option<AddressSet>;

/// A rule restricted to one family; skipped when either side has no address of the family.
#[derive(Clone, Debug)]
pub struct FamilyRule<'a> {
    pub rule: &'a TargetRule,
    pub family: Family,
    pub source: Side,
    pub destination: Side,
}

/// The rule split by family, IPv4 first; a family with no source or no destination, or that
/// cannot carry the protocol, yields nothing.
pub fn by_family(rule: &TargetRule) -> Vec<FamilyRule<'_>> {
    [Family::V4, Family::V6]
        .into_iter()
        .filter(|family| family.carries(rule.opening.protocol))
        .filter_map(|family| {
            let source = family.part(&rule.source);
            let destination = family.part(&rule.destination);
            if source.is_empty() || destination.is_empty() {
                return None;
            }
            let side = |set: AddressSet| {
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
pub fn networks(side: &Side) -> Option<Vec<IpNet>> {
    side.as_ref().map(AddressSet::to_networks)
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
