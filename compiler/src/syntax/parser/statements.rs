//! Parsers for role bodies: flow statements, `if`/`else` and `for`, recovering at each statement.

use super::expressions::{expression, flow_start, flow_syntax, ident};
use super::{span_of, ParserError, TokenInput};
use crate::source::FileId;
use crate::syntax::ast::*;
use crate::syntax::lexer::Token;
use chumsky::prelude::*;

/// `{ statement* }`, with recovery inside so one bad statement does not lose the block.
pub(super) fn block<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Block, ParserError<'tokens, 'src>> + Clone {
    recursive(
        move |block: Recursive<dyn Parser<'tokens, I, Block, ParserError<'tokens, 'src>>>| {
            let flow = flow_syntax(file).map(StatementKind::Flow);
            let if_statement = recursive(|if_statement| {
                just(Token::If)
                    .ignore_then(expression(file))
                    .then(block.clone())
                    .then(
                        just(Token::Else)
                            .ignore_then(block.clone().map(ElseBranch::Block).or(
                                if_statement.map_with(move |nested, extra| {
                                    ElseBranch::If(Box::new(nested), span_of(file, extra.span()))
                                }),
                            ))
                            .or_not(),
                    )
                    .map(|((condition, then_block), else_branch)| IfStatement {
                        condition,
                        then_block,
                        else_branch,
                    })
                    .boxed()
            });
            let for_statement = just(Token::For)
                .ignore_then(ident(file))
                .then_ignore(just(Token::In))
                .then(expression(file))
                .then_ignore(just(Token::DotDot))
                .then(expression(file))
                .then(block.clone())
                .map(|(((variable, start), end), body)| {
                    StatementKind::For(ForStatement {
                        variable,
                        start,
                        end,
                        body,
                    })
                });

            // An item keyword cannot begin a statement, so it ends the block: most often it is
            // the item after a role whose `}` has not been typed yet.
            let item_start = any()
                .filter(|token: &Token<'src>| token.starts_item())
                .ignored();
            // Recovery: drop the broken statement up to the next one that can begin, or the `}`.
            let boundary = choice((
                just(Token::RightBrace).ignored(),
                just(Token::If).ignored(),
                just(Token::For).ignored(),
                item_start,
                flow_start(file),
            ));
            let skip_statement = any()
                .and_is(just(Token::RightBrace).not())
                .and_is(item_start.not())
                .then(any().and_is(boundary.not()).repeated())
                .to(StatementKind::Error);
            // A block left open at the end of the file or before the next item is reported and
            // closed there. Failing instead would make every enclosing `if`/`for` recover by
            // parsing its body again, which is exponential in the nesting depth.
            let close = just(Token::RightBrace)
                .ignored()
                .recover_with(via_parser(end().or(item_start.rewind())));

            let statement = choice((if_statement.map(StatementKind::If), for_statement, flow))
                .recover_with(via_parser(skip_statement))
                .map_with(move |kind, extra| Statement {
                    docs: Vec::new(),
                    kind,
                    span: span_of(file, extra.span()),
                });

            statement
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LeftBrace), close)
                .map_with(move |statements, extra| Block {
                    statements,
                    span: span_of(file, extra.span()),
                })
                .boxed()
        },
    )
}
