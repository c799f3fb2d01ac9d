//! `flowc check`: run the pipeline over a site and report, in the format asked for.

use crate::files::FileSystemWorld;
use crate::{status, DumpStage, ReportFormat};
use flowc_compiler::{codes, report, Analysis, Severity};
use std::io::IsTerminal;
use std::path::PathBuf;

pub fn run(
    paths: &[PathBuf],
    format: ReportFormat,
    deny_warnings: bool,
    dump: Option<DumpStage>,
) -> u8 {
    let world = match FileSystemWorld::collect_or_report(paths) {
        Ok(world) => world,
        Err(code) => return code,
    };
    let checked = flowc_compiler::check(&world);
    if let Some(stage) = dump {
        crate::output::print(&dump_stage(&checked, stage));
        return status::CLEAN;
    }
    crate::output::print(&render(&checked.analysis, format));
    let status = exit_status(&checked.analysis, deny_warnings);
    crate::release_at_exit(checked);
    status
}

/// Renders the diagnostics of an analysis in one of the report formats.
pub fn render(analysis: &Analysis, format: ReportFormat) -> String {
    let diagnostics = &analysis.diagnostics;
    match format {
        ReportFormat::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut output = report::render_human(&analysis.sources, diagnostics, color);
            let files = analysis.site_files().count();
            match report::summary(diagnostics) {
                Some(summary) => output.push_str(&format!("{summary} in {files} file(s)\n")),
                None => output.push_str(&format!("checked {files} file(s): no problems\n")),
            }
            output
        }
        ReportFormat::Short => report::render_short(&analysis.sources, diagnostics),
        ReportFormat::Json => report::render_json(&analysis.sources, diagnostics),
        ReportFormat::Sarif => report::render_sarif(&analysis.sources, diagnostics),
    }
}

fn exit_status(analysis: &Analysis, deny_warnings: bool) -> u8 {
    let diagnostics = &analysis.diagnostics;
    if diagnostics
        .iter()
        .any(|diagnostic| diagnostic.code == codes::READ_FAILED)
    {
        return status::USAGE;
    }
    let failing =
        |severity| severity == Severity::Error || (deny_warnings && severity == Severity::Warning);
    if diagnostics
        .iter()
        .any(|diagnostic| failing(diagnostic.severity))
    {
        status::PROBLEMS
    } else {
        status::CLEAN
    }
}

fn dump_stage(checked: &flowc_compiler::Checked, stage: DumpStage) -> String {
    let analysis = &checked.analysis;
    match stage {
        DumpStage::Flows => return dump_flows(checked),
        DumpStage::Graph => return dump_graph(checked),
        DumpStage::Tokens | DumpStage::Ast => {}
    }
    let mut output = String::new();
    for file in analysis.site_files() {
        let source = analysis.sources.get(file.file);
        output.push_str(&format!("# {}\n", source.name));
        match stage {
            DumpStage::Tokens => {
                let lexed = flowc_compiler::syntax::lexer::lex(file.file, &source.text);
                for (token, span) in &lexed.tokens {
                    let position = source.line_column(span.start);
                    output.push_str(&format!(
                        "{}:{}\t{:?}\n",
                        position.line, position.column, token
                    ));
                }
                for comment in &lexed.comments {
                    let position = source.line_column(comment.span.start);
                    output.push_str(&format!(
                        "{}:{}\tComment({:?})\n",
                        position.line, position.column, comment.text
                    ));
                }
            }
            DumpStage::Ast => output.push_str(&format!("{:#?}\n", file.parsed.ast)),
            DumpStage::Flows | DumpStage::Graph => {}
        }
    }
    output
}

/// One line per flow: action, endpoints, opening, and where it came from.
fn dump_flows(checked: &flowc_compiler::Checked) -> String {
    let sources = &checked.analysis.sources;
    let at = |span: flowc_compiler::Span| {
        let file = sources.get(span.file);
        format!("{}:{}", file.name, file.line_column(span.start).line)
    };
    let mut output = String::new();
    for flow in &checked.policy.flows {
        let networks = |set: &flowc_compiler::model::AddressSet| {
            let list: Vec<String> = set.to_networks().iter().map(ToString::to_string).collect();
            if set.is_any() {
                "any".to_string()
            } else {
                list.join(",")
            }
        };
        let origin = &flow.origin;
        let role = origin
            .role
            .as_ref()
            .map(|role| format!(" {role}"))
            .unwrap_or_default();
        let statement = origin
            .statement
            .map(|span| format!(" ({})", at(span)))
            .unwrap_or_default();
        output.push_str(&format!(
            "{:?} {} [{}] -> {} [{}] : {}  # {}{role}{statement}\n",
            flow.action,
            origin.source_label,
            networks(&flow.source),
            origin.destination_label,
            networks(&flow.destination),
            flow.opening.describe(),
            at(origin.item),
        ));
    }
    output
}

/// The topology: zones with their regions, firewalls with the zones they join, and routes.
fn dump_graph(checked: &flowc_compiler::Checked) -> String {
    let policy = &checked.policy;
    let mut output = String::new();
    for zone in &policy.zones {
        let networks: Vec<String> = zone
            .region
            .to_networks()
            .iter()
            .map(ToString::to_string)
            .collect();
        output.push_str(&format!("zone {} = {}\n", zone.name, networks.join(", ")));
    }
    for firewall in &policy.firewalls {
        let zones: Vec<&str> = firewall
            .zones
            .iter()
            .map(|&zone| policy.zones[zone].name.as_str())
            .collect();
        output.push_str(&format!(
            "firewall {} joins {}\n",
            firewall.name,
            zones.join(", ")
        ));
    }
    for route in &policy.routes {
        let zone = |index: Option<usize>| {
            index.map_or("(unplaced)", |index| policy.zones[index].name.as_str())
        };
        let firewalls: Vec<&str> = route
            .firewalls
            .iter()
            .map(|&firewall| policy.firewalls[firewall].name.as_str())
            .collect();
        output.push_str(&format!(
            "route flow {} {} -> {} via {}\n",
            route.flow,
            zone(route.source_zone),
            zone(route.destination_zone),
            firewalls.join(" -> ")
        ));
    }
    output
}
