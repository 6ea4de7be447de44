"""Working days, local dates and due times at each centre (hsm/calendar.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hsm.calendar import (
    WorkingCalendar,
    add_calendar_days,
    calendar_for,
    due_at,
    local_today,
)

ENGLAND = calendar_for("GB", "ENG")
CALENDARS = {
    "england": ENGLAND,
    "ireland": calendar_for("IE", None),
    "netherlands": calendar_for("NL", None),
    "france": calendar_for("FR", None),
}
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@pytest.mark.parametrize(
    ("day", "name"),
    [(date(2026, 4, 6), "Easter Monday"), (date(2026, 8, 31), "Late Summer Bank Holiday"),
     (date(2026, 12, 28), "Boxing Day (observed)"),
     (date(2027, 12, 27), "Christmas Day (observed)")],
)
def test_england_needs_its_subdivision_and_keeps_substitute_days(day, name):
    assert ENGLAND.holiday_name(day) == name
    assert not ENGLAND.is_working_day(day)
    # Without the subdivision, the August bank holiday of England is missing.
    if day == date(2026, 8, 31):
        assert calendar_for("GB", None).is_working_day(day)


@pytest.mark.parametrize(
    ("calendar", "day"),
    [("ireland", date(2026, 3, 17)), ("netherlands", date(2026, 4, 27)),
     ("france", date(2026, 7, 14)), ("france", date(2026, 5, 14))],
)
def test_each_country_has_its_own_holidays(calendar, day):
    assert not CALENDARS[calendar].is_working_day(day)
    assert ENGLAND.is_working_day(day)


def test_five_working_days_over_christmas_in_england():
    # Friday 18 December 2026: Christmas on Friday, Boxing Day on Saturday (observed Monday 28).
    assert ENGLAND.add_working_days(date(2026, 12, 18), 5) == date(2026, 12, 29)


def test_closure_days_are_kept_beside_the_national_calendar():
    closed = calendar_for("GB", "ENG", closures=[date(2026, 12, 29), date(2026, 12, 30),
                                                  date(2026, 12, 31)])
    assert closed.add_working_days(date(2026, 12, 18), 5) == date(2027, 1, 4)


def test_counting_starts_the_day_after_receipt():
    friday = date(2026, 11, 27)
    assert ENGLAND.add_working_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert ENGLAND.add_working_days(friday, 0) == friday


def test_three_weeks_and_four_weeks_are_calendar_days():
    assert add_calendar_days(date(2026, 12, 18), 21) == date(2027, 1, 8)
    assert add_calendar_days(date(2026, 12, 18), 28) == date(2027, 1, 15)


def test_a_deadline_is_due_at_the_end_of_the_day_at_the_centre():
    due = due_at(date(2026, 7, 1), "Europe/Paris")
    assert due == datetime(2026, 7, 1, 22, 0, tzinfo=UTC)  # midnight in Paris, summer time
    assert due_at(date(2026, 1, 5), "Europe/London") == datetime(2026, 1, 6, 0, 0, tzinfo=UTC)


def test_the_local_day_differs_from_utc_near_midnight():
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert local_today(late, "Europe/Paris") == date(2026, 12, 2)
    assert local_today(late, "Europe/London") == date(2026, 12, 1)
    assert local_today(late, "Europe/Dublin") == date(2026, 12, 1)


@given(st.sampled_from(sorted(CALENDARS)), DAYS, st.integers(min_value=0, max_value=60))
def test_adding_working_days_lands_on_a_working_day_and_counts_back(name, start, n):
    calendar = CALENDARS[name]
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n
    if n:
        assert calendar.is_working_day(end)
        assert end > start
        # Never more than the days plus every weekend and holiday in between.
        assert (end - start).days <= n * 3 + 10


@given(st.sampled_from(sorted(CALENDARS)), DAYS, st.integers(0, 30), st.integers(0, 30))
def test_working_days_add_up(name, start, a, b):
    calendar = CALENDARS[name]
    assert calendar.add_working_days(calendar.add_working_days(start, a), b) == (
        calendar.add_working_days(start, a + b)
    )


@given(DAYS, st.sets(DAYS, max_size=10), st.integers(0, 20))
def test_a_closure_day_never_shortens_a_deadline(start, closures, n):
    with_closures = WorkingCalendar("GB", "ENG", frozenset(closures))
    assert with_closures.add_working_days(start, n) >= ENGLAND.add_working_days(start, n)
    assert all(not with_closures.is_working_day(d) for d in closures)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        ENGLAND.add_working_days(date(2026, 1, 1), -1)


def test_a_week_from_the_day_before():
    monday = date(2026, 11, 30)
    assert ENGLAND.working_days_between(monday - timedelta(days=1), monday + timedelta(days=6)) == 5
