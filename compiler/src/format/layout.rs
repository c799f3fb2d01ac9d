//! The canonical layout of each item, statement and expression.

use super::printer::Printer;
use crate::syntax::ast::*;

/// Role parameter lists longer than this are broken one parameter per line.
const MAX_WIDTH: usize = 100;

impl Printer<'_> {
    pub(super) fn file(mut self, ast: &FileAst) -> String {
        let widths = alignment_widths(&ast.items, &self);
        for (item, width) in ast.items.iter().zip(widths) {
            self.item(item, width);
        }
        self.finish()
    }

    fn item(&mut self, item: &Item, name_width: usize) {
        for attribute in &item.attributes {
            self.begin_line(attribute.span.start);
            let line = format!("@allow({}, {})", attribute.lint.name, attribute.reason.text);
            self.out.push_str(&line);
            self.end_line(attribute.span.end);
        }
        let start = match &item.attributes.last() {
            Some(attribute) => self.text_start_after(attribute.span.end),
            None => item.span.start,
        };
        self.begin_line(start);
        // Padded by hand: `format!`'s width is limited to 65,535 and panics beyond it, and a
        // name may be longer than that.
        let pad = |name: &Ident| {
            let spaces = name_width.saturating_sub(name.name.len());
            format!("{}{}", name.name, " ".repeat(spaces))
        };
        match &item.kind {
            ItemKind::Import(import) => {
                self.out.push_str(&format!("import {}", import.module.name))
            }
            ItemKind::Zone(zone) => {
                let addresses = match &zone.addresses {
                    ZoneAddresses::Any(_) => "any".to_string(),
                    ZoneAddresses::List(addresses) => addresses_text(addresses),
                };
                self.out
                    .push_str(&format!("zone {} = {addresses}", pad(&zone.name)));
            }
            ItemKind::Host(host) => {
                let line = format!(
                    "host {} = {}{}",
                    pad(&host.name),
                    addresses_text(&host.addresses),
                    roles_text(&host.roles)
                );
                self.out.push_str(&line);
            }
            ItemKind::Group(group) => {
                let members: Vec<String> = group
                    .members
                    .iter()
                    .map(|member| match member {
                        Member::Address(address) => address.text.clone(),
                        Member::Name(path) => path.text(),
                    })
                    .collect();
                let line = format!(
                    "group {} = {}{}",
                    pad(&group.name),
                    members.join(", "),
                    roles_text(&group.roles)
                );
                self.out.push_str(&line);
            }
            ItemKind::Service(service) => {
                self.out.push_str(&format!(
                    "service {} = {}",
                    pad(&service.name),
                    specs_text(&service.specs)
                ));
            }
            ItemKind::Rule(rule) => {
                self.out.push_str(&format!(
                    "{} {}",
                    rule.action.keyword(),
                    flow_text(&rule.flow)
                ));
            }
            ItemKind::Expect(expect) => {
                let outcome = match expect.outcome {
                    Outcome::Allowed => "allowed",
                    Outcome::Denied => "denied",
                };
                self.out
                    .push_str(&format!("expect {} {outcome}", flow_text(&expect.flow)));
            }
            ItemKind::Lint(setting) => {
                let option = setting
                    .option
                    .as_ref()
                    .map(|option| format!(".{}", option.name))
                    .unwrap_or_default();
                let value = match &setting.value {
                    LintValue::Level(level, _) => level.keyword().to_string(),
                    LintValue::Number(int) => int.text.clone(),
                };
                self.out
                    .push_str(&format!("lint {}{option} = {value}", setting.lint.name));
            }
            ItemKind::Firewall(firewall) => return self.firewall(firewall, item.span.end),
            ItemKind::Role(role) => return self.role(role, item.span.end),
            // Files with syntax errors are never formatted, so there are no error items here.
            ItemKind::Error => self
                .out
                .push_str(self.text.get(item.span.range()).unwrap_or("")),
        }
        self.end_line(item.span.end);
    }

    /// The offset of the first token at or after `offset`: blanks and comments are skipped, so
    /// that a comment between an attribute and its item is placed before the item's line (as
    /// the next formatting would place it), not after it.
    fn text_start_after(&self, offset: u32) -> u32 {
        let mut offset = offset;
        loop {
            let rest = self.text.get(offset as usize..).unwrap_or("");
            offset += (rest.len() - rest.trim_start().len()) as u32;
            match self.comment_starting_at(offset) {
                Some(end) => offset = end,
                None => return offset,
            }
        }
    }

    fn firewall(&mut self, firewall: &Firewall, end: u32) {
        self.out
            .push_str(&format!("firewall {} {{\n", firewall.name.name));
        self.indent += 1;
        for part in &firewall.parts {
            self.begin_line(part.span.start);
            let line = match &part.kind {
                FirewallPartKind::Zones(zones) => {
                    let names: Vec<&str> = zones.iter().map(|zone| zone.name.as_str()).collect();
                    format!("zones {}", names.join(", "))
                }
                FirewallPartKind::Address(addresses) => {
                    format!("address {}", addresses_text(addresses))
                }
            };
            self.out.push_str(&line);
            self.end_line(part.span.end);
        }
        self.close_brace(end);
    }

    /// Prints the `}` that ends at `end`, after any comments that precede it.
    fn close_brace(&mut self, end: u32) {
        let brace = end.saturating_sub(1);
        self.flush_comments_before(brace);
        self.indent -= 1;
        self.write_indent();
        self.out.push('}');
        self.end_line(end);
    }

    fn role(&mut self, role: &Role, end: u32) {
        self.out.push_str(&format!("role {}", role.name.name));
        if let Some(params) = &role.params {
            let texts: Vec<String> = params.iter().map(param_text).collect();
            let one_line = format!("({})", texts.join(", "));
            if self.current_line_width() + one_line.len() + 2 <= MAX_WIDTH {
                self.out.push_str(&one_line);
            } else {
                self.out.push_str("(\n");
                for text in &texts {
                    self.out.push_str(&format!("  {text},\n"));
                }
                self.out.push(')');
            }
        }
        match &role.body {
            Some(body) => {
                self.out.push(' ');
                self.block(body);
            }
            None => self.end_line(end),
        }
    }

    fn current_line_width(&self) -> usize {
        self.out.len() - self.out.rfind('\n').map_or(0, |index| index + 1)
    }

    /// Prints `{ … }` with the statements inside; the caller has written what precedes `{`.
    fn block(&mut self, block: &Block) {
        if block.statements.is_empty() && !self.has_comment_in(block.span.start, block.span.end) {
            self.out.push_str("{}");
            self.end_line(block.span.end);
            return;
        }
        self.out.push_str("{\n");
        self.indent += 1;
        for statement in &block.statements {
            self.statement(statement);
        }
        self.close_brace(block.span.end);
    }

    fn statement(&mut self, statement: &Statement) {
        self.begin_line(statement.span.start);
        match &statement.kind {
            StatementKind::Flow(flow) => {
                self.out.push_str(&flow_text(flow));
                self.end_line(statement.span.end);
            }
            StatementKind::If(if_statement) => self.if_statement(if_statement),
            StatementKind::For(for_statement) => {
                let header = format!(
                    "for {} in {}..{} ",
                    for_statement.variable.name,
                    expression_text(&for_statement.start),
                    expression_text(&for_statement.end)
                );
                self.out.push_str(&header);
                self.block(&for_statement.body);
            }
            StatementKind::Error => {
                self.out
                    .push_str(self.text.get(statement.span.range()).unwrap_or(""));
                self.end_line(statement.span.end);
            }
        }
    }

    fn if_statement(&mut self, if_statement: &IfStatement) {
        self.out
            .push_str(&format!("if {} ", expression_text(&if_statement.condition)));
        let Some(else_branch) = &if_statement.else_branch else {
            self.block(&if_statement.then_block);
            return;
        };
        self.block(&if_statement.then_block);
        let else_start = match else_branch {
            ElseBranch::Block(block) => block.span.start,
            ElseBranch::If(_, span) => span.start,
        };
        if self.source_has_comment_in(if_statement.then_block.span.end, else_start) {
            // A comment between `}` and `else` ends its line: `else` goes on a line of its own
            // after it, or it would become part of the comment.
            self.flush_comments_before(else_start);
            self.write_indent();
        } else {
            // `} else {` stays on the closing brace's line.
            self.out.pop();
            self.out.push(' ');
        }
        self.out.push_str("else ");
        match else_branch {
            ElseBranch::Block(block) => self.block(block),
            ElseBranch::If(nested, _) => self.if_statement(nested),
        }
    }
}

/// For each item, the width to pad its name to: consecutive one-line zones, hosts, groups or
/// services (no blank line or comment between them) align their `=`.
fn alignment_widths(items: &[Item], printer: &Printer<'_>) -> Vec<usize> {
    let alignable = |item: &Item| {
        item.attributes.is_empty()
            && matches!(
                item.kind,
                ItemKind::Zone(_) | ItemKind::Host(_) | ItemKind::Group(_) | ItemKind::Service(_)
            )
    };
    let mut widths = vec![0; items.len()];
    let mut run_start = 0;
    for index in 0..=items.len() {
        let continues = index < items.len()
            && index > run_start
            && alignable(&items[index])
            && std::mem::discriminant(&items[index].kind)
                == std::mem::discriminant(&items[index - 1].kind)
            && !printer.gap_has_blank_line(items[index - 1].span.end, items[index].span.start)
            && !printer.has_comment_in(items[index - 1].span.start, items[index].span.start);
        if !continues {
            let run = &items[run_start..index];
            if run.len() > 1 && run.iter().all(alignable) {
                let width = run
                    .iter()
                    .filter_map(|item| item.kind.defined_name())
                    .map(|name| name.name.len())
                    .max();
                widths[run_start..index].fill(width.unwrap_or(0));
            }
            run_start = index;
        }
    }
    widths
}

fn addresses_text(addresses: &[AddressLit]) -> String {
    addresses
        .iter()
        .map(|address| address.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn roles_text(roles: &[RoleUse]) -> String {
    if roles.is_empty() {
        return String::new();
    }
    let uses: Vec<String> = roles
        .iter()
        .map(|role_use| match &role_use.arguments {
            None => role_use.role.text(),
            Some(arguments) => {
                let arguments: Vec<String> = arguments
                    .iter()
                    .map(|argument| {
                        format!(
                            "{} = {}",
                            argument.name.name,
                            expression_text(&argument.value)
                        )
                    })
                    .collect();
                format!("{}({})", role_use.role.text(), arguments.join(", "))
            }
        })
        .collect();
    format!(" is {}", uses.join(", "))
}

/// A parameter as the formatter writes it: `mountd: ports = 32768..65535`.
pub fn param_text(param: &Param) -> String {
    let ty = match &param.ty {
        ParamType::Host { roles, .. } => {
            format!(
                "host is {}",
                roles.iter().map(Path::text).collect::<Vec<_>>().join(" | ")
            )
        }
        ParamType::Words { words, .. } => words
            .iter()
            .map(|word| match word {
                TypeWord::Word(ident) => ident.name.clone(),
                TypeWord::Number(int) => int.text.clone(),
            })
            .collect::<Vec<_>>()
            .join(" | "),
    };
    match &param.default {
        Some(default) => format!("{}: {ty} = {}", param.name.name, expression_text(default)),
        None => format!("{}: {ty}", param.name.name),
    }
}

fn flow_text(flow: &FlowSyntax) -> String {
    format!(
        "{} {} {} : {}",
        endpoints_text(&flow.sources),
        flow.arrow.text(),
        endpoints_text(&flow.destinations),
        specs_text(&flow.specs)
    )
}

fn endpoints_text(endpoints: &[Endpoint]) -> String {
    let texts: Vec<String> = endpoints
        .iter()
        .map(|endpoint| match endpoint {
            Endpoint::SelfKw(_) => "self".to_string(),
            Endpoint::Any(_) => "any".to_string(),
            Endpoint::Address(address) => address.text.clone(),
            Endpoint::Name(path) => path.text(),
        })
        .collect();
    texts.join(", ")
}

fn specs_text(specs: &[PortSpec]) -> String {
    specs.iter().map(spec_text).collect::<Vec<_>>().join(", ")
}

fn spec_text(spec: &PortSpec) -> String {
    match spec {
        PortSpec::Transport {
            transport,
            ports,
            source_ports,
            ..
        } => {
            let protocol = match transport {
                Transport::Tcp => "tcp",
                Transport::Udp => "udp",
            };
            match source_ports {
                Some(source_ports) => format!(
                    "{protocol} {} from {}",
                    ports_text(ports),
                    ports_text(source_ports)
                ),
                None => format!("{protocol} {}", ports_text(ports)),
            }
        }
        PortSpec::Icmp {
            version, icmp_type, ..
        } => {
            let keyword = match version {
                IcmpVersion::V4 => "icmp",
                IcmpVersion::V6 => "icmpv6",
            };
            match icmp_type {
                Some(icmp_type) => format!("{keyword} {}", number_or_name_text(icmp_type)),
                None => keyword.to_string(),
            }
        }
        PortSpec::Protocol { protocol, .. } => match protocol {
            NamedProtocol::Esp => "esp",
            NamedProtocol::Ah => "ah",
            NamedProtocol::Gre => "gre",
        }
        .to_string(),
        PortSpec::ProtocolNumber { protocol, .. } => {
            format!("proto {}", number_or_name_text(protocol))
        }
        PortSpec::Any(_) => "any".to_string(),
        PortSpec::Named(path) => path.text(),
    }
}

fn number_or_name_text(value: &NumberOrName) -> String {
    match value {
        NumberOrName::Number(int) => int.text.clone(),
        NumberOrName::Name(ident) => ident.name.clone(),
    }
}

fn ports_text(ports: &Ports) -> String {
    let ranges: Vec<String> = ports.ranges.iter().map(range_text).collect();
    if ports.braced {
        format!("{{{}}}", ranges.join(", "))
    } else {
        ranges.join(", ")
    }
}

fn range_text(range: &PortRange) -> String {
    match &range.end {
        Some(end) => format!(
            "{}..{}",
            expression_text(&range.start),
            expression_text(end)
        ),
        None => expression_text(&range.start),
    }
}

fn expression_text(expression: &Expr) -> String {
    match expression {
        Expr::Int(int) => int.text.clone(),
        Expr::Bool(value, _) => value.to_string(),
        Expr::Name(path) => path.text(),
        Expr::Address(address) => address.text.clone(),
        Expr::Set(elements, _) => format!(
            "{{{}}}",
            elements
                .iter()
                .map(range_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Expr::Not(inner, _) => format!("!{}", expression_text(inner)),
        Expr::Binary { op, lhs, rhs, .. } => {
            format!(
                "{} {} {}",
                expression_text(lhs),
                op.text(),
                expression_text(rhs)
            )
        }
        Expr::Paren(inner, _) => format!("({})", expression_text(inner)),
        Expr::Range { start, end, .. } => {
            format!("{}..{}", expression_text(start), expression_text(end))
        }
    }
}
