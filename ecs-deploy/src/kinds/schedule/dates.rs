//! The `StartDate` and `EndDate` of a schedule in one form: whole epoch seconds (or seconds
//! with a fraction when the date has one).
//!
//! A stack may write them as ISO 8601 text (`2030-01-01T09:00:00+01:00`) or as epoch seconds;
//! GetSchedule answers epoch seconds, as restJson1 serializes a timestamp member of a body by
//! default (the Smithy `timestampFormat` default, and what `aws-sdk-scheduler` sends and reads:
//! <https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html>, response
//! members `StartDate` and `EndDate`, type Timestamp). Comparing text with a number would show
//! a change on every plan, and sending the text as the raw body would not be what the SDK
//! sends, so both sides are brought to epoch seconds before they are compared or sent.
//!
//! Text is converted when it is an RFC 3339 date-time (the profile of ISO 8601 that names its
//! offset): `YYYY-MM-DDTHH:MM:SS`, an optional fraction, and `Z` or `±HH:MM` (`t`, `z` and a
//! space for `T` are accepted, as RFC 3339 allows). Text without an offset is a local time of
//! no known zone, and anything else is not a date-time: both are kept as written, so the
//! difference shows in the plan and AWS's validation answers, rather than a guess.
//! Epoch seconds with a zero fraction (`1893456000.0`, as a float-printing client answers)
//! become whole seconds, so `1893456000` and `1893456000.0` compare equal.

use ecs_model::Timestamp;
use serde_json::Number;

/// `timestamp` as epoch seconds, when it is epoch seconds or RFC 3339 text; unchanged
/// otherwise.
pub(crate) fn normalized(timestamp: &Timestamp) -> Timestamp {
    let seconds = match timestamp.as_text() {
        Some(text) => rfc3339_seconds(text),
        None => timestamp.epoch_seconds(),
    };
    match seconds {
        Some(seconds) if seconds.fract() == 0.0 && seconds.abs() < 1e15 => {
            // Whole and well within i64: exact.
            #[allow(clippy::cast_possible_truncation)]
            Timestamp::from(seconds as i64)
        }
        Some(seconds) => {
            Number::from_f64(seconds).map_or_else(|| timestamp.clone(), Timestamp::from)
        }
        None => timestamp.clone(),
    }
}

/// The epoch seconds of an RFC 3339 date-time, or `None` when
/// `text` is not one.
fn rfc3339_seconds(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let number = |from: usize, len: usize| -> Option<i64> {
        let digits = text.get(from..from + len)?;
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).is_some_and(|b| allowed.contains(b));
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut at = 19;
    let mut fraction = 0.0;
    if separator(at, b".") {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        fraction = text.get(at..at + 1 + digits)?.parse::<f64>().ok()?;
        at += 1 + digits;
    }
    let offset_minutes = match text.get(at..)? {
        "Z" | "z" => 0,
        offset if offset.len() == 6 && separator(at + 3, b":") => {
            let sign = match offset.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hours, minutes) = (number(at + 1, 2)?, number(at + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 60 + minutes)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    #[allow(clippy::cast_precision_loss)]
    Some(seconds as f64 + fraction)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(t: &str) -> Timestamp {
        Timestamp::Text(t.to_owned())
    }

    fn number(value: serde_json::Value) -> Timestamp {
        serde_json::from_value(value).expect("a timestamp")
    }

    #[test]
    fn rfc3339_text_becomes_the_epoch_seconds_aws_answers() {
        // `date -u -d 2030-01-01T00:00:00Z +%s` = 1893456000.
        for written in [
            "2030-01-01T00:00:00Z",
            "2030-01-01t00:00:00z",
            "2030-01-01 00:00:00Z",
            "2030-01-01T01:00:00+01:00",
            "2029-12-31T19:00:00-05:00",
            "2030-01-01T00:00:00.000Z",
        ] {
            assert_eq!(
                normalized(&text(written)),
                Timestamp::from(1_893_456_000),
                "{written}"
            );
        }
        assert_eq!(
            normalized(&text("1970-01-01T00:00:00Z")),
            Timestamp::from(0)
        );
        // 2024 is a leap year: 2024-02-29 exists, and 2024-03-01 is the day after.
        assert_eq!(
            normalized(&text("2024-03-01T00:00:00Z")),
            Timestamp::from(1_709_251_200)
        );
        assert_eq!(
            normalized(&text("2024-02-29T00:00:00Z")),
            Timestamp::from(1_709_251_200 - 86_400)
        );
        assert_eq!(
            normalized(&text("1969-12-31T23:59:59Z")),
            Timestamp::from(-1)
        );
        assert_eq!(
            normalized(&text("2030-01-01T00:00:00.5Z")),
            number(json!(1_893_456_000.5))
        );
    }

    #[test]
    fn epoch_seconds_compare_equal_whatever_their_form() {
        assert_eq!(
            normalized(&number(json!(1_893_456_000.0))),
            normalized(&number(json!(1_893_456_000)))
        );
        assert_eq!(
            normalized(&number(json!(1_893_456_000.0))),
            normalized(&text("2030-01-01T00:00:00Z"))
        );
        assert_eq!(
            normalized(&number(json!(1_893_456_000.25))),
            number(json!(1_893_456_000.25))
        );
    }

    #[test]
    fn text_that_is_not_an_rfc3339_date_time_is_kept_as_written() {
        for written in [
            "2030-01-01T00:00:00",
            "2030-01-01",
            "2030-13-01T00:00:00Z",
            "2030-02-29T00:00:00Z",
            "2030-01-01T24:00:00Z",
            "2030-01-01T00:00:60Z",
            "2030-01-01T00:00:00.Z",
            "2030-01-01T00:00:00+0100",
            "2030-01-01T00:00:00+25:00",
            "next tuesday",
            "",
            "２０３０-01-01T00:00:00Z",
        ] {
            assert_eq!(normalized(&text(written)), text(written), "{written}");
        }
    }

    #[test]
    fn a_schedule_written_with_text_dates_is_the_one_get_schedule_answers() {
        let written =
            ecs_model::load::from_value::<ecs_model::scheduler::CreateScheduleInput>(&json!({
                "Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)",
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "StartDate": "2030-01-01T01:00:00+01:00", "EndDate": "2031-01-01T00:00:00Z",
                "Target": {"Arn": "arn:aws:ecs:us-east-1:1:cluster/c", "RoleArn": "r"}
            }))
            .value
            .expect("a schedule");
        let answered = super::super::rendered(&json!({
            "Arn": "arn:aws:scheduler:us-east-1:1:schedule/g/nightly",
            "Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "StartDate": 1_893_456_000.0, "EndDate": 1_924_992_000,
            "Target": {"Arn": "arn:aws:ecs:us-east-1:1:cluster/c", "RoleArn": "r"},
            "CreationDate": 1_700_000_000.0
        }))
        .expect("a schedule");
        let (want, have) = (
            super::super::normalized(&written),
            super::super::normalized(&answered.input),
        );
        assert_eq!(want, have);
        // What is sent is epoch seconds too, as the SDK would send them.
        let sent = crate::plan::to_json(&want);
        assert_eq!(sent["StartDate"], json!(1_893_456_000));
        assert_eq!(sent["EndDate"], json!(1_924_992_000));
    }
}
