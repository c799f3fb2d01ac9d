//! The syntax tree: plain data with a span on every node. Broken items become `Error` nodes.

use crate::source::{FileId, Span};

/// One parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileAst {
    pub file: FileId,
    pub items: Vec<Item>,
    /// Names declared by items the parser could not read (`host rtems01 10.0.0.1`, missing
    /// its `=`): still declared, so their uses elsewhere are not reported as unknown too.
    pub broken_names: Vec<Ident>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `name` or `module.name` (lint options use `lint.option`).
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    pub fn is_qualified(&self) -> bool {
        self.segments.len() > 1
    }

    pub fn last(&self) -> &Ident {
        self.segments
            .last()
            .expect("a path has at least one segment")
    }

    /// Whether the path is the single name `name`, without building its text.
    pub fn is_name(&self, name: &str) -> bool {
        matches!(self.segments.as_slice(), [only] if only.name == name)
    }

    /// The path as written, segments joined with `.`.
    pub fn text(&self) -> String {
        let names: Vec<&str> = self
            .segments
            .iter()
            .map(|segment| segment.name.as_str())
            .collect();
        names.join(".")
    }
}

/// One `///` line attached to the next item or statement; `text` has the slashes removed.
#[derive(Clone, Debug, PartialEq)]
pub struct DocLine {
    pub text: String,
    pub span: Span,
}

/// `@allow(lint, "reason")` before an item.
#[derive(Clone, Debug, PartialEq)]
pub struct AllowAttribute {
    pub lint: Ident,
    pub reason: StringLit,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    /// The value with escapes resolved.
    pub value: String,
    /// The literal as written, quotes included.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub docs: Vec<DocLine>,
    pub attributes: Vec<AllowAttribute>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Import(Import),
    Zone(Zone),
    Firewall(Firewall),
    Host(Host),
    Group(Group),
    Service(Service),
    Role(Role),
    Rule(Rule),
    Expect(Expect),
    Lint(LintSetting),
    /// An item the parser could not read; its diagnostics were reported already.
    Error,
}

impl ItemKind {
    /// The keyword that introduces the item, for messages and the formatter.
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemKind::Import(_) => "import",
            ItemKind::Zone(_) => "zone",
            ItemKind::Firewall(_) => "firewall",
            ItemKind::Host(_) => "host",
            ItemKind::Group(_) => "group",
            ItemKind::Service(_) => "service",
            ItemKind::Role(_) => "role",
            ItemKind::Rule(rule) => rule.action.keyword(),
            ItemKind::Expect(_) => "expect",
            ItemKind::Lint(_) => "lint",
            ItemKind::Error => "item",
        }
    }

    /// The name an item defines, if it defines one.
    pub fn defined_name(&self) -> Option<&Ident> {
        match self {
            ItemKind::Zone(zone) => Some(&zone.name),
            ItemKind::Firewall(firewall) => Some(&firewall.name),
            ItemKind::Host(host) => Some(&host.name),
            ItemKind::Group(group) => Some(&group.name),
            ItemKind::Service(service) => Some(&service.name),
            ItemKind::Role(role) => Some(&role.name),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub module: Ident,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    pub name: Ident,
    pub addresses: ZoneAddresses,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ZoneAddresses {
    Any(Span),
    List(Vec<AddressLit>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Firewall {
    pub name: Ident,
    pub parts: Vec<FirewallPart>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FirewallPart {
    pub kind: FirewallPartKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FirewallPartKind {
    Zones(Vec<Ident>),
    Address(Vec<AddressLit>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Host {
    pub name: Ident,
    pub addresses: Vec<AddressLit>,
    pub roles: Vec<RoleUse>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: Ident,
    pub members: Vec<Member>,
    pub roles: Vec<RoleUse>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Address(AddressLit),
    Name(Path),
}

/// `nim.master(protocol = nimsh)` after `is`.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleUse {
    pub role: Path,
    /// `None` when written without parentheses.
    pub arguments: Option<Vec<Argument>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: Ident,
    pub specs: Vec<PortSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub name: Ident,
    /// `None` when written without parentheses.
    pub params: Option<Vec<Param>>,
    /// `None` when the role has no body.
    pub body: Option<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: ParamType,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    /// `host is ROLE | ROLE`
    Host { roles: Vec<Path>, span: Span },
    /// A builtin type word or an enumeration: `int`, `nimsh | rsh`, `3 | 4`.
    Words { words: Vec<TypeWord>, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeWord {
    Word(Ident),
    Number(IntLit),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub docs: Vec<DocLine>,
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    Flow(FlowSyntax),
    If(IfStatement),
    For(ForStatement),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfStatement {
    pub condition: Expr,
    pub then_block: Block,
    pub else_branch: Option<ElseBranch>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElseBranch {
    Block(Block),
    If(Box<IfStatement>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForStatement {
    pub variable: Ident,
    pub start: Expr,
    pub end: Expr,
    pub body: Block,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrow {
    Forward,
    Both,
}

impl Arrow {
    pub fn text(self) -> &'static str {
        match self {
            Arrow::Forward => "->",
            Arrow::Both => "<->",
        }
    }
}

/// `SOURCES -> DESTINATIONS : SPECS`, shared by role statements, rules and expectations.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowSyntax {
    pub sources: Vec<Endpoint>,
    pub arrow: Arrow,
    pub destinations: Vec<Endpoint>,
    pub specs: Vec<PortSpec>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
}

impl Action {
    pub fn keyword(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub action: Action,
    pub flow: FlowSyntax,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    pub flow: FlowSyntax,
    pub outcome: Outcome,
    pub outcome_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LintSetting {
    pub lint: Ident,
    /// `max` in `lint broad-range.max = 2048`.
    pub option: Option<Ident>,
    pub value: LintValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LintValue {
    Level(LintLevel, Span),
    Number(IntLit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LintLevel {
    Allow,
    Warn,
    Error,
}

impl LintLevel {
    pub fn keyword(self) -> &'static str {
        match self {
            LintLevel::Allow => "allow",
            LintLevel::Warn => "warn",
            LintLevel::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint {
    SelfKw(Span),
    Any(Span),
    Address(AddressLit),
    Name(Path),
}

impl Endpoint {
    pub fn span(&self) -> Span {
        match self {
            Endpoint::SelfKw(span) | Endpoint::Any(span) => *span,
            Endpoint::Address(address) => address.span,
            Endpoint::Name(path) => path.span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    Tcp,
    Udp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IcmpVersion {
    V4,
    V6,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NamedProtocol {
    Esp,
    Ah,
    Gre,
}

/// A number or a name where the language accepts either (`icmp echo-request`, `proto 50`).
#[derive(Clone, Debug, PartialEq)]
pub enum NumberOrName {
    Number(IntLit),
    Name(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PortSpec {
    Transport {
        transport: Transport,
        ports: Ports,
        source_ports: Option<Ports>,
        span: Span,
    },
    Icmp {
        version: IcmpVersion,
        icmp_type: Option<NumberOrName>,
        span: Span,
    },
    Protocol {
        protocol: NamedProtocol,
        span: Span,
    },
    ProtocolNumber {
        protocol: NumberOrName,
        span: Span,
    },
    Any(Span),
    /// A service name, or a port-typed parameter inside a role.
    Named(Path),
}

impl PortSpec {
    pub fn span(&self) -> Span {
        match self {
            PortSpec::Transport { span, .. }
            | PortSpec::Icmp { span, .. }
            | PortSpec::Protocol { span, .. }
            | PortSpec::ProtocolNumber { span, .. }
            | PortSpec::Any(span) => *span,
            PortSpec::Named(path) => path.span,
        }
    }
}

/// `22`, `1500..1501` or `{22, 443, 9000..9010}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ports {
    pub ranges: Vec<PortRange>,
    pub braced: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PortRange {
    pub start: Expr,
    pub end: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntLit {
    /// `None` when the digits overflow (reported as `E0008`).
    pub value: Option<u64>,
    pub text: String,
    pub span: Span,
}

/// An address or CIDR as written; the parsed value is checked by `literals`.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressLit {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    And,
    Or,
}

impl BinaryOp {
    pub fn text(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEqual => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }

    /// Binding strength, higher binds tighter; the formatter uses it to keep parentheses.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Equal
            | BinaryOp::NotEqual
            | BinaryOp::Less
            | BinaryOp::LessEqual
            | BinaryOp::Greater
            | BinaryOp::GreaterEqual => 3,
            BinaryOp::Add | BinaryOp::Subtract => 4,
            BinaryOp::Multiply => 5,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Int(IntLit),
    Bool(bool, Span),
    Name(Path),
    Address(AddressLit),
    /// `{a, b..c}`: a set of ports or addresses.
    Set(Vec<PortRange>, Span),
    Not(Box<Expr>, Span),
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    Paren(Box<Expr>, Span),
    /// `a..b` as an argument or default value (a `ports` parameter).
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        span: Span,
    },
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Int(int) => int.span,
            Expr::Name(path) => path.span,
            Expr::Address(address) => address.span,
            Expr::Bool(_, span)
            | Expr::Set(_, span)
            | Expr::Not(_, span)
            | Expr::Binary { span, .. }
            | Expr::Range { span, .. }
            | Expr::Paren(_, span) => *span,
        }
    }
}
