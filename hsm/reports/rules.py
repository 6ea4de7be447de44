"""The rules of Report a Concern (policy sections 2.2, 2.5, 5, 6.6 and 8), as plain functions.

Nothing here reads the request, the session or the database: every input is an argument.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# --- the choices of the form (Appendix B and section 5.2); labels live in labels.py --------

ANONYMITY_REASONS = (
    "retaliation",
    "no_formal_action",
    "not_sure_serious",
    "not_believed",
    "privacy",
    "other",
)
CONTACT_METHODS = ("email", "phone", "text")
ABOUT = ("me", "someone_else")
CATEGORIES = (
    "mental_health",
    "physical_health",
    "safeguarding",
    "bullying",
    "harassment",
    "sexual_domestic_abuse",
    "discrimination",
    "other",
)
WHEN_KINDS = ("date", "approximate", "ongoing", "long_ago")
WHERE = ("on_campus", "accommodation", "online", "elsewhere")
RESPONDENTS = ("student", "staff", "contractor", "visitor", "third_party", "unknown")
WISHES = (
    "information_only",
    "support",
    "informal_resolution",
    "police",
    "sarc",
    "formal_report",
    "no_action_now",
    "not_sure",
)
CONSENT = ("yes", "no", "not_applicable")
YES_NO = ("yes", "no")

# Length limits, shared by the form, the model checks and the templates' counters.
NARRATIVE_MAX = 5000
MESSAGE_MAX = 5000
NAME_MAX = 100
STUDENT_NUMBER_MAX = 30
SHORT_TEXT_MAX = 300
OTHER_REASON_MAX = 500

# --- the life of a report --------------------------------------------------------------------


class Status(enum.StrEnum):
    NEW = "new"  # nobody has opened it yet
    ACKNOWLEDGED = "acknowledged"  # Student Services has read it
    CLOSED = "closed"  # taken forward (for example as a case) or closed


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED)


class Handling(enum.StrEnum):
    INFORMATION_ONLY = "information_only"
    SUPPORT_REQUESTED = "support_requested"


class Urgency(enum.IntEnum):
    ROUTINE = 1
    HIGH = 2
    URGENT = 3


class Flag(enum.StrEnum):
    IMMEDIATE_DANGER = "immediate_danger"
    UNDER_18 = "under_18"
    STAFF_RESPONDENT = "staff_respondent"
    ANONYMOUS = "anonymous"
    THIRD_PARTY = "third_party"


# Categories where any delay may put someone at risk (2.5, 8.6).
HIGH_RISK_CATEGORIES = frozenset({"mental_health", "safeguarding", "sexual_domestic_abuse"})


@dataclass(frozen=True)
class Triage:
    urgency: Urgency
    flags: frozenset[Flag]
    # Reports about a member of staff are taken forward with the People Team (2.2, 4.3).
    people_team: bool


def triage(
    *,
    immediate_danger: bool,
    under_18: bool,
    respondent: str,
    anonymous: bool,
    about: str,
    categories: Iterable[str],
) -> Triage:
    """Flags and urgency of a new report, from what the reporter told us."""
    flags = set()
    if immediate_danger:
        flags.add(Flag.IMMEDIATE_DANGER)
    if under_18:
        flags.add(Flag.UNDER_18)
    if respondent == "staff":
        flags.add(Flag.STAFF_RESPONDENT)
    if anonymous:
        flags.add(Flag.ANONYMOUS)
    if about == "someone_else":
        flags.add(Flag.THIRD_PARTY)

    if immediate_danger:
        urgency = Urgency.URGENT
    elif under_18 or HIGH_RISK_CATEGORIES.intersection(categories) or respondent == "staff":
        urgency = Urgency.HIGH
    else:
        urgency = Urgency.ROUTINE
    return Triage(urgency=urgency, flags=frozenset(flags), people_team=respondent == "staff")


def received_time(now: datetime, *, anonymous: bool) -> datetime:
    """When a report counts as received: to the hour for anonymous reports (less to identify)."""
    now = now.astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0) if anonymous else now


def reporter_view_status(status: str, handling: str | None, assigned: bool) -> str:
    """A key for the plain-words status the reporter reads (see labels.REPORTER_STATUS)."""
    if status == Status.CLOSED:
        return "closed"
    if handling == Handling.INFORMATION_ONLY:
        return "information_only"
    if handling == Handling.SUPPORT_REQUESTED:
        return "support"
    if assigned:
        return "assigned"
    if status == Status.ACKNOWLEDGED:
        return "read"
    return "received"


def visible(
    *,
    report_centre: str,
    staff_respondent: bool,
    report_scopes: frozenset[str] | None,
    staff_respondent_scopes: frozenset[str] | None,
) -> bool:
    """Whether someone with these scopes (None: every centre) may see a report.

    Student Services and the Centre Director see their centre's reports; the People Team also
    sees reports about staff members.
    """
    if report_scopes is None or report_centre in report_scopes:
        return True
    if staff_respondent:
        return staff_respondent_scopes is None or report_centre in staff_respondent_scopes
    return False


def plausible_birth_date(born: date, today: date) -> bool:
    """A date of birth of someone who could be studying: not in the future, at most 120 years."""
    return born <= today and today.year - born.year <= 120


def is_minor(born: date | None, today: date) -> bool:
    """Whether a date of birth makes someone under 18 today (2.5: a safeguarding flag)."""
    if born is None:
        return False
    had_birthday = (today.month, today.day) >= (born.month, born.day)
    return today.year - born.year - (0 if had_birthday else 1) < 18


def incident_date_ok(day: date, today: date) -> bool:
    """An incident date cannot be in the future (historic incidents are welcome: 5.4)."""
    return day <= today


# The same form sent again gets its report a new receipt code for this long after sending
# (counted from the stored time, which is to the hour for anonymous reports: one to two
# hours then). Later, someone who finds the old page on a shared device gets no code.
REISSUE_WINDOW = timedelta(hours=2)


def may_reissue_receipt(received_at: datetime, now: datetime) -> bool:
    """Whether a repeated form may still show its report a new receipt code."""
    return now - received_at <= REISSUE_WINDOW
