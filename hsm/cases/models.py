"""The case record: a case, its parties and people, its timeline, support, measures, deadlines.

Names, student numbers, contact details and every free text are encrypted at rest
(``EncryptedText``), like reports. Codes (stages, kinds, statuses) are the plain words of
``hsm.cases.terms``. Every list a board or a reminder filters on has an index, so no lookup
scans the table; ``Case.version`` goes up with every change, so a board polls cheaply.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from hsm.accounts.models import User
from hsm.cases.terms import DeadlineStatus, MeasureStatus, Stage
from hsm.crypto import EncryptedBytes, EncryptedText
from hsm.extensions import UTCDateTime, db
from hsm.reports.models import Report


def _user_fk(nullable: bool = True, index: bool = False):
    return mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=nullable, index=index
    )


def _case_fk():
    return mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"), index=True)


class Case(db.Model):
    """One concern taken forward under the procedure, at one centre."""

    __tablename__ = "case_record"
    __table_args__ = (
        # The boards: a column is the cases of one stage (per centre), oldest change first.
        sa.Index("ix_case_record_board", "stage", "centre", "stage_changed_at", "id"),
        sa.Index("ix_case_record_staff_board", "staff_respondent", "stage", "stage_changed_at"),
        # A board of every centre (the Safeguarding Director's): a column's first page and
        # its bounded count read in order, without sorting the stage's cases.
        sa.Index("ix_case_record_stage_order", "stage", "stage_changed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True)
    centre: Mapped[str] = mapped_column(sa.String(40), index=True)
    stage: Mapped[str] = mapped_column(sa.String(30), default=Stage.RECEIVED)
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = _user_fk()
    # Goes up by one with every change to the case or anything on it (the board's poll token).
    version: Mapped[int] = mapped_column(default=1)

    # Side flags: the stage stays, the rules change (7.2, 15.7).
    police_hold: Mapped[bool] = mapped_column(default=False)
    police_hold_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused: Mapped[bool] = mapped_column(default=False)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Flags carried from the report (or set when a disclosure is recorded).
    immediate_danger: Mapped[bool] = mapped_column(default=False)
    under_18: Mapped[bool] = mapped_column(default=False)
    staff_respondent: Mapped[bool] = mapped_column(default=False)
    anonymous: Mapped[bool] = mapped_column(default=False)
    third_party: Mapped[bool] = mapped_column(default=False)

    # Where it came from: a report, or a disclosure recorded by staff (A 5.1).
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("report.id", ondelete="SET NULL"), unique=True
    )
    disclosure_channel: Mapped[str | None] = mapped_column(sa.String(30))
    disclosure: Mapped[str | None] = mapped_column(EncryptedText)
    disclosed_on: Mapped[date | None] = mapped_column(sa.Date)

    # Formal complaint (10.1).
    complaint_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    complaint_confirmed_by_id: Mapped[int | None] = _user_fk()
    director_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    director_acknowledged_by_id: Mapped[int | None] = _user_fk()
    central_director_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Informal resolution (9.4): a breach of the No Contact Agreement.
    informal_breach_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Case review (11).
    case_review_convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_review_convened_by_id: Mapped[int | None] = _user_fk()

    # The final decision of the procedure (the Completion of Procedures letter follows it).
    final_decision_on: Mapped[date | None] = mapped_column(sa.Date)
    # The hearing's decision on the merits (14.4): the move to the outcome waits for it, and
    # the impact statement stays sealed until it. Kept on the case so no board reads more.
    hearing_decided_on: Mapped[date | None] = mapped_column(sa.Date)
    # When the latest caution of the outcome expires (15.4): the board card shows it from
    # the case row it already reads.
    caution_expires_on: Mapped[date | None] = mapped_column(sa.Date)

    closure_reason: Mapped[str | None] = mapped_column(sa.String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A legal hold stops the retention purge, whatever the record's age (hsm/retention.py).
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    report: Mapped[Report | None] = relationship(foreign_keys=[report_id])
    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParty.id"
    )

    @property
    def flags(self) -> list[str]:
        """The flags that are set, in the order of ``terms.Flag``."""
        return [name for name in (
            "immediate_danger", "under_18", "staff_respondent", "anonymous", "third_party",
            "police_hold", "paused",
        ) if getattr(self, name)]  # fmt: skip

    @property
    def urgent(self) -> bool:
        """Immediate danger or under 18: service targets are shorter (10.2)."""
        return self.immediate_danger or self.under_18

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class CaseLinkedReport(db.Model):
    """A later report about the same matter, linked to the case."""

    __tablename__ = "case_linked_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report.id", ondelete="CASCADE"), unique=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    linked_by_id: Mapped[int | None] = _user_fk()


class CaseParty(db.Model):
    """The reporting party (possibly unknown), a responding party or a witness."""

    __tablename__ = "case_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    role: Mapped[str] = mapped_column(sa.String(20))
    party_type: Mapped[str] = mapped_column(sa.String(20), default="unknown")
    # False for an anonymous reporting party: the receipt-code thread is the only channel.
    identity_known: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    student_number: Mapped[str | None] = mapped_column(EncryptedText)
    contact: Mapped[str | None] = mapped_column(EncryptedText)
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="en")
    # A party (or witness) who holds a staff account: they never see the case.
    user_id: Mapped[int | None] = _user_fk(index=True)
    # Informal resolution (9.1, 9.3): their answer, and when they signed the No Contact Agreement.
    informal_agreement: Mapped[str | None] = mapped_column(sa.String(20))
    nca_signed_on: Mapped[date | None] = mapped_column(sa.Date)
    # Interruption of studies (15.7): their consent for the procedure to resume.
    resume_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 15.6, 15.7: the party left their course or interrupted their studies, and when.
    studies_change: Mapped[str | None] = mapped_column(sa.String(20))
    studies_changed_on: Mapped[date | None] = mapped_column(sa.Date)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="parties")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class CaseworkerAssignment(db.Model):
    """A Student Services caseworker for one party (2.16, 12.4); ``ended_at`` once replaced."""

    __tablename__ = "case_caseworker"
    __table_args__ = (sa.Index("ix_case_caseworker_user", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    party_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_party.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by_id: Mapped[int | None] = _user_fk()
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    party: Mapped[CaseParty] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CaseEvent(db.Model):
    """One entry of the case's timeline: what happened, who did it, when.

    ``payload`` holds codes and ids only (stage names, kinds, party ids), never a name or
    a detail; a note's words are in ``body`` (encrypted) and its ``marking`` says who may
    read it. Only notes have a body.
    """

    __tablename__ = "case_event"
    __table_args__ = (sa.Index("ix_case_event_case_at", "case_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    actor_id: Mapped[int | None] = _user_fk()
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    body: Mapped[str | None] = mapped_column(EncryptedText)
    marking: Mapped[str | None] = mapped_column(sa.String(20))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class SupportItem(db.Model):
    """One item of a party's support plan: a referral or academic support, with its status."""

    __tablename__ = "case_support_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    party_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_party.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(40))
    # For a helpline referral: the helpline's id in the centre's data file.
    helpline_id: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RiskAssessment(db.Model):
    """A precautionary risk assessment (10.2, 12.2: 'Precautionary Action: Duty of Care')."""

    __tablename__ = "case_risk_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assessed_by_id: Mapped[int | None] = _user_fk()
    risk_to_reporting_party: Mapped[str] = mapped_column(EncryptedText)
    risk_to_responding_party: Mapped[str] = mapped_column(EncryptedText)
    risk_to_others: Mapped[str] = mapped_column(EncryptedText)
    urgency: Mapped[str] = mapped_column(sa.String(20))
    next_review_on: Mapped[date] = mapped_column(sa.Date)


class CaseReviewMember(db.Model):
    """A member of the case review team (11.1), or a co-opted member (11.2).

    A co-opted member may be someone outside the organisation without a login
    (``user_id`` empty, ``name`` and ``organisation`` given); they never count towards three.
    """

    __tablename__ = "case_review_member"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "user_id", name="uq_case_review_member_case_user"),
        sa.Index("ix_case_review_member_user", "user_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    role_title: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str | None] = mapped_column(EncryptedText)
    organisation: Mapped[str | None] = mapped_column(EncryptedText)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def co_opted(self) -> bool:
        return self.role_title == "co_opted"


class CaseReviewDecision(db.Model):
    """What a case review meeting decided (11.3, 11.4), recorded by the Director (12.8)."""

    __tablename__ = "case_review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    met_on: Mapped[date] = mapped_column(sa.Date)
    risks: Mapped[str] = mapped_column(EncryptedText)
    support_needs: Mapped[str] = mapped_column(EncryptedText)
    external_referrals: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    internal_procedure: Mapped[str] = mapped_column(sa.String(40))
    recommend_investigation: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()


class Measure(db.Model):
    """A precautionary measure (12): who it applies to, since when, and its 4-weekly review.

    ``interim``: set at once by the Safeguarding Director in an urgent case (10.2, 10.5);
    waits for the case review to ratify, vary or lift it (``ratified_at``). ``next_review_on``
    is kept by the operations (28 days after the start or the last review), so the deadline
    lists read an index.
    """

    __tablename__ = "case_measure"
    __table_args__ = (sa.Index("ix_case_measure_due", "status", "next_review_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("case_party.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(EncryptedText)
    interim: Mapped[bool] = mapped_column(default=False)
    ratified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default=MeasureStatus.ACTIVE)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(sa.Date)
    next_review_on: Mapped[date | None] = mapped_column(sa.Date)
    # Representations by the responding party (13.8) ask for a review of this measure.
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = _user_fk()
    lifted_on: Mapped[date | None] = mapped_column(sa.Date)

    party: Mapped[CaseParty] = relationship()
    reviews: Mapped[list[MeasureReview]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureReview.id"
    )


class MeasureReview(db.Model):
    """A review of a measure: continued, varied or lifted, with a note (12.7)."""

    __tablename__ = "case_measure_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_measure.id", ondelete="CASCADE"), index=True
    )
    reviewed_on: Mapped[date] = mapped_column(sa.Date)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(EncryptedText)
    reviewed_by_id: Mapped[int | None] = _user_fk()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    measure: Mapped[Measure] = relationship(back_populates="reviews")


class OfficerAppointment(db.Model):
    """An Investigating Officer (13.1) or a Reviewing Officer (16.6) on a case."""

    __tablename__ = "case_officer"
    __table_args__ = (sa.Index("ix_case_officer_user", "user_id", "role", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    role: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    appointed_by_id: Mapped[int | None] = _user_fk()
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CaseConflict(db.Model):
    """Someone who must not see the case, whatever their role (a party, a relative ...)."""

    __tablename__ = "case_conflict"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "user_id", name="uq_case_conflict_case_user"),
        sa.Index("ix_case_conflict_user", "user_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(20))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declared_by_id: Mapped[int | None] = _user_fk()


class ReviewRequest(db.Model):
    """A party's written request for a review of the outcome (16.1, 16.6, 16.8)."""

    __tablename__ = "case_review_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("case_party.id", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(sa.Date)
    grounds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Why the party is dissatisfied, on those grounds (16.5).
    details: Mapped[str | None] = mapped_column(EncryptedText)
    acknowledged_on: Mapped[date | None] = mapped_column(sa.Date)
    responded_on: Mapped[date | None] = mapped_column(sa.Date)
    # An alternative timescale issued to the student (16.6): it becomes the deadline.
    alternative_due_on: Mapped[date | None] = mapped_column(sa.Date)
    alternative_reason: Mapped[str | None] = mapped_column(EncryptedText)
    # Paper review or a new hearing (16.7), chosen by the Reviewing Officer; a new hearing
    # has its date and arrangements.
    review_form: Mapped[str | None] = mapped_column(sa.String(20))
    review_form_on: Mapped[date | None] = mapped_column(sa.Date)
    hearing_on: Mapped[date | None] = mapped_column(sa.Date)
    hearing_arrangements: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Deadline(db.Model):
    """A dated duty on a case: open until met (on time), missed (late) or cancelled.

    ``measure_id``/``review_request_id`` say which measure or request it is about. Who is
    responsible follows from the kind (``queries.responsible_for``).
    """

    __tablename__ = "case_deadline"
    __table_args__ = (
        sa.Index("ix_case_deadline_open", "status", "due_on"),
        sa.Index("ix_case_deadline_case", "case_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default=DeadlineStatus.OPEN)
    measure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_measure.id", ondelete="CASCADE"), index=True
    )
    review_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_review_request.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()


class ReminderSent(db.Model):
    """The reminder email one person got on one day: the unique key stops a second one."""

    __tablename__ = "case_reminder_sent"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "sent_on", name="uq_case_reminder_sent_user_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    sent_on: Mapped[date] = mapped_column(sa.Date)
    due: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- the investigation (13) -------------------------------------------------------------------


class Investigation(db.Model):
    """One case's investigation as a whole: its conclusion (13.16) and the case review that met
    again once it was concluded, to close the loop (13.19). One row per case, made by the first
    of these records."""

    __tablename__ = "case_investigation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_record.id", ondelete="CASCADE"), unique=True)
    conclusion: Mapped[str | None] = mapped_column(sa.String(20))
    concluded_on: Mapped[date | None] = mapped_column(sa.Date)
    concluded_by_id: Mapped[int | None] = _user_fk()
    loop_met_on: Mapped[date | None] = mapped_column(sa.Date)
    loop_next_steps: Mapped[str | None] = mapped_column(EncryptedText)
    loop_recorded_by_id: Mapped[int | None] = _user_fk()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InvestigationScope(db.Model):
    """The scope the Investigating Officer sets (13.10). A new scope is a new row: the latest
    applies, the earlier ones stay as they were."""

    __tablename__ = "case_investigation_scope"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    scope: Mapped[str] = mapped_column(EncryptedText)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()


class InvestigationMeeting(db.Model):
    """A meeting with the reporting party, the responding party or a witness (13.5-13.9).

    The welfare check is required (13.5); the notes are encrypted like every free text, and
    the interviewee's comments are kept alongside them, never merged into them (13.9). When
    the policy's order (13.7) was not kept, ``order_reason`` says why.
    """

    __tablename__ = "case_investigation_meeting"
    __table_args__ = (sa.Index("ix_case_investigation_meeting_case", "case_id", "held_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_party.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    welfare_check: Mapped[bool] = mapped_column(default=False)
    services_signposted: Mapped[str] = mapped_column(EncryptedText)
    accompanied_by: Mapped[str | None] = mapped_column(EncryptedText)
    adjustments: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str] = mapped_column(EncryptedText)
    order_reason: Mapped[str | None] = mapped_column(EncryptedText)
    notes_sent_on: Mapped[date | None] = mapped_column(sa.Date)
    comments: Mapped[str | None] = mapped_column(EncryptedText)
    comments_on: Mapped[date | None] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()


class PoliceLiaison(db.Model):
    """A consultation with the police about contacting the responding party (13.11)."""

    __tablename__ = "case_police_liaison"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    consulted_on: Mapped[date] = mapped_column(sa.Date)
    police_contact: Mapped[str] = mapped_column(EncryptedText)
    advice: Mapped[str] = mapped_column(EncryptedText)
    may_contact_responding: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()


class CounterAllegation(db.Model):
    """A counter-allegation by a responding party, with the officer's decision on it (13.12)."""

    __tablename__ = "case_counter_allegation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    party_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_party.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date] = mapped_column(sa.Date)
    summary: Mapped[str] = mapped_column(EncryptedText)
    decision: Mapped[str] = mapped_column(sa.String(30))
    decision_reason: Mapped[str] = mapped_column(EncryptedText)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()


class EvidenceItem(db.Model):
    """A piece of evidence (13.15), numbered as an appendix of the investigation report.

    ``original`` holds the uploaded bytes exactly, encrypted with the field key ring (so
    ``flask hsm rotate-keys`` re-encrypts it), with the SHA-256 taken at upload; it never
    changes and there is no way to delete it. ``shared_copy`` is derived from it for
    sharing (an image without metadata). Both are deferred: the case page never loads a file.
    An item marked not relevant is redacted (13.15): it never reaches a party's copy.
    """

    __tablename__ = "case_evidence"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "appendix", name="uq_case_evidence_case_appendix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"))
    appendix: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(EncryptedText)
    filename: Mapped[str] = mapped_column(EncryptedText)
    kind: Mapped[str] = mapped_column(sa.String(10))
    media_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    original: Mapped[bytes] = deferred(mapped_column(EncryptedBytes))
    shared_copy: Mapped[bytes | None] = deferred(mapped_column(EncryptedBytes))
    redacted: Mapped[bool] = mapped_column(default=False)
    redacted_reason: Mapped[str | None] = mapped_column(EncryptedText)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_by_id: Mapped[int | None] = _user_fk()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = _user_fk()


# --- the hearing (14) -------------------------------------------------------------------------


class Hearing(db.Model):
    """One case's disciplinary hearing: the reporting party's attendance and its arrangements
    (14.3), and the committee's decision on the merits (14.4; its date is
    ``Case.hearing_decided_on``). The committee members are appointments
    (``OfficerAppointment`` with the role ``committee``)."""

    __tablename__ = "case_hearing"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_record.id", ondelete="CASCADE"), unique=True)
    reporting_attends: Mapped[bool | None] = mapped_column()
    safe_place: Mapped[bool] = mapped_column(default=False)
    questions_through_chair: Mapped[bool] = mapped_column(default=False)
    arrangements: Mapped[str | None] = mapped_column(EncryptedText)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merits_finding: Mapped[str | None] = mapped_column(sa.String(20))
    merits_reasons: Mapped[str | None] = mapped_column(EncryptedText)
    decided_by_id: Mapped[int | None] = _user_fk()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImpactStatement(db.Model):
    """The reporting party's impact statement (14.4), written or a file. Sealed until the
    decision on the merits: its words and its file are deferred, and nothing reads them before
    ``Case.hearing_decided_on`` (``queries.impact_statement_text``/``_bytes``). A file is kept
    like evidence: the exact bytes, encrypted, with their SHA-256."""

    __tablename__ = "case_impact_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = _case_fk()
    received_on: Mapped[date] = mapped_column(sa.Date)
    # "written", or the evidence kind of the file (pdf, image, text, email).
    kind: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str | None] = deferred(mapped_column(EncryptedText))
    filename: Mapped[str | None] = deferred(mapped_column(EncryptedText))
    media_type: Mapped[str | None] = mapped_column(sa.String(40))
    size: Mapped[int | None] = mapped_column()
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    original: Mapped[bytes | None] = deferred(mapped_column(EncryptedBytes))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = _user_fk()


class InvestigationReport(db.Model):
    """The investigation report (13.14), written by the Investigating Officer in sections.

    Every section is encrypted. Each save that changes the text is a new ``version`` (a share
    names the version it was made from); once ``finished_at`` is set the text no longer
    changes. The conclusion is the investigation's own (``Investigation.conclusion``), and
    the list of appendices is made from the case's evidence items: neither is stored here.
    """

    __tablename__ = "case_investigation_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_record.id", ondelete="CASCADE"), unique=True)
    overview: Mapped[str | None] = mapped_column(EncryptedText)
    chronology: Mapped[str | None] = mapped_column(EncryptedText)
    facts_established: Mapped[str | None] = mapped_column(EncryptedText)
    facts_disputed: Mapped[str | None] = mapped_column(EncryptedText)
    mitigating: Mapped[str | None] = mapped_column(EncryptedText)
    aggravating: Mapped[str | None] = mapped_column(EncryptedText)
    policy_extracts: Mapped[str | None] = mapped_column(EncryptedText)
    # For a staff respondent: whether to refer under the staff disciplinary policy (13.18).
    # For staff only: never part of a party's copy.
    staff_recommendation: Mapped[str | None] = mapped_column(EncryptedText)
    version: Mapped[int] = mapped_column(default=1)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by_id: Mapped[int | None] = _user_fk()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_by_id: Mapped[int | None] = _user_fk()


class SharedCopy(db.Model):
    """What one party received of one item (13.9, 13.15, 19.3): meeting notes, an evidence
    item or the investigation report, at one version, with the passages withheld.

    ``content`` is the copy exactly as shared (encrypted, deferred, with its SHA-256), so it
    can be downloaded again byte for byte; the original item never changes. ``withheld``
    holds the numbers of the passages left out (``auto_withheld``: those that repeat a note
    about the reporting party's wellbeing or past), ``phrases`` the exact phrases withheld.
    """

    __tablename__ = "case_shared_copy"
    __table_args__ = (sa.Index("ix_case_shared_copy_item", "case_id", "item_kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_party.id", ondelete="CASCADE"), index=True)
    item_kind: Mapped[str] = mapped_column(sa.String(20))
    item_id: Mapped[int] = mapped_column()
    item_version: Mapped[int] = mapped_column()
    withheld: Mapped[list] = mapped_column(sa.JSON, default=list)
    auto_withheld: Mapped[list] = mapped_column(sa.JSON, default=list)
    phrases: Mapped[str | None] = mapped_column(EncryptedText)
    language: Mapped[str] = mapped_column(sa.String(5))
    media_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = deferred(mapped_column(EncryptedBytes))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shared_by_id: Mapped[int | None] = _user_fk()

    shared_by: Mapped[User | None] = relationship(foreign_keys=[shared_by_id])
