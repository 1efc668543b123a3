//! `mg-graph-emulator`: a Microsoft Graph stand-in on 127.0.0.1 for the provisionOnDemand action.
//!
//! It prints its base URL as the first line of standard output, logs one line per request to
//! standard error, and stops cleanly (exit code 0) on SIGINT or SIGTERM. See README.md beside
//! this file for tokens, the control API and the fixture format.

mod auth;
mod clock;
mod control;
mod fixture;
mod graph_error;
mod results;
mod routes;
mod state;

use std::convert::Infallible;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use hyper::server::conn::AddrStream;
use hyper::service::{make_service_fn, service_fn};
use hyper::Server;

use crate::fixture::Tenant;
use crate::state::Emulator;

/// How long open connections get to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "mg-graph-emulator",
    version,
    about = "A Microsoft Graph stand-in on 127.0.0.1 for provisioning on demand.",
    long_about = "A Microsoft Graph stand-in on 127.0.0.1 for provisioning on demand. \
                  Prints its base URL as the first line of standard output, logs one line per request \
                  to standard error, and stops on SIGINT or SIGTERM."
)]
struct Args {
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Serve the control API under /_emulator/ (request log and reset).
    #[arg(long)]
    control: bool,

    /// A fixture file to use instead of the built-in tenant (same JSON format).
    #[arg(long, value_name = "PATH")]
    fixture: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mg-graph-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let tenant = match &args.fixture {
        None => Tenant::builtin()?,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                format!("cannot read the fixture '{}': {error}", path.display())
            })?;
            Tenant::from_json(&text)?
        }
    };
    eprintln!(
        "mg-graph-emulator: tenant {} with {} applications{}",
        tenant.tenant_id,
        tenant.applications.len(),
        if args.control { ", control API on" } else { "" }
    );
    let emulator = Arc::new(Emulator::new(tenant, args.control));

    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, args.port))
        .map_err(|error| format!("cannot listen on 127.0.0.1:{}: {error}", args.port))?;
    listener
        .set_nonblocking(true)
        .map_err(|error| format!("cannot set up the listening socket: {error}"))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    let result = runtime.block_on(serve(listener, emulator, address.port()));
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// Serves until a stop signal arrives, then gives open connections a short grace period.
async fn serve(listener: TcpListener, emulator: Arc<Emulator>, port: u16) -> Result<(), String> {
    let builder = Server::from_tcp(listener)
        .map_err(|error| format!("cannot serve on the socket: {error}"))?;
    let make_service = make_service_fn(move |_connection: &AddrStream| {
        let emulator = emulator.clone();
        async move {
            Ok::<_, Infallible>(service_fn(move |request| {
                routes::handle(emulator.clone(), request)
            }))
        }
    });

    let (stop_sender, stop_receiver) = tokio::sync::watch::channel(false);
    let server = builder
        .http1_header_read_timeout(HEADER_READ_TIMEOUT)
        .serve(make_service)
        .with_graceful_shutdown({
            let mut stop = stop_receiver.clone();
            async move {
                let _ = stop.changed().await;
            }
        });

    let signals = StopSignals::install();
    announce(port);

    tokio::spawn(async move {
        let signal = signals.wait().await;
        eprintln!("mg-graph-emulator: {signal} received, stopping");
        let _ = stop_sender.send(true);
    });

    let mut stop = stop_receiver;
    tokio::select! {
        result = server => result.map_err(|error| format!("the server stopped: {error}")),
        _ = async move {
            let _ = stop.changed().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            eprintln!("mg-graph-emulator: connections still open after the grace period were closed");
            Ok(())
        }
    }
}

/// Prints the base URL as the first line of standard output.
fn announce(port: u16) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "http://127.0.0.1:{port}");
    let _ = out.flush();
    eprintln!("mg-graph-emulator: listening on http://127.0.0.1:{port}");
}

/// The stop signals, installed before the URL is printed so that none is missed.
struct StopSignals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    /// Installs the handlers for SIGTERM and SIGINT (Ctrl+C elsewhere).
    fn install() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let streams = match (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) {
                (Ok(terminate), Ok(interrupt)) => Some((terminate, interrupt)),
                _ => None,
            };
            StopSignals { streams }
        }
        #[cfg(not(unix))]
        {
            StopSignals {}
        }
    }

    /// Waits for a stop signal and names the one that came.
    async fn wait(self) -> &'static str {
        #[cfg(unix)]
        if let Some((mut terminate, mut interrupt)) = self.streams {
            return tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
        }
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl+C"
    }
}
