"""Connections are pinged only after idling in the pool (hsm/dbpool.py): a request right after
another costs no ping, and a connection that died while idle is replaced before any request
uses it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hsm import dbpool
from hsm.extensions import db


@pytest.fixture
def pings(monkeypatch):
    """The pings the pool sends, counted (the dialect's own ping still runs)."""
    sent = []
    real = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping",
                        lambda connection: sent.append(1) or real(connection))
    return sent


def use_a_connection() -> None:
    with db.engine.connect() as connection:
        connection.execute(sa.select(1))


def test_a_connection_handed_back_a_moment_ago_is_used_without_a_ping(pings):
    use_a_connection()
    use_a_connection()
    use_a_connection()
    assert pings == []


def test_a_connection_that_sat_in_the_pool_is_pinged_first(pings, monkeypatch):
    use_a_connection()
    monkeypatch.setattr(dbpool, "IDLE_PING", -1.0)  # every connection counts as idle
    use_a_connection()
    assert pings == [1]


def test_a_request_after_another_sends_no_ping(client, pings):
    client.get("/uk/")
    client.get("/healthz")
    client.get("/safe-contacts")
    assert pings == []


def test_an_idle_connection_that_died_is_replaced_before_use(monkeypatch, pings):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an SQLite connection cannot lose its server")
    db.session.remove()
    db.engine.dispose()  # an empty pool: the one connection made next is the one reused
    with db.engine.connect() as connection:
        dead = connection.scalar(sa.text("SELECT pg_backend_pid()"))
    # Killed while it idles in the pool, as a server restart or a firewall would.
    killer = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with killer.connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
    killer.dispose()
    monkeypatch.setattr(dbpool, "IDLE_PING", -1.0)  # it has waited long enough to be pinged
    with db.engine.connect() as connection:
        alive = connection.scalar(sa.text("SELECT pg_backend_pid()"))
    assert alive != dead
    assert pings  # found by the ping, not by a failed request
