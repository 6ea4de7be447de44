"""The inbox's version stamp: it moves with every change to what an inbox page shows, in the
same transaction as the change, so a kept inbox page (hsm/keep.py) is never served from
before a change, on any worker of any app server.

What an inbox page shows: the reports (their status, handling, urgency, flags, centre, when
they came in), their count, and each caseworker's name. So the stamp moves when a report is
added, changed or removed, and when a person is renamed or removed, however it is written:
through the ORM (``before_flush``) or as one statement on either table (``do_orm_execute``:
bulk inserts, updates and deletes, retention's removals). A statement on ``user`` moves it
even when it changes no name (sign-in counters): a needless new page is cheap, a stale one is
not acceptable.
"""

from __future__ import annotations

from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hsm import pagecache
from hsm.accounts.models import User
from hsm.reports.models import Report

STAMP = "reports_inbox"
_TABLES = frozenset({Report.__tablename__, User.__tablename__})


def version() -> int:
    """The stamp, read on the process's own connection (one primary-key read)."""
    return pagecache.version(STAMP)


def _shown_change(session: Session) -> bool:
    if any(isinstance(obj, Report) for obj in chain(session.new, session.deleted)):
        return True
    if any(isinstance(obj, User) for obj in session.deleted):
        return True
    for obj in session.dirty:
        if isinstance(obj, Report) and session.is_modified(obj):
            return True
        if isinstance(obj, User) and sa.inspect(obj).attrs.name.history.has_changes():
            return True
    return False


def _before_flush(session: Session, _context, _instances) -> None:
    if _shown_change(session):
        pagecache.changed(STAMP, session)


def _statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _TABLES:
        pagecache.changed(STAMP, state.session)


def watch() -> None:
    """Listen on every session (once per process)."""
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "do_orm_execute", _statement)
