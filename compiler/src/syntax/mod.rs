//! Syntax: the lexer, the syntax tree, the parser with error recovery, and literal validation.

pub mod ast;
pub mod docs;
pub mod lexer;
pub mod literals;
pub mod nesting;
pub mod parser;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// Everything the syntax stage knows about one file. Parsing never fails: errors are diagnostics.
#[derive(Debug)]
pub struct ParsedFile {
    pub ast: ast::FileAst,
    pub comments: Vec<lexer::Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// [`parse_file`] for many files, on every core, in their order: parsing is a pure function
/// of one file's text, and a large site is many files.
pub fn parse_files(files: &[(FileId, &str)]) -> Vec<ParsedFile> {
    crate::parallel::map_in_order(files, |&(file, text)| parse_file(file, text))
}

/// Lexes, parses, attaches doc comments and validates literals in one file.
pub fn parse_file(file: FileId, text: &str) -> ParsedFile {
    let mut lexed = lexer::lex(file, text);
    let mut diagnostics = lexed.diagnostics;
    let (tokens, nesting_diagnostics) = nesting::limit_nesting(std::mem::take(&mut lexed.tokens));
    diagnostics.extend(nesting_diagnostics);
    // End-of-file errors point just past the last visible character, not at a trailing blank line.
    let (mut ast, parse_diagnostics) = parser::parse(file, text.trim_end().len(), &tokens);
    diagnostics.extend(parse_diagnostics);
    docs::attach_doc_comments(&mut ast, &lexed.comments, text);
    diagnostics.extend(literals::validate(&ast));
    ParsedFile {
        ast,
        comments: lexed.comments,
        diagnostics,
    }
}
