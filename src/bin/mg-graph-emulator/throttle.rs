//! Graph's provisionOnDemand limit: at most N calls per window per application, as a sliding
//! window. Graph allows 5 calls per 10 seconds; an application and its service principal share
//! one window because both paths lead to the same jobs.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The limit: `calls` per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimit {
    /// Calls allowed inside one window.
    pub calls: usize,
    /// The window's length.
    pub window: Duration,
}

/// Graph's limit for provisionOnDemand: 5 calls per 10 seconds.
pub const GRAPH_LIMIT: ThrottleLimit = ThrottleLimit {
    calls: 5,
    window: Duration::from_secs(10),
};

/// Parses `--throttle`: `off`, or `N/SECONDS` such as `5/10` or `5/0.5`.
pub fn parse_limit(text: &str) -> Result<Option<ThrottleLimit>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let invalid = || {
        format!("invalid --throttle value '{text}': use N/SECONDS such as 5/10, or off")
    };
    let (calls, seconds) = text.split_once('/').ok_or_else(invalid)?;
    let calls: usize = calls.trim().parse().map_err(|_| invalid())?;
    let seconds: f64 = seconds.trim().parse().map_err(|_| invalid())?;
    if calls == 0 || !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 {
        return Err(format!(
            "invalid --throttle value '{text}': N must be at least 1 and SECONDS between 0 and 86400"
        ));
    }
    Ok(Some(ThrottleLimit {
        calls,
        window: Duration::from_secs_f64(seconds),
    }))
}

/// The recent calls of each application, oldest first.
#[derive(Debug, Default)]
pub struct ThrottleWindows {
    calls: HashMap<String, VecDeque<Instant>>,
}

impl ThrottleWindows {
    /// Counts a call at `now` unless the window is full; then returns the time until the oldest
    /// call leaves the window.
    pub fn admit(&mut self, key: &str, limit: ThrottleLimit, now: Instant) -> Result<(), Duration> {
        let calls = self.calls.entry(key.to_string()).or_default();
        while let Some(&oldest) = calls.front() {
            if now.duration_since(oldest) >= limit.window {
                calls.pop_front();
            } else {
                break;
            }
        }
        if calls.len() >= limit.calls {
            let oldest = calls.front().copied().unwrap_or(now);
            return Err(limit.window.saturating_sub(now.duration_since(oldest)));
        }
        calls.push_back(now);
        Ok(())
    }
}

/// `Retry-After` in seconds with up to three decimals (`2.128`), never below 0.001.
pub fn retry_after_text(wait: Duration) -> String {
    let millis = wait.as_millis().max(1);
    let text = format!("{}.{:03}", millis / 1000, millis % 1000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_limits() {
        assert_eq!(parse_limit("off"), Ok(None));
        assert_eq!(
            parse_limit("5/1"),
            Ok(Some(ThrottleLimit {
                calls: 5,
                window: Duration::from_secs(1)
            }))
        );
        assert!(parse_limit("0/1").is_err());
        assert!(parse_limit("5").is_err());
        assert!(parse_limit("5/-1").is_err());
    }

    #[test]
    fn sixth_call_waits_for_the_oldest() {
        let mut windows = ThrottleWindows::default();
        let start = Instant::now();
        for i in 0..5 {
            assert!(windows
                .admit("a", GRAPH_LIMIT, start + Duration::from_secs(i))
                .is_ok());
        }
        let wait = windows
            .admit("a", GRAPH_LIMIT, start + Duration::from_millis(7_872))
            .unwrap_err();
        assert_eq!(retry_after_text(wait), "2.128");
        assert!(windows.admit("b", GRAPH_LIMIT, start).is_ok());
        assert!(windows
            .admit("a", GRAPH_LIMIT, start + Duration::from_secs(10))
            .is_ok());
    }
}
