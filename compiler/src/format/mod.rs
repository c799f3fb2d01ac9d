//! Canonical formatting of `.flow` files, shared by `flowc fmt` and the language server.
//!
//! The printer walks the syntax tree and re-emits every comment by position: comments before a
//! line-level node (item, statement, firewall part, closing brace) go on their own lines above
//! it, a comment on the same line as a node's end stays at the end of that line, and a comment
//! inside a one-line node moves below it. Literals are printed exactly as written, so formatting
//! never changes meaning; a file with syntax errors is not formatted.

mod layout;

pub use layout::param_text;
mod printer;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Origin, SourceFile, SourceMap};
use crate::syntax::{self, ParsedFile};

/// Why a file could not be formatted: its syntax errors, with the sources to render them.
#[derive(Debug)]
pub struct FormatFailure {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

/// Formats one file's text; fails only when it has lexical or syntax errors.
pub fn format_source(name: &str, text: &str) -> Result<String, FormatFailure> {
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(name, text, Origin::Site));
    let parsed = syntax::parse_file(file, text);
    let errors = syntax_errors(&parsed);
    if !errors.is_empty() {
        return Err(FormatFailure {
            diagnostics: errors.into_iter().cloned().collect(),
            sources,
        });
    }
    Ok(format_parsed(&parsed, text))
}

/// Formats an already parsed file. The caller must have checked it has no syntax errors.
pub fn format_parsed(parsed: &ParsedFile, text: &str) -> String {
    printer::Printer::new(text, &parsed.comments).file(&parsed.ast)
}

/// The diagnostics of a parsed file that leave holes in its tree: what stops formatting.
pub fn syntax_errors(parsed: &ParsedFile) -> Vec<&Diagnostic> {
    parsed
        .diagnostics
        .iter()
        .filter(|diagnostic| is_syntax_error(diagnostic))
        .collect()
}

/// Errors that leave holes in the tree; literal errors (a port of 70000) do not stop formatting.
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
