//! MCP server binary of `mcp-tools`: speaks MCP (JSON-RPC) over stdin/stdout, or, built
//! with the `http` feature, over streamable HTTP (`--http ADDR`: the `http` module).
//!
//! stdout carries only the protocol; logs go to stderr. Over stdio the server stops cleanly when
//! stdin closes (the client went away); over either transport, on ctrl-c or SIGTERM.
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

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;
use rmcp::transport::stdio;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use crate::server::McpServer;

#[cfg(feature = "http")]
mod http;
mod server;

/// How long shutdown waits for the blocking stdin reader: tokio cannot cancel a read of
/// stdin, so after a signal the runtime must not wait for it.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

// No doc comment on purpose: clap then takes `about` from Cargo.toml's description.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Serve MCP over streamable HTTP at ADDR instead of stdio: a port alone (8080) binds
    /// 127.0.0.1, or IP:PORT.
    #[cfg(feature = "http")]
    #[arg(long, value_name = "ADDR", value_parser = http::parse_addr)]
    http: Option<std::net::SocketAddr>,
    /// With --http: accept this Host header too (repeatable), e.g. mcp.example.com or
    /// mcp.example.com:8080; loopback names always pass. Needed to serve beyond loopback.
    #[cfg(feature = "http")]
    #[arg(long = "allow-host", value_name = "HOST", requires = "http")]
    allow_hosts: Vec<String>,
    /// With --http: accept requests from web pages of ORIGIN, spelt as browsers send it in the
    /// Origin header (repeatable); a request from any other origin gets 403.
    #[cfg(feature = "http")]
    #[arg(long = "allow-origin", value_name = "ORIGIN", requires = "http")]
    allow_origins: Vec<String>,
    /// Log level on stderr: off, error, warn, info, debug or trace; `RUST_LOG` overrides.
    #[arg(long, default_value_t = LevelFilter::INFO)]
    log_level: LevelFilter,
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

/// Resolves on ctrl-c or (on Unix) SIGTERM; never, if neither can be listened for.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}

/// Serves `server` over stdio until the client leaves, or ctrl-c or SIGTERM.
async fn serve_stdio(server: McpServer) -> anyhow::Result<()> {
    // One listener for the server's whole life: a second one, made after the handshake, would
    // miss a SIGTERM arriving in between, and with tokio's handler installed the process would
    // then never stop.
    let mut shutdown = std::pin::pin!(shutdown_signal());
    let running = tokio::select! {
        // The listener first: its first poll installs the signal handlers, and the first poll of
        // `serve` can already answer `initialize`, after which a SIGTERM must not kill the process.
        biased;
        () = &mut shutdown => return Ok(()),
        running = server.serve(stdio()) => match running {
            Ok(running) => running,
            Err(ServerInitializeError::ConnectionClosed(_)) => {
                tracing::info!("stdin closed before the client initialized");
                return Ok(());
            }
            Err(error) => return Err(error).context("MCP initialization failed"),
        },
    };
    tracing::info!("MCP client initialized; serving tools over stdio");
    let session = running.cancellation_token();
    tokio::select! {
        quit = running.waiting() => {
            let reason = quit.context("the MCP session task failed")?;
            tracing::info!(?reason, "MCP session ended");
        }
        () = &mut shutdown => session.cancel(),
    }
    Ok(())
}

#[allow(
    clippy::disallowed_macros,
    reason = "the binary's entry point: the last error line goes to stderr (stdout is the MCP protocol)"
)]
fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = init_logging(cli.log_level) {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    #[cfg(feature = "http")]
    let over_http = cli.http.map(|addr| {
        let access = http::Access { hosts: cli.allow_hosts, origins: cli.allow_origins };
        (addr, access)
    });
    let outcome = runtime.block_on(async {
        let server = McpServer::new().context("cannot start the MCP server")?;
        #[cfg(feature = "http")]
        if let Some((addr, access)) = over_http {
            return http::serve(server, addr, access, shutdown_signal()).await;
        }
        serve_stdio(server).await
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Logged once: one line with the whole cause chain on stderr (stdout is the protocol),
            // whatever the log level; the structured form only at debug level.
            tracing::debug!(error = ?error, "MCP server failed");
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
