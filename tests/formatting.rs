//! `flowc fmt` over all test data: idempotent, meaning-preserving, comment-preserving.

mod support;

use flowc_compiler::format::format_source;
use flowc_compiler::source::strip_spans;
use flowc_compiler::syntax::parse_file;
use flowc_compiler::FileId;
use support::*;

/// The tree of a file without spans, for comparing meaning.
fn shape(text: &str) -> String {
    strip_spans(&format!("{:#?}", parse_file(FileId(0), text).ast.items))
}

fn comments(text: &str) -> Vec<String> {
    parse_file(FileId(0), text)
        .comments
        .into_iter()
        .map(|comment| comment.text.trim_end().to_string())
        .collect()
}

#[test]
fn formatting_is_idempotent_and_keeps_meaning_and_comments() {
    let mut formatted_count = 0;
    for path in data_files("ok")
        .into_iter()
        .chain(data_files("err"))
        .chain(data_files("warn"))
    {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(once) = format_source(&data_name(&path), &text) else {
            continue;
        };
        formatted_count += 1;
        let twice = format_source("again", &once).expect("formatted output parses");
        assert_eq!(
            once,
            twice,
            "{}: formatting is not idempotent",
            data_name(&path)
        );
        assert_eq!(
            shape(&text),
            shape(&once),
            "{}: formatting changed the meaning",
            data_name(&path)
        );
        let mut before = comments(&text);
        let mut after = comments(&once);
        before.sort();
        after.sort();
        assert_eq!(
            before,
            after,
            "{}: formatting lost or changed comments",
            data_name(&path)
        );
    }
    assert!(
        formatted_count >= 10,
        "only {formatted_count} files were formatted"
    );
}

#[test]
fn formatted_ok_files_match_their_snapshots() {
    for path in data_files("ok") {
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted =
            format_source(&data_name(&path), &text).expect("ok files have no syntax errors");
        insta::with_settings!({ snapshot_path => "snapshots/fmt", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(data_name(&path).replace('/', "__"), formatted);
        });
    }
}

#[test]
fn files_with_syntax_errors_are_refused() {
    let failure = format_source("broken.flow", "host a 10.0.0.1\n").unwrap_err();
    assert_eq!(failure.diagnostics[0].code, "E0003");
}
