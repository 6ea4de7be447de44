"""Retention (policy 4.9, 19.6): a period per kind of record, counted from the end of its life;
an open record is never purged whatever its age; a legal hold keeps a record; an expired one
is removed from every table; the audit chain still verifies; dry runs and purges are audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from hsm import audit, jobs, retention
from hsm.cases.models import Case
from hsm.cases.terms import Stage
from hsm.extensions import db
from hsm.reports.models import FollowUpSession, Report, ReportMessage
from hsm.safecontacts.models import SafeContact
from tests.cases.conftest import make_case, make_report, staff  # noqa: F401 - fixtures
from tests.safecontacts.seed import make_contact

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=20 * 365)


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(audit.AuditEntry.action)))


def _rows_naming(table: str, ids: set[int]) -> list[str]:
    """Every row, in every table, whose foreign key still names one of ``ids`` of ``table``."""
    found = []
    for child in db.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table.name == table:
                hits = db.session.execute(sa.select(child).where(fk.parent.in_(ids))).all()
                found += [f"{child.name}.{fk.parent.name}"] * len(hits)
    return found


def _closed_case(make_case, make_report, *, closed_at=LONG_AGO, held=False) -> Case:  # noqa: F811
    case = make_case(Stage.CLOSED)
    report = make_report()
    case.report_id = report.id
    case.closed_at = closed_at
    case.legal_hold = held
    db.session.add(ReportMessage(report_id=report.id, author="reporter", body="Thread-canary",
                                 created_at=LONG_AGO))
    db.session.commit()
    return case


def test_an_open_record_is_never_purged_whatever_its_age(make_case, make_report):  # noqa: F811
    case = make_case(Stage.RECEIVED)
    case.opened_at = case.stage_changed_at = LONG_AGO
    report = make_report()
    report.received_at = LONG_AGO  # open: not marked for information only, not closed
    contact = make_contact(stage="published")
    contact.stage_changed_at = LONG_AGO
    db.session.commit()
    plan = retention.run(dry_run=False, now=NOW + timedelta(days=100 * 365))
    assert plan.total == 0
    assert db.session.get(Case, case.id) and db.session.get(Report, report.id)
    assert db.session.get(SafeContact, contact.id)


def test_an_expired_closed_case_goes_from_every_table_with_its_report_and_thread(
    make_case, make_report  # noqa: F811
):
    case = _closed_case(make_case, make_report)
    case_id, report_id = case.id, case.report_id
    db.session.add(FollowUpSession(token_hash="t" * 64, report_id=report_id, created_at=LONG_AGO,
                                   last_seen_at=LONG_AGO))
    db.session.commit()
    recent = _closed_case(make_case, make_report, closed_at=NOW - timedelta(days=30))
    plan = retention.run(dry_run=False, now=NOW)
    assert plan.due["closed_case"] == [case_id]
    assert db.session.get(Case, case_id) is None and db.session.get(Report, report_id) is None
    assert _rows_naming("case_record", {case_id}) == []
    assert _rows_naming("report", {report_id}) == []
    assert plan.removed["case_record"] == 1 and plan.removed["report"] == 1
    assert plan.removed["report_message"] >= 1 and plan.removed[FollowUpSession.__tablename__] == 1
    assert db.session.get(Case, recent.id) is not None  # closed a month ago: kept
    # The audit chain still verifies; the entries about the purged case are still there.
    assert audit.verify() is None
    kept = db.session.scalars(sa.select(audit.AuditEntry).where(
        audit.AuditEntry.target_type == "case_record",
        audit.AuditEntry.target_id == str(case_id))).all()
    assert any(e.action == "retention.purged" for e in kept)


def test_a_held_record_is_kept(make_case, make_report):  # noqa: F811
    case = _closed_case(make_case, make_report, held=True)
    contact = make_contact(stage="withdrawn")
    contact.stage_changed_at = LONG_AGO
    db.session.commit()
    assert retention.hold("safe_contact", contact.id, True)
    case_id, contact_id = case.id, contact.id
    plan = retention.run(dry_run=False, now=NOW)
    assert plan.total == 0
    assert db.session.get(Case, case_id) and db.session.get(SafeContact, contact_id)
    assert "retention.hold_set" in _actions()
    assert retention.hold("safe_contact", contact_id, False)  # lifted: it goes next time
    assert retention.run(dry_run=False, now=NOW).due["unsuccessful_application"] == [contact_id]
    assert db.session.get(SafeContact, contact_id) is None
    assert _rows_naming("safe_contact", {contact_id}) == []


def test_information_only_reports_count_from_when_they_were_so_marked(make_report):  # noqa: F811
    old = make_report()
    old.received_at, old.handling, old.handled_at = LONG_AGO, "information_only", LONG_AGO
    fresh = make_report()
    fresh.received_at, fresh.handling = LONG_AGO, "information_only"
    fresh.handled_at = NOW - timedelta(days=10)  # created long ago, marked only now: kept
    written = make_report()
    written.received_at, written.handling, written.handled_at = (
        LONG_AGO, "information_only", LONG_AGO)
    db.session.add(ReportMessage(report_id=written.id, author="reporter", body="Again",
                                 created_at=NOW - timedelta(days=3)))  # wrote again: kept
    db.session.commit()
    old_id, fresh_id, written_id = old.id, fresh.id, written.id
    plan = retention.run(dry_run=False, now=NOW)
    assert plan.due["information_report"] == [old_id]
    assert db.session.get(Report, fresh_id) is not None
    assert db.session.get(Report, written_id) is not None


def test_the_dry_run_lists_removes_nothing_and_is_audited(app, make_case, make_report):  # noqa: F811
    case_id = _closed_case(make_case, make_report).id
    result = CliRunner().invoke(app.cli, ["hsm", "retention", "--dry-run"], catch_exceptions=False)
    assert f"closed_case: 1 due (ids {case_id})" in result.output
    assert db.session.get(Case, case_id) is not None
    assert "retention.listed" in _actions()
    result = CliRunner().invoke(app.cli, ["hsm", "retention"], catch_exceptions=False)
    assert "closed_case: 1 removed" in result.output and "case_record: 1 rows" in result.output
    assert {"retention.purged", "retention.run"} <= set(_actions())
    assert audit.verify() is None


def test_the_purge_is_one_of_the_jobs(make_case, make_report):  # noqa: F811
    case_id = _closed_case(make_case, make_report).id
    outcomes = {o.name: o for o in jobs.run(["retention"], now=NOW)}
    assert outcomes["retention"].ran and "1 records" in outcomes["retention"].summary
    assert db.session.get(Case, case_id) is None
    runs = _actions().count("retention.run")
    jobs.run(["retention"], now=NOW)  # nothing due: the job adds nothing to the log
    assert _actions().count("retention.run") == runs
