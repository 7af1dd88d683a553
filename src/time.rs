//! Times for display: unix seconds as UTC text and as a relative phrase ("2 h 5 min ago"). No clock here: the
//! caller passes `now`.

/// Formats unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (proleptic Gregorian; years outside 0..=9999 are shown as
/// the raw number).
pub fn utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return format!("{seconds} (not a calendar date)");
    }
    let (h, min, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02} UTC")
}

/// Howard Hinnant's days-to-civil algorithm. Only `z` is unbounded (handled with saturating operations); the
/// other quantities are bounded by the era length (146,097 days), so plain arithmetic cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe.saturating_add(era.saturating_mul(400));
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y.saturating_add(1) } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// A duration in words: "3 d 4 h", "2 h 5 min", "45 s".
pub fn duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    if d >= 365 {
        format!("{} years", d / 365)
    } else if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {sec} s")
    } else {
        format!("{sec} s")
    }
}

/// "in 2 h 5 min" or "2 h 5 min ago", relative to `now`.
pub fn relative(seconds: i64, now: i64) -> String {
    let delta = seconds.saturating_sub(now);
    if delta >= 0 {
        format!("in {}", duration(delta))
    } else {
        format!("{} ago", duration(delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formats_known_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(2_147_483_647), "2038-01-19 03:14:07 UTC");
        assert_eq!(utc(-86_400), "1969-12-31 00:00:00 UTC");
        assert!(utc(i64::MAX).contains("not a calendar date"));
    }

    #[test]
    fn relative_phrases() {
        assert_eq!(relative(100, 100 + 7500), "2 h 5 min ago");
        assert_eq!(relative(100 + 3540, 100), "in 59 min 0 s");
        assert_eq!(duration(90_000), "1 d 1 h");
    }
}
