"""When each duty on a case falls due, at its centre, and how it stands today. Pure code.

Everything counts days through the shared ``hsm.calendar`` (the centre's public holidays,
with its subdivision, substitute days included) and its timezone. A deadline is a date at the
centre, due at the end of that day there (``hsm.calendar.due_at``).

- Review request (16.6): acknowledged within 5 working days of receipt; answered within
  3 weeks (21 calendar days), unless an alternative timescale is issued with its reason.
- A precautionary measure (12.7): reviewed every 4 weeks (28 calendar days) from its last
  review, or from its start.
- A new report's first acknowledgement and the Centre Director's acknowledgement of a formal
  complaint: the centre's service targets (``[service_targets]``), sooner when urgent.
- The Completion of Procedures letter: within 28 days of the final decision (the OIA).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hsm.calendar import WorkingCalendar, add_calendar_days, calendar_for, due_at, local_today
from hsm.cases.terms import DeadlineState, DeadlineStatus
from hsm.centres.centre import Centre

REVIEW_ACKNOWLEDGEMENT_WORKING_DAYS = 5
REVIEW_RESPONSE_DAYS = 21
MEASURE_REVIEW_DAYS = 28
COMPLETION_LETTER_DAYS = 28
# An open deadline is "due soon" from this many calendar days before its day.
DUE_SOON_DAYS = 3


def calendar_of(centre: Centre) -> WorkingCalendar:
    """The centre's working days, from its data file's holiday calendar."""
    return calendar_for(centre.holiday_country, centre.holiday_subdivision)


def after_working_days(calendar: WorkingCalendar, start: date, days: int) -> date:
    """``days`` working days after ``start``; 0 is the same working day (the next one when
    ``start`` is a weekend or a holiday)."""
    if days == 0 and not calendar.is_working_day(start):
        return calendar.add_working_days(start, 1)
    return calendar.add_working_days(start, days)


def report_acknowledgement_due(centre: Centre, received_at: datetime, *, urgent: bool) -> date:
    """A new report's first acknowledgement: the centre's target, from its local day of receipt."""
    days = centre.service_targets.report_acknowledgement_days(urgent)
    return after_working_days(calendar_of(centre), local_today(received_at, centre.timezone),
                              days)


def complaint_acknowledgement_due(centre: Centre, notified_at: datetime, *, urgent: bool) -> date:
    """The Centre Director's acknowledgement of a formal complaint (10.1)."""
    days = centre.service_targets.complaint_acknowledgement_days(urgent)
    return after_working_days(calendar_of(centre), local_today(notified_at, centre.timezone),
                              days)


def review_acknowledgement_due(calendar: WorkingCalendar, received_on: date) -> date:
    """16.6: the Reviewing Officer acknowledges within 5 working days of receipt."""
    return calendar.add_working_days(received_on, REVIEW_ACKNOWLEDGEMENT_WORKING_DAYS)


@dataclass(frozen=True)
class AlternativeTimescale:
    """An alternative timescale issued to the student (16.6): a date and why."""

    due_on: date
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("an alternative timescale is recorded with its reason")


def review_response_due(received_on: date,
                        alternative: AlternativeTimescale | None = None) -> date:
    """16.6: a response within 3 weeks (21 calendar days), or the alternative timescale."""
    if alternative is not None:
        return alternative.due_on
    return add_calendar_days(received_on, REVIEW_RESPONSE_DAYS)


def measure_review_due(starts_on: date, last_reviewed_on: date | None = None) -> date:
    """12.7: every 4 weeks (28 calendar days) from the last review, or from the start."""
    since = max(starts_on, last_reviewed_on) if last_reviewed_on else starts_on
    return add_calendar_days(since, MEASURE_REVIEW_DAYS)


def completion_letter_due(final_decision_on: date) -> date:
    """The Completion of Procedures letter: within 28 days of the final decision (OIA)."""
    return add_calendar_days(final_decision_on, COMPLETION_LETTER_DAYS)


def state(due_on: date, today: date) -> DeadlineState:
    """How an open deadline stands on ``today`` (the centre's date): due, due soon, overdue."""
    if today > due_on:
        return DeadlineState.OVERDUE
    if (due_on - today) <= timedelta(days=DUE_SOON_DAYS):
        return DeadlineState.DUE_SOON
    return DeadlineState.DUE


def state_at(due_on: date, now: datetime, timezone: str) -> DeadlineState:
    """``state`` at the moment ``now``: overdue once the day has ended at the centre."""
    if now >= due_at(due_on, timezone):
        return DeadlineState.OVERDUE
    return state(due_on, local_today(now, timezone))


def outcome(done_at: datetime, due_on: date, timezone: str) -> DeadlineStatus:
    """A deadline done at ``done_at`` was met (by the end of its day there) or missed."""
    return DeadlineStatus.MET if done_at < due_at(due_on, timezone) else DeadlineStatus.MISSED
