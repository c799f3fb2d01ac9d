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
    ast.broken_names = broken_names(&ast, &tokens);
    docs::attach_doc_comments(&mut ast, &lexed.comments, text);
    diagnostics.extend(literals::validate(&ast));
    ParsedFile {
        ast,
        comments: lexed.comments,
        diagnostics,
    }
}

/// The names that items with a syntax error declare: the identifier right after a defining
/// keyword (`host`, `zone`, …) at the start of each broken item.
fn broken_names(
    ast: &ast::FileAst,
    tokens: &[(lexer::Token<'_>, crate::source::Span)],
) -> Vec<ast::Ident> {
    use lexer::Token;
    let mut names = Vec::new();
    for item in &ast.items {
        if !matches!(item.kind, ast::ItemKind::Error) {
            continue;
        }
        let first = tokens.partition_point(|(_, span)| span.start < item.span.start);
        let inside = tokens[first..]
            .iter()
            .take_while(|(_, span)| span.end <= item.span.end);
        let mut keyword_then_name = inside
            .skip_while(|(token, _)| !token.starts_item() || *token == Token::AtAllow)
            .take(2);
        let keyword = keyword_then_name.next();
        let name = keyword_then_name.next();
        if let (Some((keyword, _)), Some((Token::Ident(name), span))) = (keyword, name) {
            let defines = matches!(
                keyword,
                Token::Zone
                    | Token::Firewall
                    | Token::Host
                    | Token::Group
                    | Token::Service
                    | Token::Role
            );
            if defines {
                names.push(ast::Ident {
                    name: name.to_string(),
                    span: *span,
                });
            }
        }
    }
    names
}
