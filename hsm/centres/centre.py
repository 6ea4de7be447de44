"""What a centre is, once its data file has been read and checked.

These are plain frozen values: nothing here reads a file, a request or the app.
`validation.py` builds them; `registry.py` keeps them for the app.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import holidays

FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class Text:
    """One piece of data text, held in every locale.

    `text["nl"]` gives the Dutch; an unknown locale falls back to English, so a
    page never shows nothing. Validation makes sure every locale is present.
    """

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: dict[str, str]) -> Text:
        return cls(tuple(sorted(mapping.items())))

    def __getitem__(self, locale: object) -> str:
        wanted = str(locale)
        found = dict(self.values)
        return found.get(wanted) or found.get(FALLBACK_LOCALE, "")

    @property
    def locales(self) -> frozenset[str]:
        return frozenset(locale for locale, _text in self.values)


@dataclass(frozen=True)
class Dialling:
    """A checked phone number: how it is shown and the link that dials it."""

    shown: str  # exactly as written in the data file, e.g. "0800-0188"
    digits: str  # E.164 ("+318000188") or, for a short code, the digits ("112")
    short: bool

    def href(self, scheme: str = "tel") -> str:
        return f"{scheme}:{self.digits}"


@dataclass(frozen=True)
class ContactPoint:
    """A way to reach someone: an emergency service, a helpline or a centre team.

    `kind` is one of phone, text, web, email. A phone or text line has a
    `number`; a web entry has a `url`; an email entry has an `email`. Any entry
    may carry the others as well (Samaritans: phone, email and website).
    """

    id: str
    kind: str
    name: Text
    number: Dialling | None = None
    email: str | None = None
    url: str | None = None
    hours: Text | None = None
    always_open: bool = False
    description: Text | None = None
    source: str | None = None
    demo: bool = False
    text_keyword: str | None = None  # "Text SHOUT to 85258"
    service: str | None = None  # emergency entries: emergency, police, medical, fire

    @property
    def href(self) -> str:
        """The main link: tel:, sms:, https: or mailto:, following `kind`."""
        if self.kind == "phone" and self.number:
            return self.number.href("tel")
        if self.kind == "text" and self.number:
            return self.number.href("sms")
        if self.kind == "email" and self.email:
            return f"mailto:{self.email}"
        return self.url or ""

    @property
    def tel_href(self) -> str | None:
        """A tel: link for phone lines (text lines are not for calling)."""
        if self.number and self.kind == "phone":
            return self.number.href("tel")
        return None


@dataclass(frozen=True)
class Link:
    url: str
    label: Text


@dataclass(frozen=True)
class CareSection:
    """Medical care and evidence after a sexual assault: a SARC in England,
    its nearest equivalent elsewhere."""

    heading: Text
    points: tuple[Text, ...]
    links: tuple[Link, ...] = ()
    helpline_ids: tuple[str, ...] = ()


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class ServiceHours:
    """When Student Services are at work and read new reports, in the centre's local time.

    Never on a public holiday of the centre's calendar. `demo`: not the real hours yet.
    """

    days: tuple[int, ...]  # 0 is Monday, as in date.weekday()
    opens: time
    closes: time
    demo: bool = False

    def open_at(self, local: datetime, closed: Container[date]) -> bool:
        """Whether they are there at ``local`` (the centre's wall-clock time)."""
        return (
            local.weekday() in self.days
            and local.date() not in closed
            and self.opens <= local.time().replace(tzinfo=None) < self.closes
        )

    def next_opening(self, local: datetime, closed: Container[date]) -> datetime | None:
        """When they are next there after ``local``: the start of their next working day."""
        for offset in range(0, 31):  # a month without one working day is not an office
            day = local.date() + timedelta(days=offset)
            if day.weekday() in self.days and day not in closed:
                start = datetime.combine(day, self.opens, tzinfo=local.tzinfo)
                if start > local:
                    return start
        return None


@dataclass(frozen=True)
class ServiceTargets:
    """Service targets the policy leaves open, in the centre's working days (WORKFLOW.md).

    0 means the same working day. Urgent cases (immediate danger, under 18) are sooner.
    """

    report_acknowledgement: int = 2
    report_acknowledgement_urgent: int = 0
    complaint_acknowledgement: int = 3
    complaint_acknowledgement_urgent: int = 1

    def report_acknowledgement_days(self, urgent: bool) -> int:
        return self.report_acknowledgement_urgent if urgent else self.report_acknowledgement

    def complaint_acknowledgement_days(self, urgent: bool) -> int:
        return self.complaint_acknowledgement_urgent if urgent else self.complaint_acknowledgement


@dataclass(frozen=True)
class ServiceStatus:
    """Whether Student Services are there now, and when they are there next (local times)."""

    open_now: bool
    closes: datetime | None  # today's closing time, while open
    next_opening: datetime | None


@dataclass(frozen=True)
class Centre:
    """A study centre and everything a student there needs to reach help."""

    slug: str
    name: Text
    country: str  # ISO 3166 alpha-2
    jurisdiction: str  # "england", "netherlands", "ireland", "france"
    timezone: str
    default_locale: str
    holiday_country: str
    holiday_subdivision: str | None
    emergency_numbers: tuple[ContactPoint, ...]
    student_services: ContactPoint
    centre_emergency: ContactPoint
    security: ContactPoint
    helplines: tuple[ContactPoint, ...]
    care: CareSection
    service_hours: ServiceHours
    service_targets: ServiceTargets = field(default_factory=ServiceTargets)
    source_file: str = field(default="", compare=False)

    @property
    def oia_applies(self) -> bool:
        """The Office of the Independent Adjudicator reviews only English centres."""
        return self.jurisdiction == "england"

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @property
    def student_services_email(self) -> str:
        return self.student_services.email or ""

    def name_for(self, locale: object) -> str:
        return self.name[locale]

    def holiday_calendar(self, years: int | list[int] | range) -> holidays.HolidayBase:
        """The public holidays of the centre's country, for working-day deadlines."""
        return holidays.country_holidays(
            self.holiday_country, subdiv=self.holiday_subdivision, years=years
        )

    def service_status(self, now: datetime) -> ServiceStatus:
        """Are Student Services there at ``now`` (an aware time), and when are they next?"""
        local = now.astimezone(self.tz)
        closed = self.holiday_calendar([local.year, local.year + 1])
        hours = self.service_hours
        open_now = hours.open_at(local, closed)
        closes = datetime.combine(local.date(), hours.closes, tzinfo=local.tzinfo)
        return ServiceStatus(
            open_now=open_now,
            closes=closes if open_now else None,
            next_opening=hours.next_opening(local, closed),
        )

    def emergency(self, service: str) -> tuple[ContactPoint, ...]:
        """Emergency-service numbers of one kind: emergency, police, medical, fire."""
        return tuple(e for e in self.emergency_numbers if e.service == service)

    @property
    def always_open_lines(self) -> tuple[ContactPoint, ...]:
        """Lines a student can call or text right now, at any hour."""
        return tuple(h for h in self.helplines if h.always_open and h.kind in ("phone", "text"))

    @property
    def specialist_services(self) -> tuple[ContactPoint, ...]:
        """Everything else: lines with opening hours, websites, email services."""
        now = set(self.always_open_lines)
        return tuple(h for h in self.helplines if h not in now)

    def helpline(self, helpline_id: str) -> ContactPoint | None:
        return next((h for h in self.helplines if h.id == helpline_id), None)

    @property
    def care_lines(self) -> tuple[ContactPoint, ...]:
        found = (self.helpline(i) for i in self.care.helpline_ids)
        return tuple(h for h in found if h is not None)

    @property
    def contact_points(self) -> tuple[ContactPoint, ...]:
        """Every entry, for checks that look at all numbers."""
        return (
            *self.emergency_numbers,
            self.student_services,
            self.centre_emergency,
            self.security,
            *self.helplines,
        )
