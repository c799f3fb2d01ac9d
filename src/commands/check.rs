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
    let world = match FileSystemWorld::collect(paths) {
        Ok(world) => world,
        Err(message) => {
            eprintln!("error: {message}");
            return status::USAGE;
        }
    };
    let analysis = flowc_compiler::analyze(&world);
    if let Some(stage) = dump {
        crate::output::print(&dump_stage(&analysis, stage));
        return status::CLEAN;
    }
    crate::output::print(&render(&analysis, format));
    exit_status(&analysis, deny_warnings)
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

fn dump_stage(analysis: &Analysis, stage: DumpStage) -> String {
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
        }
    }
    output
}
