//! Tracing set-up: one call at the start of a binary (or a test) routes logs to stderr.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

use crate::{Error, Result};

/// Installs the global tracing subscriber: compact lines on stderr, filtered by `RUST_LOG` when
/// it is set, else at `default_level`.
///
/// stderr keeps stdout free for a program's real output.
///
/// # Errors
///
/// [`Error::LogFilter`] when `RUST_LOG` does not parse, [`Error::Telemetry`] when a global
/// subscriber is already installed.
pub fn init(default_level: LevelFilter) -> Result<()> {
    let filter = EnvFilter::builder().with_default_directive(default_level.into()).from_env()?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .compact()
        .try_init()
        .map_err(Error::Telemetry)
}
