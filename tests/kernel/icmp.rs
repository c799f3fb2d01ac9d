//! ICMP and ICMPv6 through a firewall: echo requests allowed by type, a whole protocol allowed,
//! and a deny of one type carved out of that, in both families and both directions; each echo
//! is answered exactly when the model allows the request.

use super::lab::{Lab, Side};
use super::wire::echoes;
use super::{clients, servers, Loader};
use flowc_compiler::model::Protocol;
use flowc_compiler::{check, MemoryWorld};
use std::net::IpAddr;

const SITE: &str = "zone c = 198.18.1.0/24, fd00:f10c:1::/64
zone s = 198.18.2.0/24, fd00:f10c:2::/64
firewall fw { zones c, s }
host c1 = 198.18.1.10, fd00:f10c:1::10
host c2 = 198.18.1.20, fd00:f10c:1::20
host s1 = 198.18.2.10, fd00:f10c:2::10
host s2 = 198.18.2.20, fd00:f10c:2::20
allow c1 -> s1 : icmp echo-request, icmpv6 echo-request
allow c -> s2 : icmp, icmpv6
deny c2 -> s2 : icmp echo-request, icmpv6 echo-request
";

pub fn icmp_test(tag: &str, load: Loader<'_>) {
    if !super::lab::available(&format!("kernel test {tag}")) {
        return;
    }
    let checked = check(&MemoryWorld::single("icmp.flow", SITE));
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    let policy = &checked.policy;
    let target = policy.target_named("fw").expect("the firewall");
    let (client, server) = (clients(), servers());
    let mut lab = Lab::routed(
        tag,
        Side {
            addresses: &client,
            subnet: 1,
        },
        Side {
            addresses: &server,
            subnet: 2,
        },
    );
    let firewall = lab.firewall.clone().expect("a firewall namespace");
    load(&mut lab, &firewall, &checked, target);
    let hosts =
        |list: &[&str]| -> Vec<IpAddr> { list.iter().map(|a| a.parse().unwrap()).collect() };
    let (near, far) = (
        hosts(&[
            "198.18.1.10",
            "198.18.1.20",
            "fd00:f10c:1::10",
            "fd00:f10c:1::20",
        ]),
        hosts(&[
            "198.18.2.10",
            "198.18.2.20",
            "fd00:f10c:2::10",
            "fd00:f10c:2::20",
        ]),
    );
    let mut mismatches = Vec::new();
    let mut allowed = 0;
    for (namespace, from, to) in [
        (lab.client.clone(), &near, &far),
        (lab.server.clone(), &far, &near),
    ] {
        let pairs: Vec<(IpAddr, IpAddr)> = (from.iter())
            .flat_map(|&a| {
                to.iter()
                    .filter(move |b| b.is_ipv4() == a.is_ipv4())
                    .map(move |&b| (a, b))
            })
            .collect();
        for (&(source, destination), answered) in pairs.iter().zip(echoes(&lab, &namespace, &pairs))
        {
            let (protocol, kind) = if source.is_ipv4() {
                (Protocol::Icmp, 8)
            } else {
                (Protocol::Icmpv6, 128)
            };
            let model = policy.decide(source, destination, protocol, kind, 0);
            allowed += usize::from(model);
            if model != answered {
                mismatches.push(format!(
                    "echo {source} -> {destination}: model {model}, kernel {answered}"
                ));
            }
        }
    }
    eprintln!("{tag}: 16 echo requests, {allowed} allowed");
    assert!(allowed >= 4, "the site allows echoes in both families");
    assert!(mismatches.is_empty(), "{tag}:\n{}", mismatches.join("\n"));
}

#[test]
fn nftables_icmp_types_agree_with_the_model() {
    icmp_test("icmpn", &super::programs(&[("nftables", "nft")]));
}
