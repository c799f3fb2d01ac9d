//! AIX IP security filter rules: a ksh script of `genfilt` commands and their activation.
//!
//! AIX filter rules are stateless, so every permitted flow gets a second rule for its replies
//! (`tcp/ack` for TCP: replies only, never a new connection from the server's port). A port
//! field takes one operator, so a range is `eq`, `ge` or `le` when it can be, and otherwise an
//! `IF` rule holding the lower bounds around the rule holding the upper bounds.

use super::{by_family, origin_lines, rule_comment, Family, FamilyRule};
use super::{Backend, Input, Layout};
use crate::model::{Action, Direction, Policy, Protocol, Target};
use ipnet::IpNet;

/// Kept short: `-D` is a short description.
const DESCRIPTION_LIMIT: usize = 80;

pub struct Aix;

impl Backend for Aix {
    fn name(&self) -> &'static str {
        "aix"
    }
    fn extension(&self) -> &'static str {
        "sh"
    }
    fn summary(&self) -> &'static str {
        "AIX genfilt/mkfilt script, for the hosts holding nim roles"
    }
    fn layout(&self) -> Layout {
        Layout::PerTarget
    }
    /// The machines these documents are about: the NIM masters and clients, which run AIX.
    fn targets(&self, policy: &Policy) -> Vec<Target> {
        (policy.machines.iter().enumerate())
            .filter(|(_, machine)| machine.roles.iter().any(|role| role.starts_with("nim.")))
            .map(|(index, _)| Target::Machine(index))
            .collect()
    }
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String {
        target.map_or_else(String::new, |target| script(input, target))
    }
}

fn script(input: &Input<'_>, target: Target) -> String {
    let routing = if matches!(target, Target::Firewall(_)) {
        "R"
    } else {
        "L"
    };
    let mut text = format!(
        "#!/bin/ksh\n# flowc AIX filter rules for {}.\n",
        super::target_description(input.policy, target)
    );
    text.push_str(
        "# Generated from the site's .flow files; do not edit. Run as root: it replaces every manual\n\
         # filter rule, sets the default rule to deny and activates the rules (mkfilt).\n\
         # Filter rules are stateless: each permitted flow also permits its replies.\n\n\
         mkdev -l ipsec_v4 >/dev/null\nmkdev -l ipsec_v6 >/dev/null\n\
         rmfilt -v 4 -n all 2>/dev/null || true\nrmfilt -v 6 -n all 2>/dev/null || true\nset -e\n\n",
    );
    for (family, version, any, zero) in [
        (Family::V4, 4, "0.0.0.0", "0.0.0.0"),
        (Family::V6, 6, "::", "0"),
    ] {
        let everywhere = format!("-s {any} -m {zero} -d {any} -M {zero}");
        text.push_str(&format!(
            "# IPv{version}: loopback, and the ICMP errors stateless filtering must let in.\n"
        ));
        text.push_str(&format!(
            "genfilt -v {version} -a P {everywhere} -r {routing} -w B -i lo0 -D \"loopback\"\n"
        ));
        let essential: &[(u16, &str)] = match family {
            Family::V4 => &[(3, "destination unreachable"), (11, "time exceeded")],
            Family::V6 => &[
                (1, "destination unreachable"),
                (2, "packet too big"),
                (3, "time exceeded"),
                (4, "parameter problem"),
            ],
        };
        let icmp = if family == Family::V4 {
            "icmp"
        } else {
            "icmpv6"
        };
        for (kind, what) in essential {
            text.push_str(&format!(
                "genfilt -v {version} -a P {everywhere} -c {icmp} -o eq -p {kind} -r {routing} -w I -i all -D \"ICMP {what}\"\n"
            ));
        }
        if family == Family::V6 {
            text.push_str(&format!(
                "genfilt -v 6 -a I {everywhere} -c icmpv6 -o ge -p 133 -r {routing} -w B -i all -D \"IPv6 neighbour discovery\"\n\
                 genfilt -v 6 -a P {everywhere} -c icmpv6 -o le -p 136 -r {routing} -w B -i all -D \"IPv6 neighbour discovery\"\n\
                 genfilt -v 6 -a E {everywhere}\n"
            ));
        }
        let rules = input.policy.rules_for(target);
        for part in rules
            .rules
            .iter()
            .flat_map(by_family)
            .filter(|part| part.family == family)
        {
            text.push_str(&origin_lines(input.sources, &part.rule.origins, "# "));
            let description = rule_comment(input.sources, &part.rule.origins, DESCRIPTION_LIMIT);
            text.push_str(&commands(&part, version, routing, &description));
        }
        text.push('\n');
    }
    text.push_str("mkfilt -v 4 -z D\nmkfilt -v 6 -z D\nmkfilt -v 4 -u\nmkfilt -v 6 -u\nlsfilt -v 4 -a\nlsfilt -v 6 -a\n");
    text
}

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
fn commands(part: &FamilyRule<'_>, version: u8, routing: &str, description: &str) -> String {
    let rule = part.rule;
    let opening = &rule.opening;
    let any_network = |family: Family| {
        if family == Family::V4 {
            "0.0.0.0/0"
        } else {
            "::/0"
        }
    };
    let side = |side: &super::Side| -> Vec<IpNet> {
        super::networks(side)
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
                    super::shorten(&format!("reply: {description}"), DESCRIPTION_LIMIT);
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
