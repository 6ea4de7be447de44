"""The periodic work, as one command: ``flask --app wsgi hsm jobs run``.

Each job is idempotent, and safe to start on every app server at once:

- on PostgreSQL a job holds its own advisory lock while it runs, so a second server that
  starts it at the same moment skips it (``pg_try_advisory_lock``);
- on SQLite, whose servers share one machine, an exclusive ``flock`` on a lock file in the
  instance folder does the same;
- beneath the lock, each piece of work is claimed the way it always is (the outbox's
  conditional UPDATE, the reminders' unique row per person and day), so even without the lock
  nothing is done twice.

Jobs: ``outbox``, ``reminders``, ``sessions`` (end idle follow-up and staff sessions, remove
expired links) and ``retention`` (hsm/retention.py). Run it every few minutes from a systemd
timer or cron (README, "Operations").
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from hsm.extensions import db

#: The audit chain holds 727274 for its writers; jobs use 7273xxxx, one key per name.
_KEY_BASE = 72730000


def lock_key(name: str) -> int:
    """The advisory lock key of a job (stable across servers and restarts)."""
    return _KEY_BASE + zlib.crc32(name.encode()) % 10000


@contextmanager
def lock(name: str, key: int | None = None) -> Iterator[bool]:
    """Hold the lock of job ``name`` while the block runs; yields False when another server
    holds it (the caller then skips the work)."""
    if db.engine.dialect.name == "postgresql":
        key = lock_key(name) if key is None else key
        with db.engine.connect() as connection:
            got = bool(connection.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
            try:
                yield got
            finally:
                if got:
                    connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
        return
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"job-{name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Outcome:
    name: str
    ran: bool
    summary: str


def _outbox(now: datetime) -> str:
    from hsm import mail

    sent, failed = mail.send_pending(now)
    purged = mail.purge_sent(now)
    return f"{sent} sent, {failed} to retry, {purged} old sent messages removed"


def _reminders(now: datetime) -> str:
    from hsm.cases.reminders import send_reminders

    run = send_reminders(now, locked=True)
    return f"{len(run.sent)} reminders sent, {len(run.already)} already sent today"


def _statistics(now: datetime) -> str:
    from hsm.stats.operations import publish_due

    snapshot = publish_due(now)
    db.session.commit()
    if snapshot is None:
        return "no statistics snapshot due"
    return f"statistics snapshot published through {snapshot.through:%Y-%m}"


def _sessions(now: datetime) -> str:
    from hsm.accounts import sessions
    from hsm.reports import follow_ups
    from hsm.safecontacts.operations import expire_confirm_links

    follow_ended, follow_deleted = follow_ups.sweep(now)
    staff_ended, links = sessions.sweep(now)
    links += expire_confirm_links(now)
    db.session.commit()
    return (f"{follow_ended} idle follow-up sessions ended, {follow_deleted} old ones deleted, "
            f"{staff_ended} staff sessions ended, {links} expired links removed")


def _retention(now: datetime) -> str:
    from hsm import retention

    plan = retention.run(dry_run=False, now=now, audit_empty=False)
    return f"{plan.total} records past their retention period removed"


#: The jobs, in the order they run. Each takes the time of the run and says what it did.
JOBS: dict[str, Callable[[datetime], str]] = {
    "outbox": _outbox,
    "reminders": _reminders,
    "sessions": _sessions,
    # Counted before the purge (a published snapshot keeps its numbers after it anyway).
    "statistics": _statistics,
    "retention": _retention,
}


def _key(name: str) -> int:
    if name == "reminders":  # the key ``hsm reminders`` has always taken
        from hsm.cases.reminders import ADVISORY_LOCK

        return ADVISORY_LOCK
    return lock_key(name)


def run(names: list[str] | None = None, now: datetime | None = None) -> list[Outcome]:
    """Run the named jobs (all by default), each under its lock."""
    now = now or datetime.now(UTC)
    outcomes = []
    for name in names or list(JOBS):
        with lock(name, _key(name)) as got:
            if not got:
                outcomes.append(Outcome(name, False, "skipped: running on another server"))
                continue
            outcomes.append(Outcome(name, True, JOBS[name](now)))
    return outcomes
