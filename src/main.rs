//! The `flowc` command line: parses arguments and hands each subcommand to its module.
//!
//! It lives in the root package so that it can depend on both `flowc-compiler` and `flowc-lsp`
//! without either depending on the other (see ARCHITECTURE.md).

mod atomic_file;
mod commands;
mod files;
mod output;
mod output_directory;
mod parallel;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// The syntax tree and the flow model are many small allocations; mimalloc serves them about
/// twice as fast as glibc's allocator (BENCHMARKS.md, lex+parse).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Check a site, then print or write the rulesets of one backend (`--target`).
    Emit(EmitArguments),
    /// Is this traffic allowed, by which items, through which firewalls?
    Query(QueryArguments),
    /// Run the language server on standard input and output.
    Lsp(LspArguments),
    /// Print the reference of a standard-library module (all modules without a name).
    Doc {
        /// A module: net, nim, xcat, hmc, itm or ipmi.
        module: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
struct LspArguments {
    /// Talk LSP over standard input and output. This is the only transport, so the flag
    /// changes nothing; language clients (`vscode-languageclient` among them) pass it by
    /// convention, and it must not stop the server from starting.
    #[arg(long)]
    stdio: bool,
}

#[derive(clap::Args, Debug)]
struct QueryArguments {
    /// Source: a host, group, zone, role or firewall name, `any`, or an address.
    source: String,
    /// Destination, in the same forms.
    destination: String,
    /// What traffic: `tcp 1058`, `udp 623`, `tcp 3901 from 1023`, `icmp echo-request`, a service.
    port_spec: String,
    /// The site: files or directories.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = QueryFormat::Human)]
    format: QueryFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum QueryFormat {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
struct EmitArguments {
    /// The backend: nftables, iptables, ip6tables, aix, firewalld, matrix-csv, matrix-md, dot.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
        flowc_compiler::emit::backends().iter().map(|backend| backend.name())))]
    target: String,
    /// The firewall, host or group to emit for; without -o its ruleset goes to standard output.
    #[arg(long = "for", value_name = "NAME")]
    for_name: Option<String>,
    /// With -o, write only the rulesets of firewalls, or only those of hosts and groups
    /// (per-target backends; default: both).
    #[arg(long, value_enum, conflicts_with = "for_name")]
    only: Option<commands::emit::TargetKind>,
    /// Write one file per target (or one for the site) into this directory, atomically.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: Option<PathBuf>,
    /// Files or directories; every .flow file in a directory and below is one site.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
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
    Flows,
    Graph,
}

/// Exit statuses shared by every subcommand.
pub mod status {
    pub const CLEAN: u8 = 0;
    pub const PROBLEMS: u8 = 1;
    pub const USAGE: u8 = 2;
}

/// Hands a site's checked model to the end of the process instead of dropping it: the command
/// is about to exit, and the OS takes the memory back at once, where dropping would free the
/// syntax trees, flows and indexes of a large site one allocation at a time (about 4 % of a
/// `flowc check` run). Only for one-shot commands; the language server drops as usual.
pub fn release_at_exit<T>(value: T) {
    std::mem::forget(value);
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
        Command::Doc { module } => commands::doc::run(module.as_deref()),
        Command::Lsp(_) => match flowc_lsp::run_stdio() {
            Ok(()) => status::CLEAN,
            Err(error) => {
                eprintln!("error: the language server could not start: {error}");
                status::USAGE
            }
        },
        Command::Query(arguments) => commands::query::run(
            &arguments.source,
            &arguments.destination,
            &arguments.port_spec,
            &arguments.paths,
            arguments.format,
        ),
        Command::Emit(arguments) => commands::emit::run(
            &arguments.target,
            arguments.for_name.as_deref(),
            arguments.only,
            arguments.output.as_deref(),
            &arguments.paths,
        ),
    };
    ExitCode::from(code)
}
