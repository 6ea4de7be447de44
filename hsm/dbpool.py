"""Dead database connections caught before use, without a round trip on every request.

SQLAlchemy's ``pool_pre_ping`` pings each connection as it leaves the pool: one round trip on
every request, the largest part of a cached page's cost on PostgreSQL after its own query.
Here a connection is pinged only when it has sat in the pool for longer than ``IDLE_PING``
since it was handed back. A connection handed back a moment ago, cleanly, by a request that
used it, is alive; one that has waited longer may have lost its server meanwhile (a restart,
a failover, a firewall's idle timeout), so it is pinged, and replaced if it does not answer
(``DisconnectionError`` makes the pool connect afresh).

A restart takes longer than ``IDLE_PING``, so once the server is back every connection left
from before it has waited long enough to be pinged. A request caught by the restart itself
fails as it would have anyway: SQLAlchemy then recycles the whole pool, and the page answers
503 (hsm/errors.py).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask

from hsm.extensions import db

IDLE_PING = 1.0  # seconds in the pool after which a connection is pinged before use
_CHECKED_IN = "hsm_checked_in_at"


def _checked_in(dbapi_connection, record) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _ping_if_idle(engine: sa.Engine):
    def checkout(dbapi_connection, record, proxy) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since <= IDLE_PING:
            return  # just connected, or handed back a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any driver error: the pool connects afresh
            raise sa.exc.DisconnectionError(str(error)) from error

    return checkout


def watch(engine: sa.Engine) -> None:
    """Ping ``engine``'s connections that have been idle, as they leave its pool."""
    if not sa.event.contains(engine, "checkin", _checked_in):
        sa.event.listen(engine, "checkin", _checked_in)
        sa.event.listen(engine, "checkout", _ping_if_idle(engine))


def init_app(app: Flask) -> None:
    with app.app_context():
        watch(db.engine)
