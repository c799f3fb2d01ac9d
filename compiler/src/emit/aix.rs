//! AIX IP security filter rules: a ksh script of `genfilt` commands and their activation.
//!
//! AIX filter rules are stateless, so every permitted flow gets a second rule for its replies
//! (`tcp/ack` for TCP: replies only, never a new connection from the server's port). A port
//! field takes one operator, so a range is `eq`, `ge` or `le` when it can be, and otherwise an
//! `IF` rule holding the lower bounds around the rule holding the upper bounds.

mod genfilt;

use super::{by_family, origin_lines, rule_comment, Family};
use super::{Backend, Input, Layout};
use crate::model::{Policy, Target};
use genfilt::commands;

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
            text.push_str(&origin_lines(input, &part.rule.origins, "# "));
            let description = rule_comment(input, &part.rule.origins, DESCRIPTION_LIMIT);
            text.push_str(&commands(&part, version, routing, &description));
        }
        text.push('\n');
    }
    text.push_str("mkfilt -v 4 -z D\nmkfilt -v 6 -z D\nmkfilt -v 4 -u\nmkfilt -v 6 -u\nlsfilt -v 4 -a\nlsfilt -v 6 -a\n");
    text
}
