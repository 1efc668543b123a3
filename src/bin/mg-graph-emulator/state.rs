//! What the emulator remembers while it runs: the tenant, what each job has provisioned, and
//! the log of requests the control API shows. Everything but the tenant starts empty and is
//! emptied again by a reset.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::fixture::Tenant;

/// How many requests the log keeps; older ones are dropped first.
pub const REQUEST_LOG_LIMIT: usize = 10_000;

/// The shared state of one emulator process.
pub struct Emulator {
    /// The tenant from the fixture; never changes while the process runs.
    pub tenant: Tenant,
    /// Whether the control API under `/_emulator/` is served.
    pub control_enabled: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// For each job (application object id, job id): provisioned subject keys and their target ids.
    provisioned: HashMap<(String, String), HashMap<String, String>>,
    /// Requests received, oldest first, control requests left out.
    log: VecDeque<LoggedRequest>,
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
    /// Header names (lowercase) to values; repeated headers are joined with `, `; Authorization is masked.
    pub headers: Map<String, Value>,
    /// The body as text (invalid UTF-8 replaced); empty when there was none or it was too large to keep.
    pub body_text: String,
    /// The body parsed as JSON, or null when it is not JSON.
    pub body: Value,
    /// The status code the emulator answered with.
    pub status: u16,
}

impl Emulator {
    /// A fresh emulator for this tenant.
    pub fn new(tenant: Tenant, control_enabled: bool) -> Emulator {
        Emulator {
            tenant,
            control_enabled,
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

    /// Forgets every logged request and everything every job provisioned.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.log.clear();
        inner.provisioned.clear();
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
