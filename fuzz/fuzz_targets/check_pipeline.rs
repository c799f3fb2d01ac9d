//! The whole pipeline on one site file next to the embedded stdlib: check, every report format, every emitter backend and a query; no panic, quick, and every span of diagnostics and policy inside its file.
#![no_main]

use flowc_compiler::emit::{backends, Input, Layout};
use flowc_compiler::{report, MemoryWorld};
use flowc_fuzz::{assert_diagnostic_spans, assert_span_in, spans_in_debug, MAX_INPUT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    // Read as the command line reads a file: invalid UTF-8 becomes U+FFFD.
    let text = String::from_utf8_lossy(data);
    let world = MemoryWorld::single("site.flow", &text);
    let checked = flowc_compiler::check(&world);
    let analysis = &checked.analysis;
    let sources = &analysis.sources;
    for diagnostic in &analysis.diagnostics {
        assert_diagnostic_spans(sources, diagnostic);
    }
    // Every report format of `flowc check`.
    let _ = report::render_human(sources, &analysis.diagnostics, false);
    let _ = report::render_short(sources, &analysis.diagnostics);
    let _ = report::render_json(sources, &analysis.diagnostics);
    let _ = report::render_sarif(sources, &analysis.diagnostics);
    let _ = report::summary(&analysis.diagnostics);
    if checked.has_errors() {
        return;
    }

    let policy = &checked.policy;
    for span in spans_in_debug(&format!("{policy:?}")) {
        assert!(
            (span.file.0 as usize) < sources.iter().count(),
            "policy span {span:?} names no file"
        );
        assert_span_in(&sources.get(span.file).text, span.file, span, &"policy");
    }
    // Every backend, as `flowc emit` runs it: with `-o DIR` and with `--for` each target.
    let input = Input::new(policy, sources);
    for backend in backends() {
        match backend.layout() {
            Layout::PerSite => {
                let _ = backend.files(&input, None);
            }
            Layout::PerTarget => {
                for target in backend.targets(policy) {
                    let _ = backend.files(&input, Some(target));
                }
            }
        }
        for target in policy.targets() {
            let _ = backend.emit(&input, Some(target));
        }
    }
    // `flowc query` between two machines of the site.
    if let (Some(first), Some(last)) = (policy.machines.first(), policy.machines.last()) {
        match flowc_compiler::ask(&world, &first.name, &last.name, "tcp 22") {
            Ok(answer) => {
                let _ = answer.render_human("query");
                let _ = answer.to_json();
            }
            Err(failed) => panic!(
                "a clean site cannot answer a query between its machines:\n{}",
                report::render_short(&failed.analysis.sources, &failed.analysis.diagnostics)
            ),
        }
    }
});
