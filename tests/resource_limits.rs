//! Expansion bombs: a few lines that would make millions of flows. Every command, and the
//! language server, must refuse them with a located error inside 1 GiB of address space
//! (`ulimit -v`) and a time limit, instead of taking the machine's memory.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::lsp_frames::lsp_frames;

/// The address space every command gets, as `ulimit -v 1048576` would give it.
const ADDRESS_SPACE: u64 = 1 << 30;

/// No input under 1 MB may take longer than this in a release build. The debug build that
/// `cargo test` runs is several times slower, so it gets a proportionally longer limit.
fn time_limit() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(60)
    } else {
        Duration::from_secs(10)
    }
}

/// Each bomb: its name, its text, and the code it must be refused with.
fn bombs() -> Vec<(&'static str, String, &'static str)> {
    let loops = |bound: u32| {
        format!(
            "role bomb {{\n  for i in 0..{bound} {{\n    for j in 0..{bound} {{ any -> self : tcp 1 + i }}\n  }}\n}}\nhost h = 198.18.0.1 is bomb\n"
        )
    };
    let mut services = vec!["service s0 = tcp 1".to_string()];
    services
        .extend((1..=22).map(|level| format!("service s{level} = s{}, s{}", level - 1, level - 1)));
    services.push("host a = 198.18.0.1\nhost b = 198.18.0.2\nallow a -> b : s22\n".into());
    // Doubled down, the service is still one opening: the expect fails, and says so in time.
    services.push("expect a -> b : tcp 2 allowed\n".into());
    let hosts: Vec<String> = (0..1000)
        .map(|n| format!("host g{n} = 198.18.{}.{}", n / 250, n % 250 + 1))
        .collect();
    let names: Vec<String> = (0..1000).map(|n| format!("g{n}")).collect();
    let cross = format!(
        "{}\nallow {} -> {} : tcp 22\n",
        hosts.join("\n"),
        names.join(", "),
        names.join(", ")
    );
    let wide = (0..20)
        .map(|n| format!("host w{n} = 198.19.{}.{} is wide", n / 250, n % 250 + 1))
        .collect::<Vec<_>>()
        .join("\n");
    let many = format!("role wide {{\n  for i in 1..60000 {{ any -> self : tcp i }}\n}}\n{wide}\n");
    vec![
        ("loops_1024", loops(1023), "E0301"),
        ("loops_4096", loops(4095), "E0301"),
        ("loops_65536", loops(65535), "E0301"),
        (
            "services_doubled_22_times",
            services.join("\n"),
            "expect-failed",
        ),
        ("thousand_by_thousand", cross, "E0301"),
        ("twenty_roles_of_sixty_thousand", many, "E0302"),
    ]
}

fn write_site(root: &Path, name: &str, text: &str) -> PathBuf {
    let site = root.join(name);
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("site.flow"), text).unwrap();
    assert!(text.len() < 1_000_000);
    site
}

fn limited(mut command: Command) -> Command {
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

/// Runs one command on a bomb: it must end in time, with status 1 and the expected code.
fn run_command(args: &[&str], site: &Path, expected: &str) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowc"));
    command.args(args).arg(site);
    // Into files, not pipes: a report larger than a pipe would block the command.
    let output = tempfile::tempfile().unwrap();
    command.stdout(output.try_clone().unwrap());
    command.stderr(output.try_clone().unwrap());
    let started = Instant::now();
    let mut child = limited(command).spawn().expect("flowc runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > time_limit() {
            let _ = child.kill();
            panic!(
                "`flowc {}` on {} took over {:?}",
                args.join(" "),
                site.display(),
                time_limit()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut report = String::new();
    let mut output = output;
    std::io::Seek::rewind(&mut output).unwrap();
    output.read_to_string(&mut report).unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "`flowc {}` on {}: {status}\n{}",
        args.join(" "),
        site.display(),
        &report[..report.len().min(2000)]
    );
    assert!(
        report.contains(expected),
        "`flowc {}` on {} does not report {expected}:\n{}",
        args.join(" "),
        site.display(),
        &report[..report.len().min(2000)]
    );
}

#[test]
fn every_command_refuses_expansion_bombs_within_memory_and_time() {
    let root = tempfile::tempdir().unwrap();
    for (name, text, expected) in bombs() {
        let site = write_site(root.path(), name, &text);
        let output = root.path().join(format!("{name}-out"));
        let output = output.to_str().unwrap();
        run_command(&["check", "--format", "json"], &site, expected);
        run_command(
            &["emit", "--target", "nftables", "-o", output],
            &site,
            expected,
        );
        run_command(
            &["emit", "--target", "matrix-csv", "-o", output],
            &site,
            expected,
        );
        assert!(
            !Path::new(output).join("site.csv").exists(),
            "{name}: a refused site wrote output"
        );
    }
}

/// The language server gets the same limits: it publishes the error and keeps answering.
#[test]
fn the_language_server_refuses_expansion_bombs_and_carries_on() {
    let root = tempfile::tempdir().unwrap();
    for (name, text, expected) in bombs() {
        let site = write_site(root.path(), name, &text);
        let mut command = Command::new(env!("CARGO_BIN_EXE_flowc"));
        command
            .arg("lsp")
            .env("XDG_CACHE_HOME", root.path().join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let started = Instant::now();
        let mut child = limited(command).spawn().expect("flowc lsp runs");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let uri = format!("file://{}", site.join("site.flow").display());
        let send = |stdin: &mut std::process::ChildStdin, message: serde_json::Value| {
            let body = message.to_string();
            write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
            stdin.flush().unwrap();
        };
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": format!("file://{}", site.display()), "capabilities": {}}}),
        );
        // As editors do, nothing else is sent before the answer to `initialize`.
        loop {
            let mut header = String::new();
            if stdout.read_line(&mut header).unwrap() == 0 {
                panic!("{name}: the language server did not answer `initialize`");
            }
            if let Some(length) = header.trim_end().strip_prefix("Content-Length: ") {
                let mut blank = String::new();
                stdout.read_line(&mut blank).unwrap();
                let mut body = vec![0; length.parse().unwrap()];
                stdout.read_exact(&mut body).unwrap();
                break;
            }
        }
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        );
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "flow", "version": 1, "text": text}}}),
        );
        // Frames are read on another thread so that a silent server fails the test in time.
        let frames = lsp_frames(stdout);
        let reported = loop {
            let left = time_limit().saturating_sub(started.elapsed());
            let Ok(frame) = frames.recv_timeout(left) else {
                let _ = child.kill();
                panic!(
                    "{name}: the language server published no {expected} within {:?}",
                    time_limit()
                );
            };
            if frame["method"] == "textDocument/publishDiagnostics" && frame["params"]["uri"] == uri
            {
                let codes: Vec<String> =
                    (frame["params"]["diagnostics"].as_array().unwrap().iter())
                        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or("").to_string())
                        .collect();
                if codes.iter().any(|code| code == expected) {
                    break codes;
                }
            }
        };
        assert!(!reported.is_empty());
        send(
            &mut stdin,
            serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}),
        );
        let answered = loop {
            match frames.recv_timeout(Duration::from_secs(20)) {
                Ok(frame) if frame["id"] == 2 => break true,
                Ok(_) => continue,
                Err(_) => break false,
            }
        };
        let _ = child.kill();
        let _ = child.wait();
        assert!(answered, "{name}: the language server stopped answering");
    }
}
