"""``hsm jobs run`` ends idle follow-up and staff sessions and removes expired links, whether
or not anyone comes back to them (a session ended only on its next request lived on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hsm import jobs
from hsm.accounts.models import AccountToken, StaffSession
from hsm.extensions import db
from hsm.reports.models import FollowUpSession
from hsm.safecontacts.models import SafeContact
from tests.cases.conftest import make_report  # noqa: F401 - fixture
from tests.factories import make_user
from tests.safecontacts.seed import make_contact

NOW = datetime.now(UTC)


def _follow_up(report_id: int, last_seen: datetime, token: str) -> FollowUpSession:
    row = FollowUpSession(token_hash=token * 64, report_id=report_id, created_at=last_seen,
                          last_seen_at=last_seen)
    db.session.add(row)
    return row


def _staff_session(user, created: datetime, seen: datetime, mfa: bool, token: str):
    row = StaffSession(token_hash=token * 64, user_id=user.id, created_at=created,
                       last_seen_at=seen, mfa_passed=mfa)
    db.session.add(row)
    return row


def test_the_sessions_job_ends_idle_sessions_and_removes_expired_links(make_report):  # noqa: F811
    report = make_report()
    live = _follow_up(report.id, NOW - timedelta(minutes=5), "a")
    idle = _follow_up(report.id, NOW - timedelta(minutes=20), "b")
    old = _follow_up(report.id, NOW - timedelta(days=2), "c")
    user = make_user("admin")
    staff_live = _staff_session(user, NOW - timedelta(hours=1), NOW - timedelta(minutes=2),
                                True, "d")
    staff_idle = _staff_session(user, NOW - timedelta(hours=1), NOW - timedelta(hours=1),
                                True, "e")
    staff_long = _staff_session(user, NOW - timedelta(hours=9), NOW - timedelta(minutes=1),
                                True, "f")
    half_open = _staff_session(user, NOW - timedelta(minutes=15), NOW - timedelta(minutes=15),
                               False, "g")
    for purpose, expires, token in (("reset", NOW - timedelta(days=2), "h"),
                                    ("invite", NOW + timedelta(days=2), "i")):
        db.session.add(AccountToken(token_hash=token * 64, user_id=user.id, purpose=purpose,
                                    created_at=NOW - timedelta(days=3), expires_at=expires))
    unconfirmed = make_contact(stage="applied", confirmed=False)
    unconfirmed.confirm_token_hash = "j" * 64
    unconfirmed.confirm_expires_at = NOW - timedelta(hours=1)
    db.session.commit()
    ids = {name: row.id for name, row in (("live", live), ("idle", idle), ("old", old),
                                          ("staff_live", staff_live), ("staff_idle", staff_idle),
                                          ("staff_long", staff_long), ("half_open", half_open))}
    [outcome] = jobs.run(["sessions"], now=NOW)
    assert outcome.ran, outcome
    # The one two days old is ended, then deleted with the rows a day past their last use.
    assert outcome.summary.startswith("2 idle follow-up sessions ended, 1 old ones deleted, "
                                      "3 staff sessions ended, 2 expired links removed")
    db.session.expire_all()
    assert db.session.get(FollowUpSession, ids["live"]).ended_at is None
    assert db.session.get(FollowUpSession, ids["idle"]).ended_at is not None
    assert db.session.get(FollowUpSession, ids["old"]) is None
    assert db.session.get(StaffSession, ids["staff_live"]).ended_at is None
    for name in ("staff_idle", "staff_long", "half_open"):
        assert db.session.get(StaffSession, ids[name]).ended_at is not None, name
    assert db.session.scalars(sa.select(AccountToken.purpose)).all() == ["invite"]
    assert db.session.get(SafeContact, unconfirmed.id).confirm_token_hash is None
    # Idempotent: a second run finds nothing more to do.
    [again] = jobs.run(["sessions"], now=NOW)
    assert again.summary.startswith("0 idle follow-up sessions ended, 0 old ones deleted, "
                                    "0 staff sessions ended, 0 expired links removed")


def test_every_job_runs_from_one_command():
    assert list(jobs.JOBS) == ["outbox", "reminders", "sessions", "statistics", "retention"]
