"""The daily reminder through a real SMTP server: counts and a link, once a day per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hsm.cases import operations as ops
from hsm.cases import reminders
from hsm.cases.models import ReminderSent
from hsm.cases.terms import MeasureKind, PartyRole, PartyType, Stage
from hsm.cli import hsm_cli
from hsm.extensions import db
from tests.cases.conftest import party


def _overdue_and_due_soon(make_case, staff):
    case = make_case(Stage.CASE_REVIEW)
    responding = party(case, PartyRole.RESPONDING)
    ops.update_party(staff.caseworker, case, responding, ops.PartyDetails(
        role=PartyRole.RESPONDING, party_type=PartyType.STUDENT, name="Respondent Canaryname",
        student_number="S0000999"))
    today = ops.now().date()
    ops.set_measure(staff.director, case, responding, MeasureKind.NO_CONTACT,
                    today - timedelta(days=40))
    ops.set_measure(staff.director, case, responding, MeasureKind.RESTRICTED_AREAS,
                    today - timedelta(days=27))
    db.session.commit()
    return case


def test_reminders_hold_counts_and_a_link_only_and_a_second_run_sends_nothing(
        app, make_case, staff, mail):
    case = _overdue_and_due_soon(make_case, staff)
    result = app.test_cli_runner().invoke(hsm_cli, ["reminders"])
    assert result.exit_code == 0, result.output
    by_person = {m["To"]: m for m in mail}
    # The caseworker and every case review member answer for measure reviews; the
    # Safeguarding Director for everything. Others get nothing.
    expected = {staff.caseworker.email, staff.director.email, *(m.email for m in staff.members)}
    assert set(by_person) == expected
    body = by_person[staff.caseworker.email].get_content()
    assert "1 deadline on your cases is overdue." in body
    assert "1 deadline on your cases is due soon." in body
    assert "http://" in body or "https://" in body
    for message in mail:
        text = message["Subject"] + message.get_content()
        for secret in (case.reference, "Canaryname", "S0000999", "Disclosure-canary",
                       "no_contact", staff.caseworker.name):
            assert secret not in text
    # Again the same day: nothing more.
    mail.clear()
    again = app.test_cli_runner().invoke(hsm_cli, ["reminders"])
    assert again.exit_code == 0 and "reminders sent to 0 people" in again.output
    assert list(mail) == []


def test_nobody_with_nothing_due_gets_an_email(app, make_case, staff, mail):
    make_case(Stage.SUPPORT)
    run = reminders.send_reminders()
    assert run.sent == [] and list(mail) == []


def test_the_unique_day_row_is_the_arbiter_between_two_servers(make_case, staff):
    _overdue_and_due_soon(make_case, staff)
    today = ops.now().date()
    db.session.add(ReminderSent(user_id=staff.caseworker.id, sent_on=today, created_at=ops.now()))
    db.session.commit()
    db.session.add(ReminderSent(user_id=staff.caseworker.id, sent_on=today, created_at=ops.now()))
    try:
        db.session.commit()
        raise AssertionError("a second reminder row for the same person and day was accepted")
    except IntegrityError:
        db.session.rollback()
    run = reminders.send_reminders()
    assert staff.caseworker.id in run.already and staff.caseworker.id not in run.sent
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent).where(
        ReminderSent.user_id == staff.caseworker.id)) == 1


def test_a_conflicted_person_is_never_reminded_of_the_case(make_case, staff, mail):
    case = _overdue_and_due_soon(make_case, staff)
    ops.declare_conflict(staff.director, case, staff.members[0], "colleague")
    db.session.commit()
    run = reminders.send_reminders()
    assert staff.members[0].id not in run.sent
    assert staff.members[0].email not in {m["To"] for m in mail}


def test_a_second_server_waits_for_the_first_on_postgresql(make_case, staff, mail):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; on SQLite the unique row arbitrates")
    _overdue_and_due_soon(make_case, staff)
    with db.engine.connect() as first_server:
        assert first_server.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"),
                                   {"k": reminders.ADVISORY_LOCK})
        run = reminders.send_reminders()
        assert run.skipped_locked and run.sent == [] and list(mail) == []
        first_server.execute(sa.text("SELECT pg_advisory_unlock(:k)"),
                             {"k": reminders.ADVISORY_LOCK})
        first_server.commit()
    assert reminders.send_reminders().sent
