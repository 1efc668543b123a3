//! What the emulator remembers while it runs: the tenant, its settings and signing key, what each
//! job has provisioned, clients registered through the control API, queued faults, throttle
//! windows and the request log. Everything but the tenant, the settings and the key starts
//! empty and is emptied again by a reset.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::faults::{FaultAction, FaultRule};
use crate::fixture::{Client, Tenant};
use crate::throttle::{ThrottleLimit, ThrottleWindows};
use crate::tokens::SigningKey;

/// How many requests the log keeps; older ones are dropped first.
pub const REQUEST_LOG_LIMIT: usize = 10_000;

/// Settings from the command line and the listening address.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `http://127.0.0.1:port`, the Graph root and sign-in authority the emulator serves.
    pub base_url: String,
    /// `http://localhost:port`, accepted wherever the base URL is.
    pub localhost_url: String,
    /// Whether the control API under `/_emulator/` is served.
    pub control_enabled: bool,
    /// Whether Graph takes unsigned (`alg: none`) tokens.
    pub accept_unsigned_tokens: bool,
    /// The lifetime of tokens the token endpoints issue.
    pub token_lifetime: Duration,
    /// The secret that `/msi/token` requests must send as `X-IDENTITY-HEADER`.
    pub identity_header: String,
    /// The provisionOnDemand limit per application; None when throttling is off.
    pub throttle: Option<ThrottleLimit>,
}

/// The shared state of one emulator process.
pub struct Emulator {
    /// The tenant from the fixture; never changes while the process runs.
    pub tenant: Tenant,
    /// Settings; never change while the process runs.
    pub settings: Settings,
    /// The key that signs every token the emulator issues.
    pub signing_key: SigningKey,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// For each job (application object id, job id): provisioned subject keys and their target ids.
    provisioned: HashMap<(String, String), HashMap<String, String>>,
    /// Requests received, oldest first, control requests left out.
    log: VecDeque<LoggedRequest>,
    /// Clients registered with `POST /_emulator/clients`, by lowercase client id.
    clients: HashMap<String, Client>,
    /// Queued faults, applied oldest first.
    faults: Vec<FaultRule>,
    /// provisionOnDemand calls per application inside the throttle window.
    throttle: ThrottleWindows,
}

/// One request as the control API reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// The HTTP method.
    pub method: String,
    /// The raw path as received, still percent-encoded, without the query.
    pub path: String,
    /// The raw query without `?`; empty when there was none.
    pub query: String,
    /// Header names (lowercase) to values; repeated headers are joined with `, `; credentials are masked.
    pub headers: Map<String, Value>,
    /// The body as text (invalid UTF-8 replaced, form secrets masked); empty when there was none
    /// or it was too large to keep.
    pub body_text: String,
    /// The body parsed as JSON, or null when it is not JSON.
    pub body: Value,
    /// The status code the emulator answered with; 0 when a fault closed the connection first.
    pub status: u16,
}

impl Emulator {
    /// A fresh emulator for this tenant.
    pub fn new(tenant: Tenant, settings: Settings, signing_key: SigningKey) -> Emulator {
        Emulator {
            tenant,
            settings,
            signing_key,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Locks the mutable state. A panic elsewhere while it was held does not make it unusable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a request to the log.
    pub fn record_request(&self, entry: LoggedRequest) {
        let mut inner = self.lock();
        if inner.log.len() >= REQUEST_LOG_LIMIT {
            inner.log.pop_front();
        }
        inner.log.push_back(entry);
    }

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().log.iter().cloned().collect()
    }

    /// Returns to the state after start: forgets logged requests, everything every job
    /// provisioned, registered clients, queued faults and throttle windows.
    pub fn reset(&self) {
        let mut inner = self.lock();
        *inner = Inner::default();
    }

    /// Records that the job provisioned a subject, in one step with the check whether it had
    /// before, so two calls at once cannot both create it. Returns the subject's target id:
    /// `Provisioned::New` with a fresh id the first time, `Provisioned::Before` with the id given
    /// then on later calls.
    pub fn provision(&self, application_id: &str, job_id: &str, subject: &str) -> Provisioned {
        let mut inner = self.lock();
        let subjects = inner
            .provisioned
            .entry((application_id.to_string(), job_id.to_string()))
            .or_default();
        match subjects.get(&subject_key(subject)) {
            Some(target_id) => Provisioned::Before(target_id.clone()),
            None => {
                let target_id = uuid::Uuid::new_v4().to_string();
                subjects.insert(subject_key(subject), target_id.clone());
                Provisioned::New(target_id)
            }
        }
    }

    /// Registers (or replaces) a client that may sign in.
    pub fn register_client(&self, client: Client) {
        self.lock()
            .clients
            .insert(client.client_id.to_ascii_lowercase(), client);
    }

    /// The client with this id: one registered at run time, else one from the fixture.
    pub fn client(&self, client_id: &str) -> Option<Client> {
        if let Some(client) = self.lock().clients.get(&client_id.to_ascii_lowercase()) {
            return Some(client.clone());
        }
        self.tenant
            .clients
            .iter()
            .find(|client| client.client_id.eq_ignore_ascii_case(client_id))
            .cloned()
    }

    /// Queues a fault.
    pub fn add_fault(&self, fault: FaultRule) {
        self.lock().faults.push(fault);
    }

    /// The queued faults as the control API reports them.
    pub fn faults(&self) -> Vec<Value> {
        self.lock().faults.iter().map(FaultRule::describe).collect()
    }

    /// Takes one use of the oldest queued fault matching the request, if any.
    pub fn take_fault(&self, method: &str, path: &str) -> Option<FaultAction> {
        let mut inner = self.lock();
        let index = inner
            .faults
            .iter()
            .position(|fault| fault.matches(method, path))?;
        let fault = &mut inner.faults[index];
        let action = fault.action.clone();
        fault.remaining -= 1;
        if fault.remaining == 0 {
            inner.faults.remove(index);
        }
        Some(action)
    }

    /// Counts a provisionOnDemand call against the application's window. Returns how long to
    /// wait when the window is full; the refused call is not counted.
    pub fn admit(&self, application_id: &str) -> Result<(), Duration> {
        let limit = match self.settings.throttle {
            None => return Ok(()),
            Some(limit) => limit,
        };
        self.lock()
            .throttle
            .admit(&application_id.to_ascii_lowercase(), limit, Instant::now())
    }
}

/// Whether a subject was provisioned by this call or before it, with its target id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioned {
    /// This call provisioned it.
    New(String),
    /// An earlier call did.
    Before(String),
}

/// Subjects compare without regard to ASCII case (object ids and distinguished names both allow it).
fn subject_key(subject: &str) -> String {
    subject.to_ascii_lowercase()
}
