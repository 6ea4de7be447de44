"""The reporter's follow-up session, kept on the server.

The browser's cookie holds a random token and nothing else (no report id); the row found by
the token's SHA-256 hash says which report it opens and whether it is still alive. A session
ends on "Leave", after 15 minutes without activity, or when the report gets a new receipt
code; an ended session never comes back, so a copied cookie is refused. Nothing identifies
the device: no network address, no user agent. Rows are deleted a day after their last use.
Functions take the token and the time as arguments; the view handles the cookie.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from hsm.extensions import db
from hsm.reports.models import FollowUpSession, Report
from hsm.tokens import new_token, token_hash

IDLE_LIMIT = timedelta(minutes=15)
KEEP_FOR = timedelta(days=1)


def start(report: Report, now: datetime) -> str:
    """Open a session on ``report``; return the token for the cookie (it is stored hashed)."""
    _remove_stale(now)
    token, stored_hash = new_token()
    db.session.add(
        FollowUpSession(
            token_hash=stored_hash, report_id=report.id, created_at=now, last_seen_at=now
        )
    )
    db.session.flush()
    return token


def _remove_stale(now: datetime) -> int:
    stale = FollowUpSession.last_seen_at < now - KEEP_FOR
    return db.session.execute(sa.delete(FollowUpSession).where(stale)).rowcount


def sweep(now: datetime) -> tuple[int, int]:
    """The jobs' pass: end every session idle past the limit (none waits for its next
    request to be ended), and delete rows a day after their last use. (ended, deleted)"""
    ended = db.session.execute(
        sa.update(FollowUpSession)
        .where(FollowUpSession.ended_at.is_(None),
               FollowUpSession.last_seen_at < now - IDLE_LIMIT)
        .values(ended_at=now)
    ).rowcount
    return ended, _remove_stale(now)


def resume(token: object, now: datetime) -> FollowUpSession | None:
    """The live session of ``token``, touched; None if unknown, ended or idle (then ended)."""
    if not isinstance(token, str) or not token:
        return None
    row = db.session.scalar(
        sa.select(FollowUpSession).where(FollowUpSession.token_hash == token_hash(token))
    )
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > IDLE_LIMIT:
        row.ended_at = now
        return None
    row.last_seen_at = now
    return row


def end(token: object, now: datetime) -> None:
    """End the session of ``token`` at once ("Leave")."""
    if isinstance(token, str) and token:
        db.session.execute(
            sa.update(FollowUpSession)
            .where(
                FollowUpSession.token_hash == token_hash(token),
                FollowUpSession.ended_at.is_(None),
            )
            .values(ended_at=now)
        )


def end_all_for(report: Report, now: datetime) -> None:
    """End every open session on ``report`` (its receipt code was replaced)."""
    db.session.execute(
        sa.update(FollowUpSession)
        .where(FollowUpSession.report_id == report.id, FollowUpSession.ended_at.is_(None))
        .values(ended_at=now)
    )
