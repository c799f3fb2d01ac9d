//! Tests as data: every file under `tests/data/{ok,err}` is checked against its inline
//! `# error: CODE` expectations and snapshotted together with its source.

mod support;

use flowc_compiler::report;
use support::*;

fn assert_expectations(path: &std::path::Path, text: &str, analysis: &flowc_compiler::Analysis) {
    let expected = expected(text);
    let reported = reported(analysis);
    let missing: Vec<_> = expected.difference(&reported).collect();
    let unexpected: Vec<_> = reported.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{}: expectations do not match\n  expected but not reported: {missing:?}\n  reported but not expected: {unexpected:?}\n{}",
        data_name(path),
        report::render_short(&analysis.sources, &analysis.diagnostics)
    );
}

/// Snapshots a case's rendered report together with its source.
fn snapshot_report(
    folder: &str,
    path: &std::path::Path,
    text: &str,
    analysis: &flowc_compiler::Analysis,
) {
    let rendered = report::render_human(&analysis.sources, &analysis.diagnostics, false);
    let snapshot = format!("----- source -----\n{text}----- diagnostics -----\n{rendered}");
    insta::with_settings!({ snapshot_path => folder, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(data_name(path).replace('/', "__"), snapshot);
    });
}

#[test]
fn error_cases_report_what_they_expect() {
    let files = data_files("err");
    assert!(
        files.len() >= 20,
        "the err corpus went missing: {} files",
        files.len()
    );
    for path in files {
        let (text, analysis) = analyze_file(&path);
        assert!(
            analysis.has_errors(),
            "{} reports no error",
            data_name(&path)
        );
        assert_expectations(&path, &text, &analysis);
        snapshot_report("snapshots/err", &path, &text, &analysis);
    }
}

#[test]
fn warning_cases_warn_without_errors() {
    let files = data_files("warn");
    assert!(files.len() >= 9, "the warn corpus went missing");
    for path in files {
        let (text, analysis) = analyze_file(&path);
        assert!(
            !analysis.has_errors(),
            "{} has errors:\n{}",
            data_name(&path),
            report::render_short(&analysis.sources, &analysis.diagnostics)
        );
        assert!(
            !analysis.diagnostics.is_empty(),
            "{} reports nothing",
            data_name(&path)
        );
        assert_expectations(&path, &text, &analysis);
        snapshot_report("snapshots/warn", &path, &text, &analysis);
    }
}

#[test]
fn ok_cases_have_no_errors() {
    let files = data_files("ok");
    assert!(!files.is_empty(), "the ok corpus went missing");
    for path in files {
        let (text, analysis) = analyze_file(&path);
        assert!(
            !analysis.has_errors(),
            "{} has errors:\n{}",
            data_name(&path),
            report::render_short(&analysis.sources, &analysis.diagnostics)
        );
        assert_expectations(&path, &text, &analysis);
    }
}
