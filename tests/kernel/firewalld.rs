//! firewalld, the real daemon (Debian 12's 1.3, nftables backend), in the lab: started inside
//! the namespace it guards, on a private D-Bus, with the emitted tree as its whole
//! configuration (`--system-config`), then probed like the other backends. Each load checks that
//! the daemon took every policy, zone, rich rule and ipset, and that reloading the same files
//! gives the same kernel ruleset. The daemon and its bus are killed with the lab, also when a
//! test fails; `mount -t tmpfs tmpfs /run` inside the namespace's own mount namespace hides the
//! host's /run from it, and the host's ruleset is compared before and after every test.

mod control;

use super::lab::{run, Lab};
use flowc_compiler::emit::{backend, Input};
use flowc_compiler::model::Target;
use flowc_compiler::Checked;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the daemon can run here: root, and the programs of Debian's `firewalld` and `dbus`
/// packages. Without them a test is skipped with a notice, or fails under
/// `FLOWC_REQUIRE_TOOLS=1` (as in CI).
pub fn available() -> bool {
    super::support::tools_present(
        "firewalld kernel test",
        &[
            ("firewalld", "firewalld"),
            ("firewall-cmd", "firewalld"),
            ("dbus-daemon", "dbus"),
            ("nft", "nftables"),
            ("ip", "iproute2"),
        ],
        true,
    )
}

/// A firewalld daemon and its D-Bus, serving one namespace of a lab.
pub struct Daemon {
    directory: tempfile::TempDir,
    namespace: String,
    /// firewalld, then dbus-daemon: killed in this order on drop.
    children: Vec<Child>,
}

/// The bus accepts anyone: only this test's processes can reach its socket's directory.
const BUS: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=SOCKET</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_sender="*"/></policy></busconfig>
"#;

impl Daemon {
    /// Starts the bus and the daemon in `namespace` with `files` (paths relative to
    /// `/etc/firewalld/`) as the configuration, and waits (bounded) until it runs.
    pub fn start(namespace: &str, files: &[(String, String)], default_zone: &str) -> Daemon {
        let directory = tempfile::Builder::new()
            .prefix("flowc-firewalld-")
            .tempdir()
            .expect("a temporary directory");
        let mut daemon = Daemon {
            directory,
            namespace: namespace.to_string(),
            children: Vec::new(),
        };
        daemon.configure(files, default_zone);
        let socket = daemon.path("bus");
        std::fs::write(
            daemon.path("bus.conf"),
            BUS.replace("SOCKET", socket.to_str().unwrap()),
        )
        .unwrap();
        let bus = Command::new("dbus-daemon")
            .arg(format!(
                "--config-file={}",
                daemon.path("bus.conf").display()
            ))
            .args(["--nofork", "--nopidfile"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts");
        daemon.children.insert(0, bus);
        let start = Instant::now();
        while !socket.exists() {
            assert!(start.elapsed() < Duration::from_secs(10), "no D-Bus socket");
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = std::fs::File::create(daemon.path("firewalld.log")).unwrap();
        let script = format!(
            "mount -t tmpfs tmpfs /run && exec firewalld --nofork --nopid --system-config {} --log-target console",
            daemon.path("etc").display()
        );
        let firewalld = Command::new("ip")
            .args(["netns", "exec", namespace, "sh", "-c", &script])
            .env("DBUS_SYSTEM_BUS_ADDRESS", daemon.bus())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("firewalld starts");
        daemon.children.insert(0, firewalld);
        daemon
    }

    fn path(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    fn bus(&self) -> String {
        format!("unix:path={}", self.path("bus").display())
    }

    /// Writes the configuration directory: `firewalld.conf` and the emitted files, nothing
    /// else (zones, services and helpers come from the package's `/usr/lib/firewalld/`).
    fn configure(&self, files: &[(String, String)], default_zone: &str) {
        let etc = self.path("etc");
        let _ = std::fs::remove_dir_all(&etc);
        for kind in [
            "zones",
            "policies",
            "ipsets",
            "services",
            "helpers",
            "icmptypes",
        ] {
            std::fs::create_dir_all(etc.join(kind)).unwrap();
        }
        std::fs::write(
            etc.join("firewalld.conf"),
            format!(
                "DefaultZone={default_zone}\nCleanupOnExit=yes\nCleanupModulesOnExit=no\nLockdown=no\n\
                 IPv6_rpfilter=yes\nIndividualCalls=no\nLogDenied=off\nFirewallBackend=nftables\n\
                 FlushAllOnReload=yes\nRFC3964_IPv4=yes\n"
            ),
        )
        .unwrap();
        for (path, contents) in files {
            std::fs::write(etc.join(path), contents).unwrap();
        }
    }

    /// The namespace's whole nftables ruleset, as firewalld made it.
    pub fn ruleset(&self) -> String {
        let output = run(
            "ip",
            &["netns", "exec", &self.namespace, "nft", "list", "ruleset"],
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One target's firewalld tree, paths relative to `/etc/firewalld/`.
pub fn tree(checked: &Checked, target: Target) -> Vec<(String, String)> {
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let firewalld = backend("firewalld").expect("registered");
    (firewalld.files(&input, Some(target)).into_iter())
        .map(|(path, contents)| {
            let relative = path.split_once('/').expect("TARGET/KIND/NAME.xml").1;
            (relative.to_string(), contents)
        })
        .collect()
}

/// The default zone a target's tree needs: `flowc` for a machine (its input rules), firewalld's
/// own `public` for a firewall (whose one policy covers every zone).
fn default_zone(target: Target) -> &'static str {
    match target {
        Target::Machine(_) => "flowc",
        Target::Firewall(_) => "public",
    }
}

/// Starts firewalld in `namespace` with `tree`, checks it took everything, reloads the same
/// files and checks the kernel ruleset did not change; the daemon lives as long as the lab.
pub fn load_tree(lab: &mut Lab, namespace: &str, tree: &[(String, String)], default_zone: &str) {
    let mut daemon = Daemon::start(namespace, tree, default_zone);
    daemon.assert_accepted(tree, default_zone);
    let first = daemon.ruleset();
    assert!(first.contains("table inet firewalld"), "{first}");
    daemon.reload(tree, default_zone);
    daemon.assert_accepted(tree, default_zone);
    let second = daemon.ruleset();
    assert!(
        first == second,
        "loading the same tree twice gave different rulesets:\n{first}\n---\n{second}"
    );
    lab.keep.push(Box::new(daemon));
}

/// The [`super::Loader`] of firewalld: the target's tree into a daemon in the namespace.
pub fn load(lab: &mut Lab, namespace: &str, checked: &Checked, target: Target) {
    load_tree(lab, namespace, &tree(checked, target), default_zone(target));
}

/// The host's own ruleset, to show that a test left it as it was.
pub struct HostRuleset(String);

impl HostRuleset {
    pub fn capture() -> HostRuleset {
        HostRuleset(String::from_utf8_lossy(&run("nft", &["list", "ruleset"]).stdout).into_owned())
    }

    pub fn assert_unchanged(&self) {
        let now = HostRuleset::capture();
        assert!(
            now.0 == self.0,
            "the host's ruleset changed:\n{}\n---\n{}",
            self.0,
            now.0
        );
    }
}

/// Runs `test` when firewalld can run here, and checks that the host's ruleset is unchanged
/// afterwards.
pub fn with_firewalld(test: impl FnOnce()) {
    if !available() {
        return;
    }
    let host = HostRuleset::capture();
    test();
    host.assert_unchanged();
}
