"""The rules of the form and the inbox, as plain functions."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hsm.reports import rules
from hsm.reports.rules import Flag, Urgency


def triage(**overrides):
    args = dict(
        immediate_danger=False,
        under_18=False,
        respondent="student",
        anonymous=False,
        about="me",
        categories=["bullying"],
    )
    args.update(overrides)
    return rules.triage(**args)


def test_routine_report():
    result = triage()
    assert result.urgency == Urgency.ROUTINE
    assert result.flags == frozenset()
    assert not result.people_team


def test_immediate_danger_is_urgent_whatever_else():
    assert triage(immediate_danger=True).urgency == Urgency.URGENT
    assert Flag.IMMEDIATE_DANGER in triage(immediate_danger=True).flags


@pytest.mark.parametrize(
    "overrides",
    [
        {"under_18": True},
        {"respondent": "staff"},
        {"categories": ["mental_health"]},
        {"categories": ["bullying", "sexual_domestic_abuse"]},
        {"categories": ["safeguarding"]},
    ],
)
def test_high_urgency(overrides):
    assert triage(**overrides).urgency == Urgency.HIGH


def test_staff_respondent_goes_to_the_people_team():
    result = triage(respondent="staff")
    assert result.people_team
    assert Flag.STAFF_RESPONDENT in result.flags
    assert not triage(respondent="contractor").people_team


def test_flags_for_anonymous_third_party_and_under_18():
    result = triage(anonymous=True, about="someone_else", under_18=True)
    assert result.flags == {Flag.ANONYMOUS, Flag.THIRD_PARTY, Flag.UNDER_18}


def test_anonymous_time_is_kept_to_the_hour_only():
    moment = datetime(2025, 3, 27, 14, 37, 12, 999, tzinfo=UTC)
    assert rules.received_time(moment, anonymous=True) == datetime(2025, 3, 27, 14, tzinfo=UTC)
    assert rules.received_time(moment, anonymous=False) == moment
    paris = moment.astimezone(timezone(timedelta(hours=1)))
    assert rules.received_time(paris, anonymous=True).tzinfo == UTC


@pytest.mark.parametrize(
    ("status", "handling", "assigned", "expected"),
    [
        ("new", None, False, "received"),
        ("acknowledged", None, False, "read"),
        ("acknowledged", None, True, "assigned"),
        ("acknowledged", "support_requested", True, "support"),
        ("acknowledged", "information_only", False, "information_only"),
        ("closed", "support_requested", True, "closed"),
    ],
)
def test_status_in_plain_words(status, handling, assigned, expected):
    assert rules.reporter_view_status(status, handling, assigned) == expected


@pytest.mark.parametrize(
    ("centre", "staff", "reports", "staff_scopes", "expected"),
    [
        ("uk", False, frozenset({"uk"}), frozenset(), True),
        ("paris", False, frozenset({"uk"}), frozenset(), False),
        ("paris", False, None, frozenset(), True),
        ("paris", True, frozenset(), None, True),
        ("paris", False, frozenset(), None, False),
        ("paris", True, frozenset(), frozenset({"uk"}), False),
    ],
)
def test_who_sees_a_report(centre, staff, reports, staff_scopes, expected):
    assert (
        rules.visible(
            report_centre=centre,
            staff_respondent=staff,
            report_scopes=reports,
            staff_respondent_scopes=staff_scopes,
        )
        is expected
    )


def test_dates():
    today = date(2025, 3, 27)
    assert rules.plausible_birth_date(date(2004, 1, 1), today)
    assert not rules.plausible_birth_date(date(2026, 1, 1), today)
    assert not rules.plausible_birth_date(date(1800, 1, 1), today)
    assert rules.incident_date_ok(date(2001, 1, 1), today)
    assert not rules.incident_date_ok(date(2025, 3, 28), today)


@pytest.mark.parametrize(
    ("born", "today", "minor"),
    [
        (date(2008, 6, 2), date(2026, 6, 1), True),  # the day before the 18th birthday
        (date(2008, 6, 2), date(2026, 6, 2), False),  # the birthday itself
        (date(2008, 2, 29), date(2026, 2, 28), True),
        (date(1990, 1, 1), date(2026, 6, 1), False),
        (None, date(2026, 6, 1), False),
    ],
)
def test_is_minor(born, today, minor):
    assert rules.is_minor(born, today) is minor
