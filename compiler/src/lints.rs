//! The lint table: stable names, default levels and options. Each lint's explanation lives
//! with its check in `checks/`; `lint NAME = level` and `@allow(NAME, "reason")` are resolved
//! against this table.

pub use crate::checks::any_source::ANY_SOURCE;
pub use crate::checks::bmc_port_conflict::BMC_PORT_CONFLICT;
pub use crate::checks::broad_range::BROAD_RANGE;
pub use crate::checks::expect_failed::EXPECT_FAILED;
pub use crate::checks::insecure_service::INSECURE_SERVICE;
pub use crate::checks::no_path::NO_PATH;
pub use crate::checks::port_collision::PORT_COLLISION;
pub use crate::checks::redundant::REDUNDANT;
pub use crate::checks::shadowed::SHADOWED;
pub use crate::checks::unbound_peer::UNBOUND_PEER;
pub use crate::checks::unused::UNUSED;
use crate::syntax::ast::LintLevel;

/// The default level of each lint, as the language brief gives it.
pub fn default_level(name: &str) -> Option<LintLevel> {
    match name {
        NO_PATH | UNBOUND_PEER | EXPECT_FAILED => Some(LintLevel::Error),
        SHADOWED | REDUNDANT | BROAD_RANGE | ANY_SOURCE | INSECURE_SERVICE | PORT_COLLISION
        | BMC_PORT_CONFLICT | UNUSED => Some(LintLevel::Warn),
        _ => None,
    }
}

/// The options a lint accepts in `lint NAME.OPTION = N`.
pub fn options(name: &str) -> &'static [&'static str] {
    match name {
        BROAD_RANGE => &["max"],
        _ => &[],
    }
}

pub fn names() -> impl Iterator<Item = &'static str> {
    crate::checks::lint_codes()
        .into_iter()
        .map(|info| info.code)
}
