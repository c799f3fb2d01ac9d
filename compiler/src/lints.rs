//! The lint table: every lint's stable name, default level and options, one line each. It sits
//! at the bottom of the pipeline with the diagnostics, so that every stage can name the lints it
//! reports (`no-path` while routing, `unbound-peer` while expanding, the rest in `checks/`) and
//! resolution can check `lint NAME = level` and `@allow(NAME, "reason")` against it.
//!
//! A lint's explanation (`flowc explain NAME`) is the doc comment on its `explain_lints!`
//! entry in the module that reports it; `codes.rs` holds the two together (a test checks that
//! every lint here has exactly one explanation). Adding a lint is a line here and a check module
//! under `checks/` (listed once in `checks/mod.rs`).

use crate::syntax::ast::LintLevel;

/// One lint of the table.
#[derive(Clone, Copy, Debug)]
pub struct Lint {
    pub name: &'static str,
    pub default_level: LintLevel,
    /// The options `lint NAME.OPTION = N` accepts.
    pub options: &'static [&'static str],
}

macro_rules! lint_table {
    ($( $constant:ident = $name:literal, $level:ident $(, [$($option:literal),*])?; )*) => {
        $( pub const $constant: &str = $name; )*
        /// Every lint, in the order `flowc explain` lists them.
        pub static LINTS: &[Lint] = &[
            $( Lint { name: $name, default_level: LintLevel::$level, options: &[$($($option),*)?] } ),*
        ];
    };
}

lint_table! {
    NO_PATH = "no-path", Error;
    UNBOUND_PEER = "unbound-peer", Error;
    SHADOWED = "shadowed", Warn;
    REDUNDANT = "redundant", Warn;
    BROAD_RANGE = "broad-range", Warn, ["max"];
    ANY_SOURCE = "any-source", Warn;
    INSECURE_SERVICE = "insecure-service", Warn;
    PORT_COLLISION = "port-collision", Warn;
    BMC_PORT_CONFLICT = "bmc-port-conflict", Warn;
    UNUSED = "unused", Warn;
    EXPECT_FAILED = "expect-failed", Error;
}

/// A lint by name.
pub fn lint(name: &str) -> Option<&'static Lint> {
    LINTS.iter().find(|lint| lint.name == name)
}

/// The default level of a lint; `None` for a name that is no lint.
pub fn default_level(name: &str) -> Option<LintLevel> {
    lint(name).map(|lint| lint.default_level)
}

/// The options a lint accepts in `lint NAME.OPTION = N`.
pub fn options(name: &str) -> &'static [&'static str] {
    lint(name).map_or(&[], |lint| lint.options)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    LINTS.iter().map(|lint| lint.name)
}
