//! Parsers for top-level items; a broken item is skipped up to the next item keyword.

use super::expressions::{
    address, flow_syntax, ident, int_literal, path, port_specs, string, value, word,
};
use super::statements::block;
use super::{span_of, ParserError, TokenInput};
use crate::source::FileId;
use crate::syntax::ast::*;
use crate::syntax::lexer::Token;
use chumsky::prelude::*;

pub(super) fn file_parser<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Vec<Item>, ParserError<'tokens, 'src>> {
    // Recovery consumes at least one token, so the repetition always makes progress.
    let skip_item = any()
        .then(
            any()
                .filter(|token: &Token<'src>| !token.starts_item())
                .repeated(),
        )
        .to(ItemKind::Error);
    let item = attribute(file)
        .repeated()
        .collect::<Vec<_>>()
        .then(item_kind(file).recover_with(via_parser(skip_item)))
        .map_with(move |(attributes, kind), extra| Item {
            docs: Vec::new(),
            attributes,
            kind,
            span: span_of(file, extra.span()),
        });
    item.repeated().collect().then_ignore(end())
}

fn attribute<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, AllowAttribute, ParserError<'tokens, 'src>> + Clone {
    just(Token::AtAllow)
        .ignore_then(
            ident(file)
                .then_ignore(just(Token::Comma))
                .then(string(file))
                .delimited_by(just(Token::LeftParen), just(Token::RightParen)),
        )
        .map_with(move |(lint, reason), extra| AllowAttribute {
            lint,
            reason,
            span: span_of(file, extra.span()),
        })
}

fn address_list<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Vec<AddressLit>, ParserError<'tokens, 'src>> + Clone {
    address(file)
        .separated_by(just(Token::Comma))
        .at_least(1)
        .collect()
}

fn role_uses<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, Vec<RoleUse>, ParserError<'tokens, 'src>> + Clone {
    let argument = ident(file)
        .then_ignore(just(Token::Equals))
        .then(value(file))
        .map_with(move |(name, value), extra| Argument {
            name,
            value,
            span: span_of(file, extra.span()),
        });
    let arguments = argument
        .separated_by(just(Token::Comma))
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LeftParen), just(Token::RightParen));
    let role_use = path(file)
        .then(arguments.or_not())
        .map_with(move |(role, arguments), extra| RoleUse {
            role,
            arguments,
            span: span_of(file, extra.span()),
        });
    just(Token::Is)
        .ignore_then(
            role_use
                .separated_by(just(Token::Comma))
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .or_not()
        .map(Option::unwrap_or_default)
}

fn item_kind<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, ItemKind, ParserError<'tokens, 'src>> + Clone {
    let import = just(Token::Import)
        .ignore_then(ident(file))
        .map(|module| ItemKind::Import(Import { module }));

    let zone_addresses = just(Token::Any)
        .map_with(move |_, extra| ZoneAddresses::Any(span_of(file, extra.span())))
        .or(address_list(file).map(ZoneAddresses::List));
    let zone = just(Token::Zone)
        .ignore_then(ident(file))
        .then_ignore(just(Token::Equals))
        .then(zone_addresses)
        .map(|(name, addresses)| ItemKind::Zone(Zone { name, addresses }));

    let firewall_part = choice((
        word("zones")
            .ignore_then(
                ident(file)
                    .separated_by(just(Token::Comma))
                    .at_least(1)
                    .collect(),
            )
            .map(FirewallPartKind::Zones),
        word("address")
            .ignore_then(address_list(file))
            .map(FirewallPartKind::Address),
    ))
    .map_with(move |kind, extra| FirewallPart {
        kind,
        span: span_of(file, extra.span()),
    });
    let firewall = just(Token::Firewall)
        .ignore_then(ident(file))
        .then(
            firewall_part
                .repeated()
                .collect()
                .delimited_by(just(Token::LeftBrace), just(Token::RightBrace)),
        )
        .map(|(name, parts)| ItemKind::Firewall(Firewall { name, parts }));

    let host = just(Token::Host)
        .ignore_then(ident(file))
        .then_ignore(just(Token::Equals))
        .then(address_list(file))
        .then(role_uses(file))
        .map(|((name, addresses), roles)| {
            ItemKind::Host(Host {
                name,
                addresses,
                roles,
            })
        });

    let member = address(file)
        .map(Member::Address)
        .or(path(file).map(Member::Name));
    let group = just(Token::Group)
        .ignore_then(ident(file))
        .then_ignore(just(Token::Equals))
        .then(
            member
                .separated_by(just(Token::Comma))
                .at_least(1)
                .collect(),
        )
        .then(role_uses(file))
        .map(|((name, members), roles)| {
            ItemKind::Group(Group {
                name,
                members,
                roles,
            })
        });

    let service = just(Token::Service)
        .ignore_then(ident(file))
        .then_ignore(just(Token::Equals))
        .then(port_specs(file))
        .map(|(name, specs)| ItemKind::Service(Service { name, specs }));

    let rule = select! { Token::Allow => Action::Allow, Token::Deny => Action::Deny }
        .then(flow_syntax(file))
        .map(|(action, flow)| ItemKind::Rule(Rule { action, flow }));

    let outcome = word("allowed")
        .to(Outcome::Allowed)
        .or(word("denied").to(Outcome::Denied));
    let expect = just(Token::Expect)
        .ignore_then(flow_syntax(file))
        .then(outcome.map_with(move |outcome, extra| (outcome, span_of(file, extra.span()))))
        .map(|(flow, (outcome, outcome_span))| {
            ItemKind::Expect(Expect {
                flow,
                outcome,
                outcome_span,
            })
        });

    let level = choice((
        word("error").to(LintLevel::Error),
        word("warn").to(LintLevel::Warn),
        just(Token::Allow).to(LintLevel::Allow),
    ))
    .map_with(move |level, extra| LintValue::Level(level, span_of(file, extra.span())));
    let lint = just(Token::Lint)
        .ignore_then(ident(file))
        .then(just(Token::Dot).ignore_then(ident(file)).or_not())
        .then_ignore(just(Token::Equals))
        .then(level.or(int_literal(file).map(LintValue::Number)))
        .map(|((lint, option), value)| {
            ItemKind::Lint(LintSetting {
                lint,
                option,
                value,
            })
        });

    choice((
        import,
        zone,
        firewall,
        host,
        group,
        service,
        role(file),
        rule,
        expect,
        lint,
    ))
    .boxed()
}

fn role<'tokens, 'src: 'tokens, I: TokenInput<'tokens, 'src>>(
    file: FileId,
) -> impl Parser<'tokens, I, ItemKind, ParserError<'tokens, 'src>> + Clone {
    let host_type = just(Token::Host)
        .ignore_then(just(Token::Is))
        .ignore_then(
            path(file)
                .separated_by(just(Token::Pipe))
                .at_least(1)
                .collect(),
        )
        .map_with(move |roles, extra| ParamType::Host {
            roles,
            span: span_of(file, extra.span()),
        });
    let type_word = ident(file)
        .map(TypeWord::Word)
        .or(int_literal(file).map(TypeWord::Number));
    let words_type = type_word
        .separated_by(just(Token::Pipe))
        .at_least(1)
        .collect()
        .map_with(move |words, extra| ParamType::Words {
            words,
            span: span_of(file, extra.span()),
        });
    let param = ident(file)
        .then_ignore(just(Token::Colon))
        .then(host_type.or(words_type).labelled("type"))
        .then(just(Token::Equals).ignore_then(value(file)).or_not())
        .map_with(move |((name, ty), default), extra| Param {
            name,
            ty,
            default,
            span: span_of(file, extra.span()),
        });
    let params = param
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LeftParen), just(Token::RightParen));
    just(Token::Role)
        .ignore_then(ident(file))
        .then(params.or_not())
        .then(block(file).or_not())
        .map(|((name, params), body)| ItemKind::Role(Role { name, params, body }))
}
