"""Specialist badges: earned by a recorded training, kept until the topic's refresher is due.

Pure functions over plain values; the caller passes today's date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# The topics the scheme starts with; EDI can add more. (slug, names, badge texts, months)
DEFAULT_TOPICS = (
    {
        "slug": "sexual-violence",
        "name": {
            "en": "Sexual violence",
            "nl": "Seksueel geweld",
            "fr": "Violences sexuelles",
        },
        "badge": {
            "en": "Trained to support people affected by sexual violence",
            "nl": "Getraind om mensen te steunen die te maken hebben gehad met seksueel geweld",
            "fr": "Formé·e pour soutenir les personnes touchées par des violences sexuelles",
        },
        "refresher_months": 24,
    },
    {
        "slug": "lgbtqia",
        "name": {
            "en": "Supporting LGBTQIA+ students",
            "nl": "Steun voor lhbtqia+-studenten",
            "fr": "Soutenir les étudiant·es LGBTQIA+",
        },
        "badge": {
            "en": "Trained to support LGBTQIA+ students",
            "nl": "Getraind om lhbtqia+-studenten te steunen",
            "fr": "Formé·e pour soutenir les étudiant·es LGBTQIA+",
        },
        "refresher_months": 24,
    },
    {
        "slug": "racial-harassment",
        "name": {
            "en": "Racial harassment and discrimination",
            "nl": "Racistische intimidatie en discriminatie",
            "fr": "Harcèlement et discrimination racistes",
        },
        "badge": {
            "en": "Trained to support people facing racial harassment or discrimination",
            "nl": "Getraind om mensen te steunen die te maken hebben met racistische "
            "intimidatie of discriminatie",
            "fr": "Formé·e pour soutenir les personnes victimes de harcèlement ou de "
            "discrimination racistes",
        },
        "refresher_months": 24,
    },
    {
        "slug": "domestic-abuse",
        "name": {
            "en": "Domestic abuse",
            "nl": "Huiselijk geweld",
            "fr": "Violences conjugales et familiales",
        },
        "badge": {
            "en": "Trained to support people affected by domestic abuse",
            "nl": "Getraind om mensen te steunen die te maken hebben met huiselijk geweld",
            "fr": "Formé·e pour soutenir les personnes touchées par des violences conjugales "
            "ou familiales",
        },
        "refresher_months": 24,
    },
)


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def valid_until(attended_on: date, refresher_months: int) -> date:
    """The last day a training still earns its badge."""
    return add_months(attended_on, refresher_months)


def earliest_valid_training(today: date, refresher_months: int) -> date:
    """The first date whose training still earns the badge today (``valid_until >= today``).

    Month ends make this more than ``today`` minus the months: on 31 August, six months back
    is 28 February, yet a training that day ran out on 28 August. The directory's badge
    filter uses this date, so it must agree exactly with ``BadgeStatus.active_on``.
    """
    start = add_months(today, -refresher_months)
    if valid_until(start, refresher_months) < today:
        start += timedelta(days=1)
    return start


@dataclass(frozen=True)
class BadgeStatus:
    topic_id: int
    last_trained: date
    valid_until: date

    def active_on(self, today: date) -> bool:
        return today <= self.valid_until


def badge_statuses(
    trainings: Iterable[tuple[int, date]], refresher_months: dict[int, int]
) -> dict[int, BadgeStatus]:
    """For each topic trained in, the latest training and how long its badge lasts.

    ``trainings`` are (topic id, date attended); ``refresher_months`` maps topic id to months.
    """
    latest: dict[int, date] = {}
    for topic_id, attended_on in trainings:
        if topic_id in refresher_months and attended_on > latest.get(topic_id, date.min):
            latest[topic_id] = attended_on
    return {
        topic_id: BadgeStatus(topic_id, day, valid_until(day, refresher_months[topic_id]))
        for topic_id, day in latest.items()
    }


def active_badges(
    trainings: Iterable[tuple[int, date]], refresher_months: dict[int, int], today: date
) -> list[int]:
    """The topic ids whose badge is earned today."""
    statuses = badge_statuses(trainings, refresher_months)
    return sorted(t for t, status in statuses.items() if status.active_on(today))


def refreshers_due(
    trainings: Iterable[tuple[int, date]], refresher_months: dict[int, int], today: date
) -> list[BadgeStatus]:
    """Badges that have lapsed: the person trained once, but the refresher is now due."""
    statuses = badge_statuses(trainings, refresher_months)
    return [s for s in statuses.values() if not s.active_on(today)]
