//! Port ranges no single genfilt comparison holds, where the order of their deny-above and
//! permit-from rules matters: two ranges whose denies catch each other's ports (written port
//! by port, or past the limit widened and reported), and a protocol genfilt cannot name.

use super::{probe_target, report, sites};
use flowc_compiler::emit::{aix, Input};
use flowc_compiler::model::Target;
use std::net::IpAddr;

const HEAD: &str = "zone c = 198.18.1.0/24\nzone s = 198.18.2.0/24\nfirewall fw { zones c, s }\n\
    host c1 = 198.18.1.10\nhost s1 = 198.18.2.10\nlint broad-range = allow\nlint redundant = allow\n";

fn reasons(text: &str) -> Vec<aix::Reason> {
    let checked = sites::checked(&[("ranges.flow".into(), text.to_string())]);
    let policy = &checked.policy;
    let input = Input::new(policy, &checked.analysis.sources);
    let target = policy.target_named("s1").expect("declared");
    let mut reasons: Vec<aix::Reason> = aix::approximations(&input, target)
        .iter()
        .map(|a| a.reason)
        .filter(|reason| *reason != aix::Reason::ReservedRule)
        .collect();
    reasons.sort();
    reasons.dedup();
    let addresses: Vec<IpAddr> = ["198.18.1.10", "198.18.1.20", "198.18.2.10"]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
    let (outside, inside): (Vec<IpAddr>, Vec<IpAddr>) = addresses
        .iter()
        .partition(|a| a.to_string() != "198.18.2.10");
    // Every source port of both ranges and around them, to every destination port.
    let mut extra = Vec::new();
    for source_port in (590..=910).step_by(5).chain([615, 616, 625, 626, 640, 641]) {
        for port in (995..=1205)
            .step_by(5)
            .chain([1020, 1021, 1030, 1031, 1100, 1101])
        {
            extra.push(super::compare::Send {
                source: outside[0],
                destination: inside[0],
                protocol: 6,
                ack: false,
                source_port,
                port,
            });
        }
    }
    let tally = probe_target(&checked, target, &outside, &inside, &extra);
    report("ranges", &[tally]);
    reasons
}

#[test]
fn ranges_whose_denies_catch_each_other_are_written_port_by_port() {
    let text = format!(
        "{HEAD}allow c1 -> s1 : tcp 1000..1020 from 600..640\nallow c1 -> s1 : tcp 1010..1030 from 605..625\n"
    );
    assert_eq!(reasons(&text), []);
    let checked = sites::checked(&[("ranges.flow".into(), text)]);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let target = checked.policy.target_named("s1").unwrap();
    let script = flowc_compiler::emit::backend("aix")
        .unwrap()
        .emit(&input, Some(target));
    let single = script.matches("-o eq -p 610 -O eq -P 1015").count();
    assert_eq!(single, 1, "one range is written port by port:\n{script}");
}

#[test]
fn ranges_too_large_to_write_port_by_port_are_widened_and_reported() {
    let text = format!(
        "{HEAD}allow c1 -> s1 : tcp 1000..1100 from 600..900\nallow c1 -> s1 : tcp 1050..1200 from 650..800\n"
    );
    assert_eq!(reasons(&text), [aix::Reason::Widened]);
}

#[test]
fn a_protocol_genfilt_cannot_name_is_left_out_and_reported() {
    let text = format!("{HEAD}allow c1 -> s1 : proto 253, tcp 22\n");
    assert_eq!(reasons(&text), [aix::Reason::Unexpressible]);
    let checked = sites::checked(&[("ranges.flow".into(), text)]);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let Some(target @ Target::Machine(_)) = checked.policy.target_named("s1") else {
        unreachable!()
    };
    let script = flowc_compiler::emit::backend("aix")
        .unwrap()
        .emit(&input, Some(target));
    assert!(!script.contains("-c 253"), "{script}");
}

#[test]
fn a_deny_of_ranges_too_wide_to_write_port_by_port_is_cut_out_of_the_permits() {
    let text =
        format!("{HEAD}allow c -> s1 : any\ndeny c1 -> s1 : udp 2000..3000 from 1000..1100\n");
    assert_eq!(reasons(&text), [aix::Reason::Replies]);
    let checked = sites::checked(&[("ranges.flow".into(), text)]);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let target = checked.policy.target_named("s1").unwrap();
    let script = flowc_compiler::emit::backend("aix")
        .unwrap()
        .emit(&input, Some(target));
    // Port by port it would take 101,101 rules per family.
    assert!(script.lines().count() < 200, "{script}");
    assert!(
        script.contains("denied flows cut out of the permits"),
        "{script}"
    );
}
