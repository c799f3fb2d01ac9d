//! flowc's language server: the only crate that knows LSP, tokio and JSON-RPC.
//!
//! The compiler hands over plain [`flowc_compiler::Diagnostic`]s; [`convert`] turns them into
//! protocol values in one place.

pub mod convert;
