//! The HTTP side: one lazily built runtime and one pooled client per process, the sign-in
//! context, and calls that run in the background and can be waited on or cancelled.

use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use once_cell::sync::OnceCell;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::auth::{CredentialOptions, TokenSource};
use crate::outcome::{self, Outcome};
use crate::pacing;
use crate::request::{Mode, PreparedRequest, ProvidedAnswer, ProxySettings, RequestEnvelope, ResolvedRequest};
use crate::retry;
use crate::response::HttpAnswer;
use crate::status::{Error, MgStatus, Result};

/// The largest number of redirects followed for one call.
const MAX_REDIRECTS: usize = 5;

/// How long a connection attempt may take before the call fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

static RUNTIME: OnceCell<Runtime> = OnceCell::new();
static CLIENTS: once_cell::sync::Lazy<Mutex<HashMap<String, reqwest::Client>>> =
    once_cell::sync::Lazy::new(|| Mutex::new(HashMap::new()));

/// Returns the process-wide runtime, building it on first use.
fn runtime() -> Result<&'static Runtime> {
    RUNTIME.get_or_try_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mg-provisioning")
            .enable_all()
            .build()
            .map_err(|error| Error::new(MgStatus::Internal, format!("The HTTP runtime failed to start: {error}.")))
    })
}

/// The proxy environment variables, in the order they are looked up.
const PROXY_VARIABLES: &[&str] = &["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];

/// Returns the HTTP client for a proxy setting, building it on first use: one pooled client per
/// process for each distinct proxy (none, the environment's, or one given with -Proxy).
/// Certificates are always verified against the operating system's trust store.
fn client_for(proxy: Option<&ProxySettings>) -> Result<reqwest::Client> {
    let environment: Vec<(&str, String)> = PROXY_VARIABLES
        .iter()
        .filter_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()).map(|value| (*name, value)))
        .collect();
    let key = match proxy {
        Some(proxy) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&proxy.password, &mut hasher);
            format!("explicit|{:?}|{:?}|{}", proxy.uri, proxy.username, std::hash::Hasher::finish(&hasher))
        }
        None if environment.iter().any(|(name, _)| !name.eq_ignore_ascii_case("NO_PROXY")) => format!("environment|{environment:?}"),
        None => "direct".to_string(),
    };
    let mut clients = CLIENTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(client) = clients.get(&key) {
        return Ok(client.clone());
    }

    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(redirect_policy())
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true);
    builder = match (proxy, key.as_str()) {
        (Some(settings), _) => {
            let uri = settings.uri.as_deref().unwrap_or_default();
            let mut explicit = reqwest::Proxy::all(uri)
                .map_err(|error| Error::at(MgStatus::InvalidInput, "Proxy", format!("The proxy '{uri}' cannot be used: {error}.")))?;
            if let Some(username) = settings.username.as_deref() {
                explicit = explicit.basic_auth(username, settings.password.as_deref().unwrap_or_default());
            }
            builder.no_proxy().proxy(explicit)
        }
        // reqwest reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY itself when no proxy is set.
        (None, "direct") => builder.no_proxy(),
        (None, _) => builder,
    };
    let client = builder
        .build()
        .map_err(|error| Error::new(MgStatus::Internal, format!("The HTTP client failed to start: {error}.")))?;
    clients.insert(key, client.clone());
    Ok(client)
}

fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        let downgrade = attempt.previous().iter().any(|url| url.scheme() == "https") && attempt.url().scheme() == "http";
        if downgrade {
            return attempt.error("a redirect from https to http was rejected");
        }
        if attempt.url().scheme() == "http" && !is_loopback(attempt.url()) {
            let host = attempt.url().host_str().unwrap_or_default().to_string();
            return attempt.error(format!(
                "a redirect to plain http on '{host}' was rejected; plain http is allowed to loopback hosts only"
            ));
        }
        attempt.follow()
    })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
        Some(url::Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
        None => false,
    }
}

/// A signed-in session: the Graph endpoint, the access token and the User-Agent to send.
///
/// The token is zeroed in memory when the context is dropped.
pub struct Context {
    endpoint: String,
    host: String,
    tokens: TokenSource,
    user_agent: String,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("endpoint", &self.endpoint).field("token", &"<redacted>").finish()
    }
}

impl Context {
    /// Checks the endpoint and the token and creates a context.
    ///
    /// # Errors
    /// `InvalidEndpoint` for a URL that is not absolute http(s) or carries a query or fragment.
    /// `InsecureEndpoint` for plain http to a host that is not loopback. `InvalidToken` for an
    /// empty token or one with characters that a header cannot carry.
    pub fn new(graph_endpoint: &str, access_token: &str, user_agent: &str) -> Result<Self> {
        if access_token.is_empty() || access_token.bytes().any(|byte| byte < 0x20 || byte == 0x7f) {
            return Err(Error::at(
                MgStatus::InvalidToken,
                "AccessToken",
                "The access token is empty or contains control characters; pass the token text only.",
            ));
        }
        Self::with_tokens(graph_endpoint, TokenSource::fixed(access_token), user_agent)
    }

    /// Creates a context that requests its own tokens with a credential; no request is sent yet.
    /// `secret` is the client secret, the certificate's PKCS#8 private key, or IDENTITY_HEADER.
    ///
    /// # Errors
    /// The endpoint errors of [`Context::new`], `InvalidCredential` for unusable options or secret.
    pub fn with_credential(graph_endpoint: &str, options: &CredentialOptions, secret: Zeroizing<Vec<u8>>, user_agent: &str) -> Result<Self> {
        let tokens = TokenSource::from_options(options, secret, graph_endpoint.trim().trim_end_matches('/'))?;
        Self::with_tokens(graph_endpoint, tokens, user_agent)
    }

    fn with_tokens(graph_endpoint: &str, tokens: TokenSource, user_agent: &str) -> Result<Self> {
        let trimmed = graph_endpoint.trim().trim_end_matches('/');
        let url = Url::parse(trimmed).map_err(|error| {
            Error::at(
                MgStatus::InvalidEndpoint,
                "GraphEndpoint",
                format!("The Graph endpoint '{graph_endpoint}' is not an absolute URL ({error}); use a form like https://graph.microsoft.com."),
            )
        })?;
        if url.query().is_some() || url.fragment().is_some() || url.host_str().is_none() {
            return Err(Error::at(
                MgStatus::InvalidEndpoint,
                "GraphEndpoint",
                format!("The Graph endpoint '{graph_endpoint}' must be a scheme and a host, without a query or fragment."),
            ));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::at(
                    MgStatus::InsecureEndpoint,
                    "GraphEndpoint",
                    format!("The Graph endpoint '{graph_endpoint}' uses plain http; use https, as plain http is allowed to loopback hosts only."),
                ))
            }
            other => {
                return Err(Error::at(
                    MgStatus::InvalidEndpoint,
                    "GraphEndpoint",
                    format!("The Graph endpoint '{graph_endpoint}' has the scheme '{other}'; use https."),
                ))
            }
        }
        if HeaderValue::from_str(user_agent).is_err() {
            return Err(Error::at(MgStatus::InvalidInput, "UserAgent", "The User-Agent contains characters a header cannot carry."));
        }

        Ok(Context {
            endpoint: trimmed.to_string(),
            host: url.host_str().unwrap_or_default().to_string(),
            tokens,
            user_agent: user_agent.to_string(),
        })
    }

    /// Returns the Graph endpoint without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn headers(&self, request: &ResolvedRequest, client_request_id: &str) -> Result<HeaderMap> {
        let mut headers = HeaderMap::with_capacity(7 + request.headers.len());
        headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(reqwest::header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        if let Ok(agent) = HeaderValue::from_str(&self.user_agent) {
            headers.insert(reqwest::header::USER_AGENT, agent);
        }
        headers.insert(HeaderName::from_static("client-request-id"), header_value("client-request-id", client_request_id)?);
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("client-request-id") {
                continue;
            }
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::at(MgStatus::InvalidHeader, format!("Headers.{name}"), format!("'{name}' is not a valid header name."))
            })?;
            headers.insert(header_name, header_value(name, value)?);
        }
        Ok(headers)
    }
}

impl Context {
    /// Replaces the built request with the one pipeline steps returned. The URI must keep the
    /// endpoint's scheme, host and port, so that the token is never sent to another host.
    fn apply_prepared(&self, prepared: &PreparedRequest, sent: &mut outcome::SentRequest, headers: &mut HeaderMap) -> Result<()> {
        let endpoint = Url::parse(&self.endpoint).map_err(|_| Error::new(MgStatus::Internal, "The stored endpoint does not parse."))?;
        let uri = Url::parse(&prepared.uri).map_err(|error| {
            Error::at(MgStatus::InvalidInput, "Request.Uri", format!("A pipeline step set the URI to '{}', which is not absolute ({error}).", prepared.uri))
        })?;
        if uri.origin() != endpoint.origin() {
            return Err(Error::at(
                MgStatus::InvalidInput,
                "Request.Uri",
                format!(
                    "A pipeline step changed the request's host to '{}'; the access token is sent only to '{}'. Keep the scheme, host and port.",
                    uri.origin().ascii_serialization(),
                    endpoint.origin().ascii_serialization()
                ),
            ));
        }
        let method = reqwest::Method::from_bytes(prepared.method.trim().to_ascii_uppercase().as_bytes()).map_err(|_| {
            Error::at(MgStatus::InvalidInput, "Request.Method", format!("A pipeline step set the method to '{}', which is not an HTTP method.", prepared.method))
        })?;

        let mut replaced = HeaderMap::with_capacity(prepared.headers.len() + 1);
        for (name, value) in &prepared.headers {
            if ["authorization", "host", "content-length"].iter().any(|reserved| reserved.eq_ignore_ascii_case(name)) {
                continue;
            }
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::at(MgStatus::InvalidHeader, format!("Request.Headers.{name}"), format!("A pipeline step set the header name '{name}', which is not valid."))
            })?;
            replaced.append(header_name, header_value(name, value)?);
        }

        *headers = replaced;
        sent.method = method.as_str().to_string();
        sent.url = uri.to_string();
        sent.body_text = prepared.body.clone();
        sent.headers = prepared.headers.iter().filter(|(name, _)| !name.eq_ignore_ascii_case("authorization")).cloned().collect();
        Ok(())
    }
}

/// Converts a response that a pipeline step returned into the form the decoder reads.
fn provided_answer(answer: &ProvidedAnswer) -> HttpAnswer {
    let headers = answer
        .headers
        .iter()
        .map(|(name, value)| {
            let values = match value {
                serde_json::Value::Array(items) => items.iter().map(json_text).collect(),
                other => vec![json_text(other)],
            };
            (name.clone(), values)
        })
        .collect();
    HttpAnswer { status: answer.status_code, headers, body: answer.body.clone() }
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value).map_err(|_| {
        Error::at(
            MgStatus::InvalidHeader,
            format!("Headers.{name}"),
            format!("The value of header '{name}' contains characters a header cannot carry."),
        )
    })
}

/// The activity of a running call, reported while the caller waits.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Sending attempt `attempt` (1 for the first) or waiting for its response.
    Sending {
        /// The attempt number, starting at 1.
        attempt: u32,
    },
    /// Waiting for a free slot under the rate limit.
    Pacing {
        /// The whole wait.
        wait: Duration,
        /// When the wait ends.
        until: Instant,
    },
    /// Waiting before a retry of a throttled or unavailable response.
    RetryWait {
        /// The retry that follows the wait, starting at 1.
        retry: u32,
        /// The whole wait.
        wait: Duration,
        /// When the wait ends.
        until: Instant,
        /// The response's status code.
        status: u16,
    },
}

struct CallState {
    outcome: Option<Outcome>,
    task: Option<JoinHandle<()>>,
    phase: Phase,
    phase_sequence: u64,
}

struct CallShared {
    state: Mutex<CallState>,
    finished: Condvar,
}

impl CallShared {
    fn lock(&self) -> std::sync::MutexGuard<'_, CallState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores the outcome unless one is already there, and wakes the waiters.
    fn finish(&self, outcome: Outcome) {
        let mut state = self.lock();
        if state.outcome.is_none() {
            state.outcome = Some(outcome);
            state.task = None;
        }
        drop(state);
        self.finished.notify_all();
    }

    fn set_phase(&self, phase: Phase) {
        let mut state = self.lock();
        state.phase = phase;
        state.phase_sequence += 1;
    }
}

/// One provisionOnDemand call, running in the background on the shared runtime.
pub struct Call {
    shared: Arc<CallShared>,
}

impl Call {
    /// Parses an envelope, resolves the request and starts sending it.
    ///
    /// A request that fails validation still gives a call, already finished with the error.
    ///
    /// # Errors
    /// `InvalidRequestJson` when the envelope itself does not parse, and `Internal` when the
    /// runtime or the client cannot start.
    pub fn start(context: Arc<Context>, envelope_json: &str) -> Result<Call> {
        let envelope = RequestEnvelope::from_json(envelope_json)?;
        let shared = Arc::new(CallShared {
            state: Mutex::new(CallState { outcome: None, task: None, phase: Phase::Sending { attempt: 1 }, phase_sequence: 0 }),
            finished: Condvar::new(),
        });
        let call = Call { shared: Arc::clone(&shared) };

        let request = match envelope.resolve() {
            Ok(request) => request,
            Err(error) => {
                shared.finish(outcome::from_error(&error, None, Vec::new()));
                return Ok(call);
            }
        };
        let client_request_id = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("client-request-id"))
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let url = format!("{}{}", context.endpoint, request.path);
        let prepared = context.headers(&request, &client_request_id).and_then(|headers| {
            let client = client_for(request.proxy.as_ref())?;
            Ok((headers, client))
        });
        let (mut headers, client) = match prepared {
            Ok(prepared) => prepared,
            Err(error) => {
                shared.finish(outcome::from_error(&error, None, request.warnings.clone()));
                return Ok(call);
            }
        };
        let runtime = runtime()?;

        let mode = envelope.mode;
        let include_body = envelope.include_response_body || mode == Mode::SendPrepared;
        let mut sent = outcome::SentRequest::new(url, client_request_id, &headers, request);
        match mode {
            Mode::Send => {}
            Mode::Prepare => {
                shared.finish(outcome::prepared(&sent));
                return Ok(call);
            }
            Mode::Decode => {
                let finished = match envelope.answer.as_ref() {
                    Some(answer) => outcome::from_answer(&sent, provided_answer(answer), 1, include_body),
                    None => outcome::from_error(
                        &Error::at(MgStatus::InvalidRequestJson, "answer", "Mode 'decode' needs the 'answer' member."),
                        Some(&sent),
                        Vec::new(),
                    ),
                };
                shared.finish(finished);
                return Ok(call);
            }
            Mode::SendPrepared => {
                let applied = envelope
                    .prepared
                    .as_ref()
                    .ok_or_else(|| Error::at(MgStatus::InvalidRequestJson, "prepared", "Mode 'sendPrepared' needs the 'prepared' member."))
                    .and_then(|prepared| context.apply_prepared(prepared, &mut sent, &mut headers));
                if let Err(error) = applied {
                    shared.finish(outcome::from_error(&error, Some(&sent), Vec::new()));
                    return Ok(call);
                }
            }
        }
        let pacing_key = pacing::key(&context.endpoint, &sent.request.id);
        let host = context.host.clone();
        let task_context = Arc::clone(&context);
        let task_shared = Arc::clone(&shared);
        let mut state = shared.lock();
        let task = runtime.spawn(async move {
            let timeout = sent.request.timeout;
            let exchange = send_with_retries(&client, &task_context, headers, &sent, &pacing_key, &task_shared);
            let outcome = match tokio::time::timeout(timeout, exchange).await {
                Ok(Ok((answer, attempts))) => outcome::from_answer(&sent, answer, attempts, include_body),
                Ok(Err(error)) => outcome::from_error(&error.into_error(&host), Some(&sent), sent.request.warnings.clone()),
                Err(_) => {
                    let error = Error::new(
                        MgStatus::TimedOut,
                        format!("The request to '{host}' timed out after {} s.", timeout.as_secs_f64()),
                    );
                    outcome::from_error(&error, Some(&sent), sent.request.warnings.clone())
                }
            };
            task_shared.finish(outcome);
        });
        if state.outcome.is_none() {
            state.task = Some(task);
        }
        drop(state);
        Ok(call)
    }

    /// Starts signing in: requests a token with the context's credential, bypassing the cache.
    /// The outcome carries the token's claims and expiry, never the token.
    ///
    /// # Errors
    /// `Internal` when the runtime or the client cannot start.
    pub fn start_sign_in(context: Arc<Context>, timeout: Duration) -> Result<Call> {
        let shared = Arc::new(CallShared {
            state: Mutex::new(CallState { outcome: None, task: None, phase: Phase::Sending { attempt: 1 }, phase_sequence: 0 }),
            finished: Condvar::new(),
        });
        let call = Call { shared: Arc::clone(&shared) };
        let client = client_for(None)?;
        let runtime = runtime()?;

        let task_shared = Arc::clone(&shared);
        let mut state = shared.lock();
        let task = runtime.spawn(async move {
            let renewal = tokio::time::timeout(timeout, context.tokens.token(&client, true)).await;
            let outcome = match renewal {
                Ok(Ok(_)) => {
                    let (claims, expires_on) = context.tokens.claims().await.unwrap_or((serde_json::Value::Null, None));
                    outcome::signed_in(claims, expires_on)
                }
                Ok(Err(error)) => outcome::from_error(&error, None, Vec::new()),
                Err(_) => outcome::from_error(
                    &Error::new(MgStatus::TimedOut, format!("Sign-in timed out after {} s.", timeout.as_secs_f64())),
                    None,
                    Vec::new(),
                ),
            };
            task_shared.finish(outcome);
        });
        if state.outcome.is_none() {
            state.task = Some(task);
        }
        drop(state);
        Ok(call)
    }

    /// Waits up to `timeout` for the call to finish; returns `Pending` or the final status.
    pub fn wait(&self, timeout: Duration) -> MgStatus {
        let state = self.shared.lock();
        let (state, _) = self
            .shared
            .finished
            .wait_timeout_while(state, timeout, |state| state.outcome.is_none())
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.outcome.as_ref().map_or(MgStatus::Pending, |outcome| outcome.status)
    }

    /// Returns the final status and the outcome JSON, or `None` while the call runs.
    pub fn outcome(&self) -> Option<(MgStatus, String)> {
        let state = self.shared.lock();
        state.outcome.as_ref().map(|outcome| (outcome.status, outcome.json.clone()))
    }

    /// Returns what the call is doing and a number that grows each time that changes.
    pub fn phase(&self) -> (u64, Phase, bool) {
        let state = self.shared.lock();
        (state.phase_sequence, state.phase.clone(), state.outcome.is_some())
    }

    /// Cancels the call if it still runs; its status becomes `Cancelled`.
    pub fn cancel(&self) {
        let task = {
            let mut state = self.shared.lock();
            if state.outcome.is_some() {
                return;
            }
            state.task.take()
        };
        if let Some(task) = task {
            task.abort();
        }
        let error = Error::new(MgStatus::Cancelled, "The call was cancelled before it finished.");
        self.shared.finish(outcome::from_error(&error, None, Vec::new()));
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// A failure of the exchange, before its host is known to the message.
enum ExchangeError {
    Http(reqwest::Error),
    Decode(String),
    SignIn(Error),
}

impl ExchangeError {
    fn into_error(self, host: &str) -> Error {
        match self {
            ExchangeError::Http(error) => transport_error(&error, host),
            ExchangeError::SignIn(error) => error,
            ExchangeError::Decode(message) => {
                Error::new(MgStatus::TransportFailed, format!("The response from '{host}' could not be read: {message}."))
            }
        }
    }
}

/// Sends the request, pacing each attempt under the rate limit and retrying 429, 503 and 504
/// answers. Returns the last answer and the number of attempts.
async fn send_with_retries(
    client: &reqwest::Client,
    context: &Context,
    headers: HeaderMap,
    sent: &outcome::SentRequest,
    pacing_key: &str,
    shared: &CallShared,
) -> std::result::Result<(HttpAnswer, u32), ExchangeError> {
    let settings = &sent.request;
    let mut waited = Duration::ZERO;
    let mut attempt = 0;
    let mut retries = 0;
    let mut renewed = false;
    loop {
        attempt += 1;
        let token = context.tokens.token(client, false).await.map_err(ExchangeError::SignIn)?;
        let mut slot = None;
        if settings.pacing.enabled {
            loop {
                let now = Instant::now();
                match pacing::try_acquire(pacing_key, &settings.pacing, now) {
                    None => {
                        slot = Some(now);
                        break;
                    }
                    Some(wait) => {
                        shared.set_phase(Phase::Pacing { wait, until: now + wait });
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        shared.set_phase(Phase::Sending { attempt });

        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.as_str()))
            .map_err(|_| ExchangeError::SignIn(Error::new(MgStatus::InvalidToken, "The access token contains characters a header cannot carry.")))?;
        authorization.set_sensitive(true);
        let method = reqwest::Method::from_bytes(sent.method.as_bytes()).unwrap_or(reqwest::Method::POST);
        let mut builder = client
            .request(method, &sent.url)
            .headers(headers.clone())
            .header(reqwest::header::AUTHORIZATION, authorization)
            .body(sent.body_text.clone());
        if retries > 0 {
            builder = builder.header("Retry-Attempt", retries.to_string());
        }
        let response = builder.send().await.map_err(ExchangeError::Http)?;
        if let Some(sent_at) = slot {
            pacing::settle(pacing_key, sent_at, Instant::now());
        }
        let retryable = retry::is_retryable(response.status().as_u16());
        let answer = match read_answer(response).await {
            Ok(answer) => answer,
            // A throttled answer whose body breaks off is retried all the same.
            Err(partial) if retryable => partial.answer,
            Err(partial) => return Err(partial.error),
        };

        // A rejected token is renewed and the request sent once more, where a credential allows it.
        if answer.status == 401 && !renewed && context.tokens.renewable() {
            renewed = true;
            context.tokens.token(client, true).await.map_err(ExchangeError::SignIn)?;
            continue;
        }
        let retries_left = retries < settings.retry.max_retry;
        if !(retryable && retries_left) {
            return Ok((answer, attempt));
        }
        retries += 1;
        let wait = answer
            .header("Retry-After")
            .and_then(|value| retry::parse_retry_after(value, SystemTime::now()))
            .unwrap_or_else(|| settings.retry.backoff(retries));
        let limit = settings.retry.retries_time_limit_seconds;
        if limit > 0.0 && (waited + wait).as_secs_f64() > limit {
            return Ok((answer, attempt));
        }
        shared.set_phase(Phase::RetryWait { retry: retries, wait, until: Instant::now() + wait, status: answer.status });
        tokio::time::sleep(wait).await;
        waited += wait;
    }
}

/// An answer whose body could not be read completely.
struct PartialAnswer {
    answer: HttpAnswer,
    error: ExchangeError,
}

async fn read_answer(response: reqwest::Response) -> std::result::Result<HttpAnswer, PartialAnswer> {
    let status = response.status().as_u16();
    let mut headers: crate::response::Headers = Vec::new();
    for (name, value) in response.headers() {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match headers.iter_mut().find(|(existing, _)| existing == name.as_str()) {
            Some((_, values)) => values.push(text),
            None => headers.push((name.as_str().to_string(), vec![text])),
        }
    }
    let mut answer = HttpAnswer { status, headers, body: String::new() };
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(error) => return Err(PartialAnswer { answer, error: ExchangeError::Http(error) }),
    };
    let gzip = answer.header("Content-Encoding").is_some_and(|encoding| encoding.eq_ignore_ascii_case("gzip"));
    if gzip {
        let mut decoded = Vec::new();
        if let Err(error) = flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut decoded) {
            return Err(PartialAnswer { answer, error: ExchangeError::Decode(format!("the gzip body is invalid ({error})")) });
        }
        answer.body = String::from_utf8_lossy(&decoded).into_owned();
    } else {
        answer.body = String::from_utf8_lossy(&bytes).into_owned();
    }
    Ok(answer)
}

/// Describes a transport failure by the host and the innermost cause, never the full URL.
fn transport_error(error: &reqwest::Error, host: &str) -> Error {
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let cause = cause.to_string();
    if error.is_redirect() {
        Error::new(MgStatus::RedirectRejected, format!("The request to '{host}' was not sent on: {cause}."))
    } else if error.is_timeout() {
        Error::new(MgStatus::TimedOut, format!("The request to '{host}' timed out: {cause}."))
    } else if error.is_connect() {
        Error::new(MgStatus::ConnectFailed, format!("Could not connect to '{host}': {cause}. Check the endpoint and the network."))
    } else {
        Error::new(MgStatus::TransportFailed, format!("The request to '{host}' failed: {cause}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(Context::new("http://127.0.0.1:8080", "t", "ua").is_ok());
        assert!(Context::new("http://localhost:8080/", "t", "ua").is_ok());
        assert!(Context::new("http://[::1]:8080", "t", "ua").is_ok());
        assert_eq!(Context::new("http://graph.example.com", "t", "ua").unwrap_err().status, MgStatus::InsecureEndpoint);
        assert_eq!(Context::new("ftp://127.0.0.1", "t", "ua").unwrap_err().status, MgStatus::InvalidEndpoint);
        assert_eq!(Context::new("graph.microsoft.com", "t", "ua").unwrap_err().status, MgStatus::InvalidEndpoint);
        assert_eq!(Context::new("https://graph.microsoft.com?x=1", "t", "ua").unwrap_err().status, MgStatus::InvalidEndpoint);
    }

    #[test]
    fn token_checked_and_never_printed() {
        assert_eq!(Context::new("https://graph.microsoft.com", "", "ua").unwrap_err().status, MgStatus::InvalidToken);
        assert_eq!(Context::new("https://graph.microsoft.com", "a\r\nb", "ua").unwrap_err().status, MgStatus::InvalidToken);

        let context = Context::new("https://graph.microsoft.com/", "secret-token", "ua").unwrap();
        assert_eq!(context.endpoint(), "https://graph.microsoft.com");
        assert!(!format!("{context:?}").contains("secret-token"));
    }
}
