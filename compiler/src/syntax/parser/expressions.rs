//! Parsers for the small pieces: names, literals, expressions, port specs and endpoints.

use super::{span_of, ParserError, TokenInput};
use crate::source::FileId;
use crate::syntax::ast::*;
use crate::syntax::lexer::Token;
use chumsky::prelude::*;

pub(super) fn ident<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Ident, ParserError<'tokens, 'src>> + Clone {
    select! { Token::Ident(name) = extra => Ident { name: name.to_string(), span: span_of(file, extra.span()) } }
        .labelled("name")
}

/// A contextual word such as `zones` or `allowed`: an identifier with a fixed text.
pub(super) fn word<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    text: &'static str,
) -> impl Parser<'tokens, I, (), ParserError<'tokens, 'src>> + Clone {
    any()
        .filter(move |token: &Token<'src>| *token == Token::Ident(text))
        .ignored()
        .labelled(text)
}

pub(super) fn path<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Path, ParserError<'tokens, 'src>> + Clone {
    ident(file)
        .separated_by(just(Token::Dot))
        .at_least(1)
        .collect::<Vec<_>>()
        .map_with(move |segments, extra| Path {
            segments,
            span: span_of(file, extra.span()),
        })
        .labelled("name")
}

pub(super) fn int_literal<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, IntLit, ParserError<'tokens, 'src>> + Clone {
    select! { Token::Int(text) = extra => IntLit {
        value: text.parse().ok(),
        text: text.to_string(),
        span: span_of(file, extra.span()),
    } }
    .labelled("number")
}

pub(super) fn address<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, AddressLit, ParserError<'tokens, 'src>> + Clone {
    select! { Token::Address(text) = extra => AddressLit { text: text.to_string(), span: span_of(file, extra.span()) } }
        .labelled("address")
}

pub(super) fn string<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, StringLit, ParserError<'tokens, 'src>> + Clone {
    select! { Token::String(text) = extra => StringLit {
        value: unescape(text),
        text: text.to_string(),
        span: span_of(file, extra.span()),
    } }
    .labelled("string")
}

/// Resolves `\"`, `\\`, `\n` and `\t`; any other escaped character stands for itself.
pub(super) fn unescape(text: &str) -> String {
    let inner = text.strip_prefix('"').unwrap_or(text);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut value = String::with_capacity(inner.len());
    let mut characters = inner.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            value.push(character);
            continue;
        }
        match characters.next() {
            Some('n') => value.push('\n'),
            Some('t') => value.push('\t'),
            Some(other) => value.push(other),
            None => {}
        }
    }
    value
}

pub(super) fn expression<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Expr, ParserError<'tokens, 'src>> + Clone {
    recursive(move |expression| {
        let boolean = just(Token::True)
            .to(true)
            .or(just(Token::False).to(false))
            .map_with(move |value, extra| Expr::Bool(value, span_of(file, extra.span())));
        let set_element = expression
            .clone()
            .then(just(Token::DotDot).ignore_then(expression.clone()).or_not())
            .map_with(move |(start, end), extra| PortRange {
                start,
                end,
                span: span_of(file, extra.span()),
            });
        let set = set_element
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::LeftBrace), just(Token::RightBrace))
            .map_with(move |elements, extra| Expr::Set(elements, span_of(file, extra.span())));
        let parenthesised = expression
            .clone()
            .delimited_by(just(Token::LeftParen), just(Token::RightParen))
            .map_with(move |inner, extra| {
                Expr::Paren(Box::new(inner), span_of(file, extra.span()))
            });
        let atom = choice((
            int_literal(file).map(Expr::Int),
            boolean,
            address(file).map(Expr::Address),
            path(file).map(Expr::Name),
            set,
            parenthesised,
        ))
        .labelled("expression");

        let unary = just(Token::Bang)
            .map_with(move |_, extra| span_of(file, extra.span()))
            .repeated()
            .foldr(atom, |bang, operand| {
                let span = bang.to(operand.span());
                Expr::Not(Box::new(operand), span)
            });
        let product = binary_level(unary, select! { Token::Star => BinaryOp::Multiply });
        let sum = binary_level(
            product,
            select! { Token::Plus => BinaryOp::Add, Token::Minus => BinaryOp::Subtract },
        );
        let comparison = sum
            .clone()
            .then(
                select! {
                    Token::EqualEqual => BinaryOp::Equal,
                    Token::NotEqual => BinaryOp::NotEqual,
                    Token::Less => BinaryOp::Less,
                    Token::LessEqual => BinaryOp::LessEqual,
                    Token::Greater => BinaryOp::Greater,
                    Token::GreaterEqual => BinaryOp::GreaterEqual,
                }
                .then(sum)
                .or_not(),
            )
            .map(|(lhs, rest)| match rest {
                Some((op, rhs)) => binary(op, lhs, rhs),
                None => lhs,
            });
        let and = binary_level(comparison, select! { Token::AndAnd => BinaryOp::And });
        binary_level(and, select! { Token::OrOr => BinaryOp::Or }).boxed()
    })
}

/// An argument or default value: an expression, or a range `a..b`.
pub(super) fn value<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Expr, ParserError<'tokens, 'src>> + Clone {
    expression(file)
        .then(just(Token::DotDot).ignore_then(expression(file)).or_not())
        .map_with(move |(start, end), extra| match end {
            Some(end) => Expr::Range {
                start: Box::new(start),
                end: Box::new(end),
                span: span_of(file, extra.span()),
            },
            None => start,
        })
}

/// A binary node spanning both operands; both parsers build them here.
pub(super) fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span().to(rhs.span());
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        span,
    }
}

/// A left-associative chain `operand (op operand)*`.
fn binary_level<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    operand: impl Parser<'tokens, I, Expr, ParserError<'tokens, 'src>> + Clone,
    operator: impl Parser<'tokens, I, BinaryOp, ParserError<'tokens, 'src>> + Clone,
) -> impl Parser<'tokens, I, Expr, ParserError<'tokens, 'src>> + Clone {
    operand
        .clone()
        .foldl(operator.then(operand).repeated(), |lhs, (op, rhs)| {
            binary(op, lhs, rhs)
        })
}

fn ports<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Ports, ParserError<'tokens, 'src>> + Clone {
    let range = expression(file)
        .then(just(Token::DotDot).ignore_then(expression(file)).or_not())
        .map_with(move |(start, end), extra| PortRange {
            start,
            end,
            span: span_of(file, extra.span()),
        });
    let braced = range
        .clone()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .at_least(1)
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LeftBrace), just(Token::RightBrace))
        .map(|ranges| (ranges, true));
    let single = range.map(|range| (vec![range], false));
    braced
        .or(single)
        .map_with(move |(ranges, braced), extra| Ports {
            ranges,
            braced,
            span: span_of(file, extra.span()),
        })
        .labelled("ports")
}

/// An ICMP type or protocol: a number or a name. `allowed` and `denied` are never names here,
/// so `expect a -> b : icmp allowed` ends the port spec instead of swallowing the outcome.
fn number_or_name<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, NumberOrName, ParserError<'tokens, 'src>> + Clone {
    let name =
        ident(file).filter(|ident: &Ident| ident.name != "allowed" && ident.name != "denied");
    int_literal(file)
        .map(NumberOrName::Number)
        .or(name.map(NumberOrName::Name))
}

pub(super) fn port_spec<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, PortSpec, ParserError<'tokens, 'src>> + Clone {
    let transport = select! { Token::Tcp => Transport::Tcp, Token::Udp => Transport::Udp }
        .then(ports(file))
        .then(just(Token::From).ignore_then(ports(file)).or_not())
        .map_with(
            move |((transport, ports), source_ports), extra| PortSpec::Transport {
                transport,
                ports,
                source_ports,
                span: span_of(file, extra.span()),
            },
        );
    let icmp = select! { Token::Icmp => IcmpVersion::V4, Token::Icmpv6 => IcmpVersion::V6 }
        .then(number_or_name(file).or_not())
        .map_with(move |(version, icmp_type), extra| PortSpec::Icmp {
            version,
            icmp_type,
            span: span_of(file, extra.span()),
        });
    let named_protocol = select! {
        Token::Esp => NamedProtocol::Esp,
        Token::Ah => NamedProtocol::Ah,
        Token::Gre => NamedProtocol::Gre,
    }
    .map_with(move |protocol, extra| PortSpec::Protocol {
        protocol,
        span: span_of(file, extra.span()),
    });
    let protocol_number = just(Token::Proto)
        .ignore_then(number_or_name(file))
        .map_with(move |protocol, extra| PortSpec::ProtocolNumber {
            protocol,
            span: span_of(file, extra.span()),
        });
    let any_protocol =
        just(Token::Any).map_with(move |_, extra| PortSpec::Any(span_of(file, extra.span())));
    choice((
        transport,
        icmp,
        named_protocol,
        protocol_number,
        any_protocol,
        path(file).map(PortSpec::Named),
    ))
    .labelled("port spec")
    .boxed()
}

pub(super) fn port_specs<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Vec<PortSpec>, ParserError<'tokens, 'src>> + Clone {
    port_spec(file)
        .separated_by(just(Token::Comma))
        .at_least(1)
        .collect()
}

pub(super) fn endpoint<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Endpoint, ParserError<'tokens, 'src>> + Clone {
    choice((
        just(Token::SelfKw).map_with(move |_, extra| Endpoint::SelfKw(span_of(file, extra.span()))),
        just(Token::Any).map_with(move |_, extra| Endpoint::Any(span_of(file, extra.span()))),
        address(file).map(Endpoint::Address),
        path(file).map(Endpoint::Name),
    ))
    .labelled("endpoint")
}

/// `SOURCES -> DESTINATIONS : SPECS`, the body of rules, expectations and role statements.
pub(super) fn flow_syntax<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, FlowSyntax, ParserError<'tokens, 'src>> + Clone {
    let endpoints = endpoint(file)
        .separated_by(just(Token::Comma))
        .at_least(1)
        .collect::<Vec<_>>();
    let arrow = select! { Token::Arrow => Arrow::Forward, Token::BothArrow => Arrow::Both }
        .labelled("`->`");
    endpoints
        .clone()
        .then(arrow)
        .then(endpoints)
        .then_ignore(just(Token::Colon))
        .then(port_specs(file))
        .map_with(
            move |(((sources, arrow), destinations), specs), extra| FlowSyntax {
                sources,
                arrow,
                destinations,
                specs,
                span: span_of(file, extra.span()),
            },
        )
        .boxed()
}

/// Lookahead for the start of a flow (`endpoints ->`), where statement recovery stops.
pub(super) fn flow_start<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, (), ParserError<'tokens, 'src>> + Clone {
    endpoint(file)
        .separated_by(just(Token::Comma))
        .at_least(1)
        .then(just(Token::Arrow).or(just(Token::BothArrow)))
        .ignored()
}
