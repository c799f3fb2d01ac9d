//! The firewalld backend: snapshots, and every target's tree loaded by firewalld's own offline
//! tool (`firewall-offline-cmd --check-config`), with every ipset it names present and every
//! object name within firewalld's limits. The real daemon runs in `tests/kernel/firewalld.rs`.

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, Backend, Input};

fn firewalld() -> &'static dyn Backend {
    backend("firewalld").expect("registered")
}

/// Whether firewalld's offline tool is here; without it the check is skipped with a notice, or
/// fails when `FLOWC_REQUIRE_TOOLS=1` (as in CI).
fn offline_tool() -> bool {
    tools_present(
        "the offline check of the firewalld trees",
        &[("firewall-offline-cmd", "firewalld")],
        false,
    )
}

/// Writes one target's files as a firewalld configuration directory and checks it offline.
fn offline_check(name: &str, files: &[(String, String)]) {
    if !offline_tool() {
        return;
    }
    let directory = tempfile::tempdir().expect("temporary directory");
    let configuration = std::fs::read_to_string("/etc/firewalld/firewalld.conf")
        .unwrap_or_else(|_| "DefaultZone=public\n".into());
    std::fs::write(directory.path().join("firewalld.conf"), configuration).unwrap();
    for (path, contents) in files {
        // Paths are `TARGET/zones/…`: the configuration directory is the target's.
        let relative = path.split_once('/').expect("a target directory").1;
        let file = directory.path().join(relative);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, contents).unwrap();
    }
    let output = std::process::Command::new("firewall-offline-cmd")
        .arg("--system-config")
        .arg(directory.path())
        .arg("--check-config")
        .output()
        .expect("firewall-offline-cmd runs");
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && !messages.contains("ERROR") && !messages.contains("WARNING"),
        "firewalld rejects the configuration of {name}:\n{messages}"
    );
}

#[test]
fn every_site_snapshots_and_every_tree_passes_firewalld_offline_check() {
    for path in sites() {
        let checked = checked(&path);
        snapshot(
            "firewalld",
            &site_name(&path),
            &emit_all(firewalld(), &checked),
        );
        let input = Input::new(&checked.policy, &checked.analysis.sources);
        for target in checked.policy.targets() {
            let files = firewalld().files(&input, Some(target));
            let name = format!(
                "{} {}",
                site_name(&path),
                checked.policy.target_name(target)
            );
            for (file, contents) in &files {
                for reference in contents.split("ipset=\"").skip(1) {
                    let ipset = reference.split('"').next().unwrap();
                    let wanted = format!("/ipsets/{ipset}.xml");
                    assert!(
                        files.iter().any(|(other, _)| other.ends_with(&wanted)),
                        "{name}: {file} names a missing ipset {ipset}"
                    );
                }
                // firewalld 1.3: zones 17 characters, policies 18 (functions.py,
                // max_zone_name_len and max_policy_name_len), ipsets 32 (core/ipset.py).
                let stem = file.rsplit('/').next().unwrap().trim_end_matches(".xml");
                let limit = match file.split('/').nth(1) {
                    Some("zones") => 17,
                    Some("policies") => 18,
                    _ => 32,
                };
                assert!(
                    stem.len() <= limit
                        && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                    "{name}: firewalld refuses the name {stem}"
                );
            }
            offline_check(&name, &files);
        }
    }
}

#[test]
fn source_ports_go_into_a_net_port_ipset() {
    let checked = checked(&data_directory().join("emit/kernel.flow"));
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let target = checked.policy.target_named("fw").unwrap();
    let text = firewalld().emit(&input, Some(target));
    assert!(text.contains("<ipset type=\"hash:net,port\">"), "{text}");
    assert!(
        text.contains("<entry>198.18.1.10/32,tcp:513-1023</entry>"),
        "{text}"
    );
    assert!(
        text.contains("<entry>fd00:f10c:1::10/128,tcp:513-1023</entry>"),
        "{text}"
    );
    assert!(!text.contains("WIDER"), "{text}");
    // One policy for every forwarded packet, whatever zones its addresses are in.
    assert!(
        text.contains("==> fw/policies/flowc-forward.xml <=="),
        "{text}"
    );
    assert!(text.contains("<ingress-zone name=\"ANY\"/>"), "{text}");
    assert!(text.contains("<egress-zone name=\"ANY\"/>"), "{text}");
    assert!(
        !text.contains("/zones/"),
        "a firewall binds no zone:\n{text}"
    );
}

/// A rule over every address of a family and every protocol has no element, source or
/// destination of its own, which firewalld refuses: it names the whole family as its source.
#[test]
fn a_rule_over_every_address_names_the_whole_family() {
    let site = "zone z = any\ngroup all = 0.0.0.0/0, ::/0\nallow all -> all : any\n";
    let checked = flowc_compiler::check(&flowc_compiler::MemoryWorld::single("all.flow", site));
    assert!(!checked.has_errors(), "{:?}", checked.analysis.diagnostics);
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let target = checked.policy.target_named("all").unwrap();
    let files = firewalld().files(&input, Some(target));
    let text: String = files
        .iter()
        .map(|(_, contents)| contents.as_str())
        .collect();
    assert!(text.contains("<source address=\"0.0.0.0/0\"/>"), "{text}");
    assert!(text.contains("<source address=\"::/0\"/>"), "{text}");
    offline_check("all", &files);
}
