//! Helpers shared by the emitter tests: the test sites, emitting every target of a backend,
//! snapshots, and running validators where they cannot touch the host's own ruleset.

#![allow(dead_code)]

use flowc_compiler::emit::{Backend, Input, Layout};
use flowc_compiler::{check, Checked, MemoryWorld};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "../support/mod.rs"]
mod support;
#[allow(unused_imports)]
pub use support::{data_directory, data_files, data_name, tools_present};

/// Every site the emitters are tested over: each `.flow` file of `tests/data/ok/**` and
/// `tests/data/emit/` is a site of its own.
pub fn sites() -> Vec<PathBuf> {
    let mut sites = data_files("ok");
    sites.extend(data_files("emit"));
    // A site with errors is never emitted (the command line refuses it).
    sites.retain(|path| {
        let text = std::fs::read_to_string(path).expect("test data is readable");
        !check(&MemoryWorld::single(&data_name(path), &text)).has_errors()
    });
    for needed in [
        "ok/brief_site.flow",
        "emit/kernel.flow",
        "emit/features.flow",
        "ok/stdlib/nim_site.flow",
    ] {
        assert!(
            sites.iter().any(|path| data_name(path) == needed),
            "{needed} must check without errors"
        );
    }
    sites
}

/// The snapshot name of a site: `ok__stdlib__nim_site`.
pub fn site_name(path: &Path) -> String {
    data_name(path).trim_end_matches(".flow").replace('/', "__")
}

/// Checks one file as a site; the test sites have no errors.
pub fn checked(path: &Path) -> Checked {
    let text = std::fs::read_to_string(path).expect("test data is readable");
    let checked = check(&MemoryWorld::single(&data_name(path), &text));
    let errors: Vec<_> = checked
        .analysis
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == flowc_compiler::Severity::Error)
        .map(|diagnostic| diagnostic.message.clone())
        .collect();
    assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    checked
}

/// The site's output of one backend: every target's ruleset, each under a `=== NAME ===`
/// line, or the one document of a per-site backend.
pub fn emit_all(backend: &dyn Backend, checked: &Checked) -> String {
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    match backend.layout() {
        Layout::PerSite => backend.emit(&input, None),
        Layout::PerTarget => backend
            .targets(&checked.policy)
            .into_iter()
            .map(|target| {
                format!(
                    "=== {} ===\n{}",
                    checked.policy.target_name(target),
                    backend.emit(&input, Some(target))
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Every (target name, ruleset) of a per-target backend.
pub fn rulesets(backend: &dyn Backend, checked: &Checked) -> Vec<(String, String)> {
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    checked
        .policy
        .targets()
        .into_iter()
        .map(|target| {
            (
                checked.policy.target_name(target).to_string(),
                backend.emit(&input, Some(target)),
            )
        })
        .collect()
}

/// Snapshots `text` as `tests/snapshots/emit/<directory>/<name>.snap`.
pub fn snapshot(directory: &str, name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => format!("../snapshots/emit/{directory}"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Whether a program is on the PATH.
pub fn available(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether a validator can run in an empty network namespace here: the program, `unshare`,
/// and root. Without them the validation is skipped with a notice (the snapshots are still
/// compared), or fails under `FLOWC_REQUIRE_TOOLS=1`.
pub fn validator_present(program: &str, package: &str) -> bool {
    support::tools_present(
        &format!("validation with {program}"),
        &[(program, package), ("unshare", "util-linux")],
        true,
    )
}

/// Runs `program arguments…` in a new, empty network namespace (`unshare -n`), so a ruleset
/// it loads or checks never touches the host's own.
pub fn in_empty_namespace(program: &str, arguments: &[&str], stdin: Option<&str>) -> Output {
    assert!(
        available("unshare"),
        "unshare (util-linux) is needed; .ci/run installs it"
    );
    assert!(
        available(program),
        "{program} is needed; .ci/run installs it"
    );
    let mut child = Command::new("unshare")
        .arg("-n")
        .arg(program)
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("unshare starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        input
            .write_all(text.as_bytes())
            .expect("the validator reads its input");
    }
    drop(input);
    child.wait_with_output().expect("the validator finishes")
}

/// Writes `text` to a temporary file with the given extension and returns the file.
pub fn temporary_file(text: &str, extension: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(&format!(".{extension}"))
        .tempfile()
        .expect("temporary file");
    file.write_all(text.as_bytes())
        .expect("temporary file is writable");
    file
}

/// A number of lines matching `predicate`.
pub fn count_lines(text: &str, predicate: impl Fn(&str) -> bool) -> usize {
    text.lines().filter(|line| predicate(line)).count()
}
