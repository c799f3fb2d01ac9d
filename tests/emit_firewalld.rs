//! The firewalld backend: snapshots, and every target's tree loaded by firewalld's own offline
//! tool (`firewall-offline-cmd --check-config`), with every ipset it names present.

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, Backend, Input};

fn firewalld() -> &'static dyn Backend {
    backend("firewalld").expect("registered")
}

/// Writes one target's files as a firewalld configuration directory and checks it offline.
fn offline_check(name: &str, files: &[(String, String)]) {
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
    assert!(
        available("firewall-offline-cmd"),
        "firewall-offline-cmd is needed; .ci/run installs firewalld"
    );
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
                let stem = file.rsplit('/').next().unwrap().trim_end_matches(".xml");
                let limit = if file.contains("/zones/") { 17 } else { 18 };
                assert!(
                    stem.len() <= limit,
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
    // flowc-clients-servers is longer than firewalld takes: the policy is numbered.
    assert!(
        text.contains("==> fw/policies/flowc-p1-2.xml <=="),
        "{text}"
    );
    assert!(
        text.contains("<short>flowc clients to servers</short>"),
        "{text}"
    );
    assert!(
        text.contains("<ingress-zone name=\"flowc-clients\"/>"),
        "{text}"
    );
}
