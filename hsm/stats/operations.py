"""Publishing a statistics snapshot: build it from aggregates, store it suppressed, audit it.

Only whole months are published, each at most once (``through`` is unique): a snapshot
through a month that is not over yet, or through a month that already has one (or is older
than the latest), is refused with its reason. The schedule (``hsm jobs run``) publishes
through the last month of each term; the Safeguarding Director may publish any month between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from hsm import audit, pagecache
from hsm.cases.deadlines import calendar_of
from hsm.centres.registry import all_centres, get_centre
from hsm.extensions import db
from hsm.i18n import _l
from hsm.safecontacts import equality
from hsm.safecontacts import queries as safecontacts_queries
from hsm.stats import queries
from hsm.stats import snapshot as plan
from hsm.stats.models import StatisticsSnapshot, digest_of


class NotPublished(ValueError):
    """The snapshot was not published; ``message`` says why, in the reader's words."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def last_complete_month(now: datetime) -> date:
    """The first day of the month before the month of ``now`` (UTC)."""
    today = now.astimezone(UTC).date()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def _working_days():
    calendars = {}

    def between(centre_slug: str, start: date, end: date) -> int:
        if centre_slug not in calendars:
            centre = get_centre(centre_slug)
            calendars[centre_slug] = calendar_of(centre) if centre else None
        calendar = calendars[centre_slug]
        return calendar.working_days_between(start, end) if calendar else (end - start).days

    return between


@dataclass(frozen=True)
class Built:
    through: date
    figures: dict
    diversity: dict


def build(through: date) -> Built:
    """The suppressed figures through the month of ``through``, from aggregate queries."""
    through = through.replace(day=1)
    centres = [c.slug for c in all_centres()]
    targets = {c.slug: c.service_targets.report_acknowledgement for c in all_centres()}
    counts = queries.counts(through, _working_days())
    figures = plan.build(through, centres, counts, targets)
    diversity = equality.protected(safecontacts_queries.equality_answers())
    return Built(through, figures, diversity)


def publish(actor, through: date, *, trigger: str = "director",
            now: datetime | None = None) -> StatisticsSnapshot:
    """Publish the snapshot through the month of ``through`` (audited, never changed again)."""
    now = now or datetime.now(UTC)
    through = through.replace(day=1)
    if through > last_complete_month(now):
        raise NotPublished(_l("Only a month that is over can be published."))
    newest = queries.latest()
    if newest is not None and through <= newest.through:
        raise NotPublished(_l("A snapshot through this month, or a later one, is already "
                              "published. Published figures never change."))
    built = build(through)
    snapshot = StatisticsSnapshot(
        through=through, academic_year=plan.academic_year_of(through), published_at=now,
        published_by_id=getattr(actor, "id", None), trigger=trigger,
        figures=built.figures, diversity=built.diversity,
        digest=digest_of(built.figures, built.diversity))
    db.session.add(snapshot)
    db.session.flush()
    pagecache.changed(queries.SNAPSHOTS)  # every process lists it on its next request
    audit.record("stats.snapshot_published", actor=actor, target_type="statistics_snapshot",
                 target_id=snapshot.id,
                 detail={"through": plan.month_key(through), "trigger": trigger})
    return snapshot


def publish_due(now: datetime) -> StatisticsSnapshot | None:
    """The schedule: through the last month of a term, once, when that month is over."""
    through = last_complete_month(now)
    if not plan.is_set_date(through) or queries.exists_through(through):
        return None
    newest = queries.latest()
    if newest is not None and newest.through > through:
        return None
    return publish(None, through, trigger="schedule", now=now)
