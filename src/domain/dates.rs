//! Dates typed by people (filters) and days in the instance's time zone.
//! Everything is stored in UTC; a "day" in a filter is a day as the
//! organisation lives it, from local midnight to local midnight.

use time::{Date, Duration, PrimitiveDateTime, Time, macros::format_description};
use time_tz::{OffsetResult, PrimitiveDateTimeExt};

use super::{FieldError, TimeZone};

/// Dates outside these years are refused: nobody filters an audit log by
/// them, and every database and `time` can hold the whole range.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 9998;

/// Parses `YYYY-MM-DD` (what `<input type="date">` sends). Empty is `None`.
pub fn parse_day(input: &str) -> Result<Option<Date>, FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let format = format_description!("[year]-[month]-[day]");
    let date = Date::parse(input, &format).map_err(|_| {
        // A well-formed date with a year beyond four digits is out of range, not garbage.
        let digits = input.trim_start_matches(['-', '+']);
        if digits
            .split('-')
            .next()
            .is_some_and(|y| y.len() > 4 && y.chars().all(|c| c.is_ascii_digit()))
        {
            FieldError::DateOutOfRange
        } else {
            FieldError::InvalidDate
        }
    })?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(FieldError::DateOutOfRange);
    }
    Ok(Some(date))
}

/// The UTC instant at which `day` begins in `zone`. Where local midnight does
/// not exist (a daylight-saving gap at midnight), the day begins at the first
/// local time that does.
pub fn day_start_utc(day: Date, zone: TimeZone) -> PrimitiveDateTime {
    let mut local = PrimitiveDateTime::new(day, Time::MIDNIGHT);
    for _ in 0..4 {
        match local.assume_timezone(zone.tz()) {
            OffsetResult::Some(at) | OffsetResult::Ambiguous(at, _) => {
                let utc = at.to_offset(time::UtcOffset::UTC);
                return PrimitiveDateTime::new(utc.date(), utc.time());
            }
            OffsetResult::None => local += Duration::minutes(30),
        }
    }
    local
}

/// The next local midnight after the UTC instant `now`, as a UTC instant:
/// the end of "today" in the instance's time zone (the midnight rule).
pub fn next_midnight_utc(now: PrimitiveDateTime, zone: TimeZone) -> PrimitiveDateTime {
    use time_tz::OffsetDateTimeExt;
    let local_today = now.assume_utc().to_timezone(zone.tz()).date();
    match local_today.next_day() {
        Some(tomorrow) => day_start_utc(tomorrow, zone),
        None => now + Duration::days(1),
    }
}

/// A UTC range `[from, until)` covering the local days `from..=until`.
pub fn day_range_utc(
    from: Option<Date>,
    until: Option<Date>,
    zone: TimeZone,
) -> (Option<PrimitiveDateTime>, Option<PrimitiveDateTime>) {
    let start = from.map(|d| day_start_utc(d, zone));
    let end = until
        .and_then(|d| d.next_day())
        .map(|d| day_start_utc(d, zone));
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn today_ends_at_local_midnight_also_across_a_clock_change() {
        let berlin = TimeZone::parse("Europe/Berlin").expect("zone");
        // Winter (UTC+1): 23:59:59 local is 22:59:59 UTC.
        assert_eq!(
            next_midnight_utc(datetime!(2026-01-15 22:59:59), berlin),
            datetime!(2026-01-15 23:00:00)
        );
        assert_eq!(
            next_midnight_utc(datetime!(2026-01-15 23:00:00), berlin),
            datetime!(2026-01-16 23:00:00)
        );
        // Summer (UTC+2).
        assert_eq!(
            next_midnight_utc(datetime!(2026-07-01 10:00), berlin),
            datetime!(2026-07-01 22:00)
        );
        // 2026-03-29 has 23 hours in Berlin; the day after it starts at 22:00 UTC.
        assert_eq!(
            next_midnight_utc(datetime!(2026-03-29 08:00), berlin),
            datetime!(2026-03-29 22:00)
        );
        // 2026-10-25 has 25 hours; its end is 23:00 UTC.
        assert_eq!(
            next_midnight_utc(datetime!(2026-10-25 08:00), berlin),
            datetime!(2026-10-25 23:00)
        );
    }

    #[test]
    fn days_parse_within_range() {
        assert_eq!(parse_day(" 2026-11-23 "), Ok(Some(date!(2026 - 11 - 23))));
        assert_eq!(parse_day(""), Ok(None));
        assert_eq!(parse_day("9999-12-31"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_day("-9999-01-01"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_day("99999-01-01"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_day("1899-12-31"), Err(FieldError::DateOutOfRange));
        assert_eq!(parse_day("2026-02-30"), Err(FieldError::InvalidDate));
        assert_eq!(parse_day("gestern"), Err(FieldError::InvalidDate));
        assert_eq!(parse_day("2026-01-01\0"), Err(FieldError::InvalidDate));
        assert_eq!(parse_day("9998-12-31"), Ok(Some(date!(9998 - 12 - 31))));
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        // Winter: UTC+1, summer: UTC+2.
        assert_eq!(
            day_start_utc(date!(2026 - 01 - 15), berlin),
            datetime!(2026-01-14 23:00)
        );
        assert_eq!(
            day_start_utc(date!(2026 - 07 - 15), berlin),
            datetime!(2026-07-14 22:00)
        );
        let (from, until) = day_range_utc(
            Some(date!(2026 - 07 - 15)),
            Some(date!(2026 - 07 - 15)),
            berlin,
        );
        assert_eq!(until.unwrap() - from.unwrap(), Duration::hours(24));
    }

    #[test]
    fn a_missing_midnight_starts_the_day_later() {
        // Chile moves its clocks forward at midnight: 2026-09-06 00:00 does not exist.
        let santiago = TimeZone::parse("America/Santiago").unwrap();
        let start = day_start_utc(date!(2026 - 09 - 06), santiago);
        assert_eq!(start, datetime!(2026-09-06 04:00));
    }

    #[test]
    fn the_last_day_has_no_upper_bound_overflow() {
        let zone = TimeZone::default();
        let (_, until) = day_range_utc(None, Some(date!(9998 - 12 - 31)), zone);
        assert!(until.is_some());
    }
}
