//! Lexer and parser on arbitrary bytes: no panic, every token, comment, tree and diagnostic span inside the file on character boundaries, an error-free parse leaves no error node, and the fast parser agrees with chumsky.
#![no_main]

use flowc_compiler::syntax::lexer::{lex, Token};
use flowc_compiler::syntax::nesting::limit_nesting;
use flowc_compiler::syntax::parse_file;
use flowc_compiler::syntax::parser::{parse_fast, parse_with_recovery};
use flowc_compiler::{FileId, Severity};
use flowc_fuzz::{assert_span_in, has_error_nodes, spans_in_debug, MAX_INPUT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    // The compiler takes `&str`: valid UTF-8 as it is, anything else read lossily as the
    // command line and the language server do.
    match std::str::from_utf8(data) {
        Ok(text) => check(text),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});

fn check(text: &str) {
    let file = FileId(0);

    let lexed = lex(file, text);
    let mut previous_end = 0;
    for (token, span) in &lexed.tokens {
        assert_span_in(text, file, *span, token);
        assert!(
            span.start >= previous_end,
            "tokens overlap or go backwards at {span:?}"
        );
        assert!(span.start < span.end, "empty token {token:?} at {span:?}");
        previous_end = span.end;
        // Captured text is exactly the source under the span.
        match token {
            Token::Ident(captured)
            | Token::Int(captured)
            | Token::Address(captured)
            | Token::String(captured)
            | Token::Error(captured) => assert_eq!(*captured, &text[span.range()]),
            _ => {}
        }
    }
    for comment in &lexed.comments {
        assert_span_in(text, file, comment.span, comment);
        assert_eq!(comment.text, &text[comment.span.range()]);
    }
    for diagnostic in &lexed.diagnostics {
        assert_span_in(text, file, diagnostic.span(), diagnostic);
    }
    let lexed_error = lexed
        .tokens
        .iter()
        .any(|(token, _)| matches!(token, Token::Error(_)));

    let parsed = parse_file(file, text);
    for diagnostic in &parsed.diagnostics {
        assert_span_in(text, file, diagnostic.primary.span, diagnostic);
        for label in &diagnostic.labels {
            assert_span_in(text, file, label.span, diagnostic);
        }
        for edit in diagnostic.fix.iter().flat_map(|fix| &fix.edits) {
            assert_span_in(text, file, edit.span, diagnostic);
        }
    }
    let debug = format!("{:?}", parsed.ast);
    for span in spans_in_debug(&debug) {
        assert_span_in(text, file, span, &"a node of the tree");
    }
    let mut previous_end = 0;
    for item in &parsed.ast.items {
        assert!(
            item.span.start >= previous_end,
            "items overlap or go backwards at {:?}",
            item.span
        );
        previous_end = item.span.end;
    }

    let clean = !parsed
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.severity == Severity::Error);
    if clean {
        assert!(!lexed_error, "an unknown character was not reported");
        assert!(
            !has_error_nodes(&parsed),
            "the tree has error nodes but no error was reported"
        );
    }

    // Wherever the fast hand-written parser accepts the tokens, chumsky (the reference) finds
    // no syntax error and builds the identical tree (ARCHITECTURE.md, `syntax/parser/fast/`).
    let (tokens, _) = limit_nesting(lex(file, text).tokens);
    if let Some(fast) = parse_fast(file, &tokens) {
        let (reference, errors) = parse_with_recovery(file, text.trim_end().len(), &tokens);
        assert!(
            errors.is_empty(),
            "the fast parser accepted what chumsky rejects: {errors:?}"
        );
        assert_eq!(fast, reference, "the two parsers built different trees");
    }
}
