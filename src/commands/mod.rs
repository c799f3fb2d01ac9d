//! One module per subcommand.

pub mod check;
pub mod doc;
pub mod emit;
pub mod explain;
pub mod fmt;
pub mod query;
