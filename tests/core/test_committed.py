"""Reads of what is committed on the process's own connection (hsm/committed.py)."""

from datetime import UTC, datetime

import sqlalchemy as sa

from hsm import committed, pagecache
from hsm.accounts.models import StaffSession
from tests.factories import make_user


def test_a_select_read_here_holds_what_the_orm_would(db, count_queries):
    """Aware datetimes, booleans and JSON, on SQLite as on PostgreSQL; the statement is seen
    by the engine's cursor listeners."""
    user = make_user("executive")
    now = datetime.now(UTC)
    db.session.add(StaffSession(token_hash="f" * 64, user=user, created_at=now,
                                last_seen_at=now, mfa_passed=True))
    pagecache.changed("test:committed")
    db.session.commit()
    statement = (sa.select(StaffSession.created_at, StaffSession.mfa_passed,
                           StaffSession.ended_at, pagecache.ALL_VERSIONS)
                 .where(StaffSession.token_hash == sa.bindparam("token_hash")))
    with count_queries() as counted:
        [(created_at, mfa_passed, ended_at, versions)] = committed.Select(statement).rows(
            {"token_hash": "f" * 64})
    assert counted.count == 1
    assert created_at == now and created_at.tzinfo is not None
    assert mfa_passed is True and ended_at is None
    assert versions == {"test:committed": pagecache.version("test:committed")}
    assert [tuple(row) for row in db.session.execute(statement, {"token_hash": "f" * 64})] == [
        (created_at, mfa_passed, ended_at, versions)]
    assert committed.Select(statement).rows({"token_hash": "0" * 64}) == []


def test_a_broken_connection_is_dropped_and_opened_again(db):
    assert committed.raw("SELECT 1", ()) == [(1,)]
    committed.break_connection()
    try:
        committed.raw("SELECT 1", ())
    except committed.Unavailable:
        pass
    else:
        raise AssertionError("a read on a broken connection must say so")
    assert not committed.is_open()
    assert committed.raw("SELECT 1", ()) == [(1,)]
    assert committed.is_open()
