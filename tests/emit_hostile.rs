//! Hostile text and maximal names through every backend, each output read by its real loader:
//! `iptables-restore`, `ip6tables-restore`, `nft -c`, `firewall-offline-cmd` and an XML
//! parser, `sh -n` and a run of the AIX script against logging stubs, a CSV reader, a
//! Markdown table check, and `dot`.
//!
//! The site is written as a user would write it and emitted by the real binary with `-o`. It
//! has names longer than every backend's limit (a 17,000-byte group name, a 300-byte host
//! name), a 20,000-byte `@allow` reason, and a file whose name holds ESC, NUL-free control
//! characters, CR, LF, quotes, `--`, `|`, `<b>` and a leading `=`: the language may refuse such
//! text in a source, but a file name reaches the outputs whatever the language says, so every
//! backend must make it harmless on its own.

mod emit_common;

use emit_common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The name of the file holding the hostile text: everything a loader might read as markup.
const HOSTILE_FILE: &str = "=HYPERLINK(\"x\")\u{1b}[31m\u{1}\u{7f}\r\n|<b>--\\$`.flow";

/// The longest line any loader has to read: `iptables-restore` reads 10,240 bytes with their
/// terminating NUL and parses the rest of a longer line as a line of its own.
const IPTABLES_LINE_BUFFER: usize = 10_240;

/// What the injection reason makes `iptables-restore` read as a rule when a comment line is
/// not folded.
const INJECTED_RULE: &str = "-A FORWARD -j ACCEPT";

fn group_name() -> String {
    format!("g{}", "a".repeat(16_999))
}

fn host_name() -> String {
    format!("h{}", "b".repeat(299))
}

/// The site, with `reason` as the `@allow` reason of the flow in `plain.flow`.
fn write_site(directory: &Path, reason: &str) {
    let (group, host) = (group_name(), host_name());
    std::fs::write(
        directory.join("plain.flow"),
        format!(
            "import nim\n\
             zone inside = 10.1.0.0/16, fd00:1::/64\n\
             zone outside = 10.2.0.0/16, fd00:2::/64\n\
             firewall fw1 {{\n  zones inside, outside\n}}\n\
             host nim01 = 10.1.0.10 is nim.master(protocol = nimsh, mountd = 33333)\n\
             group {group} = 10.1.3.0/24, 10.1.5.0/24, fd00:1:0:3::/64, fd00:1:0:5::/64 is nim.client(master = nim01)\n\
             host {host} = 10.2.0.1, fd00:2::1\n\
             @allow(broad-range, \"{reason}\")\n\
             allow {group} -> {host} : tcp 1000..3000\n"
        ),
    )
    .expect("the site is writable");
    std::fs::write(
        directory.join(HOSTILE_FILE),
        format!(
            "allow {host} -> nim01 : tcp 22, udp 53\n\
             @allow(broad-range, \"x -- y | <b>z</b> \\\"q\\\" $(reboot) `id` ; -A INPUT -j ACCEPT\")\n\
             allow nim01 -> {host} : tcp 2000..9000\n"
        ),
    )
    .expect("a file system takes the hostile name");
}

/// Runs `flowc emit --target BACKEND -o OUT SITE` and returns the written files by path.
fn emit(site: &Path, backend: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
    let out = tempfile::tempdir().expect("temporary directory");
    let output = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["emit", "--target", backend, "-o"])
        .arg(out.path())
        .arg(site)
        .env("NO_COLOR", "1")
        .output()
        .expect("flowc runs");
    assert!(
        output.status.success(),
        "flowc emit --target {backend} fails: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut files = Vec::new();
    let mut directories = vec![out.path().to_path_buf()];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory)
            .expect("readable output")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                directories.push(path);
            } else if !is_manifest(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "{backend} wrote nothing");
    (out, files)
}

/// flowc's own record of what it wrote (`.flowc-outputs`), which no loader reads.
fn is_manifest(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with('.'))
}

/// The hostile site with a 20,000-byte reason.
fn hostile_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("temporary directory");
    write_site(site.path(), &format!("long {}", "r".repeat(20_000)));
    site
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("outputs are UTF-8")
}

/// No control character but the line feed, in any output.
fn assert_no_control_characters(path: &Path, text: &str) {
    let bad = text
        .char_indices()
        .find(|(_, character)| character.is_control() && *character != '\n' && *character != '\t');
    assert!(
        bad.is_none(),
        "{}: a control character at byte {:?}",
        path.display(),
        bad
    );
}

/// Every `#` line at most [`1000`] bytes.
fn assert_comment_lines_fit(path: &Path, text: &str) {
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            assert!(
                line.len() <= flowc_compiler::emit::COMMENT_LINE_LIMIT,
                "{}: a comment line of {} bytes",
                path.display(),
                line.len()
            );
        }
    }
}

/// A reason that puts [`INJECTED_RULE`] at the start of the third 10,239-byte piece of its
/// comment line (the second piece starts with `#`, a comment of its own), so that an unfolded
/// line loads the rule: where the reason starts in its line is measured on a first emit.
fn injection_reason() -> String {
    let probe = tempfile::tempdir().expect("temporary directory");
    write_site(probe.path(), "PROBE");
    let text = emit_for(probe.path(), "iptables", "fw1");
    let line = (text.lines())
        .find(|line| line.starts_with('#') && line.contains("PROBE"))
        .expect("the reason is in a comment line");
    let piece = IPTABLES_LINE_BUFFER - 1;
    let start = line.find("PROBE").unwrap();
    format!(
        "{}#{}{INJECTED_RULE}",
        "x".repeat(piece - start),
        "y".repeat(piece - 1)
    )
}

/// Runs `flowc emit --target BACKEND --for TARGET SITE` and returns what it prints.
fn emit_for(site: &Path, backend: &str, target: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["emit", "--target", backend, "--for", target])
        .arg(site)
        .env("NO_COLOR", "1")
        .output()
        .expect("flowc runs");
    assert!(
        output.status.success(),
        "flowc emit --target {backend} --for {target} fails"
    );
    String::from_utf8(output.stdout).expect("outputs are UTF-8")
}

/// Loads `text` with `iptables-restore` in an empty network namespace and returns what
/// `iptables-save` then lists.
fn load_iptables(name: &str, text: &str) -> String {
    let loaded = in_empty_namespace(
        "sh",
        &["-c", "iptables-restore && iptables-save"],
        Some(text),
    );
    assert!(
        loaded.status.success(),
        "{name}: iptables-restore refuses it: {}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    String::from_utf8_lossy(&loaded.stdout).into_owned()
}

#[test]
fn iptables_restore_loads_no_rule_out_of_a_long_reason() {
    if !validator_present("iptables-restore", "iptables") {
        return;
    }
    let reason = injection_reason();
    assert!(reason.len() > 20_000);
    let site = tempfile::tempdir().expect("temporary directory");
    write_site(site.path(), &reason);
    // The firewall's ruleset carries the reason above its rule.
    let saved = load_iptables("fw1", &emit_for(site.path(), "iptables", "fw1"));
    assert!(
        !saved.lines().any(|line| line == INJECTED_RULE),
        "the reason loaded a rule:\n{saved}"
    );
    let (_out, files) = emit(site.path(), "iptables");
    for path in &files {
        let text = read(path);
        assert_no_control_characters(path, &text);
        assert_comment_lines_fit(path, &text);
        for line in text.lines() {
            if let Some(chain) = line.strip_prefix(':') {
                let name = chain.split(' ').next().unwrap();
                assert!(name.len() <= 28, "{}: chain {name}", path.display());
            }
        }
        let saved = load_iptables(&path.display().to_string(), &text);
        assert!(!saved.lines().any(|line| line == INJECTED_RULE));
    }
}

#[test]
fn ip6tables_restore_takes_every_ruleset() {
    if !validator_present("ip6tables-restore", "iptables") {
        return;
    }
    let site = hostile_site();
    let (_out, files) = emit(site.path(), "ip6tables");
    for path in &files {
        let text = read(path);
        assert_no_control_characters(path, &text);
        assert_comment_lines_fit(path, &text);
        let checked = in_empty_namespace("ip6tables-restore", &["--test"], Some(&text));
        assert!(
            checked.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
}

#[test]
fn nft_takes_every_ruleset_with_set_names_within_its_limit() {
    if !validator_present("nft", "nftables") {
        return;
    }
    let site = hostile_site();
    let (_out, files) = emit(site.path(), "nftables");
    let mut sets = 0;
    for path in &files {
        let text = read(path);
        assert_no_control_characters(path, &text);
        assert_comment_lines_fit(path, &text);
        for line in text.lines() {
            if let Some(set) = line.trim_start().strip_prefix("set ") {
                sets += 1;
                let name = set.trim_end_matches(" {");
                assert!(name.len() <= 255, "{}: set {name}", path.display());
            }
        }
        let file = path.to_str().expect("a UTF-8 path");
        let checked = in_empty_namespace("nft", &["-c", "-f", file], None);
        assert!(
            checked.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
    assert!(sets > 0, "the site's group makes a named set");
}

#[test]
fn firewalld_trees_parse_and_pass_the_offline_check() {
    if !tools_present(
        "the firewalld check of hostile text",
        &[
            ("firewall-offline-cmd", "firewalld"),
            ("xmllint", "libxml2-utils"),
        ],
        false,
    ) {
        return;
    }
    let site = hostile_site();
    let (out, files) = emit(site.path(), "firewalld");
    for path in &files {
        let text = read(path);
        assert_no_control_characters(path, &text);
        let parsed = Command::new("xmllint")
            .arg("--noout")
            .arg(path)
            .output()
            .expect("xmllint runs");
        assert!(
            parsed.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&parsed.stderr)
        );
    }
    // Each target's tree is a configuration directory of its own.
    for tree in std::fs::read_dir(out.path()).unwrap().flatten() {
        let tree = tree.path();
        if !tree.is_dir() {
            continue;
        }
        let name = tree.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.len() <= 255,
            "a target directory of {} bytes",
            name.len()
        );
        let configuration = tempfile::tempdir().expect("temporary directory");
        std::fs::write(
            configuration.path().join("firewalld.conf"),
            "DefaultZone=public\n",
        )
        .unwrap();
        let copied = Command::new("cp")
            .arg("-r")
            .arg(format!("{}/.", tree.display()))
            .arg(configuration.path())
            .status()
            .expect("cp runs");
        assert!(copied.success());
        let output = Command::new("firewall-offline-cmd")
            .arg("--system-config")
            .arg(configuration.path())
            .arg("--check-config")
            .output()
            .expect("firewall-offline-cmd runs");
        let messages = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success() && !messages.contains("ERROR"),
            "firewalld refuses {name}: {messages}"
        );
    }
}

/// The AIX commands the script runs, as stubs that log their arguments.
const AIX_COMMANDS: [&str; 5] = ["mkdev", "rmfilt", "genfilt", "mkfilt", "lsfilt"];

#[test]
fn aix_scripts_are_valid_shell_and_run_to_their_end() {
    if !tools_present("the AIX script run", &[("sh", "dash")], false) {
        return;
    }
    let site = hostile_site();
    let (_out, files) = emit(site.path(), "aix");
    let stubs = tempfile::tempdir().expect("temporary directory");
    for command in AIX_COMMANDS {
        let stub = stubs.path().join(command);
        std::fs::write(
            &stub,
            format!("#!/bin/sh\necho \"{command} $*\" >> \"$FLOWC_AIX_LOG\"\n"),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for path in &files {
        let text = read(path);
        assert_no_control_characters(path, &text);
        assert_comment_lines_fit(path, &text);
        let syntax = Command::new("sh").arg("-n").arg(path).status().unwrap();
        assert!(syntax.success(), "{}: not valid shell", path.display());
        let log = stubs.path().join("log");
        let _ = std::fs::remove_file(&log);
        let run = Command::new("sh")
            .arg(path)
            .env("PATH", format!("{}:/usr/bin:/bin", stubs.path().display()))
            .env("FLOWC_AIX_LOG", &log)
            .output()
            .expect("sh runs");
        assert!(
            run.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        let logged = std::fs::read_to_string(&log).unwrap_or_default();
        let genfilt = count_lines(&text, |line| line.starts_with("genfilt "));
        assert_eq!(
            count_lines(&logged, |line| line.starts_with("genfilt ")),
            genfilt,
            "{}: not every rule was added",
            path.display()
        );
        assert_eq!(logged.lines().last(), Some("lsfilt -v 6 -a"));
    }
}

#[test]
fn the_csv_matrix_has_whole_records_and_no_formula() {
    if !tools_present("the CSV check", &[("python3", "python3")], false) {
        return;
    }
    let site = hostile_site();
    let (_out, files) = emit(site.path(), "matrix-csv");
    let path = &files[0];
    assert_no_control_characters(path, &read(path));
    let script = "import csv, sys\n\
        rows = list(csv.reader(open(sys.argv[1], newline='')))\n\
        bad = [c for row in rows for c in row if c[:1] in ('=', '+', '-', '@')]\n\
        widths = {len(row) for row in rows}\n\
        print(len(rows), widths, bad[:3])\n\
        sys.exit(0 if widths == {12} and not bad and len(rows) > 3 else 1)\n";
    let read = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stdout)
    );
    assert!(read_text_contains(path, "'=HYPERLINK"));
}

fn read_text_contains(path: &Path, wanted: &str) -> bool {
    read(path).contains(wanted)
}

#[test]
fn the_markdown_matrix_has_whole_rows_and_no_html_tags() {
    let site = hostile_site();
    let (_out, files) = emit(site.path(), "matrix-md");
    let path = &files[0];
    let text = read(path);
    assert_no_control_characters(path, &text);
    for line in text.lines().filter(|line| line.starts_with('|')) {
        // Cells split at every `|` that no backslash escapes.
        let mut cells = 0;
        let mut escaped = false;
        // Whether the `<` just read was escaped.
        let mut escaped_tag = false;
        let mut previous = None;
        for character in line.chars() {
            if character == '|' && !escaped {
                cells += 1;
            }
            if previous == Some('<') && character.is_ascii_alphabetic() && !escaped_tag {
                panic!("{}: unescaped HTML in {line}", path.display());
            }
            escaped_tag = character == '<' && escaped;
            escaped = character == '\\' && !escaped;
            previous = Some(character);
        }
        assert_eq!(previous, Some('|'));
        assert_eq!(
            cells,
            13,
            "{}: a row of the wrong width: {line}",
            path.display()
        );
    }
}

#[test]
fn dot_renders_the_graph_and_every_edge_meets_a_declared_node() {
    if !tools_present("rendering with dot", &[("dot", "graphviz")], false) {
        return;
    }
    let site = hostile_site();
    let (_out, files) = emit(site.path(), "dot");
    let path = &files[0];
    let text = read(path);
    assert_no_control_characters(path, &text);
    let rendered = Command::new("dot")
        .arg("-Tsvg")
        .arg(path)
        .output()
        .expect("dot runs");
    assert!(
        rendered.status.success() && rendered.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let declared: Vec<&str> = (text.lines())
        .filter(|line| line.contains("\" [label="))
        .filter_map(|line| line.trim_start().strip_prefix('"'))
        .filter_map(|line| line.split("\" [").next())
        .collect();
    for line in text.lines().filter(|line| line.contains("\" -> \"")) {
        let line = line.trim_start().trim_start_matches('"');
        let (from, rest) = line.split_once("\" -> \"").unwrap();
        let to = rest.split("\" [").next().unwrap();
        for node in [from, to] {
            assert!(
                declared.contains(&node),
                "an edge to an undeclared node {}",
                &node[..node.len().min(80)]
            );
        }
    }
}

/// A file name no file system takes (NUL) reaches a backend only through a `World` of the
/// library's user, such as the language server's: every backend still writes no control
/// character, whatever is in the name.
#[test]
fn control_characters_in_a_file_name_reach_no_backend() {
    use flowc_compiler::emit::backends;
    use flowc_compiler::{check, MemoryWorld};
    let mut world = MemoryWorld::default();
    let group = format!("g{}", "a".repeat(300));
    world.files.insert(
        "site/plain.flow".into(),
        format!(
            "import nim\nzone inside = 10.1.0.0/16, fd00:1::/64\nzone outside = 10.2.0.0/16, fd00:2::/64\n\
             firewall fw1 {{\n  zones inside, outside\n}}\n\
             host nim01 = 10.1.0.10 is nim.master(protocol = nimsh, mountd = 33333)\n\
             group {group} = 10.1.3.0/24, fd00:1:0:3::/64 is nim.client(master = nim01)\n"
        ),
    );
    world.files.insert(
        "site/a\u{0}b\u{1}c\u{1b}[2Jd\re\nf\u{7f}g\u{85}h\u{2028}.flow".into(),
        format!("allow {group} -> outside : tcp 22\n"),
    );
    let checked = check(&world);
    assert!(!checked.has_errors());
    for backend in backends() {
        let text = emit_all(*backend, &checked);
        assert!(text.contains("site") || text.contains("fw1"));
        let bad = text.char_indices().find(|(_, character)| {
            (character.is_control() && *character != '\n' && *character != '\t')
                || *character == '\u{2028}'
        });
        assert!(
            bad.is_none(),
            "{}: a control character at {bad:?}",
            backend.name()
        );
        // The flow from the hostile file is there, its name escaped.
        if backend.name() != "dot" {
            assert!(
                text.contains("\\x00b\\x01c\\x1b[2Jd"),
                "{}: the file name is not escaped visibly",
                backend.name()
            );
        }
    }
}
