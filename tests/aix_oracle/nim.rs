//! What an AIX administrator checks first: that a NIM install really works through the rules
//! the master and a client get (seed 000: push install over nimsh, bootp, TFTP, NFS,
//! nimesis), with and without `tftp_helper`; and that hostile text in a site (control
//! characters in an `@allow` reason, a 260-character name) cannot break the script.

use super::compare::{Machine, Send, Tally};
use super::{script, sites};
use flowc_compiler::emit::{aix, backend, Input};
use flowc_compiler::model::Target;
use std::net::IpAddr;

const MASTER: &str = "198.18.1.10";
const CLIENT: &str = "198.18.3.7";

fn site(tftp_helper: bool) -> String {
    format!(
        "import nim\nzone mgmt = 198.18.1.0/24\nzone lpars = 198.18.3.0/24\nfirewall fw {{ zones mgmt, lpars }}\n\
         host nim01 = {MASTER} is nim.master(mountd = 9999, tftp_helper = {tftp_helper})\n\
         group aix = 198.18.3.0/25 is nim.client(master = nim01)\nlint insecure-service = allow\n"
    )
}

/// (protocol, from, source port, to, port) of each exchange, as seed 000 lists them.
fn install() -> Vec<(u8, &'static str, u16, &'static str, u16)> {
    vec![
        (6, MASTER, 1023, CLIENT, 3901), // nimsh, from the master's reserved ports
        (6, MASTER, 1022, CLIENT, 3902),
        (6, CLIENT, 1021, MASTER, 1058), // nimesis
        (6, CLIENT, 1020, MASTER, 1059), // nimreg (niminit)
        (6, CLIENT, 1019, MASTER, 1018), // rcmd secondary, reserved to reserved
        (17, CLIENT, 68, MASTER, 67),    // bootp request
        (17, MASTER, 67, CLIENT, 68),    // bootp reply
        (17, CLIENT, 40000, MASTER, 69), // tftp request
        (6, CLIENT, 1000, MASTER, 111),  // portmap
        (17, CLIENT, 1000, MASTER, 111),
        (6, CLIENT, 1001, MASTER, 2049), // nfsd
        (17, CLIENT, 1001, MASTER, 2049),
        (6, CLIENT, 1002, MASTER, 9999), // mountd, pinned
        (17, CLIENT, 1002, MASTER, 9999),
        (6, CLIENT, 40002, MASTER, 5813), // icmpd
        (17, CLIENT, 40002, MASTER, 5813),
    ]
}

fn works(machine: &Machine<'_>, packets: &[Send], what: &str) {
    let mut tally = Tally::default();
    for packet in packets {
        let passes = machine
            .passes(packet, &mut tally)
            .expect("a definite verdict");
        assert!(passes, "{what}: {packet:?} is blocked");
    }
}

#[test]
fn a_nim_install_works_through_the_master_and_client_rules() {
    for tftp_helper in [false, true] {
        let checked = sites::checked(&[("nim.flow".into(), site(tftp_helper))]);
        let policy = &checked.policy;
        let input = Input::new(policy, &checked.analysis.sources);
        for name in ["nim01", "aix"] {
            let target = policy.target_named(name).expect("declared");
            let text = backend("aix").unwrap().emit(&input, Some(target));
            let tables = script::run(&text).unwrap_or_else(|error| panic!("{error}"));
            let Target::Machine(index) = target else {
                unreachable!()
            };
            let approximations = aix::approximations(&input, target);
            let machine = Machine {
                tables: &tables,
                own: &policy.machines[index].addresses,
                firewall: false,
                approximations: &approximations,
            };
            let what = format!("{name} (tftp_helper = {tftp_helper})");
            for (protocol, from, source_port, to, port) in install() {
                let request = Send {
                    source: from.parse().unwrap(),
                    destination: to.parse().unwrap(),
                    protocol,
                    ack: false,
                    source_port,
                    port,
                };
                let mut exchange = vec![request, reply(request, protocol == 6)];
                if protocol == 6 {
                    exchange.push(Send {
                        ack: true,
                        ..request
                    });
                }
                works(&machine, &exchange, &what);
            }
            // TFTP data from the master's new port, and the client's acknowledgements.
            let data = Send {
                source: MASTER.parse().unwrap(),
                destination: CLIENT.parse().unwrap(),
                protocol: 17,
                ack: false,
                source_port: 41000,
                port: 40000,
            };
            works(
                &machine,
                &[data, reply(data, false)],
                &format!("{what}: TFTP data"),
            );
            // With the helper the data ports are opened by the AIX rules alone: reported.
            let reported = approximations
                .iter()
                .any(|a| a.reason == aix::Reason::TftpData);
            assert_eq!(reported, tftp_helper, "{what}: TFTP data reported");
            let ping = Send {
                source: CLIENT.parse().unwrap(),
                destination: MASTER.parse().unwrap(),
                protocol: 1,
                ack: false,
                source_port: 8,
                port: 0,
            };
            let echo_reply = Send {
                source_port: 0,
                port: 0,
                ..reply(ping, false)
            };
            works(&machine, &[ping, echo_reply], &what);
            // Not part of NIM: ssh to the client, rsh from the master, and nimsh from an
            // unreserved port stay closed.
            let mut tally = Tally::default();
            for (from, source_port, to, port) in [
                (MASTER, 40000, CLIENT, 22),
                (MASTER, 1023, CLIENT, 514),
                (MASTER, 40000, CLIENT, 3901),
            ] {
                let packet = Send {
                    source: from.parse::<IpAddr>().unwrap(),
                    destination: to.parse().unwrap(),
                    protocol: 6,
                    ack: false,
                    source_port,
                    port,
                };
                assert!(
                    !machine.passes(&packet, &mut tally).unwrap(),
                    "{what}: {packet:?} passes"
                );
            }
        }
    }
}

fn reply(request: Send, ack: bool) -> Send {
    Send {
        source: request.destination,
        destination: request.source,
        source_port: request.port,
        port: request.source_port,
        ack,
        ..request
    }
}

#[test]
fn hostile_reasons_and_long_names_cannot_break_the_script() {
    let name = "n".repeat(260);
    // The language refuses control characters in strings (E0016); they go straight into the
    // model below.
    let reason = "NUL ESC[31m red \\n# rm -rf /; $(reboot) `id` \\\"q\\\" \u{2028} end";
    let text = format!(
        "import nim\nzone lan = 10.1.0.0/16\nhost {name} = 10.1.0.10 is nim.master()\n\
         group clients = 10.1.1.0/24 is nim.client(master = {name})\n\
         @allow(broad-range, \"{reason}\")\nallow clients -> {name} : tcp 1..60000\n"
    );
    let mut checked = sites::checked(&[("hostile.flow".into(), text)]);
    // The same reason straight into the model, whatever the language accepts.
    for flow in &mut checked.policy.flows {
        flow.origin
            .allowed_lints
            .push(("x".into(), "a\u{0}b\u{1b}c\nd\re\u{85}f\"$`\\".repeat(200)));
    }
    let policy = &checked.policy;
    let input = Input::new(policy, &checked.analysis.sources);
    let aix = backend("aix").unwrap();
    for target in aix.targets(policy) {
        let files = aix.files(&input, Some(target));
        let (file, text) = &files[0];
        assert!(file.len() <= 200, "{file}");
        if let Some(line) = text.lines().find(|line| line.len() > 1000) {
            panic!("a line of {} bytes: {}", line.len(), &line[..200]);
        }
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "a control character"
        );
        let tables = script::run(text).unwrap_or_else(|error| panic!("{error}"));
        assert!(tables.v4.is_some() && tables.v6.is_some());
        let path = std::env::temp_dir().join(format!("flowc-aix-{}-{file}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let status = std::process::Command::new("sh")
            .arg("-n")
            .arg(&path)
            .status();
        std::fs::remove_file(&path).ok();
        assert!(status.expect("sh runs").success(), "sh -n rejects {file}");
        assert!(
            text.contains("\\x00") && text.contains("\\x1b"),
            "escaped in the comments"
        );
    }
}
