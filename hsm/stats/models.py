"""A published statistics snapshot: suppressed counts, stored once and never changed.

It holds no foreign key to a report or a case, so the retention purge of the cases it counts
leaves it whole; ``published_by_id`` names who published it (empty for the schedule). The
ORM refuses to change or delete a snapshot once it is stored (``_frozen``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from hsm.extensions import UTCDateTime, db


class SnapshotFrozen(RuntimeError):
    """A published snapshot was about to change."""


class StatisticsSnapshot(db.Model):
    __tablename__ = "statistics_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first day of the last month it counts; one snapshot per month, ever.
    through: Mapped[date] = mapped_column(sa.Date, unique=True)
    academic_year: Mapped[int] = mapped_column()
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    # "director" (published from the statistics page) or "schedule" (``hsm jobs run``).
    trigger: Mapped[str] = mapped_column(sa.String(20))
    # The suppressed figures (hsm.stats.snapshot.build) and the EDI diversity summary.
    figures: Mapped[dict] = mapped_column(sa.JSON)
    diversity: Mapped[dict] = mapped_column(sa.JSON)
    # SHA-256 of the figures and the summary as published: what the charts and pages are
    # cached by (an id alone could name another snapshot after a restore).
    digest: Mapped[str] = mapped_column(sa.String(64))


def digest_of(figures: dict, diversity: dict) -> str:
    text = json.dumps([figures, diversity], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@event.listens_for(Session, "before_flush")
def _frozen(session, _context, _instances):
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, StatisticsSnapshot) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise SnapshotFrozen("a published statistics snapshot never changes")
