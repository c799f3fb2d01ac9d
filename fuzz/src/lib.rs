//! Checks shared by the fuzz targets: spans inside their files and on character boundaries,
//! and the span-free shape of a syntax tree.

use flowc_compiler::diagnostic::Diagnostic;
use flowc_compiler::source::SourceMap;
use flowc_compiler::syntax::ast::{Block, ElseBranch, IfStatement, ItemKind, StatementKind};
use flowc_compiler::syntax::ParsedFile;
use flowc_compiler::{FileId, Span};
use std::fmt::Debug;

/// Inputs longer than this are skipped: they only slow the fuzzer down.
pub const MAX_INPUT: usize = 64 * 1024;

/// Panics unless `span` lies in `text` (of file `file`) with both ends on character boundaries.
pub fn assert_span_in(text: &str, file: FileId, span: Span, context: &dyn Debug) {
    assert_eq!(span.file, file, "span in the wrong file: {context:?}");
    assert!(
        span.start <= span.end,
        "inverted span {span:?}: {context:?}"
    );
    assert!(
        span.end as usize <= text.len(),
        "span {span:?} past the end ({}): {context:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
        "span {span:?} splits a character: {context:?}"
    );
}

/// Every span of a diagnostic (primary, labels, fix edits) inside its own file of `sources`.
pub fn assert_diagnostic_spans(sources: &SourceMap, diagnostic: &Diagnostic) {
    let spans = std::iter::once(diagnostic.primary.span)
        .chain(diagnostic.labels.iter().map(|label| label.span))
        .chain(
            diagnostic
                .fix
                .iter()
                .flat_map(|fix| fix.edits.iter().map(|edit| edit.span)),
        );
    for span in spans {
        let count = sources.iter().count();
        assert!(
            (span.file.0 as usize) < count,
            "span {span:?} names file {} of {count}: {diagnostic:?}",
            span.file.0
        );
        let text = &sources.get(span.file).text;
        assert_span_in(text, span.file, span, diagnostic);
    }
}

/// The `@file:start..end` spans a `Debug` dump of a tree prints, outside string literals.
pub fn spans_in_debug(debug: &str) -> Vec<Span> {
    let bytes = debug.as_bytes();
    let mut spans = Vec::new();
    let mut index = 0;
    let mut in_string = false;
    while index < bytes.len() {
        let byte = bytes[index];
        if in_string {
            match byte {
                b'\\' => index += 1,
                b'"' => in_string = false,
                _ => {}
            }
            index += 1;
            continue;
        }
        if byte == b'"' {
            in_string = true;
            index += 1;
            continue;
        }
        if byte == b'@' {
            if let Some((span, length)) = parse_span(&debug[index + 1..]) {
                spans.push(span);
                index += 1 + length;
                continue;
            }
        }
        index += 1;
    }
    spans
}

/// `F:S..E` at the start of `text`, and its length.
fn parse_span(text: &str) -> Option<(Span, usize)> {
    let digits = |from: usize| {
        let end = text[from..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(text.len(), |at| from + at);
        (end > from).then(|| (text[from..end].parse::<u32>().ok(), end))
    };
    let (file, after_file) = digits(0)?;
    text[after_file..].strip_prefix(':')?;
    let (start, after_start) = digits(after_file + 1)?;
    text[after_start..].strip_prefix("..")?;
    let (end, after_end) = digits(after_start + 2)?;
    Some((
        Span {
            file: FileId(file?),
            start: start?,
            end: end?,
        },
        after_end,
    ))
}

/// Panics with the first differing line of two multi-line texts and a little context, rather
/// than both texts whole.
pub fn assert_same_lines(before: &str, after: &str, what: &str) {
    if before == after {
        return;
    }
    let (left, right): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let at = left
        .iter()
        .zip(&right)
        .position(|(a, b)| a != b)
        .unwrap_or(left.len().min(right.len()));
    let context =
        |lines: &[&str]| lines[at.saturating_sub(3)..(at + 3).min(lines.len())].join("\n");
    panic!(
        "{what}: first difference at line {}\n--- before ---\n{}\n--- after ---\n{}",
        at + 1,
        context(&left),
        context(&right)
    );
}

/// Whether the tree holds an item or a statement the parser could not read.
pub fn has_error_nodes(parsed: &ParsedFile) -> bool {
    fn block(statements: &Block) -> bool {
        statements
            .statements
            .iter()
            .any(|statement| match &statement.kind {
                StatementKind::Error => true,
                StatementKind::Flow(_) => false,
                StatementKind::If(if_statement) => if_has_errors(if_statement),
                StatementKind::For(for_statement) => block(&for_statement.body),
            })
    }
    fn if_has_errors(statement: &IfStatement) -> bool {
        block(&statement.then_block)
            || match &statement.else_branch {
                None => false,
                Some(ElseBranch::Block(else_block)) => block(else_block),
                Some(ElseBranch::If(nested, _)) => if_has_errors(nested),
            }
    }
    parsed.ast.items.iter().any(|item| match &item.kind {
        ItemKind::Error => true,
        ItemKind::Role(role) => role.body.as_ref().is_some_and(block),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_read_outside_strings_only() {
        let debug = r#"Ident { name: "a", span: @0:1..2 }, StringLit { text: "\"@0:9..99\"", span: @3:4..5 }"#;
        let spans = spans_in_debug(debug);
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].file.0, spans[0].start, spans[0].end), (0, 1, 2));
        assert_eq!((spans[1].file.0, spans[1].start, spans[1].end), (3, 4, 5));
    }
}
