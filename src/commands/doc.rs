//! `flowc doc [MODULE]`: the standard library's reference, from its doc comments.

use crate::status;
use flowc_compiler::{analyze, MemoryWorld};

pub fn run(module: Option<&str>) -> u8 {
    let analysis = analyze(&MemoryWorld::default());
    match flowc_compiler::doc::reference(&analysis, module) {
        Some(text) => {
            crate::output::print(&text);
            status::CLEAN
        }
        None => {
            let known: Vec<&str> = flowc_compiler::stdlib::module_names().collect();
            eprintln!(
                "error: there is no stdlib module `{}`; the modules are {}",
                module.unwrap_or(""),
                known.join(", ")
            );
            status::USAGE
        }
    }
}
