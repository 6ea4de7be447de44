"""Every write in the Safe Contact scheme: each takes an explicit actor and is audited.

The caller commits (one commit per request). Audit details hold ids and stage names only,
never the statement, a reason's words or equality answers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from hsm import audit, mail, pagecache, workflow
from hsm.accounts import invitations
from hsm.accounts.models import RoleAssignment, User
from hsm.extensions import db
from hsm.i18n import force_locale
from hsm.safecontacts import applications, badges, pipeline
from hsm.safecontacts.biography import TEXT_LOCALES, join_codes
from hsm.safecontacts.models import (
    Biography,
    EqualityResponse,
    Meeting,
    MeetingAttendance,
    Photo,
    SafeContact,
    TrainingRecord,
    TrainingTopic,
)
from hsm.safecontacts.photos import CleanPhoto
from hsm.safecontacts.queries import facts_for, granted_at
from hsm.security import Role
from hsm.tokens import new_token, token_hash

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


#: The public directory's version counter (hsm/pagecache.py): raised by every write that
#: changes what the directory shows, in that write's transaction.
DIRECTORY = "safe_contact_directory"


def directory_changed() -> None:
    pagecache.changed(DIRECTORY)


def _audit_contact(action: str, contact: SafeContact, actor, detail: dict | None = None) -> None:
    """Record an action on one person in the scheme (ids and stage names only)."""
    audit.record(
        action,
        target_type="safe_contact",
        target_id=contact.id,
        centre=contact.centre,
        detail=detail,
        actor=actor,
    )


# --- applying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationData:
    name: str
    email: str
    job_title: str
    department: str
    centre: str
    staff_type: str
    statement: str
    line_manager_permission: bool
    specialist_interest: bool
    locale: str


def submit_application(data: ApplicationData, equality: dict[str, str]) -> tuple[SafeContact, str]:
    """Save an application (not yet seen by EDI) and, apart, the equality answers.

    Returns the application and the confirmation token to email (only its hash is kept).
    """
    token, stored_hash = new_token()
    contact = SafeContact(
        name=data.name.strip(),
        email=data.email.strip().lower(),
        job_title=data.job_title.strip(),
        department=data.department.strip(),
        centre=data.centre,
        staff_type=data.staff_type,
        statement=data.statement.strip(),
        line_manager_permission=data.line_manager_permission,
        specialist_interest=data.specialist_interest,
        locale=data.locale,
        confirm_token_hash=stored_hash,
        confirm_expires_at=now() + applications.CONFIRM_VALID_FOR,
        stage=pipeline.Stage.APPLIED,
        created_at=now(),
    )
    db.session.add(contact)
    # Nothing ties this row to the application: no key, no time, no order.
    db.session.add(EqualityResponse(**{k: (v or None) for k, v in equality.items()}))
    db.session.flush()
    _audit_contact("safecontacts.applied", contact, None)
    return contact, token


def find_by_token(token: str) -> SafeContact | None:
    """The unconfirmed application a live token belongs to (an index lookup on its hash)."""
    if not token or len(token) > 200:
        return None
    contact = db.session.scalar(
        sa.select(SafeContact).where(
            SafeContact.confirm_token_hash == token_hash(token)
        )
    )
    if contact is None or applications.token_expired(contact.confirm_expires_at, now()):
        return None
    return contact


def expire_confirm_links(at: datetime) -> int:
    """The jobs' pass: forget the hash of every confirmation link past its time (the link
    already answers as expired; now nothing of it is kept)."""
    return db.session.execute(
        sa.update(SafeContact)
        .where(SafeContact.confirm_token_hash.is_not(None),
               SafeContact.confirm_expires_at < at)
        .values(confirm_token_hash=None)
    ).rowcount


def confirm_email(contact: SafeContact) -> None:
    """Mark the email confirmed; the token stops working. The application now reaches EDI."""
    contact.email_confirmed_at = now()
    contact.confirm_token_hash = None
    contact.confirm_expires_at = None
    _audit_contact("safecontacts.email_confirmed", contact, None)


# --- the pipeline ---------------------------------------------------------------------------


class StaleMove(Exception):
    """The card was no longer where the page showed it: nothing was changed."""

    def __init__(self, expected: str, current: str):
        self.expected, self.current = expected, current
        super().__init__(f"expected {expected}, found {current}")


def move(
    actor: User, contact: SafeContact, target: str, reason: str = "", *, expected: str | None = None
) -> bool:
    """Move a card from ``expected`` (default: where it is) to ``target``.

    Raises ``pipeline.MoveRefused`` when the move is not allowed, not permitted or blocked, and
    ``StaleMove`` when the card had already left ``expected`` (a stale page, a double click,
    a colleague first): the move is one conditional UPDATE, so exactly one of two racing
    requests wins. Entering Biography gives a staff login. Returns False when a new login's
    invitation email could not be sent (the move stands).
    """
    expected = str(expected or contact.stage)
    try:
        pipeline.check_move(
            expected, target, facts_for(contact), reason, granted=granted_at(actor, contact.centre)
        )
    except pipeline.MoveRefused:
        if contact.stage != expected:
            raise StaleMove(expected, contact.stage) from None
        raise
    target = pipeline.Stage(target)
    values = {
        "stage_changed_at": now(),
        "stage_reason": reason.strip() if target in pipeline.SIDE_STATES else None,
    }
    if target is pipeline.Stage.PUBLISHED and contact.published_at is None:
        values["published_at"] = now()
    if not workflow.apply(db.session, contact, target, expected=expected, values=values):
        raise StaleMove(expected, contact.stage)
    _audit_contact(
        "safecontacts.moved", contact, actor, detail={"from": expected, "to": str(target)}
    )
    if pipeline.Stage.PUBLISHED in (expected, target):  # published or unpublished
        directory_changed()
    if target is pipeline.Stage.BIOGRAPHY:
        return ensure_staff_login(actor, contact)
    if target in pipeline.SIDE_STATES:
        remove_safe_contact_role(actor, contact)
    return True


def remove_safe_contact_role(actor: User, contact: SafeContact) -> None:
    """Someone who leaves the scheme no longer writes a biography (their account stays)."""
    user = contact.user
    if user is None:
        return
    for assignment in [r for r in user.roles if r.role == Role.SAFE_CONTACT]:
        user.roles.remove(assignment)
        audit.record(
            "role.removed",
            target_type="user",
            target_id=user.id,
            detail={"role": str(Role.SAFE_CONTACT), "centre": "", "via": "safe_contact_pipeline"},
            actor=actor,
        )
    db.session.flush()


def ensure_staff_login(actor: User, contact: SafeContact) -> bool:
    """Find or create the person's staff account, with the ``safe_contact`` role (central).

    A new account has no password: the invitation lets them choose one. Returns False when
    that invitation could not be emailed; the account stands, and "forgot your password"
    still works for it.
    """
    user = contact.user or db.session.scalar(sa.select(User).where(User.email == contact.email))
    created = user is None
    if user is None:
        user = User(email=contact.email, name=contact.name, active=True, created_at=now())
        db.session.add(user)
    if not user.has_role(Role.SAFE_CONTACT):
        user.roles.append(RoleAssignment(role=Role.SAFE_CONTACT, centre=None))
        db.session.flush()
        audit.record(
            "role.granted",
            target_type="user",
            target_id=user.id,
            detail={"role": str(Role.SAFE_CONTACT), "centre": "", "via": "safe_contact_pipeline"},
            actor=actor,
        )
    contact.user = user
    db.session.flush()
    if created:
        audit.record(
            "user.created",
            target_type="user",
            target_id=user.id,
            detail={"via": "safe_contact_pipeline"},
            actor=actor,
        )
        try:
            # In the language the person applied in, not the EDI officer's.
            with force_locale(contact.locale or "en"):
                invitations.send_invitation(user, actor)
        except mail.ERRORS:
            log.warning("could not send a Safe Contact's staff invitation")
            return False
    return True


def record_chat(actor: User, contact: SafeContact, on: date, staff_one: str, staff_two: str):
    contact.chat_on = on
    contact.chat_staff_one = staff_one.strip()
    contact.chat_staff_two = staff_two.strip()
    _audit_contact("safecontacts.chat_recorded", contact, actor)


def record_induction(actor: User, contact: SafeContact, on: date, attended: bool | None):
    contact.induction_on = on
    contact.induction_attended = attended
    _audit_contact("safecontacts.induction_recorded", contact, actor, detail={"attended": attended})


# --- biographies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BiographyData:
    texts: dict[str, str]
    languages: list[str]
    department: str
    days: list[str]
    in_person: bool
    online: bool
    photo_alt: str
    remove_photo: bool = False


def save_draft(
    actor: User, contact: SafeContact, data: BiographyData, photo: CleanPhoto | None
) -> Biography:
    """Write the person's draft (one at a time). The published version stays live."""
    draft = contact.draft_biography
    base = draft or contact.published_biography
    if draft is None:
        draft = Biography(safe_contact=contact, status="draft", created_at=now())
        db.session.add(draft)
    for locale in TEXT_LOCALES:
        setattr(draft, f"text_{locale}", data.texts.get(locale, "").strip())
    draft.languages = join_codes(data.languages)
    draft.department = data.department.strip()
    draft.days = join_codes(data.days)
    draft.in_person = data.in_person
    draft.online = data.online
    draft.author_id = actor.id
    if photo is not None:
        stored = Photo(
            data=photo.data, content_type=photo.content_type, width=photo.width, height=photo.height
        )
        db.session.add(stored)
        db.session.flush()
        draft.photo_id = stored.id
    elif data.remove_photo:
        draft.photo_id = None
    elif base is not None and base is not draft:
        draft.photo_id = base.photo_id
    draft.photo_alt = data.photo_alt.strip() if draft.photo_id else ""
    db.session.flush()
    _audit_contact(
        "safecontacts.biography_saved",
        contact,
        actor,
        detail={"biography": draft.id, "new_photo": photo is not None},
    )
    return draft


def approve_draft(actor: User, contact: SafeContact, version: str) -> Biography | None:
    """Publish the waiting draft if it is still ``version``; the one it replaces is retired.

    None when there is no draft, or it changed after the approver read it (nothing happens).
    """
    draft = contact.draft_biography
    if draft is None or draft.version != version:
        return None
    previous = contact.published_biography
    if previous is not None:
        previous.status = "retired"
    draft.status = "published"
    draft.approved_at = now()
    draft.approved_by_id = actor.id
    _audit_contact(
        "safecontacts.biography_approved", contact, actor, detail={"biography": draft.id}
    )
    directory_changed()
    return draft


# --- training, badges and commitments -------------------------------------------------------


def ensure_default_topics() -> list[TrainingTopic]:
    """Create the four starting topics if they are missing; return every topic."""
    have = {t.slug for t in db.session.scalars(sa.select(TrainingTopic))}
    missing = [topic for topic in badges.DEFAULT_TOPICS if topic["slug"] not in have]
    if missing:  # the directory's badge filter lists them
        directory_changed()
    for topic in badges.DEFAULT_TOPICS:
        if topic["slug"] not in have:
            db.session.add(
                TrainingTopic(
                    slug=topic["slug"],
                    **{f"name_{k}": v for k, v in topic["name"].items()},
                    **{f"badge_{k}": v for k, v in topic["badge"].items()},
                    refresher_months=topic["refresher_months"],
                )
            )
    db.session.flush()
    return list(db.session.scalars(sa.select(TrainingTopic).order_by(TrainingTopic.id)))


def topic_slug(name: str, taken: set[str]) -> str:
    """A readable, unique slug for the badge filter: "peer-support", "peer-support-2"."""
    base = "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:50] or "topic"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def add_topic(actor: User, names: dict, explanations: dict, months: int) -> TrainingTopic:
    taken = set(db.session.scalars(sa.select(TrainingTopic.slug)))
    topic = TrainingTopic(
        slug=topic_slug(names["en"], taken),
        **{f"name_{k}": v.strip() for k, v in names.items()},
        **{f"badge_{k}": v.strip() for k, v in explanations.items()},
        refresher_months=months,
    )
    db.session.add(topic)
    db.session.flush()
    audit.record("safecontacts.topic_added", target_type="topic", target_id=topic.id, actor=actor)
    directory_changed()
    return topic


def set_refresher(actor: User, topic: TrainingTopic, months: int) -> None:
    topic.refresher_months = months
    directory_changed()  # a badge's validity changes with it
    audit.record(
        "safecontacts.topic_refresher_set",
        target_type="topic",
        target_id=topic.id,
        detail={"months": months},
        actor=actor,
    )


def record_training(actor: User, contact: SafeContact, topic: TrainingTopic, on: date):
    record = TrainingRecord(
        safe_contact=contact, topic=topic, attended_on=on, recorded_by_id=actor.id
    )
    db.session.add(record)
    db.session.flush()
    _audit_contact(
        "safecontacts.training_recorded",
        contact,
        actor,
        detail={"topic": topic.slug, "on": on.isoformat()},
    )
    directory_changed()  # a new badge
    return record


def record_meeting(actor: User, kind: str, on: date, attendee_ids: list[int]) -> Meeting:
    meeting = Meeting(kind=kind, held_on=on, recorded_by_id=actor.id)
    meeting.attendances = [MeetingAttendance(safe_contact_id=i) for i in sorted(set(attendee_ids))]
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        "safecontacts.meeting_recorded",
        target_type="meeting",
        target_id=meeting.id,
        detail={"kind": kind, "attended": len(meeting.attendances)},
        actor=actor,
    )
    return meeting
