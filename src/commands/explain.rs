//! `flowc explain [CODE]`: the long explanation kept next to the code that emits it.

use crate::status;
use flowc_compiler::explanations;

pub fn run(code: Option<&str>) -> u8 {
    let Some(code) = code else {
        let mut listing =
            String::from("Diagnostic codes and lints (flowc explain CODE for the details):\n\n");
        for info in explanations::all_codes() {
            listing.push_str(&format!("  {:<18} {}\n", info.code, info.title));
        }
        crate::output::print(&listing);
        return status::CLEAN;
    };
    match explanations::lookup(code) {
        Some(info) => {
            crate::output::print(&format!(
                "{}: {}\n\n{}",
                info.code,
                info.title,
                dedent(info.explanation)
            ));
            status::CLEAN
        }
        None => {
            let all = explanations::all_codes();
            let suggestion =
                flowc_compiler::resolve::did_you_mean(code, all.iter().map(|info| info.code));
            eprintln!("error: there is no diagnostic code or lint `{code}`");
            if let Some(suggestion) = suggestion {
                eprintln!("help: did you mean `{suggestion}`?");
            }
            eprintln!("help: `flowc explain` with no argument lists them all");
            status::USAGE
        }
    }
}

/// Doc comments keep the space after `///`; drop one leading space per line.
fn dedent(text: &str) -> String {
    text.lines()
        .map(|line| format!("{}\n", line.strip_prefix(' ').unwrap_or(line)))
        .collect()
}
