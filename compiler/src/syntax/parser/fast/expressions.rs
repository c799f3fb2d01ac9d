//! Literals, names, expressions, port specs, flows and role bodies, read in chumsky's order.

use super::Cursor;
use crate::syntax::ast::*;
use crate::syntax::lexer::Token;
use crate::syntax::parser::expressions::{binary, unescape};

impl Cursor<'_, '_> {
    pub(super) fn address(&mut self) -> Option<AddressLit> {
        match self.advance()? {
            (Token::Address(text), span) => Some(AddressLit {
                text: text.to_string(),
                span,
            }),
            _ => None,
        }
    }

    pub(super) fn string(&mut self) -> Option<StringLit> {
        match self.advance()? {
            (Token::String(text), span) => Some(StringLit {
                value: unescape(text),
                text: text.to_string(),
                span,
            }),
            _ => None,
        }
    }

    pub(super) fn int_literal(&mut self) -> Option<IntLit> {
        match self.advance()? {
            (Token::Int(text), span) => Some(IntLit {
                value: text.parse().ok(),
                text: text.to_string(),
                span,
            }),
            _ => None,
        }
    }

    pub(super) fn path(&mut self) -> Option<Path> {
        let start = self.position;
        let segments = self.separated(Token::Dot, Self::ident)?;
        Some(Path {
            segments,
            span: self.span_from(start),
        })
    }

    /// An argument or default value: an expression, or a range `a..b`.
    pub(super) fn value(&mut self) -> Option<Expr> {
        let start = self.position;
        let first = self.expression()?;
        if !self.eat(Token::DotDot) {
            return Some(first);
        }
        let end = self.expression()?;
        Some(Expr::Range {
            start: Box::new(first),
            end: Box::new(end),
            span: self.span_from(start),
        })
    }

    fn range(&mut self) -> Option<PortRange> {
        let start_position = self.position;
        let start = self.expression()?;
        let end = match self.eat(Token::DotDot) {
            true => Some(self.expression()?),
            false => None,
        };
        Some(PortRange {
            start,
            end,
            span: self.span_from(start_position),
        })
    }

    pub(super) fn expression(&mut self) -> Option<Expr> {
        // Most expressions are one number or one name: read those without the five levels.
        let next = self.tokens.get(self.position + 1).map(|(token, _)| *token);
        let ends_here = next.is_none_or(|next| {
            binary_operator(next).is_none() && next != Token::Dot && next != Token::LeftParen
        });
        if ends_here {
            match self.peek()? {
                Token::Int(_) => return self.int_literal().map(Expr::Int),
                Token::Ident(_) => return self.path().map(Expr::Name),
                Token::Address(_) => return self.address().map(Expr::Address),
                _ => {}
            }
        }
        self.nested(|cursor| cursor.binary_level(1))
    }

    /// Left-associative levels 1 (`||`), 2 (`&&`), 4 (`+ -`) and 5 (`*`); level 3, comparison,
    /// takes at most one operator, as in the chumsky grammar.
    fn binary_level(&mut self, level: u8) -> Option<Expr> {
        if level > 5 {
            return self.unary();
        }
        let mut lhs = self.binary_level(level + 1)?;
        while let Some(op) = self.peek().and_then(binary_operator) {
            if op.precedence() != level {
                break;
            }
            self.advance();
            let rhs = self.binary_level(level + 1)?;
            lhs = binary(op, lhs, rhs);
            if level == 3 {
                break;
            }
        }
        Some(lhs)
    }

    fn unary(&mut self) -> Option<Expr> {
        let mut bangs = Vec::new();
        while let Some(span) = self.expect(Token::Bang) {
            bangs.push(span);
        }
        let mut operand = self.atom()?;
        for bang in bangs.into_iter().rev() {
            let span = bang.to(operand.span());
            operand = Expr::Not(Box::new(operand), span);
        }
        Some(operand)
    }

    fn atom(&mut self) -> Option<Expr> {
        let start = self.position;
        match self.peek()? {
            Token::Int(_) => self.int_literal().map(Expr::Int),
            Token::True | Token::False => {
                let (token, span) = self.advance()?;
                Some(Expr::Bool(token == Token::True, span))
            }
            Token::Address(_) => self.address().map(Expr::Address),
            Token::Ident(_) => self.path().map(Expr::Name),
            Token::LeftBrace => {
                self.advance();
                let elements = self.separated_until(Token::RightBrace, true, Self::range)?;
                self.expect(Token::RightBrace)?;
                Some(Expr::Set(elements, self.span_from(start)))
            }
            Token::LeftParen => {
                self.advance();
                let inner = self.expression()?;
                self.expect(Token::RightParen)?;
                Some(Expr::Paren(Box::new(inner), self.span_from(start)))
            }
            _ => None,
        }
    }

    fn ports(&mut self) -> Option<Ports> {
        let start = self.position;
        // `{}` is not a braced list but an empty set expression, as the reference parser reads it.
        let empty_set = self.peek_is(Token::LeftBrace)
            && self.tokens.get(self.position + 1).map(|(token, _)| *token)
                == Some(Token::RightBrace);
        let (ranges, braced) = match !empty_set && self.eat(Token::LeftBrace) {
            true => {
                let ranges = self.separated_until(Token::RightBrace, true, Self::range)?;
                self.expect(Token::RightBrace)?;
                (ranges, true)
            }
            false => (vec![self.range()?], false),
        };
        Some(Ports {
            ranges,
            braced,
            span: self.span_from(start),
        })
    }

    /// An ICMP type or protocol; `allowed` and `denied` end the spec instead.
    fn number_or_name(&mut self) -> Option<NumberOrName> {
        match self.peek()? {
            Token::Int(_) => self.int_literal().map(NumberOrName::Number),
            Token::Ident(name) if name != "allowed" && name != "denied" => {
                self.ident().map(NumberOrName::Name)
            }
            _ => None,
        }
    }

    fn port_spec(&mut self) -> Option<PortSpec> {
        let start = self.position;
        let spec = match self.peek()? {
            Token::Tcp | Token::Udp => {
                let (token, _) = self.advance()?;
                let ports = self.ports()?;
                let source_ports = match self.eat(Token::From) {
                    true => Some(self.ports()?),
                    false => None,
                };
                PortSpec::Transport {
                    transport: match token {
                        Token::Tcp => Transport::Tcp,
                        _ => Transport::Udp,
                    },
                    ports,
                    source_ports,
                    span: self.span_from(start),
                }
            }
            Token::Icmp | Token::Icmpv6 => {
                let (token, _) = self.advance()?;
                let icmp_type = self.number_or_name();
                PortSpec::Icmp {
                    version: match token {
                        Token::Icmp => IcmpVersion::V4,
                        _ => IcmpVersion::V6,
                    },
                    icmp_type,
                    span: self.span_from(start),
                }
            }
            Token::Esp | Token::Ah | Token::Gre => {
                let (token, span) = self.advance()?;
                let protocol = match token {
                    Token::Esp => NamedProtocol::Esp,
                    Token::Ah => NamedProtocol::Ah,
                    _ => NamedProtocol::Gre,
                };
                PortSpec::Protocol { protocol, span }
            }
            Token::Proto => {
                self.advance();
                let protocol = self.number_or_name()?;
                PortSpec::ProtocolNumber {
                    protocol,
                    span: self.span_from(start),
                }
            }
            Token::Any => PortSpec::Any(self.advance()?.1),
            Token::Ident(_) => PortSpec::Named(self.path()?),
            _ => return None,
        };
        Some(spec)
    }

    pub(super) fn port_specs(&mut self) -> Option<Vec<PortSpec>> {
        self.separated(Token::Comma, Self::port_spec)
    }

    fn endpoint(&mut self) -> Option<Endpoint> {
        match self.peek()? {
            Token::SelfKw => Some(Endpoint::SelfKw(self.advance()?.1)),
            Token::Any => Some(Endpoint::Any(self.advance()?.1)),
            Token::Address(_) => self.address().map(Endpoint::Address),
            _ => self.path().map(Endpoint::Name),
        }
    }

    /// `SOURCES -> DESTINATIONS : SPECS`.
    pub(super) fn flow_syntax(&mut self) -> Option<FlowSyntax> {
        let start = self.position;
        let sources = self.separated(Token::Comma, Self::endpoint)?;
        let arrow = match self.advance()?.0 {
            Token::Arrow => Arrow::Forward,
            Token::BothArrow => Arrow::Both,
            _ => return None,
        };
        let destinations = self.separated(Token::Comma, Self::endpoint)?;
        self.expect(Token::Colon)?;
        let specs = self.port_specs()?;
        Some(FlowSyntax {
            sources,
            arrow,
            destinations,
            specs,
            span: self.span_from(start),
        })
    }
}

fn binary_operator(token: Token<'_>) -> Option<BinaryOp> {
    Some(match token {
        Token::Star => BinaryOp::Multiply,
        Token::Plus => BinaryOp::Add,
        Token::Minus => BinaryOp::Subtract,
        Token::EqualEqual => BinaryOp::Equal,
        Token::NotEqual => BinaryOp::NotEqual,
        Token::Less => BinaryOp::Less,
        Token::LessEqual => BinaryOp::LessEqual,
        Token::Greater => BinaryOp::Greater,
        Token::GreaterEqual => BinaryOp::GreaterEqual,
        Token::AndAnd => BinaryOp::And,
        Token::OrOr => BinaryOp::Or,
        _ => return None,
    })
}
