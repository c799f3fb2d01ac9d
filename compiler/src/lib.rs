//! flowc's compiler: `.flow` source in, checked model and diagnostics out, with no IO of its own.
//!
//! The pipeline is staged, with plain data between stages: source → tokens ([`syntax::lexer`]) →
//! syntax tree ([`syntax::parser`]) → resolved names ([`resolve`], gathered by [`analysis`]) →
//! lowered site ([`lower`]) → flows ([`expand`]) → routes ([`topology`]) → checked model
//! ([`checks`], driven by [`pipeline`]) → backend output ([`emit`]). Every stage reports through
//! the one [`Diagnostic`] type. This file only says what the crate offers; see
//! `ARCHITECTURE.md` for the whole map.

pub mod analysis;
pub mod answer;
pub mod checks;
pub mod codes;
pub mod coverage;
pub mod diagnostic;
pub mod doc;
pub mod emit;
pub mod escape;
pub mod expand;
pub mod explanations;
pub mod format;
pub mod lints;
pub mod lower;
pub mod model;
mod parallel;
pub mod pipeline;
pub mod query;
pub mod report;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod topology;

pub use analysis::{analyze, analyze_cached, Analysis, AnalyzedFile, ParseCache};
pub use answer::{ask, QUERY_FILE};
pub use diagnostic::{Diagnostic, Severity};
pub use pipeline::{check, check_cached, Checked};
pub use source::{FileId, MemoryWorld, SourceMap, Span, World};
