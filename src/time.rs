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

/// Unix seconds of an RFC 3339 UTC time as APIs write it (`2026-11-24T05:30:00Z`, `…:00.123Z`, `…+00:00`), or
/// `None` for anything else. Other offsets than UTC are not read.
// The hours, minutes and seconds are checked small before they are multiplied.
#[allow(clippy::arithmetic_side_effects)]
pub fn parse_utc(text: &str) -> Option<i64> {
    let t = text.trim();
    let num = |a: usize, b: usize| t.get(a..b).and_then(|v| v.parse::<i64>().ok());
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, min, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let seps = [(4, '-'), (7, '-'), (13, ':'), (16, ':')];
    if !seps
        .iter()
        .all(|&(i, c)| t.get(i..).is_some_and(|r| r.starts_with(c)))
        || !matches!(t.as_bytes().get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let rest = t
        .get(19..)?
        .trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if !matches!(rest, "Z" | "z" | "+00:00" | "")
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
        || h > 23
        || min > 59
        || sec > 60
    {
        return None;
    }
    let days = days_from_civil(y, m, d);
    Some(
        days.saturating_mul(86_400)
            .saturating_add(h * 3600 + min * 60 + sec),
    )
}

/// Howard Hinnant's civil-to-days algorithm (the inverse of [`civil_from_days`]), for years 0..=9999.
#[allow(clippy::arithmetic_side_effects)]
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    #[test]
    fn rfc3339_utc_times_are_read() {
        assert_eq!(super::parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            super::parse_utc("2026-11-24T05:30:00Z"),
            Some(1_795_498_200)
        );
        assert_eq!(
            super::parse_utc("2026-11-24T05:30:00.123Z"),
            Some(1_795_498_200)
        );
        assert_eq!(super::parse_utc("2026-11-24T05:30:00+02:00"), None);
        assert_eq!(super::parse_utc("2026-13-24T05:30:00Z"), None);
        assert_eq!(super::parse_utc("yesterday"), None);
        assert_eq!(
            super::utc(super::parse_utc("2024-02-29T23:59:59Z").unwrap_or(0)),
            "2024-02-29 23:59:59 UTC"
        );
    }

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
