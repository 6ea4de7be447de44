"""Issued letters (frozen), their deliveries, and the outcome and review records they state.

A ``Letter`` is frozen once issued: its exact PDF bytes are kept encrypted (``pdf``, the
bytes as base64 inside the field key ring's Fernet token, so ``flask hsm rotate-keys``
re-encrypts letters with every other encrypted column), with their SHA-256, who issued it
and when. Nothing updates a letter; a correction is a new letter whose ``corrects_id`` names
the one it replaces.

``Outcome``/``Sanction``/``ReviewDecision`` are the minimal records the outcome and review
letters need (15.1-15.4, 16.10): the case models do not hold them yet.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hsm.accounts.models import User
from hsm.cases.models import CaseParty
from hsm.crypto import EncryptedText
from hsm.extensions import UTCDateTime, db


def _user_fk():
    return mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True)


class Letter(db.Model):
    __tablename__ = "letter"
    __table_args__ = (sa.Index("ix_letter_case", "case_id", "issued_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    party_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_party.id", ondelete="CASCADE"), index=True)
    review_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_review_request.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(5))
    letter_date: Mapped[date] = mapped_column(sa.Date)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column()
    # Deferred: a list of letters never loads (nor decrypts) the documents.
    pdf: Mapped[str] = mapped_column(EncryptedText, deferred=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = _user_fk()
    corrects_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("letter.id", ondelete="SET NULL"), index=True)

    party: Mapped[CaseParty] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    deliveries: Mapped[list[LetterDelivery]] = relationship(
        back_populates="letter", cascade="all, delete-orphan", order_by="LetterDelivery.id")


class LetterDelivery(db.Model):
    """How and when staff delivered a letter (recorded by them; the app sends nothing)."""

    __tablename__ = "letter_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(sa.String(20))
    delivered_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()

    letter: Mapped[Letter] = relationship(back_populates="deliveries")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class Outcome(db.Model):
    """The outcome of the procedure (15): the finding, its reasons, and what affects whom."""

    __tablename__ = "letters_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    finding: Mapped[str] = mapped_column(sa.String(20))
    reasons: Mapped[str] = mapped_column(EncryptedText)
    # Remedies and actions that directly affect the reporting party (15.1).
    reporting_remedies: Mapped[str | None] = mapped_column(EncryptedText)
    # 15.4: restorative justice only at the reporting party's request, recorded here.
    restorative_requested_on: Mapped[date | None] = mapped_column(sa.Date)
    decided_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()

    sanctions: Mapped[list[Sanction]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="Sanction.id")


class Sanction(db.Model):
    """A penalty of 15.4. Personal to the responding party unless it directly affects the
    reporting party (15.2): only then may their letter mention it."""

    __tablename__ = "letters_sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letters_outcome.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    detail: Mapped[str | None] = mapped_column(EncryptedText)
    affects_reporting_party: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)

    outcome: Mapped[Outcome] = relationship(back_populates="sanctions")


class ReviewDecision(db.Model):
    """The Reviewing Officer's decision on one review request (16.10, 16.11)."""

    __tablename__ = "letters_review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_review_request.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[str] = mapped_column(sa.String(20))
    reasons: Mapped[str] = mapped_column(EncryptedText)
    # 16.12: the other party hears of the review only if it is upheld and affects them.
    affects_other_party: Mapped[bool] = mapped_column(default=False)
    decided_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()
    # What was set aside or varied: the finding, the penalty, or both (16.10); the finding
    # as it now stands when the finding was set aside or varied.
    concerns: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")
    new_finding: Mapped[str | None] = mapped_column(sa.String(20))
    # The case's final decision before this one (16.12: a party who is not told of the review
    # keeps the date their procedures ended).
    previous_final_decision_on: Mapped[date | None] = mapped_column(sa.Date)

    sanctions: Mapped[list[ReviewSanction]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="ReviewSanction.id")

    @property
    def upheld(self) -> bool:
        return self.decision != "confirm"


class ReviewSanction(db.Model):
    """A penalty as the review varied it (16.10, increases included): the whole penalty that
    now applies. Like ``Sanction``, personal to the responding party unless it directly
    affects the reporting party (15.2)."""

    __tablename__ = "letters_review_sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_decision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("letters_review_decision.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    affects_reporting_party: Mapped[bool] = mapped_column(default=False)

    decision: Mapped[ReviewDecision] = relationship(back_populates="sanctions")
