//! Retries of throttled and unavailable responses (429, 503, 504).

use std::time::{Duration, SystemTime};

use serde::Deserialize;

/// The retry settings of a call, with the defaults of Microsoft's Graph module.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetrySettings {
    /// Retries after the first attempt: 0 to 10.
    pub max_retry: u32,
    /// The first wait when the response has no Retry-After, in seconds, doubled on each retry: 0 to 180.
    pub retry_delay_seconds: f64,
    /// The longest total time spent waiting between retries, in seconds; 0 means no limit.
    pub retries_time_limit_seconds: f64,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings { max_retry: 3, retry_delay_seconds: 3.0, retries_time_limit_seconds: 0.0 }
    }
}

impl RetrySettings {
    /// Checks the ranges and names the value that is out of range.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_retry > 10 {
            return Err(format!("MaxRetry {} is out of range; use 0 to 10.", self.max_retry));
        }
        if !(0.0..=180.0).contains(&self.retry_delay_seconds) {
            return Err(format!("RetryDelay {} s is out of range; use 0 to 180 seconds.", self.retry_delay_seconds));
        }
        if !(0.0..=86_400.0).contains(&self.retries_time_limit_seconds) {
            return Err(format!(
                "RetriesTimeLimit {} s is out of range; use 0 (no limit) to 86400 seconds.",
                self.retries_time_limit_seconds
            ));
        }
        Ok(())
    }

    /// Returns the wait before retry number `retry` (1-based) when the response gave no Retry-After.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2f64.powi(retry.saturating_sub(1).min(16) as i32);
        Duration::from_secs_f64(self.retry_delay_seconds * factor)
    }
}

/// Returns whether a response with this status is retried.
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// Parses Retry-After: seconds (fractional allowed) or an HTTP date. A date in the past gives
/// zero; a value that is neither gives `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);

        assert_eq!(parse_retry_after("2.128", now), Some(Duration::from_millis(2128)));
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(4));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(4)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(4));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_from_the_delay() {
        let settings = RetrySettings::default();

        assert_eq!(settings.backoff(1), Duration::from_secs(3));
        assert_eq!(settings.backoff(2), Duration::from_secs(6));
        assert_eq!(settings.backoff(3), Duration::from_secs(12));
    }

    #[test]
    fn settings_ranges_checked() {
        assert!(RetrySettings { max_retry: 11, ..Default::default() }.validate().unwrap_err().contains("MaxRetry 11"));
        assert!(RetrySettings { retry_delay_seconds: -1.0, ..Default::default() }.validate().is_err());
        assert!(RetrySettings::default().validate().is_ok());
    }
}
