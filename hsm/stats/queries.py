"""Reads for the statistics: the aggregate counts a snapshot is built from, and the snapshots.

Building a snapshot runs a fixed number of GROUP BY queries (``COUNT_QUERIES``), whatever the
number of reports and cases: each returns one row per group (centre, month and the answers
counted), never a report or a case. Months are those of the moment in UTC. The pages read
only stored snapshots (``latest``, ``published``, ``load_snapshot``): one or two queries.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import abort

from hsm import pagecache
from hsm.cases.models import Case, Deadline, Measure
from hsm.cases.terms import ClosureReason, DeadlineStatus
from hsm.extensions import db
from hsm.letters.models import Outcome, Sanction
from hsm.reports.models import Report
from hsm.stats import snapshot as plan
from hsm.stats.models import StatisticsSnapshot

#: How many aggregate queries building a snapshot runs (the bench and a test hold us to it).
COUNT_QUERIES = 10


def _pg() -> bool:
    return db.engine.dialect.name == "postgresql"


def _month(column, *, moment: bool = True):
    """'YYYY-MM' of a column, in SQL (a moment is read in UTC)."""
    if _pg():
        value = sa.func.timezone("UTC", column) if moment else column
        return sa.func.to_char(value, "YYYY-MM")
    return sa.func.substr(column, 1, 7)


def _day(column):
    """'YYYY-MM-DD' of a moment, in UTC, in SQL."""
    if _pg():
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.substr(column, 1, 10)


def window(through: date) -> tuple[date, date]:
    """First day of the academic year, and the first day after the month of ``through``."""
    start = date(plan.academic_year_of(through), 9, 1)
    end = date(through.year + (through.month == 12), through.month % 12 + 1, 1)
    return start, end


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def counts(through: date, working_days) -> plan.Counts:
    """Every count a snapshot through ``through`` publishes, by centre and month."""
    start, end = window(through)
    counts = plan.Counts()
    received = sa.and_(Report.received_at >= _moment(start), Report.received_at < _moment(end))
    month = _month(Report.received_at)

    # 1. Reports by their answers (one row per combination of answers present).
    rows = db.session.execute(
        sa.select(Report.centre, month, Report.anonymous, Report.third_party, Report.where,
                  Report.respondent, Report.when_kind, Report.anonymity_reason, sa.func.count())
        .where(received)
        .group_by(Report.centre, month, Report.anonymous, Report.third_party, Report.where,
                  Report.respondent, Report.when_kind, Report.anonymity_reason))
    for centre, m, anonymous, third_party, where, respondent, when_kind, reason, n in rows:
        plan.report_row(counts, centre, m, n, anonymous=anonymous, third_party=third_party,
                        where=where, respondent=respondent, when_kind=when_kind,
                        anonymity_reason=reason)

    # 2. Categories (a report may name several): one row per combination named.
    named = sa.cast(Report.categories, sa.Text)
    for centre, m, chosen, n in db.session.execute(
            sa.select(Report.centre, month, named, sa.func.count()).where(received)
            .group_by(Report.centre, month, named)):
        plan.category_row(counts, centre, m, n, json.loads(chosen) if chosen else ())

    opened = sa.and_(Case.opened_at >= _moment(start), Case.opened_at < _moment(end))
    opened_month = _month(Case.opened_at)
    # 3. Disclosures recorded by staff, by channel.
    for centre, m, channel, n in db.session.execute(
            sa.select(Case.centre, opened_month, Case.disclosure_channel, sa.func.count())
            .where(opened, Case.disclosure_channel.is_not(None))
            .group_by(Case.centre, opened_month, Case.disclosure_channel)):
        counts.flows[("channel", centre, m, channel)] += n
        counts.flows[("totals", centre, m, "disclosures")] += n

    # 4. Cases opened, by the stage they have reached.
    for centre, m, stage, n in db.session.execute(
            sa.select(Case.centre, opened_month, Case.stage, sa.func.count()).where(opened)
            .group_by(Case.centre, opened_month, Case.stage)):
        counts.flows[("stage", centre, m, stage)] += n
        counts.flows[("totals", centre, m, "cases")] += n

    # 5. Outcomes found (breach or not), by the month of the decision.
    decided = sa.and_(Outcome.decided_on >= start, Outcome.decided_on < end)
    decided_month = _month(Outcome.decided_on, moment=False)
    for centre, m, finding, n in db.session.execute(
            sa.select(Case.centre, decided_month, Outcome.finding,
                      sa.func.count(sa.distinct(Outcome.case_id)))
            .join(Case, Case.id == Outcome.case_id).where(decided)
            .group_by(Case.centre, decided_month, Outcome.finding)):
        counts.flows[("outcome", centre, m, finding)] += n

    # 6. Cases closed as dismissed with support, or resolved informally.
    closed_month = _month(Case.closed_at)
    closures = {ClosureReason.DISMISSED_WITH_SUPPORT: "dismissed_with_support",
                ClosureReason.INFORMAL_RESOLUTION: "informal_resolution"}
    for centre, m, reason, n in db.session.execute(
            sa.select(Case.centre, closed_month, Case.closure_reason, sa.func.count())
            .where(Case.closed_at >= _moment(start), Case.closed_at < _moment(end),
                   Case.closure_reason.in_(list(closures)))
            .group_by(Case.centre, closed_month, Case.closure_reason)):
        counts.flows[("outcome", centre, m, closures[reason])] += n

    # 7. Sanctions by kind (published for the group only).
    for centre, m, kind, n in db.session.execute(
            sa.select(Case.centre, decided_month, Sanction.kind, sa.func.count())
            .join(Outcome, Outcome.id == Sanction.outcome_id)
            .join(Case, Case.id == Outcome.case_id).where(decided)
            .group_by(Case.centre, decided_month, Sanction.kind)):
        counts.flows[("sanction", centre, m, kind)] += n

    # 8. Precautionary measures, by the months they started and were lifted.
    starts, lifted = (_month(Measure.starts_on, moment=False),
                      _month(Measure.lifted_on, moment=False))
    for centre, kind, s, e, n in db.session.execute(
            sa.select(Case.centre, Measure.kind, starts, lifted, sa.func.count())
            .join(Case, Case.id == Measure.case_id)
            .where(Measure.starts_on < end,
                   sa.or_(Measure.lifted_on.is_(None), Measure.lifted_on >= start))
            .group_by(Case.centre, Measure.kind, starts, lifted)):
        counts.measures[(centre, kind, s, e)] += n

    # 9. First acknowledgements: reports by the day received and the day acknowledged.
    received_day, acknowledged_day = _day(Report.received_at), _day(Report.acknowledged_at)
    rows = db.session.execute(
        sa.select(Report.centre, received_day, acknowledged_day, sa.func.count())
        .where(received, Report.acknowledged_at.is_not(None))
        .group_by(Report.centre, received_day, acknowledged_day))
    counts.acknowledgements = plan.acknowledgement_days(
        ((c, date.fromisoformat(r), date.fromisoformat(a), n) for c, r, a, n in rows),
        working_days)

    # 10. Deadlines done (met on time, or missed), by the month they were due.
    due_month = _month(Deadline.due_on, moment=False)
    for centre, m, kind, status, n in db.session.execute(
            sa.select(Case.centre, due_month, Deadline.kind, Deadline.status, sa.func.count())
            .join(Case, Case.id == Deadline.case_id)
            .where(Deadline.due_on >= start, Deadline.due_on < end,
                   Deadline.kind.in_([str(k) for k in plan.SERVICE_DEADLINES]),
                   Deadline.status.in_([DeadlineStatus.MET, DeadlineStatus.MISSED]))
            .group_by(Case.centre, due_month, Deadline.kind, Deadline.status)):
        counts.deadlines[(centre, m, kind, status == DeadlineStatus.MET)] += n
    return counts


# --- stored snapshots ------------------------------------------------------------------------


def latest() -> StatisticsSnapshot | None:
    return db.session.scalar(
        sa.select(StatisticsSnapshot).order_by(StatisticsSnapshot.through.desc()).limit(1))


#: The version row (hsm/pagecache.py) that publishing a snapshot changes, in its transaction.
SNAPSHOTS = "statistics_snapshots"
# The list of snapshots, kept under the version it was read at (one entry per database).
_published: dict[tuple[int, int], list[tuple[int, date, str]]] = {}


def published() -> list[tuple[int, date, str]]:
    """(id, through, digest) of every snapshot, newest first: the list to choose from.

    Kept per process under the snapshots' version, read on every call on the process's own
    connection (one primary-key read): once a snapshot is published on any server, every
    process lists it on its next request. Before any snapshot was published through
    ``operations.publish`` (version 0) the list is always read."""
    stamp = pagecache.version(SNAPSHOTS)
    key = (id(db.engine), stamp)
    if stamp and key in _published:
        return _published[key]
    rows = [tuple(row) for row in db.session.execute(
        sa.select(StatisticsSnapshot.id, StatisticsSnapshot.through, StatisticsSnapshot.digest)
        .order_by(StatisticsSnapshot.through.desc()))]
    if stamp:
        _published.clear()
        _published[key] = rows
    return rows


def load_snapshot(snapshot_id: int) -> StatisticsSnapshot:
    """A published snapshot, or 404. Every snapshot is for everyone who sees statistics."""
    found = db.session.get(StatisticsSnapshot, snapshot_id)
    if found is None:
        abort(404)
    return found


def exists_through(month_start: date) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(StatisticsSnapshot)
        .where(StatisticsSnapshot.through == month_start)) > 0
