//! `mg-graph-emulator`: a Microsoft Graph stand-in on 127.0.0.1 for the provisionOnDemand action.
//!
//! It prints its base URL as the first line of standard output, logs one line per request to
//! standard error, and stops cleanly (exit code 0) on SIGINT or SIGTERM. See README.md beside
//! this file for tokens, the control API and the fixture format.

mod auth;
mod certificate;
mod clock;
mod control;
mod faults;
mod fixture;
mod graph_error;
mod jobs;
mod results;
mod routes;
mod state;
mod throttle;
mod token_service;
mod tokens;

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
use crate::state::{Emulator, Settings};
use crate::throttle::ThrottleLimit;
use crate::tokens::SigningKey;

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

    /// Serve the control API under /_emulator/ (request log, reset, tokens, clients, faults).
    #[arg(long)]
    control: bool,

    /// A fixture file to use instead of the built-in tenant (same JSON format).
    #[arg(long, value_name = "PATH")]
    fixture: Option<PathBuf>,

    /// Lifetime in seconds of the tokens the token endpoints issue.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    token_lifetime: u64,

    /// The secret /msi/token requests must send as X-IDENTITY-HEADER; random when not given
    /// (GET /_emulator/identity shows it).
    #[arg(long, value_name = "SECRET")]
    identity_header: Option<String>,

    /// The provisionOnDemand limit per application: N/SECONDS (such as 5/10, Graph's limit), or off.
    #[arg(long, value_name = "N/SECONDS|off", default_value = "5/10",
          value_parser = parse_throttle)]
    throttle: ThrottleSetting,

    /// Let Graph routes take unsigned (alg none) tokens, still checking exp, nbf, aud and permissions.
    #[arg(long)]
    accept_unsigned_tokens: bool,
}

/// The `--throttle` value: a limit, or None for off. A newtype, because clap reads a bare
/// `Option` field as an optional argument.
#[derive(Debug, Clone, Copy)]
struct ThrottleSetting(Option<ThrottleLimit>);

fn parse_throttle(text: &str) -> Result<ThrottleSetting, String> {
    throttle::parse_limit(text).map(ThrottleSetting)
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
            Tenant::from_json(&text).map_err(|problem| {
                format!("the fixture '{}' is invalid: {problem}", path.display())
            })?
        }
    };
    if let Some(secret) = &args.identity_header {
        if secret.trim().is_empty() || hyper::header::HeaderValue::from_str(secret).is_err() {
            return Err("invalid --identity-header value: give a non-empty secret that is a valid header value".to_string());
        }
    }

    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, args.port))
        .map_err(|error| format!("cannot listen on 127.0.0.1:{}: {error}", args.port))?;
    listener
        .set_nonblocking(true)
        .map_err(|error| format!("cannot set up the listening socket: {error}"))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the listening address: {error}"))?;

    let signing_key = SigningKey::generate()?;
    let identity_header = match args.identity_header {
        Some(secret) => secret,
        None => random_secret()?,
    };
    let settings = Settings {
        base_url: format!("http://127.0.0.1:{}", address.port()),
        localhost_url: format!("http://localhost:{}", address.port()),
        control_enabled: args.control,
        accept_unsigned_tokens: args.accept_unsigned_tokens,
        token_lifetime: Duration::from_secs(args.token_lifetime),
        identity_header,
        throttle: args.throttle.0,
    };
    eprintln!(
        "mg-graph-emulator: tenant {} with {} applications; throttle {}; control API {}; unsigned tokens {}",
        tenant.tenant_id,
        tenant.applications.len(),
        match settings.throttle {
            Some(limit) if limit == throttle::GRAPH_LIMIT => "5 calls per 10 s, as Graph".to_string(),
            Some(limit) => format!("{} calls per {} s", limit.calls, limit.window.as_secs_f64()),
            None => "off".to_string(),
        },
        if settings.control_enabled { "on" } else { "off" },
        if settings.accept_unsigned_tokens { "accepted" } else { "rejected" },
    );
    let emulator = Arc::new(Emulator::new(tenant, settings, signing_key));

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

/// 32 random bytes as hex, for the managed identity secret.
fn random_secret() -> Result<String, String> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the system random number generator failed".to_string())?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
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
