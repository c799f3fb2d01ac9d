//! The `flowc` command line: parses arguments and hands each subcommand to its module.
//!
//! It lives in the root package so that it can depend on both `flowc-compiler` and `flowc-lsp`
//! without either depending on the other (see ARCHITECTURE.md).

mod commands;
mod files;
mod output;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Firewall policy compiler for IBM Power / AIX / HPC estates.
#[derive(Parser, Debug)]
#[command(name = "flowc", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse, resolve and check a site; report every problem.
    Check(CheckArguments),
    /// Rewrite .flow files in the canonical layout.
    Fmt(FmtArguments),
    /// Print the long explanation of a diagnostic code or lint; with no code, list them all.
    Explain {
        /// A code such as E0102, or a lint name such as shadowed.
        code: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
struct CheckArguments {
    /// Files or directories; every .flow file in a directory and below is one site.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    format: ReportFormat,
    /// Treat warnings as errors for the exit status (`--deny warnings`).
    #[arg(long, value_name = "warnings")]
    deny: Option<DenyWhat>,
    /// Print an intermediate stage of the pipeline instead of diagnostics.
    #[arg(long, value_enum)]
    dump: Option<DumpStage>,
}

#[derive(clap::Args, Debug)]
struct FmtArguments {
    /// Files or directories to format.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Write nothing; list files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    check: bool,
    /// Read one file from standard input and write it formatted to standard output.
    #[arg(long, conflicts_with = "check")]
    stdin: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Human,
    Short,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum DenyWhat {
    Warnings,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum DumpStage {
    Tokens,
    Ast,
}

/// Exit statuses shared by every subcommand.
pub mod status {
    pub const CLEAN: u8 = 0;
    pub const PROBLEMS: u8 = 1;
    pub const USAGE: u8 = 2;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(arguments) => commands::check::run(
            &arguments.paths,
            arguments.format,
            arguments.deny.is_some(),
            arguments.dump,
        ),
        Command::Fmt(arguments) => {
            if arguments.stdin {
                commands::fmt::run_stdin()
            } else {
                commands::fmt::run(&arguments.paths, arguments.check)
            }
        }
        Command::Explain { code } => commands::explain::run(code.as_deref()),
    };
    ExitCode::from(code)
}
