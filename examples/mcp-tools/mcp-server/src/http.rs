//! The streamable HTTP transport (cargo feature `http`): `--http ADDR` serves MCP at [`PATH`].
//!
//! Stateless: each request is answered on its own by a clone of the one server (the tools share
//! its state), with a plain JSON response. The protocol's current version (2026-07-28) has no
//! sessions, and a server of tools needs none for the older ones either: any replica can answer
//! any request.
//!
//! Who may call: the `Host` header must name a loopback host or one of `--allow-host` (so a web
//! page reached through DNS rebinding cannot), and a request that carries an `Origin` (a web
//! page's) must come from the server's own loopback origin or one of `--allow-origin`; rmcp
//! answers any other with 403. On ctrl-c or SIGTERM the server stops accepting connections and
//! waits up to [`DRAIN`] for the calls in flight.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::server::McpServer;

/// The path MCP is served at.
pub(crate) const PATH: &str = "/mcp";
/// How long shutdown waits for the calls in flight before it drops them.
const DRAIN: Duration = Duration::from_secs(10);
/// The `Host` names always accepted, on any port.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Who may call the server besides a client on this machine: `--allow-host`, `--allow-origin`.
#[derive(Debug)]
pub(crate) struct Access {
    /// More accepted `Host` header values: a name, or `name:port`.
    pub(crate) hosts: Vec<String>,
    /// More accepted `Origin` header values, e.g. `https://app.example.com`.
    pub(crate) origins: Vec<String>,
}

/// Parses `--http`'s value: `PORT` (on 127.0.0.1) or `IP:PORT`.
///
/// # Errors
///
/// The message clap shows when the value is neither.
pub(crate) fn parse_addr(value: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = value.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    value
        .parse()
        .map_err(|error| format!("{error}: expected PORT or IP:PORT, e.g. 8080 or 127.0.0.1:8080"))
}

/// Serves `server` over streamable HTTP at `addr` until `shutdown` resolves, then waits up to
/// [`DRAIN`] for the calls in flight.
///
/// # Errors
///
/// When `addr` cannot be bound, or the HTTP server fails.
pub(crate) async fn serve(
    server: McpServer,
    addr: SocketAddr,
    access: Access,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("cannot read the bound address")?;
    if !bound.ip().is_loopback() && access.hosts.is_empty() {
        tracing::warn!(%bound, "listening beyond loopback without --allow-host: only requests naming a loopback host are served");
    }
    let own_origins = LOOPBACK_HOSTS.map(|host| match host {
        "::1" => format!("http://[::1]:{}", bound.port()),
        host => format!("http://{host}:{}", bound.port()),
    });
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_allowed_hosts(LOOPBACK_HOSTS.into_iter().map(String::from).chain(access.hosts))
        .with_allowed_origins(own_origins.into_iter().chain(access.origins))
        .enforce_origin_validation();
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let router = axum::Router::new().route_service(PATH, service);

    // Listen for the signals before saying the server is ready (the first poll installs the
    // handlers): a SIGTERM sent as soon as the URL is logged must stop it gracefully, not kill it.
    let mut shutdown = Box::pin(shutdown);
    tokio::select! {
        biased;
        () = &mut shutdown => return Ok(()),
        () = std::future::ready(()) => {}
    }
    tracing::info!("serving MCP over streamable HTTP at http://{bound}{PATH}");

    let signalled = Arc::new(tokio::sync::Notify::new());
    let notify = Arc::clone(&signalled);
    let graceful = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown.await;
        notify.notify_one();
    });
    tokio::select! {
        outcome = graceful => outcome.context("the HTTP server failed")?,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(DRAIN).await;
        } => tracing::warn!("calls still in flight after {DRAIN:?}: stopping without them"),
    }
    tracing::info!("HTTP server stopped");
    Ok(())
}
