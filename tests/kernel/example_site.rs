//! examples/site in the lab: its firewalls `core` and `edge`, each between two namespaces that
//! stand for everything behind each side, routed as the compiler routes. For the edge, the
//! client side is the transit network and, behind the core, the management network, the
//! LPARs, the cluster and the BMCs; the server side is the internet. For the core, the client
//! side is the management network and the server side every other zone (the internet behind the
//! transit network). Every probe is compared with the model; the HMC's call-home (to IBM's VPN
//! servers, addresses no namespace holds) is watched on the internet side's link, and TFTP
//! transfers cross the core where the site asks for the TFTP helper.

use super::differential::{add_random_probes, assert_query_agrees, Random};
use super::lab::{Behind, Lab};
use super::probes::derive;
use super::wire::{datagrams_across, tftp_transfer, Datagram};
use super::{probe_and_compare, Loader};
use flowc_compiler::model::Protocol;
use flowc_compiler::{check, Checked, MemoryWorld};
use std::net::IpAddr;

/// The example site, its files named as `flowc emit .` inside it names them.
fn example() -> (MemoryWorld, Checked) {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/site");
    let mut world = MemoryWorld::default();
    for entry in std::fs::read_dir(&directory)
        .expect("examples/site")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".flow") {
            let text = std::fs::read_to_string(entry.path()).expect("readable");
            world.files.insert(name, text);
        }
    }
    let checked = check(&world);
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    (world, checked)
}

fn addresses(list: &[&str]) -> Vec<IpAddr> {
    list.iter()
        .map(|address| address.parse().expect("an address"))
        .collect()
}

const HMC: &str = "198.18.1.5";
const NIM: &str = "198.18.1.10";
const XCAT: &str = "198.18.1.20";
const AIX: &str = "198.18.3.10";
const COMPUTE: &str = "198.18.4.10";
const TRANSIT: &str = "198.18.0.5";
/// IBM's VPN servers (stdlib/hmc.flow, `ibm_vpn_servers`).
const IBM_VPN: [&str; 2] = ["129.42.160.16", "207.25.252.196"];

/// The management network's machines: the HMC, the NIM master, xCAT, the ITM servers, an
/// administrator (IPv4 and IPv6).
fn management() -> Vec<&'static str> {
    vec![
        HMC,
        NIM,
        XCAT,
        "198.18.1.30",
        "198.18.1.31",
        "198.18.1.32",
        "198.18.1.130",
        "fd00:f10c:1::10",
    ]
}

/// Loads one of the example's firewalls with `load` and compares every probe with the model.
/// `tftp_helper`: whether the backend tracks TFTP, so that a transfer the site allows crosses.
pub fn example_firewall(tag: &str, name: &str, load: Loader<'_>, tftp_helper: bool) {
    if !super::lab::available(&format!("kernel test {tag}")) {
        return;
    }
    let (world, checked) = example();
    let policy = &checked.policy;
    let target = policy.target_named(name).expect("the firewall");
    let (client, server, client_side, server_side): (Vec<&str>, Vec<&str>, Vec<&str>, Vec<&str>) =
        if name == "edge" {
            let mut client = management();
            client.extend([AIX, COMPUTE, "198.18.2.10", TRANSIT]);
            (
                client,
                vec!["198.18.100.10", "198.18.101.20", "fd00:f10c:99::10"],
                vec![
                    "198.18.1.0/24",
                    "198.18.2.0/24",
                    "198.18.3.0/24",
                    "198.18.4.0/24",
                    "fd00:f10c:1::/64",
                ],
                vec!["0.0.0.0/0", "::/0"],
            )
        } else {
            (
                management(),
                vec![
                    AIX,
                    "198.18.3.200",
                    COMPUTE,
                    "198.18.2.10",
                    TRANSIT,
                    "198.18.100.10",
                    "fd00:f10c:99::10",
                ],
                vec![],
                vec![
                    "198.18.0.0/28",
                    "198.18.2.0/24",
                    "198.18.4.0/24",
                    "0.0.0.0/0",
                    "::/0",
                ],
            )
        };
    let (client, server) = (addresses(&client), addresses(&server));
    // The edge's transit address and the core's management and LPAR addresses, as the site
    // declares them; IPv6 links from fd00:f10c::/32.
    let links = if name == "edge" {
        [
            [
                ("198.18.0.1/28", "198.18.0.2/28"),
                ("fd00:f10c:fe01::1/64", "fd00:f10c:fe01::2/64"),
            ],
            [
                ("198.18.254.1/24", "198.18.254.2/24"),
                ("fd00:f10c:fe02::1/64", "fd00:f10c:fe02::2/64"),
            ],
        ]
    } else {
        [
            [
                ("198.18.1.1/24", "198.18.1.2/24"),
                ("fd00:f10c:1::1/64", "fd00:f10c:1::2/64"),
            ],
            [
                ("198.18.3.1/24", "198.18.3.2/24"),
                ("fd00:f10c:fe03::1/64", "fd00:f10c:fe03::2/64"),
            ],
        ]
    };
    let mut probes = derive(policy, &policy.rules_for(target), &client, &server, 60);
    add_random_probes(
        policy,
        &mut Random(0x5eed ^ tag.len() as u64),
        &mut probes,
        &client,
        &server,
        40,
    );
    assert_query_agrees(&world, &probes);
    let mut lab = Lab::routed_behind(
        tag,
        Behind {
            link: links[0],
            addresses: &client,
            routes: &client_side,
        },
        Behind {
            link: links[1],
            addresses: &server,
            routes: &server_side,
        },
    );
    let firewall = lab.firewall.clone().expect("a firewall namespace");
    load(&mut lab, &firewall, &checked, target);
    if name == "edge" {
        assert_call_home(&mut lab, &checked);
    } else if tftp_helper {
        assert_tftp(&mut lab, &checked);
    }
    probe_and_compare(
        &mut lab,
        &format!("examples/site {name}"),
        &probes,
        &client,
        &server,
    );
}

/// The HMC's call-home (udp 500 and 4500 to IBM's VPN servers, `connectivity = vpn_nat`)
/// leaves through the edge, and nothing else there does: each datagram crosses exactly when the
/// model allows it.
fn assert_call_home(lab: &mut Lab, checked: &Checked) {
    let mut datagrams: Vec<Datagram> = Vec::new();
    let mut port = 40000;
    for (source, dport) in [
        (HMC, 500),
        (HMC, 4500),
        (HMC, 501),
        (NIM, 500),
        ("198.18.1.130", 4500),
    ] {
        for server in IBM_VPN {
            port += 1;
            datagrams.push((
                source.parse().unwrap(),
                port,
                server.parse().unwrap(),
                dport,
            ));
        }
    }
    let seen = datagrams_across(lab, &datagrams);
    let mut mismatches = Vec::new();
    for datagram @ (source, sport, destination, dport) in &datagrams {
        let allowed = checked
            .policy
            .decide(*source, *destination, Protocol::Udp, *dport, *sport);
        if allowed != seen.contains(datagram) {
            mismatches.push(format!("{datagram:?}: model allows {allowed}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "the edge and the model disagree:\n{}",
        mismatches.join("\n")
    );
    let call_home = (
        HMC.parse().unwrap(),
        40001,
        IBM_VPN[0].parse().unwrap(),
        500,
    );
    assert!(
        seen.contains(&call_home),
        "the HMC's call-home does not leave through the edge: {seen:?}"
    );
    eprintln!(
        "examples/site edge: {} call-home datagrams, {} crossed",
        datagrams.len(),
        seen.len()
    );
}

/// TFTP transfers across the core: the NIM clients and the cluster boot from their masters
/// (the site sets `tftp_helper = true`, so no data port is opened), and one the site does not
/// allow does not happen.
fn assert_tftp(lab: &mut Lab, checked: &Checked) {
    let (client, server) = (lab.client.clone(), lab.server.clone());
    for (reader, master) in [(AIX, NIM), (COMPUTE, XCAT), (TRANSIT, NIM)] {
        let (reader, master): (IpAddr, IpAddr) = (reader.parse().unwrap(), master.parse().unwrap());
        let allowed = checked
            .policy
            .decide(reader, master, Protocol::Udp, 69, 40000);
        let transferred = tftp_transfer(lab, &client, master, &server, reader);
        assert_eq!(
            transferred, allowed,
            "TFTP {reader} from {master}: the model allows the request: {allowed}"
        );
    }
}

/// The nftables backend, which the other backends are compared with, on the same labs: the
/// lab's routes and sides are right when it agrees. The core's TFTP transfers cross through the
/// helper it assigns (issue 17 item 7).
#[test]
fn nftables_example_site_firewalls_agree_with_the_model() {
    let load = super::programs(&[("nftables", "nft")]);
    example_firewall("exnc", "core", &load, true);
    example_firewall("exne", "edge", &load, false);
}

/// The same for iptables and ip6tables, loaded as their headers say (own chains, jumps added
/// once), with the TFTP helper assigned in the raw table.
#[test]
fn iptables_example_site_firewalls_agree_with_the_model() {
    let load = super::programs(&[
        ("iptables", "iptables-restore"),
        ("ip6tables", "ip6tables-restore"),
    ]);
    example_firewall("exic", "core", &load, true);
    example_firewall("exie", "edge", &load, false);
}
