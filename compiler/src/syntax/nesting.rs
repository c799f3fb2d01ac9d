//! A cap on nesting, applied to the token stream before parsing.
//!
//! Every later stage walks the tree recursively, so a file of 100,000 `(` or a chain of 100,000
//! `+` would exhaust the stack. Tokens past the caps are dropped with one `E0011` per run; the
//! parser then reports what is left broken, and nothing recurses without bound.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::lexer::Token;

crate::declare_codes! {
    /// Brackets nested more than 64 deep, more than 64 `!` in a row, more than 256 operators in
    /// one expression, or more than 256 `else` branches in one block.
    ///
    /// No real policy comes near these limits; they keep the compiler and the language server
    /// safe from generated or corrupted files. Split the expression or the role.
    NESTING_TOO_DEEP = "E0011", "nesting too deep";
}

pub const MAX_BRACKET_DEPTH: usize = 64;
pub const MAX_UNARY_RUN: usize = 64;
pub const MAX_OPERATOR_CHAIN: usize = 256;
pub const MAX_ELSE_CHAIN: usize = 256;

/// Drops tokens beyond the nesting caps, reporting the first dropped token of each run.
pub fn limit_nesting<'src>(
    tokens: Vec<(Token<'src>, Span)>,
) -> (Vec<(Token<'src>, Span)>, Vec<Diagnostic>) {
    if clearly_within_caps(&tokens) {
        return (tokens, Vec::new());
    }
    let mut limiter = Limiter::default();
    let kept = tokens
        .into_iter()
        .filter(|(token, span)| limiter.keep(*token, *span))
        .collect();
    (kept, limiter.diagnostics)
}

/// A cheap first pass: with no more operators, `!` and `else` in the whole file than one run
/// may hold, and brackets never deeper than the cap, no token can be dropped.
fn clearly_within_caps(tokens: &[(Token<'_>, Span)]) -> bool {
    let (mut depth, mut deepest, mut operators, mut bangs, mut elses) = (0usize, 0, 0, 0, 0);
    for (token, _) in tokens {
        match token {
            Token::LeftParen | Token::LeftBrace => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Token::RightParen | Token::RightBrace => depth = depth.saturating_sub(1),
            Token::Bang => bangs += 1,
            Token::Else => elses += 1,
            token if is_binary_operator(*token) => operators += 1,
            _ => {}
        }
    }
    deepest <= MAX_BRACKET_DEPTH
        && bangs <= MAX_UNARY_RUN
        && operators <= MAX_OPERATOR_CHAIN
        && elses <= MAX_ELSE_CHAIN
}

#[derive(Default)]
struct Limiter {
    /// For each open bracket: whether it was kept, and the `else` count of the block it opens.
    open: Vec<(bool, usize)>,
    kept_depth: usize,
    top_level_elses: usize,
    unary_run: usize,
    operator_chain: usize,
    /// Whether the current over-deep run was reported already.
    reported: bool,
    diagnostics: Vec<Diagnostic>,
}

impl Limiter {
    fn keep(&mut self, token: Token<'_>, span: Span) -> bool {
        let keep = match token {
            Token::LeftParen | Token::LeftBrace => {
                let keep = self.kept_depth < MAX_BRACKET_DEPTH;
                self.kept_depth += usize::from(keep);
                self.open.push((keep, 0));
                keep
            }
            Token::RightParen | Token::RightBrace => match self.open.pop() {
                Some((kept, _)) => {
                    self.kept_depth -= usize::from(kept);
                    kept
                }
                None => true,
            },
            Token::Bang => {
                self.unary_run += 1;
                self.unary_run <= MAX_UNARY_RUN
            }
            Token::Else => {
                let count = match self.open.last_mut() {
                    Some((_, count)) => count,
                    None => &mut self.top_level_elses,
                };
                *count += 1;
                *count <= MAX_ELSE_CHAIN
            }
            _ if is_binary_operator(token) => {
                self.operator_chain += 1;
                self.operator_chain <= MAX_OPERATOR_CHAIN
            }
            _ => true,
        };
        if token != Token::Bang {
            self.unary_run = 0;
        }
        if ends_expression(token) {
            self.operator_chain = 0;
        }
        let closing = matches!(token, Token::RightParen | Token::RightBrace);
        if !keep && !self.reported && !closing {
            self.reported = true;
            self.diagnostics.push(
                Diagnostic::error(NESTING_TOO_DEEP, span, "nesting too deep")
                    .with_primary_message("tokens from here on are skipped until the nesting closes")
                    .with_note(format!(
                        "the limits are {MAX_BRACKET_DEPTH} brackets, {MAX_UNARY_RUN} `!` in a row, \
                         {MAX_OPERATOR_CHAIN} operators per expression and {MAX_ELSE_CHAIN} `else` per block"
                    )),
            );
        }
        // A run ends when every cap is respected again.
        if keep && !closing && self.reported && self.within_caps() {
            self.reported = false;
        }
        keep
    }

    fn within_caps(&self) -> bool {
        self.open
            .iter()
            .all(|(kept, elses)| *kept && *elses <= MAX_ELSE_CHAIN)
            && self.top_level_elses <= MAX_ELSE_CHAIN
            && self.operator_chain <= MAX_OPERATOR_CHAIN
            && self.unary_run <= MAX_UNARY_RUN
    }
}

fn is_binary_operator(token: Token<'_>) -> bool {
    matches!(
        token,
        Token::Plus
            | Token::Minus
            | Token::Star
            | Token::EqualEqual
            | Token::NotEqual
            | Token::Less
            | Token::LessEqual
            | Token::Greater
            | Token::GreaterEqual
            | Token::AndAnd
            | Token::OrOr
    )
}

/// Tokens that cannot occur inside one expression, so an operator chain ends at them.
fn ends_expression(token: Token<'_>) -> bool {
    matches!(
        token,
        Token::Comma
            | Token::Colon
            | Token::LeftBrace
            | Token::RightBrace
            | Token::DotDot
            | Token::Arrow
            | Token::BothArrow
    ) || token.starts_item()
}
