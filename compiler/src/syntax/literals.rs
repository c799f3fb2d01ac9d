//! Validation of literals after parsing: ports, ranges, numbers, addresses and prefixes.
//!
//! Each bad literal is reported at its own span; the tree keeps the text so later stages can
//! skip what did not validate.

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use ipnet::IpNet;
use std::net::IpAddr;

crate::declare_codes! {
    /// A port number outside 0..65535.
    ///
    /// TCP and UDP ports are 16-bit. A computed port (`1918 + k*4096` in `itm.agent`) that
    /// leaves the range is reported where the role is used, with a note pointing into the role.
    PORT_OUT_OF_RANGE = "E0004", "port out of range";
    /// A range whose start is greater than its end, such as `tcp 1023..513`.
    ///
    /// Ranges are inclusive and written low to high: `513..1023`.
    EMPTY_RANGE = "E0005", "range start is greater than its end";
    /// An address that is not a valid IPv4 or IPv6 address, such as `10.1.0.300` or `fd00:::1`.
    INVALID_ADDRESS = "E0006", "invalid address";
    /// A CIDR prefix length that is too long for its address family: more than 32 for IPv4,
    /// more than 128 for IPv6 (`10.0.0.0/33`).
    INVALID_PREFIX = "E0007", "invalid prefix length";
    /// A number too large to be represented (more than 2^64 - 1).
    NUMBER_TOO_LARGE = "E0008", "number too large";
    /// A number outside the range its position allows: ICMP types and codes and IP protocol
    /// numbers are 0..255, lint option values 0..2^32 - 1.
    VALUE_OUT_OF_RANGE = "E0009", "value out of range";
    /// A CIDR with bits set after the prefix, such as `10.1.0.5/24`.
    ///
    /// This is usually a typo for a network (`10.1.0.0/24`) or a host (`10.1.0.5`). Firewalls
    /// silently mask such bits, which hides the mistake; flowc asks you to write what you mean.
    /// The quick fix rewrites it to the network address.
    HOST_BITS_SET = "E0010", "address has bits set after the prefix";
}

/// A successfully parsed address literal: a network (a single address is a /32 or /128).
pub fn parse_address(text: &str) -> Result<IpNet, AddressProblem> {
    let (address_text, prefix_text) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let address: IpAddr = address_text.parse().map_err(|_| AddressProblem::Address)?;
    let maximum = if address.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix_text {
        None => maximum,
        Some(prefix) => match prefix.parse::<u8>() {
            Ok(prefix) if prefix <= maximum => prefix,
            _ => return Err(AddressProblem::Prefix { maximum }),
        },
    };
    let network = IpNet::new(address, prefix).map_err(|_| AddressProblem::Prefix { maximum })?;
    if network.trunc() != network {
        return Err(AddressProblem::HostBits {
            network: network.trunc(),
        });
    }
    Ok(network)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressProblem {
    Address,
    Prefix { maximum: u8 },
    HostBits { network: IpNet },
}

/// Every literal problem in one file.
pub fn validate(ast: &FileAst) -> Vec<Diagnostic> {
    let mut validator = Validator::default();
    for item in &ast.items {
        validator.item(&item.kind);
    }
    validator.diagnostics
}

#[derive(Default)]
struct Validator {
    diagnostics: Vec<Diagnostic>,
}

impl Validator {
    fn item(&mut self, kind: &ItemKind) {
        match kind {
            ItemKind::Zone(zone) => {
                if let ZoneAddresses::List(addresses) = &zone.addresses {
                    addresses.iter().for_each(|address| self.address(address));
                }
            }
            ItemKind::Firewall(firewall) => {
                for part in &firewall.parts {
                    if let FirewallPartKind::Address(addresses) = &part.kind {
                        addresses.iter().for_each(|address| self.address(address));
                    }
                }
            }
            ItemKind::Host(host) => {
                host.addresses
                    .iter()
                    .for_each(|address| self.address(address));
                self.role_uses(&host.roles);
            }
            ItemKind::Group(group) => {
                for member in &group.members {
                    if let Member::Address(address) = member {
                        self.address(address);
                    }
                }
                self.role_uses(&group.roles);
            }
            ItemKind::Service(service) => {
                service.specs.iter().for_each(|spec| self.port_spec(spec))
            }
            ItemKind::Role(role) => {
                for param in role.params.iter().flatten() {
                    if let ParamType::Words { words, .. } = &param.ty {
                        for word in words {
                            if let TypeWord::Number(int) = word {
                                self.int(int);
                            }
                        }
                    }
                    if let Some(default) = &param.default {
                        self.expression(default);
                    }
                }
                if let Some(body) = &role.body {
                    self.block(body);
                }
            }
            ItemKind::Rule(rule) => self.flow(&rule.flow),
            ItemKind::Expect(expect) => self.flow(&expect.flow),
            ItemKind::Lint(setting) => {
                if let LintValue::Number(int) = &setting.value {
                    self.bounded(int, u32::MAX as u64, "a lint option");
                }
            }
            ItemKind::Import(_) | ItemKind::Error => {}
        }
    }

    fn role_uses(&mut self, uses: &[RoleUse]) {
        for argument in uses
            .iter()
            .flat_map(|role_use| role_use.arguments.iter().flatten())
        {
            self.expression(&argument.value);
        }
    }

    fn block(&mut self, block: &Block) {
        for statement in &block.statements {
            match &statement.kind {
                StatementKind::Flow(flow) => self.flow(flow),
                StatementKind::If(if_statement) => self.if_statement(if_statement),
                StatementKind::For(for_statement) => {
                    self.expression(&for_statement.start);
                    self.expression(&for_statement.end);
                    self.block(&for_statement.body);
                }
                StatementKind::Error => {}
            }
        }
    }

    fn if_statement(&mut self, if_statement: &IfStatement) {
        self.expression(&if_statement.condition);
        self.block(&if_statement.then_block);
        match &if_statement.else_branch {
            Some(ElseBranch::Block(block)) => self.block(block),
            Some(ElseBranch::If(nested, _)) => self.if_statement(nested),
            None => {}
        }
    }

    fn flow(&mut self, flow: &FlowSyntax) {
        for endpoint in flow.sources.iter().chain(&flow.destinations) {
            if let Endpoint::Address(address) = endpoint {
                self.address(address);
            }
        }
        flow.specs.iter().for_each(|spec| self.port_spec(spec));
    }

    fn port_spec(&mut self, spec: &PortSpec) {
        match spec {
            PortSpec::Transport {
                ports,
                source_ports,
                ..
            } => {
                self.ports(ports);
                if let Some(source_ports) = source_ports {
                    self.ports(source_ports);
                }
            }
            PortSpec::Icmp {
                icmp_type: Some(NumberOrName::Number(int)),
                ..
            } => {
                self.bounded(int, 255, "an ICMP type");
            }
            PortSpec::ProtocolNumber {
                protocol: NumberOrName::Number(int),
                ..
            } => {
                self.bounded(int, 255, "an IP protocol number");
            }
            _ => {}
        }
    }

    fn ports(&mut self, ports: &Ports) {
        for range in &ports.ranges {
            self.port_range(range);
        }
    }

    /// Checks literal ports; computed ones are checked when roles are expanded.
    fn port_range(&mut self, range: &PortRange) {
        let start = self.port(&range.start);
        let end = range.end.as_ref().and_then(|end| self.port(end));
        if let (Some(start), Some(end)) = (start, end) {
            if start > end {
                self.diagnostics.push(
                    Diagnostic::error(
                        EMPTY_RANGE,
                        range.span,
                        format!("range {start}..{end} is empty"),
                    )
                    .with_primary_message("the start is greater than the end")
                    .with_note("ranges are inclusive and written low to high")
                    .with_fix(
                        "swap the bounds",
                        range.span,
                        format!("{end}..{start}"),
                    ),
                );
            }
        }
    }

    /// Validates a port expression; returns its value when it is a valid literal.
    fn port(&mut self, expression: &Expr) -> Option<u64> {
        let Expr::Int(int) = expression else {
            self.expression(expression);
            return None;
        };
        let value = self.int(int)?;
        if value > 65535 {
            self.diagnostics.push(
                Diagnostic::error(
                    PORT_OUT_OF_RANGE,
                    int.span,
                    format!("port {value} is out of range"),
                )
                .with_primary_message("ports are 0..65535"),
            );
            return None;
        }
        Some(value)
    }

    fn bounded(&mut self, int: &IntLit, maximum: u64, what: &str) {
        if let Some(value) = self.int(int) {
            if value > maximum {
                self.diagnostics.push(
                    Diagnostic::error(
                        VALUE_OUT_OF_RANGE,
                        int.span,
                        format!("{value} is out of range for {what}"),
                    )
                    .with_primary_message(format!("{what} is 0..{maximum}")),
                );
            }
        }
    }

    fn int(&mut self, int: &IntLit) -> Option<u64> {
        if int.value.is_none() {
            self.diagnostics.push(
                Diagnostic::error(
                    NUMBER_TOO_LARGE,
                    int.span,
                    format!("number `{}` is too large", int.text),
                )
                .with_primary_message("numbers are at most 18446744073709551615"),
            );
        }
        int.value
    }

    fn expression(&mut self, expression: &Expr) {
        match expression {
            Expr::Int(int) => {
                self.int(int);
            }
            Expr::Address(address) => self.address(address),
            Expr::Set(elements, _) => {
                for element in elements {
                    self.expression(&element.start);
                    if let Some(end) = &element.end {
                        self.expression(end);
                    }
                }
            }
            Expr::Not(inner, _) | Expr::Paren(inner, _) => self.expression(inner),
            Expr::Binary { lhs, rhs, .. } => {
                self.expression(lhs);
                self.expression(rhs);
            }
            Expr::Range { start, end, span } => {
                let range = PortRange {
                    start: (**start).clone(),
                    end: Some((**end).clone()),
                    span: *span,
                };
                self.port_range(&range);
            }
            Expr::Bool(..) | Expr::Name(_) => {}
        }
    }

    fn address(&mut self, address: &AddressLit) {
        let diagnostic = match parse_address(&address.text) {
            Ok(_) => return,
            Err(AddressProblem::Address) => Diagnostic::error(
                INVALID_ADDRESS,
                address.span,
                format!("`{}` is not a valid address", address.text),
            )
            .with_primary_message("not an IPv4 or IPv6 address"),
            Err(AddressProblem::Prefix { maximum }) => Diagnostic::error(
                INVALID_PREFIX,
                address.span,
                format!("invalid prefix length in `{}`", address.text),
            )
            .with_primary_message(format!("the prefix length must be 0..{maximum}")),
            Err(AddressProblem::HostBits { network }) => Diagnostic::error(
                HOST_BITS_SET,
                address.span,
                format!("`{}` has bits set after the prefix", address.text),
            )
            .with_primary_message(format!("did you mean the network `{network}`?"))
            .with_fix(
                format!("write `{network}`"),
                address.span,
                network.to_string(),
            ),
        };
        self.diagnostics.push(diagnostic);
    }
}
