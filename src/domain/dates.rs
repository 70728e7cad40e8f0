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
    if input.starts_with('+') {
        return Err(FieldError::InvalidDate);
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

/// Today's date in the instance's time zone.
pub fn local_today(now: PrimitiveDateTime, zone: TimeZone) -> Date {
    use time_tz::OffsetDateTimeExt;
    now.assume_utc().to_timezone(zone.tz()).date()
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

/// An instant as `YYYY-MM-DD HH:MM UTC` (audit values).
pub fn iso_utc(at: &PrimitiveDateTime) -> String {
    let f = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.format(&f).unwrap_or_default()
}

/// How far ahead a send time may be.
pub const SCHEDULE_AT_MOST_DAYS: i64 = 366;

/// A send time typed as a local date and time (`<input type="date">` and
/// `<input type="time">`) in the instance's time zone, as a UTC instant.
/// Both empty is "now" (`None`). It must lie ahead of `now` (by a minute at
/// least) and at most [`SCHEDULE_AT_MOST_DAYS`] days ahead. Errors are tied
/// to `send_date` or `send_time`.
pub fn parse_send_time(
    date: &str,
    time_of_day: &str,
    zone: TimeZone,
    now: PrimitiveDateTime,
) -> Result<Option<PrimitiveDateTime>, (&'static str, FieldError)> {
    let (date, time_of_day) = (date.trim(), time_of_day.trim());
    if date.is_empty() && time_of_day.is_empty() {
        return Ok(None);
    }
    let day = match parse_day(date) {
        Ok(Some(d)) => d,
        Ok(None) => return Err(("send_date", FieldError::Required)),
        // Outside the years a date may have: long past, or far ahead.
        Err(FieldError::DateOutOfRange) => {
            let past = date.starts_with('-')
                || date
                    .split('-')
                    .next()
                    .and_then(|y| y.parse::<i64>().ok())
                    .is_some_and(|y| y < i64::from(MIN_YEAR));
            let e = if past {
                FieldError::NotInFuture
            } else {
                FieldError::TooFarAhead
            };
            return Err(("send_date", e));
        }
        Err(e) => return Err(("send_date", e)),
    };
    let at = if time_of_day.is_empty() {
        Time::from_hms(8, 0, 0).unwrap_or(Time::MIDNIGHT)
    } else {
        let hm = format_description!("[hour]:[minute]");
        let hms = format_description!("[hour]:[minute]:[second]");
        Time::parse(time_of_day, &hm)
            .or_else(|_| Time::parse(time_of_day, &hms))
            .map_err(|_| ("send_time", FieldError::InvalidTime))?
    };
    let local = PrimitiveDateTime::new(day, at);
    let utc = match local.assume_timezone(zone.tz()) {
        OffsetResult::Some(t) | OffsetResult::Ambiguous(t, _) => t.to_offset(time::UtcOffset::UTC),
        // A local time that does not exist (the hour skipped in spring).
        OffsetResult::None => return Err(("send_time", FieldError::InvalidTime)),
    };
    let utc = PrimitiveDateTime::new(utc.date(), utc.time());
    if utc <= now + Duration::minutes(1) {
        return Err(("send_date", FieldError::NotInFuture));
    }
    if utc > now + Duration::days(SCHEDULE_AT_MOST_DAYS) {
        return Err(("send_date", FieldError::TooFarAhead));
    }
    Ok(Some(utc))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_send_time_is_local_and_ahead() {
        use time::macros::datetime;
        let berlin = TimeZone::parse("Europe/Berlin").unwrap();
        let now = datetime!(2026-12-01 10:00);
        assert_eq!(parse_send_time("", "", berlin, now), Ok(None));
        assert_eq!(
            parse_send_time("2027-01-04", "08:00", berlin, now),
            Ok(Some(datetime!(2027-01-04 07:00)))
        );
        // Summer time: two hours ahead of UTC; no time given is 08:00.
        assert_eq!(
            parse_send_time("2027-07-01", "", berlin, now),
            Ok(Some(datetime!(2027-07-01 06:00)))
        );
        // 02:30 does not exist on the night clocks go forward.
        assert_eq!(
            parse_send_time("2027-03-28", "02:30", berlin, now),
            Err(("send_time", FieldError::InvalidTime))
        );
        assert_eq!(
            parse_send_time("2026-12-01", "11:00", berlin, now),
            Err(("send_date", FieldError::NotInFuture))
        );
        assert_eq!(
            parse_send_time("2028-12-01", "11:00", berlin, now),
            Err(("send_date", FieldError::TooFarAhead))
        );
        assert_eq!(
            parse_send_time("", "11:00", berlin, now),
            Err(("send_date", FieldError::Required))
        );
    }

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
