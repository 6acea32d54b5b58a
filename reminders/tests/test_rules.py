"""Due-date arithmetic: working days, holidays, month ends, time zones."""

from __future__ import annotations

import datetime as dt

import pytest

from reminders.rules import (
    Unit,
    add_months,
    add_working_days,
    earliest_fire_time,
    local_date,
    local_fire_time,
    occurrence_after,
    shift,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2026, 11, 16), 5, D(2026, 11, 23)),  # Monday + 5 working days = next Monday
        (D(2026, 11, 19), 5, D(2026, 11, 26)),  # Thursday: the weekend is skipped
        (D(2026, 11, 21), 5, D(2026, 11, 27)),  # Saturday: counting starts on Monday
        (D(2026, 11, 20), 1, D(2026, 11, 23)),  # Friday + 1 = Monday
        (D(2026, 11, 23), 0, D(2026, 11, 23)),
        (D(2026, 11, 23), -1, D(2026, 11, 20)),  # backwards over a weekend
    ],
)
def test_working_days_skip_weekends(start: dt.date, count: int, expected: dt.date) -> None:
    assert add_working_days(start, count) == expected


def test_working_days_skip_the_countrys_public_holidays() -> None:
    # Russia's New Year holidays: 1-8 January 2027 are days off.
    assert add_working_days(D(2026, 12, 30), 5) == D(2027, 1, 6)
    assert add_working_days(D(2026, 12, 30), 5, "RU") == D(2027, 1, 15)
    # Without a country a weekday holiday is a working day.
    assert shift(D(2027, 5, 7), 1, Unit.WORKING_DAYS) == D(2027, 5, 10)
    assert shift(D(2027, 5, 7), 1, Unit.WORKING_DAYS, "RU") == D(2027, 5, 11)  # 10 May 2027 is a holiday in RU


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 2, D(2026, 3, 31)),  # anchored: not 28 March
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # across the year end
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_months_clamp_to_the_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_monthly_reviews_do_not_drift_after_february() -> None:
    opened = D(2026, 1, 31)
    reviews = []
    after = opened
    for _ in range(4):
        after = occurrence_after(opened, 1, Unit.MONTHS, after + dt.timedelta(days=1))
        reviews.append(after)
    assert reviews == [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]


def test_quarterly_and_weekly_cadences() -> None:
    assert occurrence_after(D(2026, 1, 15), 3, Unit.MONTHS, D(2026, 5, 1)) == D(2026, 7, 15)
    assert occurrence_after(D(2026, 1, 15), 3, Unit.MONTHS, D(2026, 4, 15)) == D(2026, 4, 15)
    assert occurrence_after(D(2026, 11, 2), 7, Unit.DAYS, D(2026, 11, 22)) == D(2026, 11, 23)
    assert occurrence_after(D(2026, 11, 2), 7, Unit.DAYS, D(2026, 11, 2)) == D(2026, 11, 9)  # never the opening day
    with pytest.raises(ValueError):
        occurrence_after(D(2026, 11, 2), 0, Unit.DAYS, D(2026, 11, 22))


def test_local_morning_in_russias_time_zones() -> None:
    day = D(2026, 12, 1)
    assert local_fire_time(day, "Europe/Kaliningrad", 8) == dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC)
    assert local_fire_time(day, "Europe/Moscow", 8) == dt.datetime(2026, 12, 1, 5, tzinfo=dt.UTC)
    assert local_fire_time(day, "Asia/Vladivostok", 8) == dt.datetime(2026, 11, 30, 22, tzinfo=dt.UTC)
    assert local_fire_time(day, "Asia/Kamchatka", 8) == dt.datetime(2026, 11, 30, 20, tzinfo=dt.UTC)
    # The plan fires when 08:00 first comes anywhere: no recipient's morning is earlier.
    earliest = earliest_fire_time(day, 8)
    assert earliest == dt.datetime(2026, 11, 30, 18, tzinfo=dt.UTC)
    for zone in ("Pacific/Kiritimati", "Asia/Kamchatka", "Europe/Moscow", "America/Los_Angeles", "Etc/GMT+12"):
        assert local_fire_time(day, zone, 8) >= earliest


def test_daylight_saving_changes_the_utc_instant_not_the_local_hour() -> None:
    winter = local_fire_time(D(2026, 1, 15), "Europe/Berlin", 8)
    summer = local_fire_time(D(2026, 7, 15), "Europe/Berlin", 8)
    assert (winter.hour, summer.hour) == (7, 6)


def test_today_depends_on_where_the_reader_is() -> None:
    instant = dt.datetime(2026, 11, 30, 21, 30, tzinfo=dt.UTC)
    assert local_date(instant, "Europe/Moscow") == D(2026, 12, 1)  # 00:30 on the 1st
    assert local_date(instant, "Europe/Kaliningrad") == D(2026, 11, 30)  # 23:30 on the 30th
    assert local_date(instant, "Asia/Kamchatka") == D(2026, 12, 1)


@pytest.mark.parametrize(
    ("kind", "future", "past"),
    [
        ("follow_up_due", "is due tomorrow", "was due yesterday"),
        ("consent_expiry", "expires tomorrow", "expired yesterday"),
        ("recovery_end", "ends tomorrow", "ended yesterday"),
    ],
)
def test_a_date_already_past_is_told_in_the_past_tense(kind: str, future: str, past: str) -> None:
    from reminders.texts import reminder_text

    today = dt.date(2026, 11, 29)
    text = {
        day: reminder_text(
            kind=kind, due_on=today + dt.timedelta(days=day), offset=0, today=today, case_ref="C-1", referral_ref=None
        )
        for day in (1, -1)
    }
    assert future in text[1] and past in text[-1], text
