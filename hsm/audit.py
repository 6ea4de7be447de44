"""The append-only, hash-chained audit log.

Each entry stores the hash of the entry before it, and its own keyed hash (HMAC) covers its
fields and that link, so an edited, deleted or reordered entry breaks the chain at a place
``verify`` names. ``flask hsm audit verify`` also prints the head of the chain: recorded
elsewhere, it shows whether the newest entries were later cut off.
Entries hold who did what to which object, never passwords, codes, report content or
network addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from hsm.extensions import UTCDateTime, db

GENESIS = "0" * 64
# Keys that must never reach the log, whatever a caller passes in ``detail``.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {"password", "code", "totp", "token", "receipt", "narrative", "message", "body", "text"}
)


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(255), default="")
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[str] = mapped_column(sa.String(80), default="")
    centre: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    detail: Mapped[str] = mapped_column(sa.Text, default="{}")
    # unique: two writers can never both extend the chain from the same entry.
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    def payload(self) -> dict[str, Any]:
        return {
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "centre": self.centre,
            "detail": self.detail,
        }

    def compute_hash(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 under ``HSM_AUDIT_KEY``, which never lives in the database: someone who
        can write to the database cannot rebuild the chain after changing it."""
        key = key if key is not None else current_app.config["HSM_AUDIT_KEY"].encode()
        body = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))
        return hmac.new(key, (self.prev_hash + body).encode(), hashlib.sha256).hexdigest()

    def detail_dict(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")


def _clean_detail(detail: dict[str, Any] | None) -> str:
    detail = dict(detail or {})
    leaked = FORBIDDEN_DETAIL_KEYS.intersection(k.lower() for k in detail)
    if leaked:
        raise ValueError(f"audit detail may not hold {sorted(leaked)}")
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), default=str)


def _lock_chain() -> None:
    """Serialise writers, so that the chain's head is read and extended by one at a time.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: Python's driver starts a
    transaction only at the first write, so two requests could both read the same head (and
    the second would fail on the unique ``prev_hash``, an error page). A write that changes
    nothing takes the database's write lock first; a second writer waits for the first to
    commit (the driver's busy timeout), then reads the new head.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(727274)"))
    else:
        db.session.execute(sa.text("UPDATE audit_entry SET id = id WHERE 0"))


def record(
    action: str,
    *,
    actor: Any,
    target_type: str = "",
    target_id: Any = "",
    centre: str | None = "",
    detail: dict[str, Any] | None = None,
    commit: bool = False,
) -> AuditEntry:
    """Append an entry. It is written with the request's own commit unless ``commit``.

    ``actor`` is always said: the staff user who acted, or ``None`` for nobody known (a
    visitor, a failed sign-in, the system). Nothing here reads the request's user.
    """
    _lock_chain()
    db.session.flush()
    last_hash = db.session.scalar(
        sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    entry = AuditEntry(
        created_at=datetime.now(UTC),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        target_type=target_type,
        target_id=str(target_id or ""),
        centre=centre or "",
        detail=_clean_detail(detail),
        prev_hash=last_hash or GENESIS,
    )
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    db.session.flush()
    if commit:
        db.session.commit()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int
    position: int
    problem: str

    def __str__(self) -> str:
        return f"entry {self.entry_id} (position {self.position}): {self.problem}"


def verify(batch: int = 1000) -> ChainProblem | None:
    """Walk the chain in order; return the first problem, or None when it is intact."""
    expected_prev = GENESIS
    position = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return None
        for entry in rows:
            position += 1
            if entry.prev_hash != expected_prev:
                return ChainProblem(
                    entry.id, position, "does not follow the entry before it (deleted or moved)"
                )
            if entry.compute_hash() != entry.hash:
                return ChainProblem(entry.id, position, "its content was changed")
            expected_prev = entry.hash
            last_id = entry.id
