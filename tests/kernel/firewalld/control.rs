//! Asking the running daemon what it holds, over D-Bus with firewalld's own Python client (as
//! `firewall-cmd` does, but one Python start for a whole report), and comparing that with the
//! emitted files.

use super::Daemon;
use crate::lab::wait_bounded;
use std::process::{Command, Stdio};
use std::time::Duration;

impl Daemon {
    /// Runs [`CONTROL`] on this daemon's bus (bounded) and returns its report, a line per object.
    fn control(&mut self, arguments: &[String]) -> String {
        let python = python_of("firewall-cmd");
        let child = Command::new(python)
            .args(["-c", CONTROL])
            .args(arguments)
            .env("DBUS_SYSTEM_BUS_ADDRESS", self.bus())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("firewalld's Python starts");
        let output = wait_bounded(child, Duration::from_secs(90));
        let exited = self.children[0].try_wait().ok().flatten();
        assert!(
            output.status.success() && exited.is_none(),
            "firewalld control {}: {}{}\nfirewalld exited: {exited:?}\n{}",
            arguments.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn log(&self) -> String {
        let log = std::fs::read_to_string(self.path("firewalld.log")).unwrap_or_default();
        format!("firewalld's log:\n{log}")
    }

    /// Loads `files` again: rewrites the configuration and reloads (`firewall-cmd --reload`).
    pub fn reload(&mut self, files: &[(String, String)], default_zone: &str) {
        self.configure(files, default_zone);
        self.report(files, true);
    }

    /// What the running daemon holds of each emitted object (after reloading first, when
    /// asked): `default-zone NAME`, then `KIND:NAME COUNT` per file.
    fn report(&mut self, files: &[(String, String)], reload: bool) -> String {
        let mut arguments: Vec<String> = Vec::new();
        if reload {
            arguments.push("--reload".into());
        }
        for (path, _) in files {
            let (kind, name) = path.split_once('/').expect("KIND/NAME.xml");
            arguments.push(format!("{kind}:{}", name.trim_end_matches(".xml")));
        }
        self.control(&arguments)
    }

    /// Requires that the daemon took every emitted object whole: each policy and zone with as
    /// many distinct rich rules as its file has, each ipset with all its entries, and no error
    /// in its log.
    pub fn assert_accepted(&mut self, files: &[(String, String)], default_zone: &str) {
        let report = self.report(files, false);
        let log = self.log();
        assert!(!log.contains("ERROR"), "{log}");
        let mut wanted = format!("default-zone {default_zone}\n");
        for (path, contents) in files {
            let (kind, name) = path.split_once('/').expect("KIND/NAME.xml");
            let count = match kind {
                "ipsets" => contents.matches("<entry>").count(),
                _ => rule_count(contents),
            };
            wanted.push_str(&format!(
                "{kind}:{} {count}\n",
                name.trim_end_matches(".xml")
            ));
        }
        assert!(
            report == wanted,
            "firewalld does not hold what was emitted:\n{report}\nwanted:\n{wanted}\n{log}\n{files:#?}"
        );
    }
}

/// Talks to firewalld over D-Bus with its own Python client, as `firewall-cmd` does, but once
/// for a whole report (each `firewall-cmd` is a Python start): waits (60 s at most) until the
/// daemon runs, reloads when the first argument is `--reload`, then prints the default zone and,
/// for each `policies:NAME`, `zones:NAME` or `ipsets:NAME`, its rich rules or entries.
const CONTROL: &str = r#"
import sys, time
import dbus, dbus.mainloop.glib
from firewall.client import FirewallClient
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.SystemBus()
deadline = time.time() + 60
while not bus.name_has_owner("org.fedoraproject.FirewallD1"):
    if time.time() > deadline:
        sys.exit("firewalld is not on the bus after 60 s")
    time.sleep(0.05)
fw = FirewallClient(bus=bus, wait=0, quiet=True)
def running():
    while time.time() < deadline:
        try:
            state = fw.get_property("state")
        except Exception:
            state = None
        if state == "RUNNING":
            return
        if state == "FAILED":
            sys.exit("firewalld failed")
        time.sleep(0.05)
    sys.exit("firewalld is not running after 60 s")
running()
arguments = sys.argv[1:]
if arguments[:1] == ["--reload"]:
    fw.reload()
    running()
    arguments = arguments[1:]
print("default-zone", fw.getDefaultZone())
for argument in arguments:
    kind, name = argument.split(":", 1)
    if kind == "policies":
        count = len(fw.getPolicySettings(name).getRichRules())
    elif kind == "zones":
        count = len(fw.getRichRules(name))
    else:
        count = len(fw.getEntries(name))
    print(argument, count)
"#;

/// The interpreter of a Python program on the PATH (its `#!` line), so that `firewall`, which
/// Debian installs for the system's Python only, can be imported.
fn python_of(program: &str) -> String {
    let path = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .expect("sh runs");
    let path = String::from_utf8_lossy(&path.stdout).trim().to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    (text.lines().next())
        .and_then(|line| line.strip_prefix("#!"))
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or("/usr/bin/python3")
        .to_string()
}

/// The distinct rich rules of a zone or policy file (firewalld keeps one of identical rules).
fn rule_count(contents: &str) -> usize {
    let mut rules: Vec<String> = contents
        .split("<rule ")
        .skip(1)
        .map(|rule| {
            let rule = rule.split("</rule>").next().unwrap_or_default();
            rule.lines()
                .filter(|line| !line.trim_start().starts_with("<!--"))
                .collect()
        })
        .collect();
    rules.sort();
    rules.dedup();
    rules.len()
}
