//! Client-side pacing: keeps provisionOnDemand within Graph's limit (5 calls per 10 s per
//! application) as a sliding window shared by every call in the process.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use once_cell::sync::Lazy;
use serde::Deserialize;

/// The pacing settings of a call.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PacingSettings {
    /// Whether calls wait for a free slot before they are sent.
    pub enabled: bool,
    /// Calls allowed per window.
    pub limit: u32,
    /// The window's length in seconds.
    pub window_seconds: f64,
}

impl Default for PacingSettings {
    fn default() -> Self {
        PacingSettings { enabled: true, limit: 5, window_seconds: 10.0 }
    }
}

impl PacingSettings {
    /// Checks the ranges: 1 to 1000 calls per window, windows of more than 0 and at most 3600 s.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=1000).contains(&self.limit) {
            return Err(format!("The pacing limit {} is out of range; use 1 to 1000 calls.", self.limit));
        }
        if !(self.window_seconds > 0.0 && self.window_seconds <= 3600.0) {
            return Err(format!("The pacing window {} s is out of range; use more than 0 and at most 3600 seconds.", self.window_seconds));
        }
        Ok(())
    }

    fn window(&self) -> Duration {
        Duration::from_secs_f64(self.window_seconds)
    }

    /// A small allowance for clock granularity. Each slot is moved to the time its response
    /// arrived (see [`settle`]), which is after the server counted the request, so delays on the
    /// way cannot make the server's window see one call too many.
    fn margin(&self) -> Duration {
        (self.window() / 200).min(Duration::from_millis(5))
    }
}

static WINDOWS: Lazy<Mutex<HashMap<String, VecDeque<Instant>>>> = Lazy::new(|| Mutex::new(HashMap::new()));

/// Takes a slot in the window of `key` if one is free and returns `None`; otherwise returns how
/// long to wait before asking again.
pub fn try_acquire(key: &str, settings: &PacingSettings, now: Instant) -> Option<Duration> {
    let window = settings.window();
    let mut windows = WINDOWS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let sent = windows.entry(key.to_string()).or_default();
    while sent.front().is_some_and(|oldest| now.duration_since(*oldest) >= window + settings.margin()) {
        sent.pop_front();
    }
    // The limit may have been lowered since these calls were recorded.
    if sent.len() < settings.limit as usize {
        sent.push_back(now);
        return None;
    }
    let oldest = sent[sent.len() - settings.limit as usize];
    Some((oldest + window + settings.margin()).saturating_duration_since(now))
}

/// Moves the slot taken at `sent_at` to `answered_at`, the time the response arrived.
///
/// The server counts a request when it arrives, somewhere between the two times. Counting the
/// slot from the response keeps the client's window at or behind the server's, so the next call
/// never arrives early, however long the request spent on the way.
pub fn settle(key: &str, sent_at: Instant, answered_at: Instant) {
    let mut windows = WINDOWS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(sent) = windows.get_mut(key) {
        if let Some(slot) = sent.iter_mut().find(|slot| **slot == sent_at) {
            *slot = answered_at.max(sent_at);
        }
        sent.make_contiguous().sort();
    }
}

/// Builds the window key of an endpoint and an application: the id matches without regard to case.
pub fn key(endpoint: &str, id: &str) -> String {
    format!("{}|{}", endpoint.to_ascii_lowercase(), id.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixth_call_waits_until_the_oldest_leaves() {
        let settings = PacingSettings { enabled: true, limit: 5, window_seconds: 10.0 };
        let key = key("https://unit.test/sixth", "App");
        let start = Instant::now();

        for i in 0..5 {
            assert_eq!(try_acquire(&key, &settings, start + Duration::from_secs(i)), None);
        }
        let wait = try_acquire(&key, &settings, start + Duration::from_secs(5)).unwrap();

        assert_eq!(wait, Duration::from_secs(5) + settings.margin());
        assert_eq!(try_acquire(&key, &settings, start + Duration::from_secs(10) + settings.margin()), None);
    }

    #[test]
    fn settled_slot_counts_from_the_response() {
        let settings = PacingSettings { enabled: true, limit: 1, window_seconds: 1.0 };
        let key = key("https://unit.test/settle", "app");
        let sent = Instant::now();

        assert_eq!(try_acquire(&key, &settings, sent), None);
        settle(&key, sent, sent + Duration::from_millis(300));
        let wait = try_acquire(&key, &settings, sent + Duration::from_secs(1)).unwrap();

        assert_eq!(wait, Duration::from_millis(300) + settings.margin());
    }

    #[test]
    fn windows_are_per_endpoint_and_application() {
        let settings = PacingSettings { enabled: true, limit: 1, window_seconds: 10.0 };
        let now = Instant::now();

        assert_eq!(try_acquire(&key("https://unit.test/a", "x"), &settings, now), None);
        assert_eq!(try_acquire(&key("https://unit.test/b", "x"), &settings, now), None);
        assert_eq!(try_acquire(&key("https://unit.test/a", "y"), &settings, now), None);
        assert!(try_acquire(&key("https://UNIT.test/a", "X"), &settings, now).is_some());
    }

    #[test]
    fn settings_ranges_checked() {
        assert!(PacingSettings { enabled: true, limit: 0, window_seconds: 1.0 }.validate().is_err());
        assert!(PacingSettings { enabled: true, limit: 5, window_seconds: 0.0 }.validate().is_err());
        assert!(PacingSettings::default().validate().is_ok());
    }
}
