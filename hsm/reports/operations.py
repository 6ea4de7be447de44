"""Every write to a report: each takes its actor explicitly and records itself in the audit log.

Audit entries name the action and the report, never its content.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hsm import audit
from hsm.accounts.models import RoleAssignment, User
from hsm.extensions import db
from hsm.reports import follow_ups, receipts, rules
from hsm.reports.models import Report, ReportMessage
from hsm.security import Role


@dataclass
class Submission:
    """What the reporter sent, already checked by the form."""

    anonymous: bool
    about: str
    categories: list[str]
    narrative: str
    when_kind: str
    where: str
    respondent: str
    wishes: list[str]
    immediate_danger: bool
    under_18: bool
    consent_earlier_notes: str
    anonymity_reason: str | None = None
    anonymity_reason_other: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    student_number: str | None = None
    date_of_birth: date | None = None
    contact_method: str | None = None
    contact_detail: str | None = None
    safe_times: str | None = None
    when_date: date | None = None
    when_detail: str | None = None
    where_detail: str | None = None


def _unused(column, make) -> str:
    """A random value not yet present in a unique column (collisions are astronomically rare)."""
    while True:
        value = make()
        if db.session.scalar(sa.select(sa.func.count()).where(column == value)) == 0:
            return value


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(receipts.ALPHABET) for _ in range(8))


def _audit(action: str, report: Report, actor: User | None, detail: dict | None = None) -> None:
    audit.record(
        action,
        target_type="report",
        target_id=report.id,
        centre=report.centre,
        detail=detail,
        actor=actor,
    )


def _new_receipt(pepper: str) -> tuple[receipts.ReceiptCode, str]:
    """A receipt code whose lookup id is not taken, and the hash of its secret."""
    code = receipts.ReceiptCode(
        _unused(Report.lookup_id, lambda: receipts.new_code().lookup_id),
        receipts.new_code().secret,
    )
    return code, receipts.hash_secret(code.secret, pepper)


def submit_report(
    submission: Submission,
    *,
    centre: str,
    pepper: str,
    now: datetime | None = None,
    submission_key: str | None = None,
    binding: str = "",
) -> tuple[Report, receipts.ReceiptCode]:
    """Store a new report; return it and its receipt code (the only time the code exists).

    ``submission_key`` (the form's one-time key) is stored hashed, in a unique column: a
    second report with the same key fails at the flush with an ``IntegrityError``.
    """
    now = now or datetime.now(UTC)
    s = submission
    named = not s.anonymous
    # A date of birth under 18 raises the safeguarding flag even if the box said otherwise.
    under_18 = s.under_18 or (named and rules.is_minor(s.date_of_birth, now.date()))
    found = rules.triage(
        immediate_danger=s.immediate_danger,
        under_18=under_18,
        respondent=s.respondent,
        anonymous=s.anonymous,
        about=s.about,
        categories=s.categories,
    )
    code, secret_hash = _new_receipt(pepper)
    report = Report(
        reference=_unused(Report.reference, new_reference),
        centre=centre,
        lookup_id=code.lookup_id,
        secret_hash=secret_hash,
        submission_key_hash=(
            receipts.submission_key_hash(submission_key, binding) if submission_key else None
        ),
        status=rules.Status.NEW,
        urgency=int(found.urgency),
        received_at=rules.received_time(now, anonymous=s.anonymous),
        immediate_danger=s.immediate_danger,
        under_18=under_18,
        staff_respondent=rules.Flag.STAFF_RESPONDENT in found.flags,
        anonymous=s.anonymous,
        third_party=rules.Flag.THIRD_PARTY in found.flags,
        anonymity_reason=s.anonymity_reason if s.anonymous else None,
        anonymity_reason_other=(
            s.anonymity_reason_other
            if s.anonymous and s.anonymity_reason == "other"
            else None
        ),
        first_name=s.first_name if named else None,
        last_name=s.last_name if named else None,
        student_number=s.student_number if named else None,
        date_of_birth=s.date_of_birth.isoformat() if named and s.date_of_birth else None,
        contact_method=s.contact_method if named else None,
        contact_detail=s.contact_detail if named else None,
        safe_times=s.safe_times if named else None,
        about=s.about,
        categories=list(s.categories),
        narrative=s.narrative,
        when_kind=s.when_kind,
        when_date=s.when_date if s.when_kind == "date" else None,
        when_detail=s.when_detail or None,
        where=s.where,
        where_detail=s.where_detail or None,
        respondent=s.respondent,
        wishes=list(s.wishes),
        consent_earlier_notes=s.consent_earlier_notes,
    )
    db.session.add(report)
    db.session.flush()
    _audit("report.submitted", report, None, {"urgency": report.urgency, "flags": report.flags})
    return report, code


def find_by_submission_key(key: str, binding: str = "") -> Report | None:
    """The report already sent with this form's one-time key from the same browser session,
    to the same centre, with the same answers (``binding``), if any (one index lookup)."""
    return db.session.scalar(
        sa.select(Report).where(
            Report.submission_key_hash == receipts.submission_key_hash(key, binding))
    )


def reissue_receipt(
    report: Report, *, pepper: str, now: datetime | None = None
) -> receipts.ReceiptCode:
    """Give ``report`` a fresh receipt code, replacing the old one (which stops working).

    Open follow-up sessions on the report end too. Audited without content.
    """
    now = now or datetime.now(UTC)
    code, secret_hash = _new_receipt(pepper)
    report.lookup_id = code.lookup_id
    report.secret_hash = secret_hash
    follow_ups.end_all_for(report, now)
    _audit("report.receipt_reissued", report, None)
    return code


@dataclass
class Sent:
    """What sending the form did: a new report, or the same form again (``repeated``).

    ``code`` is None for a repeat that came too late to be given a new receipt code.
    """

    report: Report
    code: receipts.ReceiptCode | None
    repeated: bool


def submit_once(
    submission: Submission,
    *,
    submission_key: str,
    centre: str,
    pepper: str,
    now: datetime | None = None,
    binding: str = "",
) -> Sent:
    """Store the report, unless this form was sent before: then never a second report.

    A repeat gets the existing report a new receipt code (within ``rules.REISSUE_WINDOW``),
    since the code shown the first time may never have reached the reporter's screen. Only a
    true repeat: ``binding`` ties the key to the browser session, the centre and the answers,
    so the key sent by anyone else, or to another centre, or with other words, finds nothing
    and is a new report; it never reveals or replaces an existing report's code. Two
    sends racing each other both pass the first lookup; the unique key lets only one row in,
    and the other is rolled back (nothing else is written before this in the request) and
    treated as the repeat.
    """
    now = now or datetime.now(UTC)
    existing = find_by_submission_key(submission_key, binding)
    if existing is None:
        try:
            report, code = submit_report(
                submission, centre=centre, pepper=pepper, now=now, submission_key=submission_key,
                binding=binding,
            )
            return Sent(report, code, repeated=False)
        except IntegrityError:
            db.session.rollback()
            existing = find_by_submission_key(submission_key, binding)
            if existing is None:
                raise
    if not rules.may_reissue_receipt(existing.received_at, now):
        return Sent(existing, None, repeated=True)
    return Sent(existing, reissue_receipt(existing, pepper=pepper, now=now), repeated=True)


def find_by_receipt(code: receipts.ReceiptCode, pepper: str) -> Report | None:
    """One index lookup and one slow hash, whatever the number of reports."""
    report = db.session.scalar(sa.select(Report).where(Report.lookup_id == code.lookup_id))
    ok = receipts.verify_secret(report.secret_hash if report else None, code.secret, pepper)
    return report if ok else None


def message_time(report: Report, now: datetime) -> datetime:
    """Reporter messages on anonymous reports keep the hour only, like the report itself."""
    return rules.received_time(now, anonymous=report.anonymous)


def add_reporter_message(report: Report, body: str, now: datetime | None = None) -> ReportMessage:
    """The reporter replies or adds information, from the follow-up page."""
    now = now or datetime.now(UTC)
    message = ReportMessage(
        report=report,
        author=ReportMessage.REPORTER,
        body=body,
        created_at=message_time(report, now),
    )
    db.session.add(message)
    db.session.flush()
    _audit("report.reporter_message", report, None)
    return message


def _staff_message(actor: User, report: Report, body: str, *, internal: bool) -> ReportMessage:
    message = ReportMessage(
        report=report,
        author=ReportMessage.STAFF,
        author_user_id=actor.id,
        internal=internal,
        body=body,
        created_at=datetime.now(UTC),
    )
    db.session.add(message)
    db.session.flush()
    return message


def acknowledge(actor: User, report: Report, now: datetime | None = None) -> None:
    """Student Services has read the report."""
    if report.status == rules.Status.NEW:
        report.status = rules.Status.ACKNOWLEDGED
        report.acknowledged_at = now or datetime.now(UTC)
    _audit("report.acknowledged", report, actor)


def caseworkers_for(centre: str) -> list[User]:
    """The active Student Services staff of a centre, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(RoleAssignment)
            .where(
                RoleAssignment.role == Role.STUDENT_SERVICES,
                RoleAssignment.centre == centre,
                User.active.is_(True),
            )
            .order_by(User.name)
            .distinct()
        )
    )


def assign(actor: User, report: Report, caseworker: User) -> None:
    """Give the report to a caseworker of its centre's Student Services."""
    if caseworker.id not in {u.id for u in caseworkers_for(report.centre)}:
        raise ValueError("the caseworker must belong to the report's centre Student Services")
    report.caseworker_id = caseworker.id
    if report.status == rules.Status.NEW:
        acknowledge(actor, report)
    _audit("report.assigned", report, actor, {"caseworker_id": caseworker.id})


def reply(actor: User, report: Report, body: str) -> ReportMessage:
    """A message to the reporter, in the thread they read at follow-up."""
    message = _staff_message(actor, report, body, internal=False)
    if report.status == rules.Status.NEW:
        acknowledge(actor, report)
    _audit("report.replied", report, actor)
    return message


def add_note(actor: User, report: Report, body: str) -> ReportMessage:
    """An internal note: staff only, never shown to the reporter."""
    message = _staff_message(actor, report, body, internal=True)
    _audit("report.note_added", report, actor)
    return message


def set_handling(actor: User, report: Report, handling: str) -> None:
    """Mark the report "for information only" or "support requested"."""
    report.handling = rules.Handling(handling).value
    report.handled_at = datetime.now(UTC)
    if report.status == rules.Status.NEW:
        acknowledge(actor, report)
    _audit("report.handling_set", report, actor, {"handling": report.handling})


def record_view(actor: User, report: Report) -> None:
    _audit("report.viewed", report, actor)


def record_follow_up(report: Report) -> None:
    """The reporter opened the follow-up with their receipt code (no actor, no address)."""
    _audit("report.follow_up_opened", report, None)
