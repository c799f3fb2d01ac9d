//! `flowc query SRC DST PORTSPEC`: is it allowed, by which items, through which firewalls.

use crate::files::FileSystemWorld;
use crate::{status, QueryFormat};
use flowc_compiler::report;
use std::path::PathBuf;

pub fn run(
    source: &str,
    destination: &str,
    port_spec: &str,
    paths: &[PathBuf],
    format: QueryFormat,
) -> u8 {
    let world = match FileSystemWorld::collect_or_report(paths) {
        Ok(world) => world,
        Err(code) => return code,
    };
    match flowc_compiler::ask(&world, source, destination, port_spec) {
        Ok(answer) => {
            let output = match format {
                QueryFormat::Human => {
                    answer.render_human(&format!("{source} -> {destination} : {port_spec}"))
                }
                QueryFormat::Json => format!("{:#}\n", answer.to_json()),
            };
            crate::output::print(&output);
            status::CLEAN
        }
        Err(checked) => {
            let errors: Vec<_> = checked
                .analysis
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.severity == flowc_compiler::Severity::Error)
                .cloned()
                .collect();
            eprint!(
                "{}",
                report::render_short(&checked.analysis.sources, &errors)
            );
            eprintln!("error: cannot answer: the site or the question has errors");
            status::PROBLEMS
        }
    }
}
