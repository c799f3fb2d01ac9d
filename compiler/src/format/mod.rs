//! Canonical formatting of `.flow` files, shared by `flowc fmt` and the language server.
//!
//! The printer walks the syntax tree and re-emits every comment by position: comments before a
//! line-level node (item, statement, firewall part, closing brace) go on their own lines above
//! it, a comment on the same line as a node's end stays at the end of that line, and a comment
//! inside a one-line node moves below it. Literals are printed exactly as written, so formatting
//! never changes meaning. Two guards make sure of it: a file with any error is not formatted,
//! and the output is parsed again and compared with the input (tree without positions, and
//! comments) before anyone may write it; when they differ, formatting is refused (`E0014`).

mod layout;

pub use layout::param_text;
mod printer;
mod round_trip;

pub use round_trip::{same_comments, same_tree};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Origin, SourceFile, SourceMap, Span};
use crate::syntax::{self, ParsedFile};

crate::declare_codes! {
    /// `flowc fmt` (or the editor's formatting) refused to write its output, because the
    /// formatted text would not parse to the same tree as the file, or would lose or change a
    /// comment.
    ///
    /// The formatter checks every output before it is written: it parses the new text and
    /// compares its syntax tree (without positions) and its comments with those of the file.
    /// This error means the formatter could not place something, most likely a comment in an
    /// unusual position (inside an item, between a closing `}` and `else`). The file is left
    /// exactly as it was. Move the comment to its own line before the item or statement, and
    /// please report the file: the formatter should handle every input that parses.
    FORMAT_ROUND_TRIP = "E0014", "formatting would change the file's meaning or comments";
}

/// Why a file could not be formatted, with the sources to render the diagnostics.
#[derive(Debug)]
pub struct FormatFailure {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl FormatFailure {
    /// Whether the file itself has errors (rather than the formatter refusing its own output).
    pub fn file_has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|diagnostic| diagnostic.code != FORMAT_ROUND_TRIP)
    }

    /// One sentence for the user saying why nothing was written.
    pub fn reason(&self) -> &'static str {
        if self.file_has_errors() {
            "not formatted: fix the errors first"
        } else {
            "not formatted: the formatted text would not parse to the same tree and comments \
             (E0014); the file is left unchanged"
        }
    }
}

/// Formats one file's text. Fails when it has any error (lexical, syntax or literal: a file
/// with errors is never rewritten, since even a literal error such as an over-long `!` run can
/// be "fixed" into a different meaning), or when the formatted text does not round-trip.
pub fn format_source(name: &str, text: &str) -> Result<String, FormatFailure> {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(name, text, Origin::Site));
    let parsed = syntax::parse_file(file, text);
    let errors = all_errors(&parsed);
    if !errors.is_empty() {
        return Err(FormatFailure {
            diagnostics: errors.into_iter().cloned().collect(),
            sources,
        });
    }
    let formatted = format_parsed(&parsed, text);
    let reparsed = syntax::parse_file(file, &formatted);
    if !all_errors(&reparsed).is_empty()
        || !same_tree(&parsed, &reparsed)
        || !same_comments(&parsed, &reparsed)
    {
        let where_ =
            round_trip::first_difference(&parsed, &reparsed).unwrap_or(Span::new(file, 0..0));
        return Err(FormatFailure {
            diagnostics: vec![Diagnostic::error(
                FORMAT_ROUND_TRIP,
                where_,
                "formatting this file would change its meaning or comments; it is left unchanged",
            )
            .with_note(
                "the formatter parses its output before writing it, and the result differed; \
                 see `flowc explain E0014`",
            )],
            sources,
        });
    }
    Ok(formatted)
}

/// Formats an already parsed file without the round-trip check; the caller must have checked
/// it has no errors. Use [`format_source`] for anything that is written back.
pub fn format_parsed(parsed: &ParsedFile, text: &str) -> String {
    let formatted = printer::Printer::new(text, &parsed.comments).file(&parsed.ast);
    // A byte-order mark the file had is kept: some Windows tools expect it.
    match text.starts_with(syntax::lexer::BYTE_ORDER_MARK) {
        true => format!("{}{formatted}", syntax::lexer::BYTE_ORDER_MARK),
        false => formatted,
    }
}

/// Every error of a parsed file: what stops formatting, not only the errors that leave holes in
/// the tree (a literal or nesting error may be "fixed" by a rewrite into another meaning).
pub fn all_errors(parsed: &ParsedFile) -> Vec<&Diagnostic> {
    parsed
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .collect()
}

/// The diagnostics of a parsed file that leave holes in its tree.
pub fn syntax_errors(parsed: &ParsedFile) -> Vec<&Diagnostic> {
    parsed
        .diagnostics
        .iter()
        .filter(|diagnostic| is_syntax_error(diagnostic))
        .collect()
}

/// Errors that leave holes in the tree, as opposed to a port of 70000.
fn is_syntax_error(diagnostic: &Diagnostic) -> bool {
    use crate::syntax::{lexer, parser};
    [
        lexer::UNKNOWN_CHARACTER,
        lexer::UNTERMINATED_STRING,
        parser::SYNTAX_ERROR,
    ]
    .contains(&diagnostic.code)
}

/// A file id for callers that format text outside any analysis.
pub const DETACHED_FILE: FileId = FileId(0);
