"""Server-side staff sessions: a new identity at login, idle and absolute limits, revocation.

The signed Flask cookie holds only a random token; the row found by its hash says whether the
session is still alive. Ending a row (logout, password change, deactivation) makes a replayed
cookie worthless.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import session
from sqlalchemy.orm import contains_eager, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from hsm import committed, pagecache
from hsm.accounts.models import RoleAssignment, StaffSession, User
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


def _alive(
    created_at: datetime, last_seen_at: datetime, expires_at: datetime | None,
    ended_at: datetime | None, *, active: bool, now: datetime,
) -> bool:
    """Whether a session with these times, of a user ``active`` or not, is still alive."""
    return (
        ended_at is None
        and now - last_seen_at <= IDLE_LIMIT
        and now <= (expires_at or created_at + ABSOLUTE_LIMIT)
        and active
    )


def current_row(now: datetime | None = None) -> StaffSession | None:
    """The live session row for this request's cookie, or None (and the cookie is cleared)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = db.session.scalars(_SESSION_QUERY, {"token_hash": token_hash(token)}).unique().first()
    now = now or datetime.now(UTC)
    if row is None or not _alive(row.created_at, row.last_seen_at, row.expires_at, row.ended_at,
                                 active=row.user.active, now=now):
        if row is not None and row.ended_at is None:
            row.ended_at = now
            db.session.commit()
        session.pop(SESSION_KEY, None)
        return None
    return row


#: The same session, user and roles as ``_SESSION_QUERY``, as plain columns, for the read on
#: the process's own connection (``_committed_user``). The password hash and the TOTP secret
#: are left out: the few pages that need them load them (and only they decrypt the secret).
_USER_COLUMNS = tuple(
    attribute for attribute in sa.inspect(User).column_attrs
    if attribute.key not in {"password_hash", "mfa_secret"}
)
_ROLE_COLUMNS = tuple(sa.inspect(RoleAssignment).column_attrs)
_USER_KEYS = tuple(attribute.key for attribute in _USER_COLUMNS)
_ROLE_KEYS = tuple(attribute.key for attribute in _ROLE_COLUMNS)
_SESSION_ROWS = committed.Select(
    sa.select(
        StaffSession.id, StaffSession.created_at, StaffSession.last_seen_at,
        StaffSession.expires_at,
        StaffSession.ended_at, StaffSession.mfa_passed,
        *(attribute.class_attribute for attribute in _USER_COLUMNS),
        *(attribute.class_attribute for attribute in _ROLE_COLUMNS),
        pagecache.ALL_VERSIONS,
    )
    .join(User, User.id == StaffSession.user_id)
    .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
    .where(StaffSession.token_hash == sa.bindparam("token_hash"))
)
_SESSION_FIELDS = 6  # id, created, last seen, expires, ended, second step passed
_ROLE_START = _SESSION_FIELDS + len(_USER_COLUMNS)
_VERSIONS = _ROLE_START + len(_ROLE_COLUMNS)


def _committed_user(token: str) -> User | None:
    """The user of a live, fully verified session, read as committed on the process's own
    connection (hsm/committed.py), so that a page that only reads opens no transaction
    (a session last seen more than a minute ago is touched, in the request's transaction).
    None when the ordinary check must decide instead: no such session, one to end (a write
    of its own), one still waiting for its second step, or no connection.

    Every request reads the row afresh, so a session ended anywhere, a user deactivated or a
    role removed counts from the next request on every worker. The user and their roles are
    put in the request's session as loaded from it, and behave as if they had been."""
    try:
        found = _SESSION_ROWS.rows({"token_hash": token_hash(token)})
    except committed.Unavailable:
        return None
    if not found:
        return None
    now = datetime.now(UTC)
    session_id, created_at, last_seen_at, expires_at, ended_at, mfa_passed = (
        found[0][:_SESSION_FIELDS])
    user_values = dict(zip(_USER_KEYS, found[0][_SESSION_FIELDS:_ROLE_START], strict=True))
    if not mfa_passed or not _alive(created_at, last_seen_at, expires_at, ended_at,
                                    active=user_values["active"], now=now):
        return None
    pagecache.read_with_session(found[0][_VERSIONS])
    _touch(session_id, last_seen_at, now)
    loaded = db.session.identity_map.get(sa.orm.util.identity_key(User, user_values["id"]))
    if loaded is not None:
        return loaded  # already in the request's session (as the ordinary check would use it)
    user = User(**user_values)
    roles = []
    for row in found:
        values = row[_ROLE_START:_VERSIONS]
        if values[_ROLE_KEYS.index("id")] is not None:  # no role at all: one row of NULLs
            role = RoleAssignment(**dict(zip(_ROLE_KEYS, values, strict=True)))
            make_transient_to_detached(role)
            roles.append(role)
    set_committed_value(user, "roles", roles)
    make_transient_to_detached(user)
    for role in roles:
        set_committed_value(role, "user", user)
    db.session.add(user)  # attached as loaded (its roles with it): no statement is sent
    return user


def load_user_from_session() -> User | None:
    """Flask-Login request loader: the user of a live, fully verified session."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    user = _committed_user(token)
    if user is not None:
        return user
    row = current_row()
    if row is None or not row.mfa_passed:
        return None
    now = datetime.now(UTC)
    if _touch(row.id, row.last_seen_at, now):
        set_committed_value(row, "last_seen_at", now)
    return row.user


def _touch(session_id: int, last_seen_at: datetime, now: datetime) -> bool:
    """Touch a session at most once a minute, so that reads do not write on every request;
    and then as one UPDATE in the request's own transaction (its commit point commits it).
    Committing here would expire every loaded object and cost the request more queries."""
    if now - last_seen_at <= TOUCH_EVERY:
        return False
    db.session.execute(
        sa.update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now)
    )
    return True


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
