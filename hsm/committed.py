"""Reads of what is committed, outside the request's transaction, on the process's own
connection.

Every signed-in page checks its session, and many pages read a version stamp
(hsm/pagecache.py) before anything else. Through the request's session each such read costs
a transaction: on PostgreSQL BEGIN, the query and COMMIT, three round trips that both the
worker and a database backend pay, and the ORM's work around them. A page served from what
a process keeps (the statistics page, a board, the directory) then spends most of its time
on them.

Here each thread of each process holds one connection of the app's pool in autocommit mode,
and reads through it: one round trip per read, which sees what is committed at that moment,
as a statement of the request's own session would under READ COMMITTED. Nothing is ever
written through it, and it never holds a lock.

Should a read fail (the server restarted, the connection broke), the connection is dropped
and the caller reads the ordinary way, through the request's session; the next read opens a
new connection.

These reads are the hottest code of the app, so they go straight through the driver
(``raw``, ``Select``), with SQLAlchemy's compiled SQL and type processors; every statement
still passes the engine's cursor listeners.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from hsm.extensions import db


class Unavailable(Exception):  # noqa: N818 - what the caller is told, not a failure of its own
    """The read could not be made on the process's connection: read the ordinary way."""


class _Reader(threading.local):
    """One autocommit connection per thread of each process."""

    engine: sa.Engine | None = None
    connection: sa.Connection | None = None
    pid: int | None = None

    def current(self) -> sa.Connection:
        engine = db.engine
        if self.connection is None or self.engine is not engine or self.pid != os.getpid():
            self._open(engine)
        return self.connection

    def _open(self, engine: sa.Engine) -> None:
        if self.pid == os.getpid():
            self.drop()  # another engine (tests make many apps): hand the old one back
        elif self.connection is not None:
            # A connection from before a fork is the parent's: never closed (or collected,
            # which would hand it back to a pool and roll it back) here.
            _inherited.append(self.connection)
        self.connection = self.engine = None
        connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.connection, self.engine, self.pid = connection, engine, os.getpid()

    def drop(self, *, broken: bool = False) -> None:
        connection, self.connection, self.engine = self.connection, None, None
        if connection is None:
            return
        try:
            if broken:
                connection.invalidate()  # never handed back to the pool as it is
            connection.close()
        except Exception:  # noqa: BLE001, S110 - already broken: nothing left to close
            pass


_reader = _Reader()
_inherited: list = []
atexit.register(_reader.drop)  # the main thread's connection, handed back as the process ends


class Select:
    """A Core select for the most frequent reads (the session check of every signed-in page),
    run straight through the driver.

    SQLAlchemy compiles it, once per dialect, and its own type processors turn each value
    into what the ORM would hold (an aware datetime from SQLite's text, a boolean from its
    integer, JSON); only Core's per-execution work around the driver call is left out, which
    on a page served from what a process keeps was a tenth of its time. Parameters are passed
    to the driver as given: strings and integers."""

    def __init__(self, select: sa.Select):
        self.select = select
        self._by_dialect: dict[tuple, tuple] = {}

    def _compiled(self, dialect: sa.Dialect) -> tuple:
        key = (type(dialect), dialect.paramstyle)
        found = self._by_dialect.get(key)
        if found is None:
            compiled = self.select.compile(dialect=dialect)
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.select.selected_columns
            )
            found = (str(compiled), compiled, compiled.positiontup, processors)
            self._by_dialect[key] = found
        return found

    def rows(self, params: Mapping[str, Any]) -> list[tuple]:
        """Every row as committed now; raises ``Unavailable`` when it could not be read here."""
        sql, compiled, positions, processors = self._compiled(db.engine.dialect)
        values = compiled.construct_params(params)
        found = raw(sql, tuple(values[name] for name in positions) if positions else values)
        if not any(processors):
            return found
        return [
            tuple(value if process is None else process(value)
                  for process, value in zip(processors, row, strict=True))
            for row in found
        ]


def raw(sql: str, params: Sequence | Mapping) -> list[tuple]:
    """The rows of one plain SQL statement, straight through the driver: for the smallest,
    most frequent reads (a version stamp), where even Core's work would show. ``sql`` uses
    the driver's own placeholders (``paramstyle``); raises ``Unavailable`` when the read
    could not be made here."""
    try:
        connection = _reader.current()
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            # Seen by the engine's cursor listeners as any statement of SQLAlchemy's own
            # (the query counts of the tests and the benchmark).
            connection.dispatch.before_cursor_execute(connection, cursor, sql, params, None,
                                                      False)
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()
    except Exception as error:  # noqa: BLE001 - any driver error: drop it, the caller reads as before
        _reader.drop(broken=True)
        raise Unavailable from error


def paramstyle() -> str:
    return db.engine.dialect.paramstyle


def break_connection() -> None:
    """Close this thread's connection under the pool's feet, as a database restart would
    leave it (for tests)."""
    if _reader.connection is not None:
        _reader.connection.connection.dbapi_connection.close()


def is_open() -> bool:
    return _reader.connection is not None
