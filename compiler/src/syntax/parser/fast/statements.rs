//! Role bodies: blocks of flow statements, `if`/`else` and `for`.

use super::Cursor;
use crate::syntax::ast::*;
use crate::syntax::lexer::Token;

impl Cursor<'_, '_> {
    pub(super) fn block(&mut self) -> Option<Block> {
        self.nested(|cursor| {
            let start = cursor.position;
            cursor.expect(Token::LeftBrace)?;
            let mut statements = Vec::new();
            while !cursor.eat(Token::RightBrace) {
                statements.push(cursor.statement()?);
            }
            Some(Block {
                statements,
                span: cursor.span_from(start),
            })
        })
    }

    fn statement(&mut self) -> Option<Statement> {
        let start = self.position;
        let kind = match self.peek()? {
            Token::If => StatementKind::If(self.if_statement()?),
            Token::For => {
                self.advance();
                let variable = self.ident()?;
                self.expect(Token::In)?;
                let range_start = self.expression()?;
                self.expect(Token::DotDot)?;
                let range_end = self.expression()?;
                let body = self.block()?;
                StatementKind::For(ForStatement {
                    variable,
                    start: range_start,
                    end: range_end,
                    body,
                })
            }
            _ => StatementKind::Flow(self.flow_syntax()?),
        };
        Some(Statement {
            docs: Vec::new(),
            kind,
            span: self.span_from(start),
        })
    }

    fn if_statement(&mut self) -> Option<IfStatement> {
        self.nested(|cursor| {
            cursor.expect(Token::If)?;
            let condition = cursor.expression()?;
            let then_block = cursor.block()?;
            let else_branch = match cursor.eat(Token::Else) {
                false => None,
                true if cursor.peek_is(Token::LeftBrace) => {
                    Some(ElseBranch::Block(cursor.block()?))
                }
                true => {
                    let start = cursor.position;
                    let nested = cursor.if_statement()?;
                    Some(ElseBranch::If(Box::new(nested), cursor.span_from(start)))
                }
            };
            Some(IfStatement {
                condition,
                then_block,
                else_branch,
            })
        })
    }
}
