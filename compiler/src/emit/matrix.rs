//! The port matrix attached to firewall change requests, as CSV (`matrix-csv`) or Markdown
//! (`matrix-md`): one row per flow, with the firewalls it crosses and where it came from.
//!
//! With `--for FIREWALL` the rows are the flows that firewall carries, with the addresses on
//! its path; with `--for MACHINE` they are the flows to or from that machine.

use super::{origin_text, port_list, Backend, Input, Layout};
use crate::model::{Action, AddressSet, Flow, Protocol, Target};

pub const COLUMNS: [&str; 12] = [
    "action",
    "source",
    "source addresses",
    "destination",
    "destination addresses",
    "protocol",
    "ports",
    "source ports",
    "firewalls",
    "role",
    "citation",
    "origin",
];

pub enum Matrix {
    Csv,
    Markdown,
}

impl Backend for Matrix {
    fn name(&self) -> &'static str {
        match self {
            Matrix::Csv => "matrix-csv",
            Matrix::Markdown => "matrix-md",
        }
    }
    fn extension(&self) -> &'static str {
        match self {
            Matrix::Csv => "csv",
            Matrix::Markdown => "md",
        }
    }
    fn summary(&self) -> &'static str {
        match self {
            Matrix::Csv => "the port matrix for change requests, CSV",
            Matrix::Markdown => "the port matrix for change requests, Markdown",
        }
    }
    fn layout(&self) -> Layout {
        Layout::PerSite
    }
    fn emit(&self, input: &Input<'_>, target: Option<Target>) -> String {
        let rows = rows(input, target);
        match self {
            Matrix::Csv => {
                let mut text = csv_line(COLUMNS.iter().map(|column| column.to_string()));
                for row in rows {
                    text.push_str(&csv_line(row.into_iter()));
                }
                text
            }
            Matrix::Markdown => {
                let title = match target {
                    Some(target) => format!(
                        "# Port matrix: {}\n\n",
                        super::target_description(input.policy, target)
                    ),
                    None => "# Port matrix\n\n".to_string(),
                };
                let mut text = title;
                text.push_str(&format!("| {} |\n", COLUMNS.join(" | ")));
                text.push_str(&format!("|{}\n", "---|".repeat(COLUMNS.len())));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|cell| markdown_cell(cell)).collect();
                    text.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                text
            }
        }
    }
}

/// For each flow, the firewalls on its routes, each once, in route order: one pass over the
/// routes, not one per flow.
fn firewalls_of_flows(policy: &crate::model::Policy) -> Vec<Vec<usize>> {
    let mut firewalls = vec![Vec::new(); policy.flows.len()];
    for route in &policy.routes {
        let list: &mut Vec<usize> = &mut firewalls[route.flow];
        for &firewall in &route.firewalls {
            if !list.contains(&firewall) {
                list.push(firewall);
            }
        }
    }
    firewalls
}

/// The rows, sorted by where the flows were written.
fn rows(input: &Input<'_>, target: Option<Target>) -> Vec<Vec<String>> {
    let policy = input.policy;
    let mut entries: Vec<(&Flow, AddressSet, AddressSet, Vec<usize>)> = Vec::new();
    match target {
        Some(Target::Firewall(firewall)) => {
            for route in policy
                .routes
                .iter()
                .filter(|route| route.firewalls.contains(&firewall))
            {
                let flow = &policy.flows[route.flow];
                entries.push((
                    flow,
                    route.source.clone(),
                    route.destination.clone(),
                    route.firewalls.clone(),
                ));
            }
        }
        // The whole site, or the flows to or from one machine: each flow with its own addresses
        // and every firewall it crosses.
        None | Some(Target::Machine(_)) => {
            let own = match target {
                Some(Target::Machine(machine)) => Some(&policy.machines[machine].addresses),
                _ => None,
            };
            let mut firewalls = firewalls_of_flows(policy);
            for (index, flow) in policy.flows.iter().enumerate() {
                let wanted = own.is_none_or(|own| {
                    flow.source.intersects(own) || flow.destination.intersects(own)
                });
                if wanted {
                    entries.push((
                        flow,
                        flow.source.clone(),
                        flow.destination.clone(),
                        std::mem::take(&mut firewalls[index]),
                    ));
                }
            }
        }
    }
    // A flow that opens nothing (`tcp {}`) has no row: its empty port column would read as
    // "every port".
    entries.retain(|(flow, ..)| !flow.opening.opens_nothing());
    let mut rows: Vec<((String, u32, u32), Vec<String>)> = entries
        .into_iter()
        .map(|(flow, source, destination, firewalls)| {
            let origin = &flow.origin;
            let file = input.sources.get(origin.item.file);
            let line =
                |span: crate::Span| input.sources.get(span.file).line_column(span.start).line;
            let key = (
                file.name.clone(),
                line(origin.item),
                origin.statement.map_or(0, line),
            );
            let opening = &flow.opening;
            let ports = match opening.protocol {
                Protocol::Tcp | Protocol::Udp => port_list(&opening.ports, "-", ","),
                Protocol::Icmp | Protocol::Icmpv6 if !opening.ports.is_full() => {
                    port_list(&opening.ports, "-", ",")
                }
                _ => String::new(),
            };
            let source_ports = if opening.source_ports.is_full() {
                String::new()
            } else {
                port_list(&opening.source_ports, "-", ",")
            };
            let names: Vec<&str> = firewalls
                .iter()
                .map(|&firewall| policy.firewalls[firewall].name.as_str())
                .collect();
            let row = vec![
                if flow.action == Action::Allow {
                    "allow"
                } else {
                    "deny"
                }
                .to_string(),
                super::endpoint_names(policy, &flow.source_holders, &origin.source_label).join(" "),
                addresses(&source),
                super::endpoint_names(policy, &flow.destination_holders, &origin.destination_label)
                    .join(" "),
                addresses(&destination),
                opening.protocol.name(),
                ports,
                source_ports,
                names.join(" "),
                origin.role.clone().unwrap_or_default(),
                origin
                    .citation
                    .as_deref()
                    .map(super::one_line)
                    .unwrap_or_default(),
                origin_text(input.file_names(), origin),
            ];
            (key, row)
        })
        .collect();
    rows.sort();
    rows.dedup();
    rows.into_iter().map(|(_, row)| row).collect()
}

/// `any`, or the CIDRs separated by spaces.
fn addresses(set: &AddressSet) -> String {
    if set.is_any() {
        return "any".to_string();
    }
    set.to_networks()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The most bytes of one cell: a spreadsheet keeps at most 32,767 characters in a cell and
/// cuts the rest silently; flowc cuts visibly, with `...`.
const CELL_LIMIT: usize = 32_000;

/// A cell's text as both formats print it: one line, control characters as visible escapes
/// ([`super::escaped`]), at most [`CELL_LIMIT`] bytes.
fn cell_text(cell: &str) -> String {
    let text = super::escaped(&super::one_line(cell)).into_owned();
    if text.len() <= CELL_LIMIT {
        return text;
    }
    format!("{} ...", super::truncate(&text, CELL_LIMIT - 4))
}

/// One CSV record. A cell that a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-` or `@`: a file named `=HYPERLINK(…).flow`) starts with `'`, as OWASP advises; a cell
/// with a comma, quote or edge space is quoted.
fn csv_line(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells
        .map(|cell| {
            let mut cell = cell_text(&cell);
            if cell.starts_with(['=', '+', '-', '@']) {
                cell.insert(0, '\'');
            }
            if cell.contains([',', '"']) || cell.starts_with(' ') || cell.ends_with(' ') {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell
            }
        })
        .collect();
    format!("{}\n", cells.join(","))
}

/// A Markdown table cell: `|` escaped (it would end the cell), and a `<` that could start
/// HTML (a tag, `</`, `<!--`, `<?`), which many renderers pass through; `<-->` stays as it is.
fn markdown_cell(cell: &str) -> String {
    let text = cell_text(cell);
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        let html = character == '<'
            && characters
                .peek()
                .is_some_and(|next| next.is_ascii_alphabetic() || "/!?".contains(*next));
        if character == '|' || html {
            out.push('\\');
        }
        out.push(character);
    }
    out
}
