//! Diagnostic codes: how a module declares the codes it reports, with their explanations.
//!
//! Each code is declared with [`declare_codes!`] in the module that emits it, so the explanation
//! sits next to the code that reports it; `explanations.rs`, above every stage, gathers the
//! per-module lists. This module sits at the bottom with the diagnostics and imports no stage.

/// One stable diagnostic code with its one-line title and long explanation.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

/// Declares diagnostic codes: a `pub const NAME: &str` each, and a `CODES` list for the registry.
/// The doc comment on each entry is its explanation.
#[macro_export]
macro_rules! declare_codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $code:literal, $title:literal; )*) => {
        $( $(#[doc = $doc])* pub const $name: &str = $code; )*
        /// The codes this module reports, for the registry in `explanations.rs`.
        pub static CODES: &[$crate::codes::CodeInfo] = &[
            $( $crate::codes::CodeInfo { code: $code, title: $title, explanation: concat!($($doc, "\n"),*) } ),*
        ];
    };
}

/// Gives lints of the table in `lints.rs` their explanations, in the module that reports them:
/// the doc comment on each entry is its explanation (`flowc explain NAME`). Also brings the
/// lint's name constant into the module.
#[macro_export]
macro_rules! explain_lints {
    ($( $(#[doc = $doc:literal])* $name:ident, $title:literal; )*) => {
        $( pub use $crate::lints::$name; )*
        /// The lints this module reports, for the registry in `explanations.rs`.
        pub static CODES: &[$crate::codes::CodeInfo] = &[
            $( $crate::codes::CodeInfo { code: $crate::lints::$name, title: $title, explanation: concat!($($doc, "\n"),*) } ),*
        ];
    };
}

mod io {
    crate::declare_codes! {
        /// A file of the site could not be read: it vanished, is not readable, or is a directory
        /// that could not be listed. The message carries the operating system's reason.
        ///
        /// The command line exits with status 2 for this, as for any usage error, because the
        /// site itself was never seen.
        READ_FAILED = "E0000", "a site file could not be read";
        /// A file has more errors than flowc lists: after the first 100 errors of a file, one
        /// note says how many more there are (as compilers stop listing after a limit).
        ///
        /// A file with that many errors is usually not a `.flow` file, or one mistake early on
        /// confuses everything after it: fix the first errors and check again.
        TOO_MANY_ERRORS = "E0999", "more errors in this file than are listed";
    }
}

pub use io::{CODES as IO_CODES, READ_FAILED, TOO_MANY_ERRORS};
