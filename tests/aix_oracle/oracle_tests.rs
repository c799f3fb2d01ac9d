//! The oracle's own tests: it must refuse what it does not understand, treat an IF rule as
//! the state IBM documents (which is why flowc writes no IF rules), and apply AIX's reserved
//! rule and the default rule.

use super::filter::{Packet, Verdict};
use super::script::run;

const HEAD: &str =
    "#!/bin/ksh\nmkdev -l ipsec_v4 >/dev/null\nrmfilt -v 4 -n all 2>/dev/null || true\nset -e\n";
const TAIL: &str = "mkfilt -v 4 -z D\nmkfilt -v 4 -u\n";
const RULE: &str = "genfilt -v 4 -a P -s 10.0.0.0 -m 255.0.0.0 -d 10.0.0.1 -M 255.255.255.255 -c tcp -o any -p 0 -O eq -P 22 -r L -w I -l N -f Y -i all -D \"ssh\"";

fn packet(source_port: u16, port: u16) -> Packet {
    Packet {
        source: "10.0.0.5".parse().unwrap(),
        destination: "10.0.0.1".parse().unwrap(),
        protocol: 6,
        ack: false,
        source_port,
        port,
        inbound: true,
        routed: false,
        interface: "en0",
    }
}

fn verdict(script: &str, packet: &Packet) -> Verdict {
    let tables = run(script).unwrap_or_else(|error| panic!("{error}"));
    tables.v4.expect("activated").verdict(packet)
}

#[test]
fn a_first_match_table_with_the_default_rule() {
    let script = format!("{HEAD}{RULE}\n{TAIL}");
    assert_eq!(verdict(&script, &packet(40000, 22)), Verdict::Permit);
    assert_eq!(verdict(&script, &packet(40000, 23)), Verdict::Deny);
    let outbound = Packet {
        inbound: false,
        ..packet(40000, 22)
    };
    assert_eq!(verdict(&script, &outbound), Verdict::Deny);
    // Rules added after `mkfilt -u` are not active; without `-z D` the default permits.
    let late = format!("{HEAD}mkfilt -v 4 -u\n{RULE}\n");
    assert_eq!(verdict(&late, &packet(40000, 23)), Verdict::Permit);
    // AIX's reserved rule 1: udp 4001 to 4001, before every rule.
    let udp = Packet {
        protocol: 17,
        ..packet(4001, 4001)
    };
    assert_eq!(verdict(&format!("{HEAD}{TAIL}"), &udp), Verdict::Permit);
}

#[test]
fn an_if_rule_is_a_state_of_the_table_not_a_condition() {
    // The range encoding flowc used to write: IF (ports at or above the lower ends), then
    // the permit of the ports at or below the upper ends. Before any packet satisfies the
    // IF, ssh from port 600 is denied; after one has, the block applies to every packet.
    let address = "-s 10.0.0.0 -m 255.0.0.0 -d 10.0.0.1 -M 255.255.255.255";
    let script = format!(
        "{HEAD}genfilt -v 4 -a I {address} -c tcp -o ge -p 513 -O ge -P 3901 -r L -w I -l N -f Y -i all -D \"IF\"\n\
         genfilt -v 4 -a P {address} -c tcp -o le -p 1023 -O le -P 3902 -r L -w I -l N -f Y -i all -D \"nimsh\"\n\
         genfilt -v 4 -a E {address}\n{TAIL}"
    );
    assert_eq!(verdict(&script, &packet(600, 3901)), Verdict::Permit);
    assert_eq!(verdict(&script, &packet(600, 22)), Verdict::Depends);
    assert_eq!(verdict(&script, &packet(40000, 3901)), Verdict::Deny);
}

#[test]
fn lines_the_oracle_does_not_understand_are_errors() {
    let with = |line: &str| format!("{HEAD}{line}\n{TAIL}");
    let broken = [
        with("echo hello"),
        with(&RULE.replace("\"ssh\"", "\"$(reboot)\"")),
        with(&RULE.replace("\"ssh\"", "\"a`id`\"")),
        with(&RULE.replace("-i all", "-i all;reboot")),
        with(&RULE.replace("-i all", "-i all>/tmp/x")),
        with(&RULE.replace("-D \"ssh\"", "-x pattern")),
        with(&RULE.replace("-D \"ssh\"", "-n 3")),
        with(&RULE.replace("-D \"ssh\"", "-D \"unclosed")),
        with(&RULE.replace("-o any", "-o between")),
        with(&RULE.replace("-c tcp", "-c 253")),
        with(&RULE.replace("-m 255.0.0.0", "-m 255.0.255.0")),
        with(&RULE.replace("-s 10.0.0.0", "-s nim01")),
        with(&RULE.replace("-a P", "-a H")),
        with(&RULE.replace("-c tcp -o any -p 0", "-c all -o eq -p 22")),
        with(&format!("{RULE} -D \"twice\"")),
        with("# a comment with a NUL \0"),
        with(&format!("{RULE}\r")),
        format!("#!/bin/sh\n{TAIL}"),
        "#!/bin/ksh\nmkfilt -v 4 -u\n".to_string(),
    ];
    for script in broken {
        assert!(run(&script).is_err(), "accepted:\n{script}");
    }
    assert!(run(&with(RULE)).is_ok());
}
