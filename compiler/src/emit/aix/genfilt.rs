//! genfilt commands for one rule: port fields, IF/ENDIF blocks, reply rules and addresses.

use super::DESCRIPTION_LIMIT;
use crate::emit::{Family, FamilyRule};
use crate::model::{Action, Direction, Protocol};
use ipnet::IpNet;

/// One port field: `(operator, value)` for a single comparison, or the lower and upper bounds.
enum Field {
    One(&'static str, u16),
    Two(u16, u16),
}

fn field(lo: u16, hi: u16) -> Field {
    match (lo, hi) {
        (0, u16::MAX) => Field::One("any", 0),
        _ if lo == hi => Field::One("eq", lo),
        (_, u16::MAX) => Field::One("ge", lo),
        (0, _) => Field::One("le", hi),
        _ => Field::Two(lo, hi),
    }
}

/// The genfilt commands of one rule in one family, with the reply rules of a permit.
pub(super) fn commands(
    part: &FamilyRule<'_>,
    version: u8,
    routing: &str,
    description: &str,
) -> String {
    let rule = part.rule;
    let opening = &rule.opening;
    let any_network = |family: Family| {
        if family == Family::V4 {
            "0.0.0.0/0"
        } else {
            "::/0"
        }
    };
    let side = |side: &crate::emit::Side<'_>| -> Vec<IpNet> {
        crate::emit::networks(side)
            .unwrap_or_else(|| vec![any_network(part.family).parse().expect("a valid network")])
    };
    let (sources, destinations) = (side(&part.source), side(&part.destination));
    let action = if rule.action == Action::Allow {
        "P"
    } else {
        "D"
    };
    let (request, reply) = match rule.direction {
        Direction::Input => ("I", "O"),
        Direction::Output => ("O", "I"),
        Direction::Forward => ("B", "B"),
    };
    let protocol = match opening.protocol {
        Protocol::Tcp | Protocol::Udp | Protocol::Icmp | Protocol::Icmpv6 => {
            opening.protocol.name()
        }
        Protocol::Ip(50) => "esp".into(),
        Protocol::Ip(51) => "ah".into(),
        Protocol::Ip(number) => number.to_string(),
        Protocol::Any => "all".into(),
    };
    // (source field, destination field) pairs; for ICMP the source field is the type.
    let mut fields: Vec<(Field, Field)> = Vec::new();
    let mut replies: Vec<(Field, Field)> = Vec::new();
    match opening.protocol {
        Protocol::Tcp | Protocol::Udp => {
            for &(dlo, dhi) in opening.ports.ranges() {
                for &(slo, shi) in opening.source_ports.ranges() {
                    fields.push((field(slo, shi), field(dlo, dhi)));
                    replies.push((field(dlo, dhi), field(slo, shi)));
                }
            }
        }
        Protocol::Icmp | Protocol::Icmpv6 => {
            for &(lo, hi) in opening.ports.ranges() {
                fields.push((field(lo, hi.min(255)), Field::One("any", 0)));
            }
            // Echo requests are answered by echo replies; other types have no reply.
            let (echo, answer) = if opening.protocol == Protocol::Icmp {
                (8, 0)
            } else {
                (128, 129)
            };
            if opening.ports.is_full() {
                replies.push((Field::One("any", 0), Field::One("any", 0)));
            } else if opening.ports.contains(echo) {
                replies.push((Field::One("eq", answer), Field::One("any", 0)));
            }
        }
        Protocol::Ip(_) | Protocol::Any => {
            fields.push((Field::One("any", 0), Field::One("any", 0)));
            replies.push((Field::One("any", 0), Field::One("any", 0)));
        }
    }
    let reply_protocol = if opening.protocol == Protocol::Tcp {
        "tcp/ack".to_string()
    } else {
        protocol.clone()
    };
    let mut text = String::new();
    for source in &sources {
        for destination in &destinations {
            let addresses = format!(
                "{} {}",
                address(source, "-s", "-m"),
                address(destination, "-d", "-M")
            );
            let reverse = format!(
                "{} {}",
                address(destination, "-s", "-m"),
                address(source, "-d", "-M")
            );
            let base = format!("genfilt -v {version} -a {action} {addresses} -c {protocol}");
            for (source_field, destination_field) in &fields {
                text.push_str(&one(
                    &base,
                    &addresses,
                    version,
                    source_field,
                    destination_field,
                    routing,
                    request,
                    description,
                ));
            }
            if rule.action == Action::Allow {
                let base = format!("genfilt -v {version} -a P {reverse} -c {reply_protocol}");
                let description =
                    crate::emit::shorten(&format!("reply: {description}"), DESCRIPTION_LIMIT);
                for (source_field, destination_field) in &replies {
                    text.push_str(&one(
                        &base,
                        &reverse,
                        version,
                        source_field,
                        destination_field,
                        routing,
                        reply,
                        &description,
                    ));
                }
            }
        }
    }
    text
}

/// One rule, or an `IF` … `ENDIF` block when a port field is a two-sided range.
#[allow(clippy::too_many_arguments)]
fn one(
    base: &str,
    addresses: &str,
    version: u8,
    source: &Field,
    destination: &Field,
    routing: &str,
    way: &str,
    description: &str,
) -> String {
    let tail = format!("-r {routing} -w {way} -l N -f Y -i all -D \"{description}\"");
    let lower = |field: &Field| match *field {
        Field::One(operator, value) => (operator, value),
        Field::Two(lo, _) => ("ge", lo),
    };
    let upper = |field: &Field| match *field {
        Field::One(operator, value) => (operator, value),
        Field::Two(_, hi) => ("le", hi),
    };
    let ports = |(so, sv): (&str, u16), (d_op, dv): (&str, u16)| {
        format!("-o {so} -p {sv} -O {d_op} -P {dv}")
    };
    let rule = format!(
        "{base} {} {tail}\n",
        ports(upper(source), upper(destination))
    );
    if matches!(source, Field::One(..)) && matches!(destination, Field::One(..)) {
        return rule;
    }
    let condition = base
        .replacen(" -a P ", " -a I ", 1)
        .replacen(" -a D ", " -a I ", 1);
    format!(
        "{condition} {} {tail}\n{rule}genfilt -v {version} -a E {addresses}\n",
        ports(lower(source), lower(destination))
    )
}

/// `-s 10.1.0.0 -m 255.255.255.0` (IPv4 masks) or `-s fd00:1:: -m 64` (IPv6 prefix lengths).
fn address(network: &IpNet, address_flag: &str, mask_flag: &str) -> String {
    match network {
        IpNet::V4(network) => format!(
            "{address_flag} {} {mask_flag} {}",
            network.network(),
            network.netmask()
        ),
        IpNet::V6(network) => format!(
            "{address_flag} {} {mask_flag} {}",
            network.network(),
            network.prefix_len()
        ),
    }
}
