//! `flowc emit` end to end: standard output with `--for`, one file per target with `-o`,
//! refusing sites with errors, usage errors, byte-identical output across runs, and reruns that
//! replace only what changed.

mod support;

use std::process::Output;
use support::flowc;

const SITE: &str =
    "zone lan = 10.0.0.0/24\nzone dmz = 10.9.0.0/24\nfirewall fw {\n  zones lan, dmz\n}\n\
                    host a = 10.0.0.1\nhost web = 10.9.0.80\nallow a -> web : ssh, https\n";

fn site(text: &str) -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("site.flow"), text).unwrap();
    directory
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn for_a_target_prints_its_ruleset() {
    let directory = site(SITE);
    let output = flowc(
        &["emit", "--target", "nftables", "--for", "fw", "."],
        directory.path(),
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("#!/usr/sbin/nft -f\n"), "{stdout}");
    assert!(stdout.contains("ip saddr 10.0.0.1 ip daddr 10.9.0.80 tcp dport @ports_22 accept comment \"site.flow:8\""), "{stdout}");
    let host = flowc(
        &["emit", "--target", "iptables", "--for", "web"],
        directory.path(),
    );
    assert!(
        text(&host).0.contains(":FLOWC-INPUT - [0:0]")
            && text(&host)
                .0
                .contains("#   iptables-restore --noflush FILE\n"),
        "{:?}",
        text(&host)
    );
}

#[test]
fn output_directory_gets_one_file_per_target_and_the_same_bytes_every_run() {
    let directory = site(SITE);
    for (target, files) in [
        ("nftables", &["fw.nft", "a.nft", "web.nft"][..]),
        ("iptables", &["fw.rules", "a.rules", "web.rules"][..]),
        ("ip6tables", &["fw.rules6", "a.rules6", "web.rules6"][..]),
        ("matrix-csv", &["site.csv"][..]),
        ("matrix-md", &["site.md"][..]),
        ("dot", &["site.dot"][..]),
        (
            "firewalld",
            &[
                "fw/policies/flowc-forward.xml",
                "web/zones/flowc.xml",
                "web/policies/flowc-output.xml",
            ][..],
        ),
    ] {
        let first = directory.path().join(format!("first-{target}"));
        let second = directory.path().join(format!("second-{target}"));
        for out in [&first, &second] {
            let output = flowc(
                &[
                    "emit",
                    "--target",
                    target,
                    "-o",
                    out.to_str().unwrap(),
                    "site.flow",
                ],
                directory.path(),
            );
            assert_eq!(
                output.status.code(),
                Some(0),
                "{target}: {:?}",
                text(&output)
            );
        }
        for file in files {
            let one = std::fs::read(first.join(file))
                .unwrap_or_else(|error| panic!("{target}: {file}: {error}"));
            assert_eq!(
                one,
                std::fs::read(second.join(file)).unwrap(),
                "{target}: {file} differs between runs"
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(&first)
            .unwrap()
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    // --for with -o writes just that target.
    let only = directory.path().join("only");
    let output = flowc(
        &[
            "emit",
            "--target",
            "nftables",
            "--for",
            "web",
            "-o",
            only.to_str().unwrap(),
        ],
        directory.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    let names: Vec<String> = std::fs::read_dir(&only)
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    // Beside the ruleset, only the manifest of what flowc wrote (spec/command-line.md).
    let mut names = names;
    names.sort();
    assert_eq!(names, [".flowc-outputs", "web.nft"]);
}

/// A second run into the same directory leaves the files whose bytes are already there alone
/// (same inode: not replaced), and replaces a file that was changed by hand or is missing.
#[test]
fn rerunning_rewrites_only_the_files_that_differ() {
    use std::os::unix::fs::MetadataExt;
    let directory = site(SITE);
    let out = directory.path().join("out");
    let emit = || {
        let output = flowc(
            &["emit", "--target", "nftables", "-o", "out", "site.flow"],
            directory.path(),
        );
        assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    };
    let inode = |name: &str| std::fs::metadata(out.join(name)).unwrap().ino();
    emit();
    let written = std::fs::read(out.join("a.nft")).unwrap();
    let before = ["fw.nft", "a.nft", "web.nft"].map(inode);
    std::fs::write(out.join("a.nft"), "edited by hand\n").unwrap();
    std::fs::remove_file(out.join("web.nft")).unwrap();
    emit();
    assert_eq!(inode("fw.nft"), before[0], "an unchanged file was replaced");
    assert_ne!(
        inode("a.nft"),
        before[1],
        "the edited file was not replaced"
    );
    assert_eq!(std::fs::read(out.join("a.nft")).unwrap(), written);
    assert!(
        out.join("web.nft").exists(),
        "the missing file was not written"
    );
}

/// `--only firewalls` writes the firewalls' rulesets, `--only machines` those of hosts and
/// groups; each the same bytes as the full run wrote. Many targets are rendered on all cores.
#[test]
fn only_chooses_firewalls_or_machines() {
    let mut text_of_site = String::from(SITE);
    for index in 0..40 {
        text_of_site.push_str(&format!(
            "host h{index} = 10.0.0.{}
allow h{index} -> web : tcp {}
",
            index + 10,
            8000 + index
        ));
    }
    let directory = site(&text_of_site);
    let names = |kind: Option<&str>| -> Vec<(String, Vec<u8>)> {
        let out = directory.path().join(format!("out-{kind:?}"));
        let mut arguments = vec!["emit", "--target", "nftables", "-o", out.to_str().unwrap()];
        if let Some(kind) = kind {
            arguments.extend(["--only", kind]);
        }
        let output = flowc(&arguments, directory.path());
        assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            // flowc's manifest of what it wrote.
            .filter(|entry| entry.file_name() != ".flowc-outputs")
            .map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(entry.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let all = names(None);
    let firewalls = names(Some("firewalls"));
    let machines = names(Some("machines"));
    assert_eq!(all.len(), 43);
    assert_eq!(
        firewalls
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>(),
        ["fw.nft"]
    );
    assert_eq!(machines.len(), 42);
    let mut together = [firewalls, machines].concat();
    together.sort();
    assert_eq!(
        together, all,
        "--only writes the same files as the full run"
    );
    let output = flowc(
        &[
            "emit",
            "--target",
            "nftables",
            "--only",
            "firewalls",
            "--for",
            "fw",
        ],
        directory.path(),
    );
    assert_eq!(output.status.code(), Some(2), "--only and --for conflict");
}

#[test]
fn a_site_with_errors_is_not_emitted() {
    let directory = site("zone lan = 10.0.0.0/24\nhost a = 10.0.0.300\n");
    let out = directory.path().join("out");
    let output = flowc(
        &["emit", "--target", "nftables", "-o", out.to_str().unwrap()],
        directory.path(),
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("E0006") && stderr.contains("not emitting"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn usage_errors_exit_two() {
    let directory = site(SITE);
    let cases: [&[&str]; 3] = [
        &["emit", "--target", "nftables"],
        &["emit", "--target", "nftables", "--for", "nosuch"],
        &["emit", "--target", "pf", "--for", "fw"],
    ];
    for arguments in cases {
        let output = flowc(arguments, directory.path());
        assert_eq!(
            output.status.code(),
            Some(2),
            "{arguments:?}: {:?}",
            text(&output)
        );
        assert!(output.stdout.is_empty(), "{arguments:?}");
    }
    let (_, stderr) = text(&flowc(
        &["emit", "--target", "nftables", "--for", "nosuch"],
        directory.path(),
    ));
    assert!(stderr.contains("targets: fw, a, web"), "{stderr}");
}

/// Every file below `directory`, by path relative to it, with its bytes.
fn tree(directory: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path.strip_prefix(directory).unwrap();
                let name = name.to_string_lossy().into_owned();
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// Rule comments name the site's files relative to the site's root, so every backend writes
/// the same bytes for `flowc emit .` inside the site, `flowc emit site` beside it and the
/// site's absolute path from elsewhere.
#[test]
fn outputs_do_not_depend_on_how_the_site_path_was_typed() {
    let examples = support::repository_root().join("examples");
    let site = examples.join("site");
    let elsewhere = tempfile::tempdir().unwrap();
    for backend in flowc_compiler::emit::backends() {
        let target = backend.name();
        let out = |form: &str| elsewhere.path().join(format!("{target}-{form}"));
        let runs = [
            ("inside", ".".to_string(), site.clone()),
            ("beside", "site".to_string(), examples.clone()),
            (
                "absolute",
                site.to_string_lossy().into_owned(),
                elsewhere.path().to_path_buf(),
            ),
        ];
        let mut trees = Vec::new();
        for (form, path, directory) in &runs {
            let destination = out(form);
            let output = flowc(
                &[
                    "emit",
                    "--target",
                    target,
                    "-o",
                    destination.to_str().unwrap(),
                    path,
                ],
                directory,
            );
            assert_eq!(
                output.status.code(),
                Some(0),
                "{target} {form}: {:?}",
                text(&output)
            );
            let files = tree(&destination);
            assert!(!files.is_empty(), "{target} {form}: nothing written");
            trees.push((form, files));
        }
        let (first_form, first) = &trees[0];
        for (form, files) in &trees[1..] {
            let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
                files.iter().map(|(name, _)| name.clone()).collect()
            };
            assert_eq!(
                names(first),
                names(files),
                "{target}: {first_form} and {form} wrote different files"
            );
            for ((name, one), (_, other)) in first.iter().zip(files) {
                assert!(
                    one == other,
                    "{target}: {name} differs between `{first_form}` and `{form}`"
                );
            }
        }
        // The comments name the site's files, without the directory they were reached by.
        let all: String = first
            .iter()
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        // The example's only IPv6 addresses are the admins' and the zones', and no IPv6 pair
        // is allowed or denied: ip6tables writes its essentials and no rule of the site.
        let files = [
            "machines.flow",
            "management.flow",
            "policy.flow",
            "topology.flow",
        ];
        if target != "dot" && target != "ip6tables" {
            assert!(
                files.iter().any(|file| all.contains(&format!("{file}:"))),
                "{target}: no origin names a file of the site"
            );
        }
        for file in files {
            assert!(
                !all.contains(&format!("site/{file}")),
                "{target}: a comment names the site's directory"
            );
        }
    }
}
