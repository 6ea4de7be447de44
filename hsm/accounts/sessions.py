"""Server-side staff sessions: a new identity at login, idle and absolute limits, revocation.

The signed Flask cookie holds only a random token; the row found by its hash says whether the
session is still alive. Ending a row (logout, password change, deactivation) makes a replayed
cookie worthless.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import session
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from hsm.accounts.models import StaffSession, User
from hsm.extensions import db
from hsm.tokens import new_token, token_hash

IDLE_LIMIT = timedelta(minutes=30)
# Between the password and the code: long enough to find a phone, short enough that a
# password typed on a shared computer and left there is soon worthless.
HALF_OPEN_LIMIT = timedelta(minutes=10)
ABSOLUTE_LIMIT = timedelta(hours=8)
SESSION_KEY = "sid"
TOUCH_EVERY = timedelta(minutes=1)


def new_session_payload(
    user: User, *, mfa_passed: bool = True, sso_lifetime: timedelta | None = None
) -> dict[str, str]:
    """Create a session row for ``user``; return what the cookie must hold.

    ``sso_lifetime``: a single sign-on session, which ends after that long (instead of the
    absolute limit), when the provider is asked again.
    """
    token, stored_hash = new_token()
    now = datetime.now(UTC)
    db.session.add(
        StaffSession(
            token_hash=stored_hash,
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            mfa_passed=mfa_passed,
            via_sso=sso_lifetime is not None,
            expires_at=now + sso_lifetime if sso_lifetime is not None else None,
        )
    )
    db.session.flush()
    return {SESSION_KEY: token}


def start_session(
    user: User, *, mfa_passed: bool = True, sso_lifetime: timedelta | None = None
) -> None:
    """Begin a fresh session: drop whatever the old cookie held, then issue a new identity."""
    session.clear()
    session.update(new_session_payload(user, mfa_passed=mfa_passed, sso_lifetime=sso_lifetime))


#: One query for the session, its user and the user's roles (every signed-in page needs all
#: three): one row per role assignment, folded back into one session by ``unique``. Built
#: once: a statement made afresh on each request costs more to build and key than to run.
_SESSION_QUERY = (
    sa.select(StaffSession)
    .join(StaffSession.user)
    .outerjoin(User.roles)
    .options(contains_eager(StaffSession.user).contains_eager(User.roles))
    .where(StaffSession.token_hash == sa.bindparam("token_hash"))
)


def current_row(now: datetime | None = None) -> StaffSession | None:
    """The live session row for this request's cookie, or None (and the cookie is cleared)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = db.session.scalars(_SESSION_QUERY, {"token_hash": token_hash(token)}).unique().first()
    now = now or datetime.now(UTC)
    if (
        row is None
        or row.ended_at is not None
        or now - row.last_seen_at > IDLE_LIMIT
        or now > (row.expires_at or row.created_at + ABSOLUTE_LIMIT)
        or not row.user.active
    ):
        if row is not None and row.ended_at is None:
            row.ended_at = now
            db.session.commit()
        session.pop(SESSION_KEY, None)
        return None
    return row


def load_user_from_session() -> User | None:
    """Flask-Login request loader: the user of a live, fully verified session."""
    row = current_row()
    if row is None or not row.mfa_passed:
        return None
    now = datetime.now(UTC)
    # Touch at most once a minute, so that reads do not write on every request; and then as
    # one UPDATE in the request's own transaction (its commit point commits it). Committing
    # here would expire every loaded object and cost the request several more queries.
    if now - row.last_seen_at > TOUCH_EVERY:
        db.session.execute(
            sa.update(StaffSession).where(StaffSession.id == row.id).values(last_seen_at=now)
        )
        set_committed_value(row, "last_seen_at", now)
    return row.user


def end_current_session() -> None:
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(
            sa.update(StaffSession)
            .where(StaffSession.token_hash == token_hash(token), StaffSession.ended_at.is_(None))
            .values(ended_at=datetime.now(UTC))
        )
    session.clear()


def sweep(now: datetime) -> tuple[int, int]:
    """The jobs' pass: end every staff session past its idle, half-open or absolute limit, and
    delete emailed links (invitations, resets) a day after they expired unused.
    (sessions ended, links deleted)"""
    from hsm.accounts.models import AccountToken

    ended = db.session.execute(
        sa.update(StaffSession)
        .where(StaffSession.ended_at.is_(None), sa.or_(
            StaffSession.last_seen_at < now - IDLE_LIMIT,
            StaffSession.created_at < now - ABSOLUTE_LIMIT,
            sa.and_(StaffSession.mfa_passed.is_(False),
                    StaffSession.created_at < now - HALF_OPEN_LIMIT)))
        .values(ended_at=now)
    ).rowcount
    links = db.session.execute(
        sa.delete(AccountToken).where(AccountToken.expires_at < now - timedelta(days=1))
    ).rowcount
    return ended, links


def end_all_sessions(user_id: int) -> None:
    """End every session of a user (logout everywhere, password change, deactivation)."""
    db.session.execute(
        sa.update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC))
    )


def signing_in_user() -> User | None:
    """The user of a live session that still waits for its second step (TOTP), or None."""
    row = current_row()
    if row is None or row.mfa_passed:
        return None
    now = datetime.now(UTC)
    if now - row.created_at > HALF_OPEN_LIMIT:
        row.ended_at = now
        db.session.commit()
        session.pop(SESSION_KEY, None)
        return None
    return row.user


def complete_sign_in(user: User) -> None:
    """The second step passed: replace the half-open session with a new, full one (a single
    sign-on session keeps its end)."""
    row = current_row()
    lifetime = None
    if row is not None and row.via_sso and row.expires_at is not None:
        lifetime = row.expires_at - datetime.now(UTC)
    end_current_session()
    start_session(user, mfa_passed=True, sso_lifetime=lifetime)


def current_is_sso() -> bool:
    """Whether this request's live session began at the identity provider."""
    row = current_row()
    return row is not None and row.via_sso
