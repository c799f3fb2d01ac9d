//! The `aix-stateless` warnings `flowc emit --target aix` reports: one per site item, each
//! naming what the AIX rules open instead of its flows (or cannot let through), with a
//! witness packet to check with `flowc query`.

use super::genfilt::Way;
use super::region::{Cell, Packet, TCP, TCP_ACK, UDP};
use super::report::{Approximation, Reason};
use crate::diagnostic::Diagnostic;
use crate::emit::Input;
use crate::model::{AddressSet, PortSet, Target, TargetRules};
use crate::source::Span;
use std::collections::BTreeMap;

crate::declare_codes! {
    /// AIX filter rules (`flowc emit --target aix`) cannot express a flow exactly. A warning
    /// of `emit`, not a lint: it is a property of the AIX rules, not of the site, so `check`
    /// does not report it and `lint`/`@allow` do not apply; the script repeats each one in
    /// its `# not exact on AIX` comments.
    ///
    /// AIX IP security filter rules are stateless: a rule cannot tell the reply of a
    /// permitted request from a packet sent unasked. The AIX backend therefore permits, for
    /// each permitted flow, the packets its replies are made of, and says where that opens
    /// more than the flow:
    ///
    /// - UDP, ICMP queries and other protocols: the reply rule lets the server send the same
    ///   packets at any time (`udp from nim01 port 69 to aix ports 0-65535`).
    /// - TFTP moves its data to new ports at both ends, which only a TFTP helper can follow;
    ///   AIX has none, so udp 32768-65535 is opened both ways between client and server
    ///   (`tftp_helper = true` has no effect on AIX).
    /// - The replies of a UDP flow that a deny of the other direction covers cannot be let
    ///   through without opening what the deny forbids: the deny wins and the flow does not
    ///   work on AIX.
    /// - AIX's reserved IPv4 filter rule 1 permits udp from port 4001 to port 4001 in both
    ///   directions before any rule flowc adds; `rmfilt` and `mvfilt` cannot touch it. Being
    ///   the same for every script, it is a note printed once per `emit`.
    /// - genfilt compares a port with one operator, so a range is a deny of the ports above
    ///   it followed by a permit from its lower end; where no order of such pairs holds
    ///   (their denies catching each other's ports), a range is written port by port up to
    ///   4096 rules and past that widened to one comparison, which opens the ports named.
    /// - genfilt takes protocol numbers 1-252: a flow of another number is left out.
    ///
    /// TCP is exact for connections: replies are permitted as `tcp/ack` only, and a segment
    /// with ACK cannot open a connection. Each warning names a witness packet; `flowc query`
    /// answers it as the model does, and the AIX rules treat it otherwise.
    AIX_STATELESS = "aix-stateless", "AIX filter rules cannot express a flow exactly";
}

/// What `flowc emit --target aix` says once of every script: the model's denies of udp 4001
/// to 4001 do not hold on AIX.
pub const RESERVED_RULE: &str = "aix-stateless: AIX's reserved IPv4 filter rule 1 permits udp from port 4001 to port 4001 \
     in both directions before any rule flowc adds, and rmfilt and mvfilt cannot remove or move it: \
     on AIX such packets pass whatever the site says";

/// One item's notes, and labels at the denies that block its replies.
type Item = (Vec<String>, Vec<(Span, String)>);

/// The most notes one warning lists.
const NOTES: usize = 8;

pub fn diagnostics(
    input: &Input<'_>,
    target: Target,
    rules: &TargetRules<'_>,
    approximations: &[Approximation],
) -> Vec<Diagnostic> {
    let policy = input.policy;
    let target_span = match target {
        Target::Firewall(index) => policy.firewalls[index].span,
        Target::Machine(index) => policy.machines[index].span,
    };
    let name = policy.target_name(target);
    let mut by_item: BTreeMap<Span, Item> = BTreeMap::new();
    for approximation in approximations {
        let items: Vec<Span> = match approximation.rule {
            Some(rule) => {
                let mut items: Vec<Span> =
                    rules.rules[rule].origins.iter().map(|o| o.item).collect();
                items.dedup();
                items
            }
            None => vec![target_span],
        };
        let note = note(rules, approximation);
        for item in items {
            let entry = by_item.entry(item).or_default();
            if !entry.0.contains(&note) {
                entry.0.push(note.clone());
            }
            if let Some(deny) = approximation.deny_rule {
                for origin in &rules.rules[deny].origins {
                    entry
                        .1
                        .push((origin.item, "the deny that blocks the replies".into()));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (item, (notes, labels)) in by_item {
        let mut diagnostic = Diagnostic::warning(
            AIX_STATELESS,
            item,
            format!(
                "the AIX filter rules of `{}` cannot express {} exactly",
                shortened(name),
                if notes.len() == 1 {
                    "one flow of this item".to_string()
                } else {
                    format!("{} flows of this item", notes.len())
                }
            ),
        );
        let count = notes.len();
        for note in notes.into_iter().take(NOTES) {
            diagnostic = diagnostic.with_note(note);
        }
        if count > NOTES {
            diagnostic = diagnostic.with_note(format!(
                "and {} more: the script lists them all in its `# not exact on AIX` comments",
                count - NOTES
            ));
        }
        for (span, message) in labels.into_iter().filter(|(span, _)| *span != item).take(4) {
            diagnostic = diagnostic.with_label(span, message);
        }
        out.push(diagnostic.with_note("see `flowc explain aix-stateless`"));
    }
    out
}

/// A name cut for a message.
fn shortened(name: &str) -> String {
    crate::emit::shorten(name, 60)
}

/// One line for an approximation: what it opens or blocks, and a witness.
pub fn note(rules: &TargetRules<'_>, approximation: &Approximation) -> String {
    let flow = approximation
        .rule
        .map(|rule| format!("`{}`", rules.rules[rule].opening.describe()))
        .unwrap_or_default();
    let opened = describe(&approximation.opened);
    let witness = packet(&approximation.witness);
    let way = match approximation.way {
        Way::In => "inbound",
        Way::Out => "outbound",
        Way::Both => "forwarded",
    };
    match approximation.reason {
        Reason::Replies => format!(
            "stateless replies of {flow}: {opened} is permitted ({way}) at any time, not only in reply (e.g. {witness})"
        ),
        Reason::TftpData => format!(
            "AIX cannot follow TFTP ({flow}) to the ports its data moves to (it has no TFTP helper: `tftp_helper` has no effect on AIX), so {opened} is permitted ({way}) instead (e.g. {witness})"
        ),
        Reason::Widened => format!(
            "genfilt compares a port with one operator and no order of rules holds this range of {flow}: {opened} is permitted ({way}) instead (e.g. {witness})"
        ),
        Reason::RepliesDenied => format!(
            "the replies of {flow} ({opened}) fall under a deny of that direction, and a stateless rule cannot let them through without opening what the deny forbids: this flow does not work on AIX (e.g. {witness} gets no reply)"
        ),
        Reason::ReservedRule => format!(
            "AIX's reserved IPv4 filter rule 1 permits udp from port 4001 to port 4001 ({way}) before any rule flowc adds, and rmfilt and mvfilt cannot remove or move it (e.g. {witness})"
        ),
        Reason::Unexpressible => format!(
            "genfilt takes protocol numbers 1-252: {flow} is left out of the AIX rules (e.g. {witness})"
        ),
    }
}

fn protocol_name(protocols: &PortSet) -> String {
    let tcp = PortSet::from_ranges([(TCP, TCP), (TCP_ACK, TCP_ACK)]);
    match protocols.ranges() {
        [(UDP, UDP)] => "udp".into(),
        [(1, 1)] => "icmp".into(),
        [(58, 58)] => "icmpv6".into(),
        [(TCP_ACK, TCP_ACK)] => "tcp (ACK)".into(),
        _ if *protocols == tcp => "tcp".into(),
        _ if *protocols == super::region::all_protocols() => "every protocol".into(),
        _ if *protocols == super::region::all_protocols().difference(&tcp) => {
            "every protocol but tcp".into()
        }
        [(value, value_hi)] if value == value_hi => format!("proto {value}"),
        _ => format!(
            "protocols {}",
            crate::model::flow::describe_ports(protocols)
        ),
    }
}

fn addresses(set: &AddressSet) -> String {
    let networks = set.to_networks();
    let mut text: Vec<String> = networks.iter().take(3).map(ToString::to_string).collect();
    if networks.len() > 3 {
        text.push(format!("{} more", networks.len() - 3));
    }
    text.join(", ")
}

fn ports(set: &PortSet, what: &str) -> String {
    if set.is_full() {
        String::new()
    } else {
        format!(" {what} {}", crate::model::flow::describe_ports(set))
    }
}

/// `udp from 10.0.0.1 port 69 to 10.0.0.0/24 ports 0-65535`, or an ICMP type.
pub fn describe(cell: &Cell) -> String {
    let protocol = protocol_name(&cell.protocols);
    let icmp = matches!(protocol.as_str(), "icmp" | "icmpv6");
    let (source_ports, ports_text) = if icmp {
        (ports(&cell.source_ports, "type"), String::new())
    } else {
        (
            ports(&cell.source_ports, "port"),
            ports(&cell.ports, "port"),
        )
    };
    if icmp {
        return format!(
            "{protocol}{source_ports} from {} to {}",
            addresses(&cell.source),
            addresses(&cell.destination)
        );
    }
    format!(
        "{protocol} from {}{source_ports} to {}{ports_text}",
        addresses(&cell.source),
        addresses(&cell.destination)
    )
}

/// `udp 10.0.0.1:69 -> 10.0.0.5:1`, `icmp type 0 10.0.0.1 -> 10.0.0.5`.
pub fn packet(packet: &Packet) -> String {
    let protocol = protocol_name(&PortSet::single(packet.protocol));
    let (source, destination) = (packet.source, packet.destination);
    let at = |address: std::net::IpAddr, port: u16| match address {
        std::net::IpAddr::V4(_) => format!("{address}:{port}"),
        std::net::IpAddr::V6(_) => format!("[{address}]:{port}"),
    };
    match protocol.as_str() {
        "icmp" | "icmpv6" => format!(
            "{protocol} type {} {source} -> {destination}",
            packet.source_port
        ),
        "udp" | "tcp (ACK)" => format!(
            "{protocol} {} -> {}",
            at(source, packet.source_port),
            at(destination, packet.port)
        ),
        _ if packet.protocol == TCP => format!(
            "tcp {} -> {}",
            at(source, packet.source_port),
            at(destination, packet.port)
        ),
        _ => format!("{protocol} {source} -> {destination}"),
    }
}
