//! The logos lexer: every byte sequence becomes tokens, and bytes that form none become `Error` tokens.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};
use logos::Logos;

crate::declare_codes! {
    /// A character that cannot begin any token, such as `$`, `;` or a stray non-ASCII byte.
    ///
    /// ```text
    /// host web = 10.0.0.1;   # the `;` is not part of the language
    /// ```
    ///
    /// Items need no terminator: every item starts with a keyword. Remove the character. A run
    /// of such characters is reported once.
    UNKNOWN_CHARACTER = "E0001", "unknown character";
    /// A string literal runs to the end of its line without a closing `"`.
    ///
    /// Strings appear in `@allow(lint, "reason")`. They cannot span lines; close the quote on the
    /// same line.
    UNTERMINATED_STRING = "E0002", "unterminated string";
    /// A backslash in a string is followed by a character that is not one of the escapes the
    /// language knows: `\"`, `\\`, `\n` and `\t`.
    ///
    /// ```text
    /// @allow(broad-range, "vendor says \q")   # error: unknown escape `\q`
    /// ```
    ///
    /// Write `\\` for a backslash. Unknown escapes are errors rather than kept as written so
    /// that a future escape cannot change the meaning of an existing file.
    UNKNOWN_ESCAPE = "E0015", "unknown escape in a string";
    /// A control character (NUL, ESC, DEL, or any other C0 character but tab) inside a string
    /// or a comment.
    ///
    /// Reasons and comments reach the generated rulesets and the terminal; a control character
    /// there can end a line early in a loader, corrupt an XML file or rewrite the screen. No
    /// editor shows them, so they are rejected where they are written. Delete the character
    /// (most editors show it as `^[` or a box); in a string, write `\t` for a tab.
    CONTROL_CHARACTER = "E0016", "control character in a string or comment";
}

/// The tokens of the flow language. Keywords are reserved; see `spec/lexical.md`.
#[derive(Logos, Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Token<'src> {
    #[token("import")]
    Import,
    #[token("zone")]
    Zone,
    #[token("firewall")]
    Firewall,
    #[token("host")]
    Host,
    #[token("group")]
    Group,
    #[token("service")]
    Service,
    #[token("role")]
    Role,
    #[token("allow")]
    Allow,
    #[token("deny")]
    Deny,
    #[token("expect")]
    Expect,
    #[token("lint")]
    Lint,
    #[token("is")]
    Is,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("self")]
    SelfKw,
    #[token("any")]
    Any,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("tcp")]
    Tcp,
    #[token("udp")]
    Udp,
    #[token("icmp")]
    Icmp,
    #[token("icmpv6")]
    Icmpv6,
    #[token("proto")]
    Proto,
    #[token("esp")]
    Esp,
    #[token("ah")]
    Ah,
    #[token("gre")]
    Gre,
    #[token("from")]
    From,

    #[regex(r"[A-Za-z_]([A-Za-z0-9_-]*[A-Za-z0-9_])?")]
    Ident(&'src str),
    #[regex(r"[0-9]+")]
    Int(&'src str),
    /// IPv4 dotted quads and IPv6 addresses (at least two colons), each with an optional `/prefix`.
    #[regex(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(/[0-9]+)?")]
    #[regex(r"[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(/[0-9]+)?")]
    Address(&'src str),
    // A line ends at LF, CRLF or a lone CR, as in every editor: strings and comments stop at
    // either character.
    #[regex(r#""([^"\\\r\n]|\\[^\r\n])*""#)]
    String(&'src str),
    #[regex(r#""([^"\\\r\n]|\\[^\r\n])*"#)]
    UnterminatedString(&'src str),
    #[regex(r"///[^\r\n]*", allow_greedy = true)]
    DocComment(&'src str),
    #[regex(r"#[^\r\n]*", allow_greedy = true)]
    Comment(&'src str),

    #[token("=")]
    Equals,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("->")]
    Arrow,
    #[token("<->")]
    BothArrow,
    #[token("{")]
    LeftBrace,
    #[token("}")]
    RightBrace,
    #[token("(")]
    LeftParen,
    #[token(")")]
    RightParen,
    #[token("|")]
    Pipe,
    #[token("@allow")]
    AtAllow,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("!")]
    Bang,
    #[token("==")]
    EqualEqual,
    #[token("!=")]
    NotEqual,
    #[token("<")]
    Less,
    #[token("<=")]
    LessEqual,
    #[token(">")]
    Greater,
    #[token(">=")]
    GreaterEqual,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,

    /// Bytes that begin no token; adjacent ones are merged into one.
    Error(&'src str),
}

impl std::fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Ident(text) => write!(f, "identifier `{text}`"),
            Token::Int(text) => write!(f, "number `{text}`"),
            Token::Address(text) => write!(f, "address `{text}`"),
            Token::String(_) | Token::UnterminatedString(_) => f.write_str("string"),
            Token::DocComment(_) => f.write_str("doc comment"),
            Token::Comment(_) => f.write_str("comment"),
            Token::Error(text) => write!(f, "`{}`", text.escape_debug()),
            other => write!(f, "`{}`", other.text()),
        }
    }
}

impl<'src> Token<'src> {
    /// The source text of a fixed token (keywords and punctuation), or the captured text.
    pub fn text(&self) -> &'src str {
        match self {
            Token::Import => "import",
            Token::Zone => "zone",
            Token::Firewall => "firewall",
            Token::Host => "host",
            Token::Group => "group",
            Token::Service => "service",
            Token::Role => "role",
            Token::Allow => "allow",
            Token::Deny => "deny",
            Token::Expect => "expect",
            Token::Lint => "lint",
            Token::Is => "is",
            Token::If => "if",
            Token::Else => "else",
            Token::For => "for",
            Token::In => "in",
            Token::SelfKw => "self",
            Token::Any => "any",
            Token::True => "true",
            Token::False => "false",
            Token::Tcp => "tcp",
            Token::Udp => "udp",
            Token::Icmp => "icmp",
            Token::Icmpv6 => "icmpv6",
            Token::Proto => "proto",
            Token::Esp => "esp",
            Token::Ah => "ah",
            Token::Gre => "gre",
            Token::From => "from",
            Token::Equals => "=",
            Token::Comma => ",",
            Token::Colon => ":",
            Token::Dot => ".",
            Token::DotDot => "..",
            Token::Arrow => "->",
            Token::BothArrow => "<->",
            Token::LeftBrace => "{",
            Token::RightBrace => "}",
            Token::LeftParen => "(",
            Token::RightParen => ")",
            Token::Pipe => "|",
            Token::AtAllow => "@allow",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Bang => "!",
            Token::EqualEqual => "==",
            Token::NotEqual => "!=",
            Token::Less => "<",
            Token::LessEqual => "<=",
            Token::Greater => ">",
            Token::GreaterEqual => ">=",
            Token::AndAnd => "&&",
            Token::OrOr => "||",
            Token::Ident(text)
            | Token::Int(text)
            | Token::Address(text)
            | Token::String(text)
            | Token::UnterminatedString(text)
            | Token::DocComment(text)
            | Token::Comment(text)
            | Token::Error(text) => text,
        }
    }

    /// Whether this token is a reserved word (used by rename and completion).
    pub fn is_keyword(&self) -> bool {
        self.text()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !matches!(self, Token::Ident(_) | Token::Int(_))
    }

    /// Whether an item can begin with this token; recovery skips to the next such token.
    pub fn starts_item(&self) -> bool {
        matches!(
            self,
            Token::Import
                | Token::Zone
                | Token::Firewall
                | Token::Host
                | Token::Group
                | Token::Service
                | Token::Role
                | Token::Allow
                | Token::Deny
                | Token::Expect
                | Token::Lint
                | Token::AtAllow
        )
    }
}

/// The words that cannot be used as names.
pub const KEYWORDS: &[&str] = &[
    "import", "zone", "firewall", "host", "group", "service", "role", "allow", "deny", "expect",
    "lint", "is", "if", "else", "for", "in", "self", "any", "true", "false", "tcp", "udp", "icmp",
    "icmpv6", "proto", "esp", "ah", "gre", "from",
];

/// A comment kept aside for the formatter and doc attachment; the parser never sees comments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
    pub is_doc: bool,
}

/// The result of lexing one file: tokens for the parser, comments for the formatter, and errors.
#[derive(Debug, Default)]
pub struct Lexed<'src> {
    pub tokens: Vec<(Token<'src>, Span)>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The byte-order mark some editors write at the start of a UTF-8 file; it is not text.
pub const BYTE_ORDER_MARK: char = '\u{feff}';

/// Lexes one file. Never fails: unknown bytes become `Token::Error` plus an `E0001` diagnostic.
/// A byte-order mark at the very start is skipped; spans still count from the file's first byte.
pub fn lex(file: FileId, text: &str) -> Lexed<'_> {
    let skipped = if text.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len_utf8()
    } else {
        0
    };
    let mut lexed = Lexed {
        // Real files average three to five bytes per token; reserving once avoids regrowing.
        tokens: Vec::with_capacity(text.len() / 3),
        ..Lexed::default()
    };
    let mut lexer = Token::lexer(&text[skipped..]);
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let span = Span::new(file, range.start + skipped..range.end + skipped);
        match result {
            Ok(Token::Comment(body)) | Ok(Token::DocComment(body)) => {
                check_control_characters(span, body, &mut lexed.diagnostics);
                lexed.comments.push(Comment {
                    span,
                    text: body.to_string(),
                    is_doc: body.starts_with("///"),
                })
            }
            Ok(Token::String(body)) => {
                check_string_body(span, body, &mut lexed.diagnostics);
                lexed.tokens.push((Token::String(body), span));
            }
            Ok(Token::UnterminatedString(body)) => {
                check_string_body(span, body, &mut lexed.diagnostics);
                lexed.diagnostics.push(
                    Diagnostic::error(UNTERMINATED_STRING, span, "unterminated string")
                        .with_primary_message("this string has no closing `\"` on its line"),
                );
                lexed.tokens.push((Token::String(body), span));
            }
            Ok(token) => lexed.tokens.push((token, span)),
            Err(()) => match lexed.tokens.last_mut() {
                // Merge a run of unknown bytes into one token and one diagnostic.
                Some((Token::Error(previous), previous_span))
                    if previous_span.end == span.start =>
                {
                    previous_span.end = span.end;
                    *previous = &text[previous_span.range()];
                }
                _ => lexed.tokens.push((Token::Error(&text[span.range()]), span)),
            },
        }
    }
    for (token, span) in &lexed.tokens {
        if let Token::Error(bad) = token {
            lexed.diagnostics.push(
                Diagnostic::error(
                    UNKNOWN_CHARACTER,
                    *span,
                    format!("unknown character `{}`", bad.escape_debug()),
                )
                .with_primary_message("not part of any token"),
            );
        }
    }
    lexed
}

/// Whether a character may not appear in a string or comment: C0 controls but tab, and DEL.
fn is_forbidden_control(character: char) -> bool {
    (character.is_ascii_control() && character != '\t') || character == '\u{7f}'
}

/// One `E0016` for a comment or string with control characters (one mistake, one error),
/// located at the first of them.
fn check_control_characters(span: Span, body: &str, diagnostics: &mut Vec<Diagnostic>) {
    let mut found = body
        .char_indices()
        .filter(|&(_, character)| is_forbidden_control(character));
    let Some((index, character)) = found.next() else {
        return;
    };
    let more = found.count();
    let at = span.start as usize + index;
    let mut diagnostic = Diagnostic::error(
        CONTROL_CHARACTER,
        Span::new(span.file, at..at + 1),
        format!("control character `{}`", character.escape_debug()),
    )
    .with_primary_message("not allowed in a string or comment");
    if more > 0 {
        diagnostic = diagnostic.with_note(format!("and {more} more on this line"));
    }
    diagnostics.push(diagnostic);
}

/// The escapes of a string (`\"`, `\\`, `\n`, `\t`, as `spec/lexical.md` lists them) and its
/// control characters: one diagnostic for each bad one, at its position.
fn check_string_body(span: Span, body: &str, diagnostics: &mut Vec<Diagnostic>) {
    check_control_characters(span, body, diagnostics);
    let mut characters = body.char_indices();
    while let Some((index, character)) = characters.next() {
        if character != '\\' {
            continue;
        }
        let Some((_, escaped)) = characters.next() else {
            break;
        };
        if matches!(escaped, '"' | '\\' | 'n' | 't') || is_forbidden_control(escaped) {
            continue;
        }
        let at = span.start as usize + index;
        diagnostics.push(
            Diagnostic::error(
                UNKNOWN_ESCAPE,
                Span::new(span.file, at..at + 1 + escaped.len_utf8()),
                format!("unknown escape `\\{}`", escaped.escape_debug()),
            )
            .with_primary_message("not an escape")
            .with_note(
                "the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash",
            ),
        );
    }
}
