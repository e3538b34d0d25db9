//! Command-line interface of `ws-tool`.
// The policy's rules the compiler and clippy check (gate 2), each with the policy's reason in the
// message. Cargo.toml's [lints] sets the same levels for every target (tests, benches), but
// cannot carry a reason (rust-lang/cargo#14521): until it can, four levels are set in both.
#![forbid(
    unsafe_code,
    reason = "policy: no `unsafe` without approval: a documented rationale, two reviewers, and this attribute and Cargo.toml's unsafe_code lint relaxed in the same reviewed change"
)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "policy: no unwrap() in production code; return the error instead (tests may: clippy.toml)"
)]
#![deny(
    clippy::let_underscore_must_use,
    clippy::map_err_ignore,
    clippy::unused_result_ok,
    reason = "policy: no silent errors; return the error, or log it with tracing where it is handled"
)]

use std::fmt::Display;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use ws_tool::document::{load_jsonl, tokenize};

// No doc comment on purpose: clap then takes `about` from Cargo.toml's description.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace); `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    verbose: u8,
    /// Less log output on stderr (-q errors only, -qq nothing).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    quiet: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the tokens of a text, one per line.
    Tokenize {
        /// The text to split.
        text: String,
    },
    /// Load a JSON-lines file of documents and print how many it holds.
    Count {
        /// File with one `{"id": …, "text": …}` object per line.
        path: PathBuf,
    },
}

/// Installs the global tracing subscriber: compact lines on stderr, filtered by `RUST_LOG` when
/// it is set, else at `default_level`.
fn init_logging(default_level: LevelFilter) -> anyhow::Result<()> {
    let filter = EnvFilter::builder()
        .with_default_directive(default_level.into())
        .from_env()
        .context("invalid RUST_LOG filter")?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .compact()
        .try_init()
        .map_err(|error| anyhow::anyhow!("cannot install the log subscriber: {error}"))
}

/// Maps `-v`/`-q` counts to the default log level (warnings when neither is given).
fn log_level(verbose: u8, quiet: u8) -> LevelFilter {
    match (verbose, quiet) {
        (0, 0) => LevelFilter::WARN,
        (0, 1) => LevelFilter::ERROR,
        (0, _) => LevelFilter::OFF,
        (1, _) => LevelFilter::INFO,
        (2, _) => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Writes each item on its own line to stdout (buffered). A reader that closed the pipe early
/// (`| head -1`) wants no more output: that ends the command quietly, as in ripgrep.
///
/// # Errors
///
/// When stdout cannot be written for another reason (e.g. a full disk).
fn print_lines<T: Display>(lines: impl IntoIterator<Item = T>) -> anyhow::Result<()> {
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = lines
        .into_iter()
        .try_for_each(|line| writeln!(stdout, "{line}"))
        .and_then(|()| stdout.flush());
    match written {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        written => written.context("cannot write to stdout"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Tokenize { text } => print_lines(tokenize(&text)),
        Command::Count { path } => {
            let documents = load_jsonl(&path).await.context("cannot load the documents")?;
            print_lines([documents.len()])
        }
    }
}

#[allow(
    clippy::disallowed_macros,
    reason = "the binary's entry point: the last error line goes to stderr"
)]
// One command, one file read at most: a current-thread runtime, no worker threads to start.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = init_logging(log_level(cli.verbose, cli.quiet)) {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::debug!(error = ?error, "command failed");
            // One line: the whole cause chain, joined by ": ".
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
