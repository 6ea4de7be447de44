"""The demo cases: every centre in every stage, deadlines due soon and overdue, idempotent."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from hsm.accounts import demo as accounts_demo
from hsm.cases import demo, queries
from hsm.cases import operations as ops
from hsm.cases.models import Case, CaseEvent
from hsm.cases.terms import EVENT_LABELS, DeadlineState, Stage
from hsm.extensions import db
from hsm.reports import demo as reports_demo


def test_demo_cases_cover_every_stage_at_every_centre_and_load_once():
    logins = accounts_demo.load()
    reports_demo.load()
    logins += demo.load()
    db.session.commit()
    cases = list(db.session.scalars(sa.select(Case)))
    assert {(c.centre, c.stage) for c in cases} == {
        (centre, str(stage)) for centre in demo.CENTRES for stage in Stage}
    assert sum(c.police_hold for c in cases) == 1
    assert any(c.staff_respondent for c in cases)
    assert all(c.closure_reason for c in cases if c.stage == Stage.CLOSED)
    director = db.session.scalar(sa.select(accounts_demo.User).where(
        accounts_demo.User.email == "safeguarding@example.org"))
    states = {i.state for i in queries.my_deadlines(director, datetime.now(UTC))}
    assert {DeadlineState.DUE_SOON, DeadlineState.OVERDUE} <= states
    printed = "\n".join(logins)
    for role in ("case_review_member", "investigating_officer", "reviewing_officer"):
        assert f"{role}:" in printed
    # Every demo login a case needs sees its cases on a board.
    for email in ("case.review@example.org", "investigator@example.org",
                  "reviewer@example.org"):
        user = db.session.scalar(sa.select(accounts_demo.User).where(
            accounts_demo.User.email == email))
        assert db.session.scalars(queries.visible_cases(user)).first() is not None, email
    # Loading again adds nothing.
    demo.load()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == len(cases)


def test_every_timeline_event_of_the_demo_has_words():
    accounts_demo.load()
    demo.load()
    db.session.commit()
    kinds = set(db.session.scalars(sa.select(CaseEvent.kind).distinct()))
    assert kinds and kinds <= set(EVENT_LABELS)


def test_every_event_an_operation_records_has_words():
    source = Path(ops.__file__).read_text()
    audit_only = {"refused", "note_added", "moved", "conflict_recorded", "evidence_downloaded",
                  "evidence_integrity_failed", "impact_statement_downloaded",
                  "impact_statement_integrity_failed"}
    kinds = set(re.findall(r'"case\.([a-z_]+)"', source)) - audit_only
    kinds |= {"note", "stage_changed", "deadline_met", "deadline_missed", "deadline_cancelled"}
    # The letters area writes its own events on the case's timeline.
    from hsm.letters import operations as letter_ops
    kinds |= set(re.findall(r'_timeline\(case, "([a-z_]+)"', Path(letter_ops.__file__).read_text()))
    # The report and sharing (hsm/cases/sharing.py): saving a draft and reading are audited only.
    from hsm.cases import sharing
    kinds |= set(re.findall(r'_done\("case\.([a-z_]+)"', Path(sharing.__file__).read_text()))
    assert len(kinds) > 30
    assert kinds == set(EVENT_LABELS)
