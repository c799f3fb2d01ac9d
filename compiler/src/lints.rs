//! The lint table: every lint's stable name, default level and options, one line each. It sits
//! at the bottom of the pipeline with the diagnostics, so that every stage can name the lints it
//! reports (`no-path` while routing, `unbound-peer` while expanding, the rest in `checks/`) and
//! resolution can check `lint NAME = level` and `@allow(NAME, "reason")` against it.
//!
//! A lint's explanation (`flowc explain NAME`) is the doc comment on its `explain_lints!`
//! entry in the module that reports it; `explanations.rs` holds the two together (a test checks that
//! every lint here has exactly one explanation). Adding a lint is a line here and a check module
//! under `checks/` (listed once in `checks/mod.rs`).

use crate::diagnostic::Severity;

/// One lint of the table.
#[derive(Clone, Copy, Debug)]
pub struct Lint {
    pub name: &'static str,
    /// How it is reported unless the site sets a level (`lint NAME = error|warn|allow`).
    pub severity: Severity,
    /// The options `lint NAME.OPTION = N` accepts.
    pub options: &'static [&'static str],
}

macro_rules! lint_table {
    ($( $constant:ident = $name:literal, $severity:ident $(, [$($option:literal),*])?; )*) => {
        $( pub const $constant: &str = $name; )*
        /// Every lint, in the order `flowc explain` lists them.
        pub static LINTS: &[Lint] = &[
            $( Lint { name: $name, severity: Severity::$severity, options: &[$($($option),*)?] } ),*
        ];
    };
}

lint_table! {
    NO_PATH = "no-path", Error;
    UNBOUND_PEER = "unbound-peer", Error;
    FAMILY_MISMATCH = "family-mismatch", Error;
    SHADOWED = "shadowed", Warning;
    PARTLY_SHADOWED = "partly-shadowed", Warning;
    GENERALIZATION = "generalization", Note;
    REDUNDANT = "redundant", Warning;
    BROAD_RANGE = "broad-range", Warning, ["max"];
    ANY_SOURCE = "any-source", Warning;
    INSECURE_SERVICE = "insecure-service", Warning;
    PORT_COLLISION = "port-collision", Warning;
    BMC_PORT_CONFLICT = "bmc-port-conflict", Warning;
    INEFFECTIVE_ARGUMENT = "ineffective-argument", Warning;
    UNMET_REQUIREMENT = "unmet-requirement", Error;
    DUPLICATE_ADDRESS = "duplicate-address", Warning;
    UNUSED = "unused", Warning;
    EXPECT_FAILED = "expect-failed", Error;
}

/// A lint by name.
pub fn lint(name: &str) -> Option<&'static Lint> {
    LINTS.iter().find(|lint| lint.name == name)
}

/// Whether a code is a lint's name.
pub fn is_lint(name: &str) -> bool {
    lint(name).is_some()
}

/// The severity a lint is reported with unless the site sets a level.
pub fn default_severity(name: &str) -> Option<Severity> {
    lint(name).map(|lint| lint.severity)
}

/// The options a lint accepts in `lint NAME.OPTION = N`.
pub fn options(name: &str) -> &'static [&'static str] {
    lint(name).map_or(&[], |lint| lint.options)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    LINTS.iter().map(|lint| lint.name)
}
