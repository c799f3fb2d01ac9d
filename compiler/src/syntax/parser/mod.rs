//! The chumsky parser: tokens in, a syntax tree out, with recovery so that every item after a
//! mistake is still read and a half-typed file still yields a partial tree.

mod expressions;
mod fast;
mod items;
mod statements;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax::ast::FileAst;
use crate::syntax::lexer::Token;
use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::input::{Input, ValueInput};
use chumsky::prelude::*;

crate::declare_codes! {
    /// The parser met a token it did not expect here.
    ///
    /// The message lists what would have been accepted at that point. The parser skips to the
    /// next item keyword (`host`, `allow`, …), or inside a role body to the next statement, and
    /// carries on, so one mistake does not hide the ones after it. A block whose `}` is missing
    /// ends at the next item keyword or at the end of the file, so the items after a half-typed
    /// role are still read.
    ///
    /// ```text
    /// host nim01 10.1.0.10      # error: expected `=`, found address `10.1.0.10`
    /// ```
    SYNTAX_ERROR = "E0003", "syntax error";
}

/// The parser's error type: chumsky's rich errors over our tokens.
pub(crate) type ParserError<'tokens, 'src> = extra::Err<Rich<'tokens, Token<'src>, SimpleSpan>>;

/// Input bound shared by every parser function.
pub(crate) trait TokenInput<'tokens, 'src: 'tokens>:
    ValueInput<'tokens, Token = Token<'src>, Span = SimpleSpan>
{
}

impl<'tokens, 'src: 'tokens, I> TokenInput<'tokens, 'src> for I where
    I: ValueInput<'tokens, Token = Token<'src>, Span = SimpleSpan>
{
}

pub(crate) fn span_of(file: FileId, span: SimpleSpan) -> Span {
    Span::new(file, span.into_range())
}

/// Parses one file's tokens. Never fails: the tree holds `Error` nodes where recovery happened.
///
/// A file without syntax errors is read by the fast hand-written parser; anything it does not
/// accept goes to the chumsky parser, which reports the errors and recovers (see [`fast`]).
pub fn parse(
    file: FileId,
    text_length: usize,
    tokens: &[(Token<'_>, Span)],
) -> (FileAst, Vec<Diagnostic>) {
    match fast::parse_without_errors(file, tokens) {
        Some(items) => (
            FileAst {
                file,
                items,
                broken_names: Vec::new(),
            },
            Vec::new(),
        ),
        None => parse_with_recovery(file, text_length, tokens),
    }
}

/// Parses one file's tokens with the chumsky parser alone: the reference grammar, with error
/// reports and recovery. Public so that tests and the fuzz target can compare both parsers.
pub fn parse_with_recovery(
    file: FileId,
    text_length: usize,
    tokens: &[(Token<'_>, Span)],
) -> (FileAst, Vec<Diagnostic>) {
    // Unknown characters were reported by the lexer; hiding them lets the parser read the rest.
    let tokens: Vec<(Token<'_>, SimpleSpan)> = tokens
        .iter()
        .filter(|(token, _)| !matches!(token, Token::Error(_)))
        .map(|(token, span)| (*token, SimpleSpan::from(span.range())))
        .collect();
    let end_of_input = SimpleSpan::from(text_length..text_length);
    let input = tokens.as_slice().split_token_span(end_of_input);
    let (items, errors) = items::file_parser(file).parse(input).into_output_errors();
    // Blocks left open at the end of the file all fail at the same place; one report each
    // place is enough.
    let mut reported_at = std::collections::HashSet::new();
    let diagnostics = errors
        .into_iter()
        .filter(|error| reported_at.insert(error.span().start))
        .map(|error| {
            let diagnostic = syntax_diagnostic(file, &error);
            explain_in_context(file, &tokens, &error).unwrap_or(diagnostic)
        })
        .collect();
    (
        FileAst {
            file,
            items: items.unwrap_or_default(),
            broken_names: Vec::new(),
        },
        diagnostics,
    )
}

/// Parses one file's tokens with the fast parser alone; `None` where it gives up. Public so
/// that tests and the fuzz target can check that it agrees with [`parse_with_recovery`].
pub fn parse_fast(file: FileId, tokens: &[(Token<'_>, Span)]) -> Option<FileAst> {
    fast::parse_without_errors(file, tokens).map(|items| FileAst {
        file,
        items,
        broken_names: Vec::new(),
    })
}

fn syntax_diagnostic(file: FileId, error: &Rich<'_, Token<'_>, SimpleSpan>) -> Diagnostic {
    let found = match error.found() {
        Some(token) => token.to_string(),
        None => "end of file".to_string(),
    };
    let span = span_of(file, *error.span());
    match error.reason() {
        RichReason::Custom(message) => Diagnostic::error(SYNTAX_ERROR, span, message.to_string()),
        RichReason::ExpectedFound { expected, .. } => {
            let mut wanted: Vec<String> = expected.iter().filter_map(describe_pattern).collect();
            wanted.sort();
            wanted.dedup();
            let message = match wanted.len() {
                0 => format!("unexpected {found}"),
                1 => format!("expected {}, found {found}", wanted[0]),
                count if count <= 8 => {
                    format!(
                        "expected {} or {}, found {found}",
                        wanted[..count - 1].join(", "),
                        wanted[count - 1]
                    )
                }
                _ => format!("unexpected {found}"),
            };
            Diagnostic::error(SYNTAX_ERROR, span, message)
                .with_primary_message(format!("unexpected {found}"))
        }
    }
}

fn describe_pattern(pattern: &RichPattern<'_, Token<'_>>) -> Option<String> {
    match pattern {
        RichPattern::Token(token) => Some(token.to_string()),
        RichPattern::Label(label) => Some(label.to_string()),
        RichPattern::Identifier(name) => Some(format!("`{name}`")),
        RichPattern::EndOfInput => Some("end of file".to_string()),
        _ => None,
    }
}

/// A clearer report for two mistakes whose plain "expected …, found …" misleads: an
/// `@allow(lint)` without its reason, and a `(` that is never closed (reported at the `(`, not
/// at the next item where the parser noticed).
fn explain_in_context(
    file: FileId,
    tokens: &[(Token<'_>, SimpleSpan)],
    error: &Rich<'_, Token<'_>, SimpleSpan>,
) -> Option<Diagnostic> {
    let RichReason::ExpectedFound { expected, .. } = error.reason() else {
        return None;
    };
    let expects = |wanted: Token<'_>| {
        expected
            .iter()
            .any(|pattern| matches!(pattern, RichPattern::Token(token) if **token == wanted))
    };
    let at = tokens.partition_point(|(_, span)| span.start < error.span().start);
    let found = tokens.get(at).map(|(token, _)| *token);
    let before = |back: usize| at.checked_sub(back).map(|index| tokens[index].0);
    if expects(Token::Comma)
        && found == Some(Token::RightParen)
        && before(1).is_some_and(|token| matches!(token, Token::Ident(_)))
        && before(2) == Some(Token::LeftParen)
        && before(3) == Some(Token::AtAllow)
    {
        let lint = before(1).map_or("", |token| token.text());
        return Some(
            Diagnostic::error(
                SYNTAX_ERROR,
                span_of(file, *error.span()),
                format!("`@allow({lint})` needs a reason"),
            )
            .with_primary_message("expected `,` and a reason in quotes")
            .with_note(format!(
                "excusing a lint is a decision to explain: `@allow({lint}, \"why this is fine\")`"
            )),
        );
    }
    let at_item_or_end = found.is_none_or(|token| token.starts_item());
    if expects(Token::RightParen) && at_item_or_end {
        let mut depth = 0usize;
        for (token, span) in tokens[..at].iter().rev() {
            match token {
                Token::RightParen => depth += 1,
                Token::LeftParen if depth == 0 => {
                    let found_text =
                        found.map_or("the end of the file".to_string(), |token| token.to_string());
                    return Some(
                        Diagnostic::error(SYNTAX_ERROR, span_of(file, *span), "unclosed `(`")
                            .with_primary_message("this `(` is never closed")
                            .with_label(
                                span_of(file, *error.span()),
                                format!("expected `)` before {found_text}"),
                            ),
                    );
                }
                Token::LeftParen => depth -= 1,
                _ => {}
            }
        }
    }
    None
}
