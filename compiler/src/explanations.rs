//! Every diagnostic code and lint with its explanation, gathered from the stages that declare
//! them: what `flowc explain` prints, `spec/diagnostics.md` lists and the reports link to. It
//! sits above every stage, since it names them all.

use crate::codes::CodeInfo;

/// Every code the compiler can report, in code order.
pub fn all_codes() -> Vec<CodeInfo> {
    let mut codes: Vec<CodeInfo> = [
        crate::syntax::lexer::CODES,
        crate::syntax::parser::CODES,
        crate::syntax::literals::CODES,
        crate::syntax::nesting::CODES,
        crate::format::CODES,
        crate::resolve::CODES,
        crate::lower::CODES,
        crate::expand::limits::CODES,
        crate::codes::IO_CODES,
        crate::emit::aix::CODES,
    ]
    .iter()
    .flat_map(|list| list.iter().copied())
    .chain(crate::checks::lint_codes())
    .collect();
    codes.sort_by_key(|info| (!info.code.starts_with('E'), info.code));
    codes
}

/// Looks a code up by its exact name (`E0102`, `shadowed`), case-insensitively.
pub fn lookup(code: &str) -> Option<CodeInfo> {
    all_codes()
        .into_iter()
        .find(|info| info.code.eq_ignore_ascii_case(code))
}
