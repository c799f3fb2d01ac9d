//! Helpers shared by the integration tests: analysing test data and reading inline expectations.

#![allow(dead_code)]

use flowc_compiler::{check, Analysis, MemoryWorld};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn data_directory() -> PathBuf {
    repository_root().join("tests/data")
}

/// Whether the programs a test needs are on the PATH (each with the Debian package that has it),
/// and, when `root`, whether the test runs as root (network namespaces need it). When not, the
/// test says on stderr what it skips and why, and returns `false`; under
/// `FLOWC_REQUIRE_TOOLS=1` (as `.ci/run` sets it, after installing everything) a missing tool
/// fails the test instead. A fresh clone with only Rust runs every test that needs nothing else.
pub fn tools_present(what: &str, programs: &[(&str, &str)], root: bool) -> bool {
    let mut missing: Vec<String> = (programs.iter())
        .filter(|(program, _)| {
            !std::process::Command::new("sh")
                .args(["-c", &format!("command -v {program}")])
                .stdout(std::process::Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
        .map(|(program, package)| format!("{program} (Debian package {package})"))
        .collect();
    // SAFETY: geteuid has no preconditions and cannot fail.
    if root && unsafe { libc::geteuid() } != 0 {
        missing.push("root (network namespaces)".to_string());
    }
    present_or_skip(what, &missing)
}

/// `true` when nothing is missing; otherwise the skip notice (or, under
/// `FLOWC_REQUIRE_TOOLS=1`, the failure) of [`tools_present`], and `false`.
pub fn present_or_skip(what: &str, missing: &[String]) -> bool {
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("FLOWC_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "{what}: missing {} (FLOWC_REQUIRE_TOOLS=1: .ci/run installs them)",
        missing.join(", ")
    );
    // Once per test binary and reason, straight to the process's stderr: the test harness
    // captures `eprintln!` of passing tests, and a skip must be seen.
    static SAID: std::sync::Mutex<BTreeSet<String>> = std::sync::Mutex::new(BTreeSet::new());
    let first_time = SAID
        .lock()
        .map_or(true, |mut said| said.insert(format!("{what}{missing:?}")));
    if !first_time {
        return false;
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "NOTICE: {what} skipped: missing {}",
        missing.join(", ")
    );
    false
}

/// Runs the `flowc` binary in `directory`, without colour.
pub fn flowc(arguments: &[&str], directory: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(arguments)
        .current_dir(directory)
        .env("NO_COLOR", "1")
        .output()
        .expect("flowc runs")
}

/// Every `.flow` file under `tests/data/<kind>`, sorted.
pub fn data_files(kind: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect(&data_directory().join(kind), &mut files);
    files.sort();
    files
}

fn collect(directory: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "flow")
        {
            files.push(path);
        }
    }
}

/// The name a data file has in diagnostics: its path below `tests/data`.
pub fn data_name(path: &Path) -> String {
    path.strip_prefix(data_directory())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Analyses one data file as a site of its own.
/// Checks one data file as a site of its own, through every stage.
pub fn analyze_file(path: &Path) -> (String, Analysis) {
    let text = std::fs::read_to_string(path).expect("test data is readable UTF-8");
    let checked = check(&MemoryWorld::single(&data_name(path), &text));
    (text, checked.analysis)
}

/// `(line, severity, code)` for every diagnostic in the site's own files.
pub fn reported(analysis: &Analysis) -> BTreeSet<(u32, String, String)> {
    analysis
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let file = analysis.sources.get(diagnostic.span().file);
            let line = file.line_column(diagnostic.span().start).line;
            let line = if file.origin == flowc_compiler::source::Origin::Stdlib {
                0
            } else {
                line
            };
            (
                line,
                diagnostic.severity.as_str().to_string(),
                diagnostic.code.to_string(),
            )
        })
        .collect()
}

/// Inline expectations: `# error: CODE[, CODE]` or `# warning: …` after code applies to its own
/// line; on a line of its own it applies to the next line that is not an expectation.
pub fn expected(text: &str) -> BTreeSet<(u32, String, String)> {
    let mut expectations = BTreeSet::new();
    let mut pending: Vec<(String, String)> = Vec::new();
    // Lines as flowc counts them: a lone CR ends one too.
    let lines = text.split('\n').flat_map(|line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        line.split('\r')
    });
    for (index, line) in lines.enumerate() {
        let number = index as u32 + 1;
        let parsed = ["error", "warning", "note"].iter().find_map(|severity| {
            let marker = format!("# {severity}: ");
            line.find(&marker)
                .map(|at| (at, *severity, line[at + marker.len()..].to_string()))
        });
        match parsed {
            Some((at, severity, codes)) => {
                let codes = codes
                    .split(',')
                    .map(|code| (severity.to_string(), code.trim().to_string()));
                if line[..at].trim().is_empty() {
                    pending.extend(codes);
                } else {
                    for (severity, code) in pending.drain(..).chain(codes) {
                        expectations.insert((number, severity, code));
                    }
                }
            }
            None => {
                for (severity, code) in pending.drain(..) {
                    expectations.insert((number, severity, code));
                }
            }
        }
    }
    expectations
}

pub mod lsp_frames;
