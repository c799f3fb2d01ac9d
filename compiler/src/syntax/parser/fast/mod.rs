//! A hand-written recursive-descent parser for files without syntax errors, five times faster
//! than the chumsky parser and giving the identical tree.
//!
//! The chumsky parser stays the reference: it defines the grammar, reports every syntax error and
//! recovers from it. This parser reads the same grammar in the same order, greedily and without
//! backtracking, and gives up (returns `None`) at the first token it did not expect, at anything
//! unusual, or past a depth the nesting caps never reach; `parser::parse` then runs chumsky on the file. Giving up
//! is always safe, so this parser only has to be right where it succeeds — and a test compares
//! both parsers on every file in the repository, and the `lex_parse` fuzz target on every input.

mod expressions;
mod items;
mod statements;

use crate::source::{FileId, Span};
use crate::syntax::ast::{Ident, Item};
use crate::syntax::lexer::Token;

/// Recursion past this depth gives up, leaving deep files to chumsky's stack-growing parser.
/// The nesting caps (`nesting.rs`: 64 brackets, 256 `else` branches) keep real files below it.
const MAX_DEPTH: u32 = 400;

/// Parses a whole file, or returns `None` to hand the file to the chumsky parser.
pub(super) fn parse_without_errors(
    file: FileId,
    tokens: &[(Token<'_>, Span)],
) -> Option<Vec<Item>> {
    let mut cursor = Cursor {
        file,
        tokens,
        position: 0,
        depth: 0,
    };
    // Every item starts with an item keyword, so their count bounds the number of items.
    let keywords = tokens
        .iter()
        .filter(|(token, _)| token.starts_item())
        .count();
    let mut items = Vec::with_capacity(keywords);
    while cursor.position < tokens.len() {
        items.push(cursor.item()?);
    }
    Some(items)
}

/// The position in the token list, with the helpers every grammar rule uses.
struct Cursor<'tokens, 'src> {
    file: FileId,
    tokens: &'tokens [(Token<'src>, Span)],
    position: usize,
    depth: u32,
}

impl<'src> Cursor<'_, 'src> {
    fn peek(&self) -> Option<Token<'src>> {
        self.tokens.get(self.position).map(|(token, _)| *token)
    }

    fn peek_is(&self, token: Token<'_>) -> bool {
        self.peek() == Some(token)
    }

    /// Whether the next token is the identifier `word` (a contextual word such as `zones`).
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(text)) if text == word)
    }

    /// Takes the next token, whatever it is.
    fn advance(&mut self) -> Option<(Token<'src>, Span)> {
        let token = *self.tokens.get(self.position)?;
        self.position += 1;
        Some(token)
    }

    /// Takes the next token if it is `token`; gives up otherwise.
    fn expect(&mut self, token: Token<'_>) -> Option<Span> {
        match self.tokens.get(self.position) {
            Some((found, span)) if *found == token => {
                self.position += 1;
                Some(*span)
            }
            _ => None,
        }
    }

    /// Takes `token` if it comes next, reporting whether it did.
    fn eat(&mut self, token: Token<'_>) -> bool {
        self.expect(token).is_some()
    }

    /// The span from the token at `start` to the last token taken, as chumsky's `extra.span()`.
    fn span_from(&self, start: usize) -> Span {
        let first = self.tokens[start].1;
        let last = self.tokens[self.position - 1].1;
        Span {
            file: self.file,
            start: first.start,
            end: last.end,
        }
    }

    fn ident(&mut self) -> Option<Ident> {
        match self.tokens.get(self.position) {
            Some((Token::Ident(name), span)) => {
                self.position += 1;
                Some(Ident {
                    name: name.to_string(),
                    span: *span,
                })
            }
            _ => None,
        }
    }

    /// `element (, element)*`, at least one; a comma must be followed by another element.
    fn separated<T>(
        &mut self,
        separator: Token<'_>,
        mut element: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut elements = vec![element(self)?];
        while self.eat(separator) {
            elements.push(element(self)?);
        }
        Some(elements)
    }

    /// `( element (, element)* ,? )?` up to `close`, which it does not take.
    fn separated_until<T>(
        &mut self,
        close: Token<'_>,
        allow_trailing: bool,
        mut element: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut elements = Vec::new();
        if self.peek_is(close) {
            return Some(elements);
        }
        elements.push(element(self)?);
        while self.eat(Token::Comma) {
            if allow_trailing && self.peek_is(close) {
                break;
            }
            elements.push(element(self)?);
        }
        Some(elements)
    }

    /// Runs a rule one level deeper, giving up past [`MAX_DEPTH`].
    fn nested<T>(&mut self, rule: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let result = rule(self);
        self.depth -= 1;
        result
    }
}
