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
    let workers = std::thread::available_parallelism()
        .map_or(1, |count| count.get())
        .min(files.len());
    if workers <= 1 {
        return files
            .iter()
            .map(|&(file, text)| parse_file(file, text))
            .collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parsed: Vec<(usize, ParsedFile)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(file, text)) = files.get(index) else {
                            return done;
                        };
                        done.push((index, parse_file(file, text)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| crate::joined(worker.join()))
            .collect()
    });
    parsed.sort_unstable_by_key(|(index, _)| *index);
    parsed.into_iter().map(|(_, file)| file).collect()
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
