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

/// Formats `text`, checks the output formats to itself, and returns it.
fn format_twice(text: &str) -> String {
    let once = format_source("case.flow", text).expect("formats");
    let twice = format_source("again.flow", &once).expect("the output formats");
    assert_eq!(once, twice, "not idempotent for {text:?}");
    assert_eq!(shape(text), shape(&once), "meaning changed for {text:?}");
    once
}

#[test]
fn a_comment_between_a_closing_brace_and_else_keeps_else_out_of_it() {
    let text = "role r(x: bool = true) {\n  if x {\n    self -> any : tcp 22\n  } # note\n  else if !x {\n    self -> any : tcp 23\n  }\n  # own line\n  else {\n    self -> any : tcp 24\n  }\n}\n";
    assert_eq!(
        format_twice(text),
        "role r(x: bool = true) {\n  if x {\n    self -> any : tcp 22\n  }  # note\n  else if !x {\n    self -> any : tcp 23\n  }\n  # own line\n  else {\n    self -> any : tcp 24\n  }\n}\n"
    );
    // Without a comment, `} else {` stays on one line.
    assert!(
        format_twice("role r(x: bool) {\n  if x {\n  }\n  else {\n  }\n}\n").contains("} else {}")
    );
}

#[test]
fn a_comment_between_allow_and_its_parenthesis_is_stable() {
    let once = format_twice("@allow # c\n(broad-range, \"wide on purpose\")\nhost h = 10.0.0.1\n");
    assert_eq!(
        once,
        "@allow(broad-range, \"wide on purpose\")\n# c\nhost h = 10.0.0.1\n"
    );
}

#[test]
fn a_stray_doc_comment_inside_an_item_documents_no_other_item() {
    let once = format_twice("zone /// d\nz = 10.0.0.0/8\nzone fine = 10.1.0.0/16\n");
    let parsed = parse_file(FileId(0), &once);
    assert!(
        parsed.ast.items.iter().all(|item| item.docs.is_empty()),
        "{once}"
    );
    assert_eq!(comments(&once), ["/// d"]);
}

#[test]
fn output_that_would_not_round_trip_is_refused_with_e0014() {
    // Two stray doc comments in one item: only one can stay on the item's line; the other,
    // below it, would document the next zone. The round-trip check catches it.
    let text = "zone /// a\n/// b\nz = 10.0.0.0/8\nzone y = 10.1.0.0/16\n";
    let failure = format_source("case.flow", text).unwrap_err();
    assert_eq!(failure.diagnostics.len(), 1);
    assert_eq!(failure.diagnostics[0].code, "E0014");
    assert!(!failure.file_has_errors());
}

#[test]
fn files_with_any_error_are_refused_not_only_syntax_errors() {
    // E0011 alone (a `!` run over the cap): formatting would re-read the capped run.
    let text = format!(
        "role r(x: bool) {{\n  if {}x {{\n    self -> any : tcp 22\n  }}\n}}\n",
        "!".repeat(65)
    );
    let failure = format_source("case.flow", &text).unwrap_err();
    assert!(failure.file_has_errors());
    assert!(
        failure
            .diagnostics
            .iter()
            .all(|diagnostic| diagnostic.code == "E0011"),
        "{:?}",
        failure.diagnostics
    );
    // A literal error (a port out of range) stops formatting too.
    assert!(format_source("case.flow", "service s = tcp 70000\n").is_err());
}

#[test]
fn identifiers_longer_than_format_widths_do_not_panic() {
    let long = "h".repeat(70_000);
    let text = format!("host {long} = 10.0.0.1\nhost b = 10.0.0.2\n");
    let once = format_twice(&text);
    assert!(once.starts_with(&format!("host {long} = 10.0.0.1\nhost b")));
}

#[test]
fn line_ends_and_byte_order_mark() {
    // A lone CR ends the comment; the `deny` is an item of its own and stays one.
    let once =
        format_twice("host h1 = 10.0.0.1\rallow h1 -> h1 : any # note\rdeny h1 -> h1 : any\r");
    assert_eq!(
        once,
        "host h1 = 10.0.0.1\nallow h1 -> h1 : any  # note\ndeny h1 -> h1 : any\n"
    );
    let once = format_source("bom.flow", "\u{feff}host  h1 = 10.0.0.1\n").unwrap();
    assert_eq!(once, "\u{feff}host h1 = 10.0.0.1\n");
    // Found by the `format` fuzz target: formatting a parsed file dropped the mark that
    // `format_source` keeps, so formatting the output again was not idempotent.
    let parsed = flowc_compiler::syntax::parse_file(flowc_compiler::FileId(0), &once);
    assert_eq!(flowc_compiler::format::format_parsed(&parsed, &once), once);
}

#[test]
fn a_comment_after_a_lone_cr_stays_on_its_own_line() {
    let once = format_twice("host a = 10.0.0.1\r\r# c\rhost b = 10.0.0.2\r");
    assert_eq!(once, "host a = 10.0.0.1\n\n# c\nhost b = 10.0.0.2\n");
}
