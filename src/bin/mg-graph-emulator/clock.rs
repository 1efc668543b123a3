//! Time stamps in the two layouts Graph uses: `2026-11-20T09:15:02.1234567Z` inside results and
//! `2026-11-20T09:15:02` (UTC, no zone suffix) in an error's `innerError.date`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A UTC instant split into calendar fields.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    /// Hundreds of nanoseconds within the second (0..10_000_000), .NET's tick.
    ticks: u32,
}

fn civil(at: SystemTime) -> Civil {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let seconds = since_epoch.as_secs();
    let (days, second_of_day) = ((seconds / 86_400) as i64, seconds % 86_400);

    // Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);

    Civil {
        year,
        month,
        day,
        hour: second_of_day / 3_600,
        minute: second_of_day / 60 % 60,
        second: second_of_day % 60,
        ticks: since_epoch.subsec_nanos() / 100,
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffZ`, the layout of result time stamps.
pub fn result_timestamp(at: SystemTime) -> String {
    let c = civil(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.ticks
    )
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC without a zone suffix, the layout of `innerError.date`.
pub fn error_date(at: SystemTime) -> String {
    let c = civil(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// Seconds since the Unix epoch, for comparing with a token's `exp` and `nbf`.
pub fn unix_seconds(at: SystemTime) -> f64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        let at = UNIX_EPOCH + Duration::new(1_795_166_102, 123_456_700);
        assert_eq!(result_timestamp(at), "2026-11-20T09:15:02.1234567Z");
        assert_eq!(error_date(at), "2026-11-20T09:15:02");
        assert_eq!(
            error_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00"
        );
    }
}
