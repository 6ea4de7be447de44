"""A report made through Report a Concern, and its message thread.

The reporter's identity, the narrative and every message are encrypted at rest. No network
address and no user agent is ever stored. The report is a clean aggregate that the case
procedure can take forward: reference, centre, status, flags, urgency, respondent type.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hsm.accounts.models import User
from hsm.crypto import EncryptedText
from hsm.extensions import UTCDateTime, db
from hsm.reports import rules


class Report(db.Model):
    __tablename__ = "report"
    # The inbox's order within one status and urgency, id last for ties: each keyset branch
    # of hsm/reports/queries.py is one range of it.
    __table_args__ = (
        sa.Index("ix_report_inbox_keyset", "status", "urgency", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    centre: Mapped[str] = mapped_column(sa.String(40), index=True)
    # The public half of the receipt code, and the argon2 hash of its secret half.
    lookup_id: Mapped[str] = mapped_column(sa.String(8), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(200))
    # SHA-256 of the one-time key of the form that sent it: the same form sent twice (a double
    # tap, a refreshed receipt page) finds this report instead of storing a second one.
    submission_key_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)

    status: Mapped[str] = mapped_column(sa.String(20), default=rules.Status.NEW)
    handling: Mapped[str | None] = mapped_column(sa.String(30))
    urgency: Mapped[int] = mapped_column(sa.SmallInteger, default=rules.Urgency.ROUTINE)
    # Anonymous reports: to the hour only.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was marked "for information only": the end of its life, for retention.
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A legal hold stops the retention purge, whatever the record's age (hsm/retention.py).
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    caseworker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )

    # Flags (the inbox filters and sorts on them).
    immediate_danger: Mapped[bool] = mapped_column(default=False)
    under_18: Mapped[bool] = mapped_column(default=False)
    staff_respondent: Mapped[bool] = mapped_column(default=False, index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    third_party: Mapped[bool] = mapped_column(default=False)

    # Who is reporting (anonymous: the reason only).
    anonymity_reason: Mapped[str | None] = mapped_column(sa.String(30))
    anonymity_reason_other: Mapped[str | None] = mapped_column(EncryptedText)
    first_name: Mapped[str | None] = mapped_column(EncryptedText)
    last_name: Mapped[str | None] = mapped_column(EncryptedText)
    student_number: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    contact_method: Mapped[str | None] = mapped_column(sa.String(20))
    contact_detail: Mapped[str | None] = mapped_column(EncryptedText)
    safe_times: Mapped[str | None] = mapped_column(EncryptedText)

    # What happened.
    about: Mapped[str] = mapped_column(sa.String(20))
    categories: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    narrative: Mapped[str] = mapped_column(EncryptedText)
    when_kind: Mapped[str] = mapped_column(sa.String(20))
    when_date: Mapped[date | None] = mapped_column(sa.Date)
    when_detail: Mapped[str | None] = mapped_column(EncryptedText)
    where: Mapped[str] = mapped_column(sa.String(20))
    where_detail: Mapped[str | None] = mapped_column(EncryptedText)
    respondent: Mapped[str] = mapped_column(sa.String(20))
    wishes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    consent_earlier_notes: Mapped[str] = mapped_column(sa.String(20))

    caseworker: Mapped[User | None] = relationship(foreign_keys=[caseworker_id])
    messages: Mapped[list[ReportMessage]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="ReportMessage.id",
    )

    @property
    def flags(self) -> list[str]:
        """The flags that are set, in a fixed order."""
        return [flag.value for flag in rules.Flag if getattr(self, flag.value)]

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES

    @property
    def is_new(self) -> bool:
        """Nobody at Student Services has acknowledged it yet."""
        return self.status == rules.Status.NEW

    @property
    def is_urgent(self) -> bool:
        return self.urgency == rules.Urgency.URGENT

    @property
    def birth_date(self) -> date | None:
        """The date of birth as a date (it is stored encrypted, as ISO text)."""
        try:
            return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None
        except ValueError:
            return None


class ReportMessage(db.Model):
    """One message of the thread; ``internal`` notes are for staff, never shown to the reporter."""

    __tablename__ = "report_message"

    REPORTER = "reporter"
    STAFF = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(sa.String(20))
    author_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    internal: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship(back_populates="messages")
    author_user: Mapped[User | None] = relationship(foreign_keys=[author_user_id])

    @property
    def by_reporter(self) -> bool:
        return self.author == self.REPORTER


class FollowUpSession(db.Model):
    """A reporter's follow-up session, opened with the receipt code.

    The cookie holds a random token; only its SHA-256 hash is stored. Ending the row ("Leave",
    15 minutes idle, a new receipt code) makes a copied cookie worthless. No network address,
    no user agent; rows are deleted a day after their last use.
    """

    __tablename__ = "report_follow_up_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, index=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[Report] = relationship()
