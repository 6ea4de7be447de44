"""The Safe Contact scheme's tables.

A ``SafeContact`` is one person's way through the scheme, from application to publication.
Equality monitoring answers live in ``EqualityResponse``, a table with no link back to anyone.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from hsm.accounts.models import User
from hsm.crypto import EncryptedText
from hsm.extensions import UTCDateTime, db


class SafeContact(db.Model):
    """An applicant, and later a Safe Contact: the card on the EDI board."""

    __tablename__ = "safe_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(255), index=True)
    job_title: Mapped[str] = mapped_column(sa.String(200))
    department: Mapped[str] = mapped_column(sa.String(200))
    centre: Mapped[str] = mapped_column(sa.String(40), index=True)
    staff_type: Mapped[str] = mapped_column(sa.String(40))
    statement: Mapped[str] = mapped_column(EncryptedText)
    line_manager_permission: Mapped[bool] = mapped_column(default=False)
    specialist_interest: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(sa.String(5), default="en")

    # Email confirmation: only the hash of the emailed token is kept; it is cleared on use.
    confirm_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    stage: Mapped[str] = mapped_column(sa.String(20), default="applied", index=True)
    stage_reason: Mapped[str | None] = mapped_column(EncryptedText)
    stage_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A legal hold stops the retention purge, whatever the record's age (hsm/retention.py).
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    chat_on: Mapped[date | None] = mapped_column(sa.Date)
    chat_staff_one: Mapped[str | None] = mapped_column(sa.String(200))
    chat_staff_two: Mapped[str | None] = mapped_column(sa.String(200))
    induction_on: Mapped[date | None] = mapped_column(sa.Date)
    induction_attended: Mapped[bool | None] = mapped_column(sa.Boolean)

    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()
    biographies: Mapped[list[Biography]] = relationship(
        back_populates="safe_contact",
        cascade="all, delete-orphan",
        order_by="Biography.id",
        lazy="select",
    )
    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="safe_contact",
        cascade="all, delete-orphan",
        order_by="TrainingRecord.attended_on",
        lazy="select",
    )

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def biography_with(self, status: str) -> Biography | None:
        return next((b for b in self.biographies if b.status == status), None)

    @property
    def published_biography(self) -> Biography | None:
        return self.biography_with("published")

    @property
    def draft_biography(self) -> Biography | None:
        return self.biography_with("draft")


class Photo(db.Model):
    """A re-encoded biography photo (no metadata). Bytes are loaded only when served."""

    __tablename__ = "safe_contact_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()


class Biography(db.Model):
    """One version of a Safe Contact's biography: a draft, the published one, or retired."""

    __tablename__ = "safe_contact_biography"

    id: Mapped[int] = mapped_column(primary_key=True)
    safe_contact_id: Mapped[int] = mapped_column(
        sa.ForeignKey("safe_contact.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    text_en: Mapped[str] = mapped_column(sa.Text, default="")
    text_nl: Mapped[str] = mapped_column(sa.Text, default="")
    text_fr: Mapped[str] = mapped_column(sa.Text, default="")
    # Codes between commas (",en,fr,"), so one LIKE finds a language on any database.
    languages: Mapped[str] = mapped_column(sa.String(400), default=",")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    days: Mapped[str] = mapped_column(sa.String(100), default=",")
    in_person: Mapped[bool] = mapped_column(default=True)
    online: Mapped[bool] = mapped_column(default=False)
    photo_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("safe_contact_photo.id", ondelete="SET NULL")
    )
    photo_alt: Mapped[str] = mapped_column(sa.String(300), default="")
    author_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(sa.Integer)

    safe_contact: Mapped[SafeContact] = relationship(back_populates="biographies")

    def text_for(self, locale: str) -> tuple[str, str]:
        """(text, its language): the asked locale, else the first language written."""
        texts = {"en": self.text_en, "nl": self.text_nl, "fr": self.text_fr}
        if texts.get(locale, "").strip():
            return texts[locale], locale
        for code in ("en", "nl", "fr"):
            if texts[code].strip():
                return texts[code], code
        return "", locale

    @property
    def language_codes(self) -> list[str]:
        return [c for c in self.languages.split(",") if c]

    @property
    def version(self) -> str:
        """A digest of everything a reader sees, so approval names the exact words approved."""
        seen = [
            self.text_en, self.text_nl, self.text_fr, self.languages, self.department,
            self.days, self.in_person, self.online, self.photo_id, self.photo_alt,
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:32]

    @property
    def day_codes(self) -> list[str]:
        return [c for c in self.days.split(",") if c]


class TrainingTopic(db.Model):
    """A specialist training topic; a recorded session earns its badge for a while."""

    __tablename__ = "safe_contact_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_nl: Mapped[str] = mapped_column(sa.String(200))
    name_fr: Mapped[str] = mapped_column(sa.String(200))
    badge_en: Mapped[str] = mapped_column(sa.String(300))
    badge_nl: Mapped[str] = mapped_column(sa.String(300))
    badge_fr: Mapped[str] = mapped_column(sa.String(300))
    refresher_months: Mapped[int] = mapped_column(default=24)

    def name_for(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", "") or self.name_en

    def badge_for(self, locale: str) -> str:
        return getattr(self, f"badge_{locale}", "") or self.badge_en


class TrainingRecord(db.Model):
    """A specialist session a Safe Contact attended."""

    __tablename__ = "safe_contact_training"
    # The directory's badge filter asks "has this person a recent training in this topic?":
    # one index answers it without reading the rows.
    __table_args__ = (
        sa.Index("ix_safe_contact_training_badge", "safe_contact_id", "topic_id", "attended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    safe_contact_id: Mapped[int] = mapped_column(
        sa.ForeignKey("safe_contact.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("safe_contact_topic.id", ondelete="CASCADE"), index=True
    )
    attended_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.Integer)

    safe_contact: Mapped[SafeContact] = relationship(back_populates="trainings")
    topic: Mapped[TrainingTopic] = relationship(lazy="joined")


class Meeting(db.Model):
    """A termly team meeting or a group supervision session."""

    __tablename__ = "safe_contact_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    held_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.Integer)

    attendances: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="selectin"
    )


class MeetingAttendance(db.Model):
    __tablename__ = "safe_contact_meeting_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "safe_contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("safe_contact_meeting.id", ondelete="CASCADE"), index=True
    )
    safe_contact_id: Mapped[int] = mapped_column(
        sa.ForeignKey("safe_contact.id", ondelete="CASCADE"), index=True
    )

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")


def random_key() -> str:
    return secrets.token_hex(16)


class EqualityResponse(db.Model):
    """One applicant's equality monitoring answers, deliberately unlinkable.

    No foreign key, no timestamp, and a random key instead of a counter, so neither the
    columns nor the insertion order lead back to an application. Every answer is encrypted.
    """

    __tablename__ = "equality_response"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_key)
    gender: Mapped[str | None] = mapped_column(EncryptedText)
    ethnic_group: Mapped[str | None] = mapped_column(EncryptedText)
    disability: Mapped[str | None] = mapped_column(EncryptedText)
    sexual_orientation: Mapped[str | None] = mapped_column(EncryptedText)
    religion: Mapped[str | None] = mapped_column(EncryptedText)
