//! The AIX backend: snapshots, shell syntax, no IF rules, and the `aix-stateless` warnings
//! as a user meets them. What the rules do with packets is proven by the oracle in
//! `tests/aix_oracle.rs` (there is no AIX kernel to load them into here).

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, Backend};

fn aix() -> &'static dyn Backend {
    backend("aix").expect("registered")
}

#[test]
fn every_site_snapshots_and_every_script_is_valid_shell() {
    for path in sites() {
        let checked = checked(&path);
        let text = emit_all(aix(), &checked);
        snapshot("aix", &site_name(&path), &text);
        for (name, script) in rulesets(aix(), &checked) {
            let file = temporary_file(&script, "sh");
            let status = std::process::Command::new("sh")
                .arg("-n")
                .arg(file.path())
                .status()
                .expect("sh runs");
            assert!(status.success(), "{name}: not valid shell:\n{script}");
            // IBM, "Stateful filter rules": once a packet satisfies an IF rule its block is
            // used for every packet until `mkfilt -u`, so an IF cannot hold a port range.
            for line in script.lines().filter(|line| line.starts_with("genfilt")) {
                assert!(
                    !line.contains(" -a I ")
                        && !line.contains(" -a L ")
                        && !line.contains(" -a E "),
                    "{name}: an IF, ELSE or ENDIF rule: {line}"
                );
            }
        }
    }
}

#[test]
fn the_default_targets_are_the_hosts_holding_nim_roles() {
    let checked = checked(&data_directory().join("emit/kernel.flow"));
    let names: Vec<&str> = aix()
        .targets(&checked.policy)
        .into_iter()
        .map(|target| checked.policy.target_name(target))
        .collect();
    assert_eq!(names, ["nim01", "aix"]);
}

#[test]
fn emit_reports_what_the_aix_rules_cannot_express_at_the_items() {
    let root = support::repository_root();
    let output = support::flowc(
        &["emit", "--target", "aix", "--for", "nim01", "examples/site"],
        &root,
    );
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.starts_with("#!/bin/ksh\n"), "{stdout}");
    // The example's master has `tftp_helper = true`: AIX says what it opens instead.
    assert!(stderr.contains("[aix-stateless] Warning"), "{stderr}");
    assert!(
        stderr.contains("examples/site/management.flow:8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot follow TFTP") && stderr.contains("port 32768-65535"),
        "{stderr}"
    );
    assert!(stderr.contains("stateless replies of `udp 69"), "{stderr}");
    // AIX's reserved rule is the same for every script: one note, not a warning per host.
    assert_eq!(
        stderr.matches("reserved IPv4 filter rule 1").count(),
        1,
        "{stderr}"
    );
    // The script lists the same, as comments above the rules.
    assert!(stdout.contains("# IPv4: not exact on AIX:"), "{stdout}");
    let explain = support::flowc(&["explain", "aix-stateless"], &root);
    assert_eq!(explain.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&explain.stdout).contains("stateless"));
    // A backend without such limits reports nothing.
    let nft = support::flowc(
        &[
            "emit",
            "--target",
            "nftables",
            "--for",
            "nim01",
            "examples/site",
        ],
        &root,
    );
    assert!(!String::from_utf8_lossy(&nft.stderr).contains("aix-stateless"));
}

#[test]
fn long_target_names_get_file_names_a_file_system_takes() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let name = "n".repeat(260);
    std::fs::write(
        directory.path().join("site.flow"),
        format!(
            "import nim\nzone lan = 10.1.0.0/16\nhost {name} = 10.1.0.10 is nim.master()\n\
             group clients = 10.1.1.0/24 is nim.client(master = {name})\n"
        ),
    )
    .unwrap();
    let output = support::flowc(
        &["emit", "--target", "aix", "-o", "out", "site.flow"],
        directory.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    // The clients' warnings at the master's item are printed once.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.matches("[aix-stateless] Warning").count(),
        2,
        "{stderr}"
    );
    let mut names: Vec<String> = std::fs::read_dir(directory.path().join("out"))
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        // flowc's manifest of what it wrote.
        .filter(|name| name != ".flowc-outputs")
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|name| name.len() < 200), "{names:?}");
    assert!(names.contains(&"clients.sh".to_string()));
}

/// `flowc` run in `directory` without colour, and the repository root.
mod support {
    use std::path::{Path, PathBuf};

    pub fn repository_root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    pub fn flowc(arguments: &[&str], directory: &Path) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
            .args(arguments)
            .current_dir(directory)
            .env("NO_COLOR", "1")
            .output()
            .expect("flowc runs")
    }
}
