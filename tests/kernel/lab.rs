//! Network namespaces for the kernel tests: a client side and a server side, joined through a
//! firewall namespace (routed) or directly (to test a host's own ruleset). Only addresses from
//! 198.18.0.0/15 and fd00:f10c::/48 are used; everything is deleted when the lab is dropped,
//! also when an assertion fails. The host's own namespace is never touched.

use std::net::IpAddr;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Runs a command, panicking with its output when it fails.
pub fn run(program: &str, arguments: &[&str]) -> Output {
    let output = Command::new(program)
        .args(arguments)
        .output()
        .unwrap_or_else(|error| panic!("{program}: {error}"));
    assert!(
        output.status.success(),
        "{program} {}: {}{}",
        arguments.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Waits for a child at most `limit`, killing it when it overruns.
pub fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("the child can be polled").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the child's output")
}

/// Whether the kernel lab can run here: root, `ip`, the loaders and python3 for the probes.
/// Without them a kernel test is skipped with a notice, or fails under
/// `FLOWC_REQUIRE_TOOLS=1` (as in CI).
pub fn available(what: &str) -> bool {
    super::support::tools_present(
        what,
        &[
            ("ip", "iproute2"),
            ("nft", "nftables"),
            ("iptables-restore", "iptables"),
            ("ip6tables-restore", "iptables"),
            ("python3", "python3"),
        ],
        true,
    )
}

pub struct Lab {
    prefix: String,
    /// Whatever must live as long as the lab (a daemon serving a namespace, its files): dropped
    /// first, before the children are killed and the namespaces deleted.
    pub keep: Vec<Box<dyn std::any::Any>>,
    /// Every namespace made, deleted on drop.
    namespaces: Vec<String>,
    /// Processes started inside the namespaces, killed on drop.
    pub children: Vec<Child>,
    pub client: String,
    pub server: String,
    pub firewall: Option<String>,
}

/// The addresses of one side: IPv4 in 198.18.N.0/24, IPv6 in fd00:f10c:N::/64.
pub struct Side<'a> {
    pub addresses: &'a [IpAddr],
    pub subnet: u8,
}

/// One side of [`Lab::routed_behind`].
pub struct Behind<'a> {
    /// The link's addresses, IPv4 then IPv6, each `(firewall's, side's)` with its prefix
    /// length: `("198.18.0.1/28", "198.18.0.2/28")`.
    pub link: [(&'a str, &'a str); 2],
    /// The addresses the side's namespace answers for.
    pub addresses: &'a [IpAddr],
    /// The networks the firewall routes to this side (`0.0.0.0/0` and `::/0` for the rest).
    pub routes: &'a [&'a str],
}

impl Lab {
    fn new(tag: &str) -> Lab {
        let number = COUNTER.fetch_add(1, Ordering::SeqCst);
        let prefix = format!("flowc-{}-{tag}{number}", std::process::id());
        Lab {
            prefix,
            keep: Vec::new(),
            namespaces: Vec::new(),
            children: Vec::new(),
            client: String::new(),
            server: String::new(),
            firewall: None,
        }
    }

    fn namespace(&mut self, role: &str) -> String {
        let name = format!("{}-{role}", self.prefix);
        run("ip", &["netns", "add", &name]);
        self.namespaces.push(name.clone());
        // No duplicate address detection: addresses are usable at once.
        self.sysctl(&name, "net/ipv6/conf/default/accept_dad", "0");
        self.sysctl(&name, "net/ipv6/conf/all/accept_dad", "0");
        run("ip", &["-n", &name, "link", "set", "lo", "up"]);
        name
    }

    pub fn sysctl(&self, namespace: &str, key: &str, value: &str) {
        run(
            "ip",
            &[
                "netns",
                "exec",
                namespace,
                "sh",
                "-c",
                &format!("echo {value} > /proc/sys/{key}"),
            ],
        );
    }

    /// A veth pair between two namespaces; returns the two interface names.
    fn link(&self, a: &str, b: &str) -> (String, String) {
        let number = COUNTER.fetch_add(1, Ordering::SeqCst);
        let (left, right) = (
            format!("fl{}a{number}", std::process::id() % 100_000),
            format!("fl{}b{number}", std::process::id() % 100_000),
        );
        run(
            "ip",
            &[
                "link", "add", &left, "netns", a, "type", "veth", "peer", "name", &right, "netns",
                b,
            ],
        );
        run("ip", &["-n", a, "link", "set", &left, "up"]);
        run("ip", &["-n", b, "link", "set", &right, "up"]);
        (left, right)
    }

    fn add_address(namespace: &str, device: &str, address: &str) {
        let mut arguments = vec!["-n", namespace, "addr", "add", address, "dev", device];
        if address.contains(':') {
            arguments.push("nodad");
        }
        run("ip", &arguments);
    }

    /// Client side — firewall — server side, each side's subnets routed through the firewall.
    pub fn routed(tag: &str, client: Side<'_>, server: Side<'_>) -> Lab {
        let mut lab = Lab::new(tag);
        lab.client = lab.namespace("c");
        lab.server = lab.namespace("s");
        let firewall = lab.namespace("f");
        lab.sysctl(&firewall, "net/ipv4/ip_forward", "1");
        lab.sysctl(&firewall, "net/ipv6/conf/all/forwarding", "1");
        for (namespace, side) in [(lab.client.clone(), &client), (lab.server.clone(), &server)] {
            let (inside, outside) = lab.link(&namespace, &firewall);
            let net = side.subnet;
            Lab::add_address(&firewall, &outside, &format!("198.18.{net}.1/24"));
            Lab::add_address(&firewall, &outside, &format!("fd00:f10c:{net}::1/64"));
            for address in side.addresses {
                let length = if address.is_ipv4() { 24 } else { 64 };
                Lab::add_address(&namespace, &inside, &format!("{address}/{length}"));
            }
            run(
                "ip",
                &[
                    "-n",
                    &namespace,
                    "route",
                    "add",
                    "default",
                    "via",
                    &format!("198.18.{net}.1"),
                ],
            );
            run(
                "ip",
                &[
                    "-n",
                    &namespace,
                    "-6",
                    "route",
                    "add",
                    "default",
                    "via",
                    &format!("fd00:f10c:{net}::1"),
                ],
            );
            lab.wait_up(&namespace, &inside);
            lab.wait_up(&firewall, &outside);
        }
        lab.firewall = Some(firewall);
        lab
    }

    /// Client side — firewall — server side, each side a namespace that stands for every
    /// network behind it: it holds its addresses (each a /32 or /128 on its link), and the
    /// firewall routes the side's networks to it (the zones behind that side, as a real
    /// firewall's routes would).
    pub fn routed_behind(tag: &str, client: Behind<'_>, server: Behind<'_>) -> Lab {
        let mut lab = Lab::new(tag);
        lab.client = lab.namespace("c");
        lab.server = lab.namespace("s");
        let firewall = lab.namespace("f");
        lab.sysctl(&firewall, "net/ipv4/ip_forward", "1");
        lab.sysctl(&firewall, "net/ipv6/conf/all/forwarding", "1");
        for (namespace, side) in [(lab.client.clone(), &client), (lab.server.clone(), &server)] {
            let (inside, outside) = lab.link(&namespace, &firewall);
            let [(firewall_v4, side_v4), (firewall_v6, side_v6)] = side.link;
            Lab::add_address(&firewall, &outside, firewall_v4);
            Lab::add_address(&firewall, &outside, firewall_v6);
            Lab::add_address(&namespace, &inside, side_v4);
            Lab::add_address(&namespace, &inside, side_v6);
            for address in side.addresses {
                let length = if address.is_ipv4() { 32 } else { 128 };
                Lab::add_address(&namespace, &inside, &format!("{address}/{length}"));
            }
            let gateway = |cidr: &str| cidr.split('/').next().unwrap().to_string();
            for (family, via) in [("-4", gateway(firewall_v4)), ("-6", gateway(firewall_v6))] {
                run(
                    "ip",
                    &[
                        "-n", &namespace, family, "route", "add", "default", "via", &via,
                    ],
                );
            }
            for network in side.routes {
                let (family, via) = if network.contains(':') {
                    ("-6", gateway(side_v6))
                } else {
                    ("-4", gateway(side_v4))
                };
                run(
                    "ip",
                    &[
                        "-n", &firewall, family, "route", "add", network, "via", &via,
                    ],
                );
            }
            lab.wait_up(&namespace, &inside);
            lab.wait_up(&firewall, &outside);
        }
        lab.firewall = Some(firewall);
        lab
    }

    /// Client side and server side on one link, every address a /32 or /128 with a route.
    pub fn direct(tag: &str, client: Side<'_>, server: Side<'_>) -> Lab {
        let mut lab = Lab::new(tag);
        lab.client = lab.namespace("c");
        lab.server = lab.namespace("s");
        let (client_device, server_device) = lab.link(&lab.client, &lab.server);
        for (namespace, device, own, other) in [
            (&lab.client, &client_device, &client, &server),
            (&lab.server, &server_device, &server, &client),
        ] {
            for address in own.addresses {
                let length = if address.is_ipv4() { 32 } else { 128 };
                Lab::add_address(namespace, device, &format!("{address}/{length}"));
            }
            for address in other.addresses {
                let family = if address.is_ipv4() { "-4" } else { "-6" };
                run(
                    "ip",
                    &[
                        "-n",
                        namespace,
                        family,
                        "route",
                        "add",
                        &address.to_string(),
                        "dev",
                        device,
                    ],
                );
            }
            lab.wait_up(namespace, device);
        }
        lab
    }

    /// Waits (bounded) until the link has carrier.
    fn wait_up(&self, namespace: &str, device: &str) {
        for _ in 0..100 {
            let output = run(
                "ip",
                &["-n", namespace, "-o", "link", "show", "dev", device],
            );
            if String::from_utf8_lossy(&output.stdout).contains("LOWER_UP") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{device} in {namespace} never came up");
    }

    /// Loads a ruleset into a namespace: `nft -f FILE`, or for `iptables-restore` and
    /// `ip6tables-restore` the load commands the file's header gives (restore with `--noflush`,
    /// then each jump from a built-in chain added once), run as written.
    pub fn load(&self, namespace: &str, program: &str, ruleset: &str) {
        let mut file = tempfile::Builder::new()
            .suffix(".rules")
            .tempfile()
            .expect("temporary file");
        std::io::Write::write_all(&mut file, ruleset.as_bytes()).expect("writable");
        let path = file.path().to_str().unwrap().to_string();
        if program.ends_with("tables-restore") {
            let commands = documented_load(ruleset, &path);
            assert!(
                commands[0].starts_with(&format!("{program} --noflush ")),
                "the header's load commands start with {program} --noflush: {commands:?}"
            );
            for command in &commands {
                run("ip", &["netns", "exec", namespace, "sh", "-c", command]);
            }
            return;
        }
        let mut arguments = vec!["netns", "exec", namespace, program];
        if program == "nft" {
            arguments.push("-f");
        }
        arguments.push(&path);
        run("ip", &arguments);
    }

    /// Starts `python3 -c SCRIPT ARGUMENTS…` inside a namespace with piped standard streams.
    pub fn python(&self, namespace: &str, script: &str, arguments: &[String]) -> Child {
        Command::new("ip")
            .args(["netns", "exec", namespace, "python3", "-c", script])
            .args(arguments)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 starts in the namespace")
    }
}

/// The load commands an iptables ruleset's header gives (the `#   ` lines after "Load it"),
/// with `FILE` replaced by `path`.
pub fn documented_load(ruleset: &str, path: &str) -> Vec<String> {
    let commands: Vec<String> = (ruleset.lines())
        .skip_while(|line| !line.contains("Load it"))
        .skip(1)
        .map_while(|line| line.strip_prefix("#   "))
        .map(|command| command.replace("FILE", path))
        .collect();
    assert!(
        !commands.is_empty(),
        "the header gives no load command:\n{ruleset}"
    );
    commands
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.keep.clear();
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        for namespace in &self.namespaces {
            let _ = Command::new("ip")
                .args(["netns", "del", namespace])
                .status();
        }
    }
}
