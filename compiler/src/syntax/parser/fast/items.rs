//! Items, attributes, role uses and role parameters, read in the chumsky parser's order.

use super::Cursor;
use crate::syntax::ast::*;
use crate::syntax::lexer::Token;

impl Cursor<'_, '_> {
    pub(super) fn item(&mut self) -> Option<Item> {
        let start = self.position;
        let mut attributes = Vec::new();
        while self.peek_is(Token::AtAllow) {
            attributes.push(self.attribute()?);
        }
        let kind = self.item_kind()?;
        Some(Item {
            docs: Vec::new(),
            attributes,
            kind,
            span: self.span_from(start),
        })
    }

    fn attribute(&mut self) -> Option<AllowAttribute> {
        let start = self.position;
        self.expect(Token::AtAllow)?;
        self.expect(Token::LeftParen)?;
        let lint = self.ident()?;
        self.expect(Token::Comma)?;
        let reason = self.string()?;
        self.expect(Token::RightParen)?;
        Some(AllowAttribute {
            lint,
            reason,
            span: self.span_from(start),
        })
    }

    fn item_kind(&mut self) -> Option<ItemKind> {
        let (keyword, _) = self.advance()?;
        let kind = match keyword {
            Token::Import => ItemKind::Import(Import {
                module: self.ident()?,
            }),
            Token::Zone => {
                let name = self.ident()?;
                self.expect(Token::Equals)?;
                let addresses = match self.expect(Token::Any) {
                    Some(span) => ZoneAddresses::Any(span),
                    None => ZoneAddresses::List(self.separated(Token::Comma, Self::address)?),
                };
                ItemKind::Zone(Zone { name, addresses })
            }
            Token::Firewall => self.firewall()?,
            Token::Host => {
                let name = self.ident()?;
                self.expect(Token::Equals)?;
                let addresses = self.separated(Token::Comma, Self::address)?;
                let roles = self.role_uses()?;
                ItemKind::Host(Host {
                    name,
                    addresses,
                    roles,
                })
            }
            Token::Group => {
                let name = self.ident()?;
                self.expect(Token::Equals)?;
                let members = self.separated(Token::Comma, |cursor| match cursor.peek()? {
                    Token::Address(_) => cursor.address().map(Member::Address),
                    _ => cursor.path().map(Member::Name),
                })?;
                let roles = self.role_uses()?;
                ItemKind::Group(Group {
                    name,
                    members,
                    roles,
                })
            }
            Token::Service => {
                let name = self.ident()?;
                self.expect(Token::Equals)?;
                let specs = self.port_specs()?;
                ItemKind::Service(Service { name, specs })
            }
            Token::Role => self.role()?,
            Token::Allow | Token::Deny => ItemKind::Rule(Rule {
                action: match keyword {
                    Token::Allow => Action::Allow,
                    _ => Action::Deny,
                },
                flow: self.flow_syntax()?,
            }),
            Token::Expect => {
                let flow = self.flow_syntax()?;
                let outcome = match self.peek()? {
                    Token::Ident("allowed") => Outcome::Allowed,
                    Token::Ident("denied") => Outcome::Denied,
                    _ => return None,
                };
                let (_, outcome_span) = self.advance()?;
                ItemKind::Expect(Expect {
                    flow,
                    outcome,
                    outcome_span,
                })
            }
            Token::Lint => self.lint()?,
            _ => return None,
        };
        Some(kind)
    }

    fn firewall(&mut self) -> Option<ItemKind> {
        let name = self.ident()?;
        self.expect(Token::LeftBrace)?;
        let mut parts = Vec::new();
        while !self.eat(Token::RightBrace) {
            let start = self.position;
            let kind = if self.peek_word("zones") {
                self.advance();
                FirewallPartKind::Zones(self.separated(Token::Comma, Self::ident)?)
            } else if self.peek_word("address") {
                self.advance();
                FirewallPartKind::Address(self.separated(Token::Comma, Self::address)?)
            } else {
                return None;
            };
            parts.push(FirewallPart {
                kind,
                span: self.span_from(start),
            });
        }
        Some(ItemKind::Firewall(Firewall { name, parts }))
    }

    fn lint(&mut self) -> Option<ItemKind> {
        let lint = self.ident()?;
        let option = match self.eat(Token::Dot) {
            true => Some(self.ident()?),
            false => None,
        };
        self.expect(Token::Equals)?;
        let value = match self.advance()? {
            (Token::Ident("error"), span) => LintValue::Level(LintLevel::Error, span),
            (Token::Ident("warn"), span) => LintValue::Level(LintLevel::Warn, span),
            (Token::Allow, span) => LintValue::Level(LintLevel::Allow, span),
            (Token::Int(_), _) => {
                self.position -= 1;
                LintValue::Number(self.int_literal()?)
            }
            _ => return None,
        };
        Some(ItemKind::Lint(LintSetting {
            lint,
            option,
            value,
        }))
    }

    /// `is ROLE(args), ROLE` after a host or group, or nothing.
    fn role_uses(&mut self) -> Option<Vec<RoleUse>> {
        if !self.eat(Token::Is) {
            return Some(Vec::new());
        }
        self.separated(Token::Comma, |cursor| {
            let start = cursor.position;
            let role = cursor.path()?;
            let arguments = match cursor.eat(Token::LeftParen) {
                true => {
                    let arguments =
                        cursor.separated_until(Token::RightParen, false, Self::argument)?;
                    cursor.expect(Token::RightParen)?;
                    Some(arguments)
                }
                false => None,
            };
            Some(RoleUse {
                role,
                arguments,
                span: cursor.span_from(start),
            })
        })
    }

    fn argument(&mut self) -> Option<Argument> {
        let start = self.position;
        let name = self.ident()?;
        self.expect(Token::Equals)?;
        let value = self.value()?;
        Some(Argument {
            name,
            value,
            span: self.span_from(start),
        })
    }

    fn role(&mut self) -> Option<ItemKind> {
        let name = self.ident()?;
        let params = match self.eat(Token::LeftParen) {
            true => {
                let params = self.separated_until(Token::RightParen, true, Self::param)?;
                self.expect(Token::RightParen)?;
                Some(params)
            }
            false => None,
        };
        let body = match self.peek_is(Token::LeftBrace) {
            true => Some(self.block()?),
            false => None,
        };
        Some(ItemKind::Role(Role { name, params, body }))
    }

    fn param(&mut self) -> Option<Param> {
        let start = self.position;
        let name = self.ident()?;
        self.expect(Token::Colon)?;
        let type_start = self.position;
        let ty = if self.eat(Token::Host) {
            self.expect(Token::Is)?;
            let roles = self.separated(Token::Pipe, Self::path)?;
            ParamType::Host {
                roles,
                span: self.span_from(type_start),
            }
        } else {
            let words = self.separated(Token::Pipe, |cursor| match cursor.peek()? {
                Token::Int(_) => cursor.int_literal().map(TypeWord::Number),
                _ => cursor.ident().map(TypeWord::Word),
            })?;
            ParamType::Words {
                words,
                span: self.span_from(type_start),
            }
        };
        let default = match self.eat(Token::Equals) {
            true => Some(self.value()?),
            false => None,
        };
        Some(Param {
            name,
            ty,
            default,
            span: self.span_from(start),
        })
    }
}
