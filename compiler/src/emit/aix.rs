//! AIX IP security filter rules: a ksh script of `genfilt` commands and their activation.
//!
//! AIX filter rules are stateless and compare each port field with one operator; `plan`
//! says how a flow becomes rules and in which order, `report` what the rules cannot express
//! exactly, which `flowc emit` reports as `aix-stateless` warnings (`warnings`).

mod build;
mod carve;
pub mod genfilt;
mod order;
mod plan;
pub mod region;
pub mod report;
mod text;
mod warnings;

pub use genfilt::Way;
pub use region::{Cell, Packet};
pub use report::{Approximation, Reason};
pub use warnings::{AIX_STATELESS, CODES};

use super::{Backend, Family, Input, Layout};
use crate::diagnostic::Diagnostic;
use crate::model::{AddressSet, Policy, Target};
use plan::{Group, Kind};

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
        target.map_or_else(String::new, |target| compile(input, target).text)
    }
    fn files(&self, input: &Input<'_>, target: Option<Target>) -> Vec<(String, String)> {
        let stem = target.map_or("site", |target| input.policy.target_name(target));
        vec![(
            format!("{}.sh", text::file_stem(stem)),
            self.emit(input, target),
        )]
    }
    /// Located at the items; AIX's reserved rule, the same for every target, is a note.
    fn warnings(&self, input: &Input<'_>, target: Target) -> Vec<Diagnostic> {
        let rules = input.policy.rules_for(target);
        let approximations = (plans(input, target, &rules).into_iter())
            .flat_map(|(_, _, found)| found)
            .filter(|found| found.reason != Reason::ReservedRule)
            .collect::<Vec<_>>();
        warnings::diagnostics(input, target, &rules, &approximations)
    }
    fn notes(&self) -> Vec<String> {
        vec![warnings::RESERVED_RULE.to_string()]
    }
}

/// A target's script, and what it cannot express.
pub struct Compiled {
    pub text: String,
    pub approximations: Vec<Approximation>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What the AIX rules of `target` treat unlike the model, for tests and tools.
pub fn approximations(input: &Input<'_>, target: Target) -> Vec<Approximation> {
    let rules = input.policy.rules_for(target);
    (plans(input, target, &rules).into_iter())
        .flat_map(|(_, _, found)| found)
        .collect()
}

/// The pieces of each family and what they cannot express.
fn plans(
    input: &Input<'_>,
    target: Target,
    rules: &crate::model::TargetRules<'_>,
) -> Vec<(Family, build::FamilyPieces, Vec<Approximation>)> {
    let (own, machine) = match target {
        Target::Firewall(_) => (AddressSet::any(), false),
        Target::Machine(index) => (input.policy.machines[index].addresses.clone(), true),
    };
    [Family::V4, Family::V6]
        .into_iter()
        .map(|family| {
            let plan = build::build(rules, family);
            let found = report::approximations(&plan, family, &own, machine);
            (family, plan, found)
        })
        .collect()
}

pub fn compile(input: &Input<'_>, target: Target) -> Compiled {
    let policy = input.policy;
    let rules = policy.rules_for(target);
    let routing = match target {
        Target::Firewall(_) => 'R',
        Target::Machine(_) => 'L',
    };
    let mut text = String::from("#!/bin/ksh\n");
    text::push_comment(
        &mut text,
        "",
        &format!(
            "flowc AIX filter rules for {}.",
            super::target_description(policy, target)
        ),
    );
    text.push_str(
        "# Generated from the site's .flow files; do not edit. Run as root: it replaces every manual\n\
         # filter rule, sets the default rule to deny and activates the rules (mkfilt -u), so run it\n\
         # from a console, or from a session its rules permit. Filter rules are stateless: each\n\
         # permitted flow also permits its replies (TCP segments with ACK only), and the comments\n\
         # `not exact on AIX` below list what that opens beyond the flows. AIX's reserved IPv4\n\
         # rule 1 (udp 4001 to 4001) stays first.\n\n\
         mkdev -l ipsec_v4 >/dev/null\nmkdev -l ipsec_v6 >/dev/null\n\
         rmfilt -v 4 -n all 2>/dev/null || true\nrmfilt -v 6 -n all 2>/dev/null || true\nset -e\n\n",
    );
    let mut approximations = Vec::new();
    for (family, plan, found) in plans(input, target, &rules) {
        push_family(&mut text, input, &rules, family, routing, &plan, &found);
        approximations.extend(found);
    }
    text.push_str("mkfilt -v 4 -z D\nmkfilt -v 6 -z D\nmkfilt -v 4 -u\nmkfilt -v 6 -u\nlsfilt -v 4 -a\nlsfilt -v 6 -a\n");
    let diagnostics = warnings::diagnostics(input, target, &rules, &approximations);
    Compiled {
        text,
        approximations,
        diagnostics,
    }
}

fn push_family(
    text: &mut String,
    input: &Input<'_>,
    rules: &crate::model::TargetRules<'_>,
    family: Family,
    routing: char,
    plan: &build::FamilyPieces,
    found: &[Approximation],
) {
    let version = if family == Family::V4 { 4 } else { 6 };
    let any = if family == Family::V4 {
        "-s 0.0.0.0 -m 0.0.0.0 -d 0.0.0.0 -M 0.0.0.0"
    } else {
        "-s :: -m :: -d :: -M ::"
    };
    let tail =
        |way: char, what: &str| format!("-r {routing} -w {way} -l N -f Y -i all -D \"{what}\"\n");
    text.push_str(&format!(
        "# IPv{version}: loopback, and the ICMP errors a stateless filter must let in.\n\
         genfilt -v {version} -a P {any} -c all -o any -p 0 -O any -P 0 -r {routing} -w B -l N -f Y -i lo0 -D \"loopback\"\n"
    ));
    let (icmp, essential): (&str, &[(u16, &str)]) = match family {
        Family::V4 => (
            "icmp",
            &[(3, "destination unreachable"), (11, "time exceeded")],
        ),
        Family::V6 => (
            "icmpv6",
            &[
                (1, "destination unreachable"),
                (2, "packet too big"),
                (3, "time exceeded"),
                (4, "parameter problem"),
            ],
        ),
    };
    for (kind, what) in essential {
        text.push_str(&format!(
            "genfilt -v {version} -a P {any} -c {icmp} -o eq -p {kind} -O any -P 0 {}",
            tail('I', &format!("ICMP {what}"))
        ));
    }
    if family == Family::V6 {
        // Router and neighbour solicitation and advertisement, one type per rule.
        for kind in 133..=136 {
            text.push_str(&format!(
                "genfilt -v 6 -a P {any} -c icmpv6 -o eq -p {kind} -O any -P 0 {}",
                tail('B', "IPv6 neighbour discovery")
            ));
        }
    }
    if !found.is_empty() {
        text.push_str(&format!("# IPv{version}: not exact on AIX:\n"));
        for approximation in found {
            text::push_comment(text, "", &warnings::note(rules, approximation));
        }
    }
    if !plan.carved.is_empty() {
        text.push_str(&format!(
            "# IPv{version}: denied flows cut out of the permits below (a deny of their port ranges would take a rule per port):\n"
        ));
        for &rule in &plan.carved {
            for origin in &rules.rules[rule].origins {
                input.with_origin_text(origin, |origin| text::push_comment(text, "", origin.line));
            }
        }
    }
    let mut group = None;
    let mut last_rule = None;
    for piece in &plan.pieces {
        if group != Some(piece.group) {
            group = Some(piece.group);
            last_rule = None;
            text.push_str(&format!("# IPv{version}: {}\n", heading(piece.group)));
        }
        let origins = &rules.rules[piece.rule].origins;
        if last_rule != Some(piece.rule) {
            last_rule = Some(piece.rule);
            for origin in origins {
                input.with_origin_text(origin, |origin| text::push_comment(text, "", origin.line));
            }
        }
        let count = piece.rules.len();
        for (index, rule) in piece.rules.iter().enumerate() {
            let what = match (piece.kind, index + 1 == count) {
                (_, false) => "above the range: ",
                (Kind::Reply, true) => "reply: ",
                (Kind::TftpData, true) => "TFTP data: ",
                (Kind::Request, true) => "",
            };
            let comment = super::rule_comment(input, origins, DESCRIPTION_LIMIT - what.len());
            let description = text::description(&format!("{what}{comment}"), DESCRIPTION_LIMIT);
            rule.print(text, version, routing, &description);
        }
    }
    text.push('\n');
}

fn heading(group: Group) -> &'static str {
    match group {
        Group::TcpReplies => {
            "TCP segments with ACK back from the connections permitted below: replies, never a new connection."
        }
        Group::Denies => "denied flows, before every permit (deny overrides allow).",
        Group::Permits => "permitted flows, with the replies a stateless filter must let through.",
        Group::Ranges => {
            "port ranges: the ports above each range are denied first, then the range is permitted from its lower end."
        }
    }
}
