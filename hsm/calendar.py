"""Dates at a centre: its local day, its working days, and when a deadline falls due.

Plain code: every function takes what it needs as arguments (no request, no database), so the
case deadlines, the statistics and the receipt's opening hours all count days the same way.

The rules (shared/domain/WORKFLOW.md, "Deadlines, exactly"):
- working days are counted from the day after the start, skipping weekends, the public
  holidays of the centre's country (with its subdivision: England is GB-ENG), substitute
  ("observed") days included, and the centre's own closure days;
- "within 3 weeks" is 21 calendar days, "every 4 weeks" is 28 calendar days;
- a deadline is a date in the centre's timezone, due at the end of that day there.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

SATURDAY = 5


def local_today(now: datetime, timezone: str | tzinfo) -> date:
    """The date at the centre: just after midnight in Paris it is still yesterday in UTC."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return now.astimezone(zone).date()


def due_at(day: date, timezone: str | tzinfo) -> datetime:
    """The moment a deadline on ``day`` has passed: the next midnight at the centre (aware)."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def add_calendar_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


@dataclass(frozen=True)
class WorkingCalendar:
    """A centre's working days: Monday to Friday, less public holidays and closure days."""

    country: str
    subdivision: str | None = None
    closures: frozenset[date] = field(default_factory=frozenset)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        # expand=True fills in each year the first time a date of it is asked about.
        return holidays.country_holidays(self.country, subdiv=self.subdivision, observed=True)

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self._holidays and day not in self.closures

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (which itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def calendar_for(country: str, subdivision: str | None,
                 closures: Collection[date] = ()) -> WorkingCalendar:
    return WorkingCalendar(country=country, subdivision=subdivision, closures=frozenset(closures))
