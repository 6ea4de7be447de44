"""Retention (policy 4.9, 19.6): records are kept by a schedule, and nothing active is removed.

Each kind of record has a period in configuration (``HSM_RETAIN_*_DAYS``, hsm/config.py),
counted from the end of its life, never from its creation:

- ``information_report``: a report marked "for information only" and never taken into a
  case, from the moment it was so marked or the last message in its follow-up thread,
  whichever is later;
- ``unsuccessful_application``: a Safe Contact application that did not go ahead (withdrawn,
  not progressed), from that move;
- ``closed_case``: a closed case, from its closure, with everything recorded on it (parties,
  notes, measures, the timeline, its issued letters' encrypted PDFs) and its reports, their
  follow-up threads and sessions.

A record under a legal hold (``legal_hold``) is never purged; an open one never is either,
whatever its age, because only the end of a life starts the count. A purge removes the
record from every table: each table whose foreign key points at it is followed (rows that
hang from it are removed, a reference from a record that stays is cleared), read from the
schema itself so that a table added later is covered. The audit log is never touched: its
entries about purged records stay (they hold codes and ids, no personal data), so the chain
still verifies. A dry run and a purge are both audited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from hsm import audit
from hsm.extensions import db


@dataclass(frozen=True)
class Kind:
    name: str
    setting: str
    table: str
    due: Callable[[datetime], sa.Select]  # ids of the records whose period ended before


def _information_reports(cutoff: datetime) -> sa.Select:
    from hsm.cases.models import Case, CaseLinkedReport
    from hsm.reports.models import Report, ReportMessage
    from hsm.reports.rules import Handling

    in_a_case = sa.or_(
        sa.exists().where(Case.report_id == Report.id),
        sa.exists().where(CaseLinkedReport.report_id == Report.id),
    )
    # A message in its thread since (the reporter wrote again) keeps it alive.
    written_since = sa.exists().where(ReportMessage.report_id == Report.id,
                                      ReportMessage.created_at >= cutoff)
    return sa.select(Report.id).where(
        Report.handling == Handling.INFORMATION_ONLY, Report.handled_at.is_not(None),
        Report.handled_at < cutoff, Report.legal_hold.is_(False), ~in_a_case,
        ~written_since)


def _unsuccessful_applications(cutoff: datetime) -> sa.Select:
    from hsm.safecontacts.models import SafeContact
    from hsm.safecontacts.pipeline import SIDE_STATES

    return sa.select(SafeContact.id).where(
        SafeContact.stage.in_([s.value for s in SIDE_STATES]),
        SafeContact.stage_changed_at.is_not(None), SafeContact.stage_changed_at < cutoff,
        SafeContact.legal_hold.is_(False))


def _closed_cases(cutoff: datetime) -> sa.Select:
    from hsm.cases.models import Case
    from hsm.cases.terms import Stage

    return sa.select(Case.id).where(
        Case.stage == Stage.CLOSED, Case.closed_at.is_not(None), Case.closed_at < cutoff,
        Case.legal_hold.is_(False))


KINDS = (
    Kind("information_report", "HSM_RETAIN_INFORMATION_REPORTS_DAYS", "report",
         _information_reports),
    Kind("unsuccessful_application", "HSM_RETAIN_UNSUCCESSFUL_APPLICATIONS_DAYS",
         "safe_contact", _unsuccessful_applications),
    Kind("closed_case", "HSM_RETAIN_CLOSED_CASES_DAYS", "case_record", _closed_cases),
)


@dataclass
class Plan:
    """What a run finds: the records of each kind whose period has ended."""

    due: dict[str, list[int]]
    removed: Counter

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.due.values())


def due(now: datetime | None = None) -> dict[str, list[int]]:
    """The ids of each kind whose retention period has ended (none held, none open)."""
    now = now or datetime.now(UTC)
    found = {}
    for kind in KINDS:
        cutoff = now - timedelta(days=current_app.config[kind.setting])
        found[kind.name] = sorted(db.session.scalars(kind.due(cutoff)))
    return found


def _case_reports(case_ids: list[int]) -> list[int]:
    """The reports of closed cases that go with them (a report under its own hold stays)."""
    from hsm.cases.models import Case, CaseLinkedReport
    from hsm.reports.models import Report

    if not case_ids:
        return []
    ids = set(db.session.scalars(sa.select(Case.report_id).where(
        Case.id.in_(case_ids), Case.report_id.is_not(None))))
    ids |= set(db.session.scalars(sa.select(CaseLinkedReport.report_id).where(
        CaseLinkedReport.case_id.in_(case_ids))))
    # A report that another case (still kept) also names stays with that case.
    others = set(db.session.scalars(sa.select(Case.report_id).where(
        Case.id.not_in(case_ids), Case.report_id.in_(ids))))
    others |= set(db.session.scalars(sa.select(CaseLinkedReport.report_id).where(
        CaseLinkedReport.case_id.not_in(case_ids), CaseLinkedReport.report_id.in_(ids))))
    return sorted(db.session.scalars(sa.select(Report.id).where(
        Report.id.in_(ids - others), Report.legal_hold.is_(False))))


def _boards_changed(case_ids: list[int]) -> None:
    """The case boards of the centres whose closed cases go change (their poll token)."""
    from hsm.cases.models import Case
    from hsm.cases.queries import board_changed

    if case_ids:
        for centre in sorted(set(db.session.scalars(
                sa.select(Case.centre).where(Case.id.in_(case_ids)).distinct()))):
            board_changed(centre)


def _remove(table: sa.Table, ids: list[int], removed: Counter) -> None:
    """Remove rows ``ids`` of ``table`` and everything that hangs from them, from every table
    (read from the schema's foreign keys); a reference from a row that stays is cleared."""
    if not ids:
        return
    for child in db.metadata.sorted_tables:
        if child.name == audit.AuditEntry.__tablename__:
            continue
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            column = fk.parent
            if fk.ondelete == "SET NULL" or child is table:
                db.session.execute(sa.update(child).where(column.in_(ids)).values(
                    {column.name: None}))
            else:
                [key] = list(child.primary_key.columns)
                below = list(db.session.scalars(sa.select(key).where(column.in_(ids))))
                _remove(child, below, removed)
    [key] = list(table.primary_key.columns)
    removed[table.name] += db.session.execute(
        sa.delete(table).where(key.in_(ids)).execution_options(synchronize_session=False)
    ).rowcount


def run(*, dry_run: bool, now: datetime | None = None, actor=None,
        audit_empty: bool = True) -> Plan:
    """List (``dry_run``) or purge what the schedule says has gone past its period.

    The job passes ``audit_empty=False``: a run every few minutes that finds nothing adds
    nothing to the audit log (a run asked for by a person is always recorded)."""
    found = due(now)
    plan = Plan(due=found, removed=Counter())
    if not dry_run and not plan.total and not audit_empty:
        return plan
    counts = {name: len(ids) for name, ids in found.items()}
    if dry_run:
        audit.record("retention.listed", actor=actor, target_type="retention",
                     centre=None, detail={"due": counts}, commit=True)
        return plan
    tables = db.metadata.tables
    reports = _case_reports(found["closed_case"])
    _boards_changed(found["closed_case"])
    for kind in KINDS:
        for record_id in found[kind.name]:
            audit.record("retention.purged", actor=actor, target_type=kind.table,
                         target_id=record_id, centre=None, detail={"kind": kind.name})
        _remove(tables[kind.table], found[kind.name], plan.removed)
    for record_id in reports:
        audit.record("retention.purged", actor=actor, target_type="report",
                     target_id=record_id, centre=None, detail={"kind": "closed_case_report"})
    _remove(tables["report"], reports, plan.removed)
    audit.record("retention.run", actor=actor, target_type="retention", centre=None,
                 detail={"due": counts, "rows": dict(plan.removed)})
    db.session.commit()
    db.session.expire_all()
    return plan


def hold(kind_table: str, record_id: int, on: bool, actor=None) -> bool:
    """Put a legal hold on a record (or lift it); audited. False when no such record."""
    table = db.metadata.tables[kind_table]
    changed = db.session.execute(sa.update(table).where(table.c.id == record_id).values(
        legal_hold=on)).rowcount
    if changed:
        audit.record("retention.hold_set" if on else "retention.hold_lifted", actor=actor,
                     target_type=kind_table, target_id=record_id, centre=None)
    db.session.commit()
    return bool(changed)
