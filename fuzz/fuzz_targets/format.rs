//! The formatter's round-trip property (format, parse, same tree): when a file formats, formatting the output again gives the same text, and the span-free tree and the comments are those of the input.
#![no_main]

use flowc_compiler::format::{format_parsed, format_source, syntax_errors};
use flowc_compiler::source::strip_spans;
use flowc_compiler::syntax::{parse_file, ParsedFile};
use flowc_compiler::FileId;
use flowc_fuzz::{assert_same_lines, MAX_INPUT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    // `flowc fmt` and the language server format through `format_source`.
    // It refuses files with errors, and output that would not parse to the same tree and
    // comments (E0014, its own round-trip check); everything it returns is checked again here.
    let once = match format_source("input.flow", &text) {
        Ok(once) => once,
        Err(failure) => {
            assert!(
                !failure.diagnostics.is_empty(),
                "a refusal without a reason"
            );
            return;
        }
    };
    let before = parse_file(FileId(0), &text);
    let after = parse_file(FileId(0), &once);
    let errors = syntax_errors(&after);
    assert!(
        errors.is_empty(),
        "the formatted output does not parse: {errors:?}\n{once}"
    );
    // `format_source` is `parse_file` and `format_parsed`; the parse is reused here.
    let twice = format_parsed(&after, &once);
    assert_same_lines(&once, &twice, "formatting is not idempotent");
    assert_same_lines(
        &shape(&before),
        &shape(&after),
        "formatting changed the meaning",
    );
    assert_same_lines(
        &comments(&before).join("\n"),
        &comments(&after).join("\n"),
        "formatting lost or changed comments",
    );
});

/// The tree without spans, as `tests/formatting.rs` compares it.
fn shape(parsed: &ParsedFile) -> String {
    strip_spans(&format!("{:#?}", parsed.ast.items))
}

/// The comments, trailing blanks removed, sorted, as `tests/formatting.rs` compares them.
fn comments(parsed: &ParsedFile) -> Vec<String> {
    let mut comments: Vec<String> = parsed
        .comments
        .iter()
        .map(|comment| comment.text.trim_end().to_string())
        .collect();
    comments.sort();
    comments
}
