"""Deadlines at each centre: its own public holidays, its timezone, the policy's day counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hsm.cases import deadlines
from hsm.cases.terms import DeadlineState, DeadlineStatus
from hsm.centres.validation import parse_centre
from tests.centres.helpers import shipped


def centre(slug):
    found, problems = parse_centre(shipped(slug), slug, f"{slug}.toml")
    assert not problems
    return found


UK, AMSTERDAM, IRELAND, PARIS = (centre(s) for s in ("uk", "amsterdam", "ireland", "paris"))


def review_ack(c, received_on):
    return deadlines.review_acknowledgement_due(deadlines.calendar_of(c), received_on)


@pytest.mark.parametrize(
    ("where", "received_on", "due_on", "why"),
    [
        # Thursday 12 March 2026. St Patrick's Day (Tue 17) is Ireland's alone.
        (IRELAND, date(2026, 3, 12), date(2026, 3, 20), "St Patrick's Day"),
        (UK, date(2026, 3, 12), date(2026, 3, 19), "no holiday in England"),
        # Easter Monday 6 April 2026 is a holiday at every centre; Good Friday not in France
        # or Ireland.
        (UK, date(2026, 4, 1), date(2026, 4, 10), "Good Friday and Easter Monday"),
        (PARIS, date(2026, 4, 1), date(2026, 4, 9), "Easter Monday only"),
        (IRELAND, date(2026, 4, 1), date(2026, 4, 9), "Easter Monday only"),
        (AMSTERDAM, date(2026, 4, 1), date(2026, 4, 10), "Good Friday and Easter Monday"),
        # King's Day (Mon 27 April) in Amsterdam only.
        (AMSTERDAM, date(2026, 4, 24), date(2026, 5, 4), "King's Day"),
        (PARIS, date(2026, 4, 24), date(2026, 5, 4), "1 May, not King's Day"),
        (UK, date(2026, 4, 24), date(2026, 5, 1), "neither"),
        # England's August bank holiday is the last Monday (31st); Ireland's the first (3rd):
        # the subdivision matters (GB without ENG misses Easter Monday and this one).
        (UK, date(2026, 8, 27), date(2026, 9, 4), "Late Summer Bank Holiday"),
        (IRELAND, date(2026, 8, 27), date(2026, 9, 3), "no holiday"),
        (IRELAND, date(2026, 7, 30), date(2026, 8, 7), "August Bank Holiday"),
        # Bastille Day (Tue 14 July) in Paris only.
        (PARIS, date(2026, 7, 10), date(2026, 7, 20), "National Day"),
        (UK, date(2026, 7, 10), date(2026, 7, 17), "no holiday"),
        # Boxing Day falls on a Saturday in 2026: England keeps it on Monday 28 (observed).
        (UK, date(2026, 12, 23), date(2027, 1, 4), "Christmas, Boxing Day observed, 1 January"),
        (PARIS, date(2026, 12, 23), date(2026, 12, 31), "Christmas only"),
    ],
)
def test_review_acknowledgement_counts_the_centres_working_days(where, received_on, due_on, why):
    assert review_ack(where, received_on) == due_on, why


def test_review_response_is_21_calendar_days_unless_an_alternative_is_recorded():
    received = date(2026, 12, 20)
    assert deadlines.review_response_due(received) == date(2027, 1, 10)
    later = deadlines.AlternativeTimescale(date(2027, 1, 31), "Waiting for a witness statement")
    assert deadlines.review_response_due(received, later) == date(2027, 1, 31)
    with pytest.raises(ValueError, match="reason"):
        deadlines.AlternativeTimescale(date(2027, 1, 31), "  ")


def test_a_measure_is_reviewed_every_28_days_from_its_last_review():
    assert deadlines.measure_review_due(date(2026, 3, 2)) == date(2026, 3, 30)
    assert deadlines.measure_review_due(date(2026, 3, 2), date(2026, 3, 20)) == date(2026, 4, 17)
    # Holidays do not move a calendar-day deadline.
    assert deadlines.measure_review_due(date(2026, 12, 1)) == date(2026, 12, 29)


def test_completion_letter_within_28_days_of_the_final_decision():
    assert deadlines.completion_letter_due(date(2026, 2, 10)) == date(2026, 3, 10)


def test_service_targets_are_sooner_for_urgent_cases_and_use_the_local_day():
    # Friday 3 April 2026, 23:30 UTC: already Saturday 4 April in Paris, still Friday in England.
    late_friday = datetime(2026, 4, 3, 23, 30, tzinfo=UTC)
    # England: Good Friday and Easter Monday are holidays; 2 working days -> Wed 8 April.
    assert deadlines.report_acknowledgement_due(UK, late_friday, urgent=False) == date(2026, 4, 8)
    # Urgent: the same working day, and the day is a holiday: the next working day.
    assert deadlines.report_acknowledgement_due(UK, late_friday, urgent=True) == date(2026, 4, 7)
    # Paris counts from its Saturday; Easter Monday off: Tue 7, Wed 8 April.
    assert deadlines.report_acknowledgement_due(PARIS, late_friday, urgent=False) == (
        date(2026, 4, 8))
    # An urgent report on a working day is due that same day.
    tuesday = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert deadlines.report_acknowledgement_due(IRELAND, tuesday, urgent=True) == date(2026, 3, 10)
    # A formal complaint: 3 working days, 1 when urgent; Dublin skips St Patrick's Day.
    monday = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
    assert deadlines.complaint_acknowledgement_due(IRELAND, monday, urgent=False) == (
        date(2026, 3, 20))
    assert deadlines.complaint_acknowledgement_due(UK, monday, urgent=False) == date(2026, 3, 19)
    assert deadlines.complaint_acknowledgement_due(IRELAND, monday, urgent=True) == (
        date(2026, 3, 18))


def test_state_in_words_due_due_soon_overdue():
    due_on = date(2026, 5, 10)
    assert deadlines.state(due_on, date(2026, 5, 1)) is DeadlineState.DUE
    assert deadlines.state(due_on, date(2026, 5, 7)) is DeadlineState.DUE_SOON
    assert deadlines.state(due_on, date(2026, 5, 10)) is DeadlineState.DUE_SOON
    assert deadlines.state(due_on, date(2026, 5, 11)) is DeadlineState.OVERDUE
    from hsm.cases.terms import DEADLINE_STATE_LABELS
    assert set(DEADLINE_STATE_LABELS) == set(DeadlineState)


def test_a_deadline_passes_at_midnight_at_the_centre():
    due_on = date(2026, 6, 1)
    # 22:30 UTC on 1 June is 00:30 on 2 June in Paris, 23:30 on 1 June in England.
    moment = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    assert deadlines.state_at(due_on, moment, PARIS.timezone) is DeadlineState.OVERDUE
    assert deadlines.state_at(due_on, moment, UK.timezone) is DeadlineState.DUE_SOON
    assert deadlines.outcome(moment, due_on, PARIS.timezone) is DeadlineStatus.MISSED
    assert deadlines.outcome(moment, due_on, UK.timezone) is DeadlineStatus.MET


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
       st.sampled_from([UK, AMSTERDAM, IRELAND, PARIS]))
def test_review_acknowledgement_lands_on_a_working_day_after_five(received_on, where):
    calendar = deadlines.calendar_of(where)
    due = review_ack(where, received_on)
    assert calendar.is_working_day(due)
    assert calendar.working_days_between(received_on, due) == 5
