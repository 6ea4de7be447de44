"""Reading the scheme: the one per-object loader, the board, the directory and the lists EDI uses.

Every list is read in a fixed number of queries, whatever the number of Safe Contacts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hsm.extensions import db
from hsm.safecontacts import applications, badges, commitments, pipeline
from hsm.safecontacts.models import (
    Biography,
    EqualityResponse,
    Meeting,
    SafeContact,
    TrainingRecord,
    TrainingTopic,
)
from hsm.security import Permission, can, centre_filter, deny

DIRECTORY_PAGE_SIZE = 20


def application_in_progress(email: str, at: datetime) -> bool:
    """Whether this address already has an application going: confirmed and not withdrawn or
    refused, or still waiting for a confirmation link that has not expired."""
    rows = db.session.scalars(
        sa.select(SafeContact).where(
            sa.func.lower(SafeContact.email) == email.strip().lower(),
            SafeContact.stage.not_in([str(s) for s in pipeline.SIDE_STATES]),
        )
    )
    return any(
        row.email_confirmed or not applications.token_expired(row.confirm_expires_at, at)
        for row in rows
    )


def load_contact_for(actor, contact_id: int, *, purpose: str = "manage") -> SafeContact:
    """The Safe Contact ``actor`` may act on, or a 404 (recorded) for anything else.

    EDI sees confirmed applications in its centres. With ``purpose="biography"``, a Safe
    Contact may also reach their own record, and nobody else's.
    """
    contact = db.session.get(SafeContact, contact_id)
    if contact is not None:
        if contact.email_confirmed and can(
            Permission.MANAGE_SAFE_CONTACTS, centre=contact.centre, user=actor
        ):
            return contact
        if (
            purpose == "biography"
            and contact.user_id is not None
            and contact.user_id == actor.id
            and can(Permission.EDIT_OWN_BIOGRAPHY, user=actor)
        ):
            return contact
    deny("safe_contact_out_of_scope", status=404)
    raise AssertionError("unreachable")  # deny() aborts


def own_contact(actor) -> SafeContact | None:
    """The Safe Contact record linked to this staff login, if any."""
    return db.session.scalar(
        sa.select(SafeContact).where(SafeContact.user_id == actor.id).order_by(SafeContact.id)
    )


def topics() -> list[TrainingTopic]:
    return list(db.session.scalars(sa.select(TrainingTopic).order_by(TrainingTopic.id)))


# --- the board ------------------------------------------------------------------------------


def facts_for(contact: SafeContact) -> pipeline.Facts:
    """What the pipeline needs to know about one person."""
    return pipeline.Facts(
        email_confirmed=contact.email_confirmed,
        line_manager_permission=contact.line_manager_permission,
        chat_recorded=bool(contact.chat_on and contact.chat_staff_one and contact.chat_staff_two),
        training_attended=bool(contact.induction_attended),
        biography_approved=contact.published_biography is not None,
    )


@dataclass
class Card:
    contact: SafeContact
    blockers: list[pipeline.Blocker]
    moves: list[pipeline.Stage]


@dataclass
class Board:
    columns: dict[pipeline.Stage, list[Card]]
    closed: list[Card]


def board(centre: str | None) -> Board:
    """Confirmed applications by stage, each with its blockers and allowed moves."""
    query = (
        sa.select(SafeContact)
        .where(SafeContact.email_confirmed_at.is_not(None))
        .options(selectinload(SafeContact.biographies))
        .order_by(SafeContact.stage_changed_at.is_(None), SafeContact.name, SafeContact.id)
    )
    allowed = centre_filter(Permission.MANAGE_SAFE_CONTACTS)
    if allowed is not None:
        query = query.where(SafeContact.centre.in_(sorted(allowed)))
    if centre:
        query = query.where(SafeContact.centre == centre)
    columns: dict[pipeline.Stage, list[Card]] = {stage: [] for stage in pipeline.COLUMNS}
    closed: list[Card] = []
    for contact in db.session.scalars(query):
        facts = facts_for(contact)
        card = Card(
            contact, pipeline.blockers(contact.stage, facts), pipeline.moves_from(contact.stage)
        )
        stage = pipeline.Stage(contact.stage)
        (closed if stage in pipeline.SIDE_STATES else columns[stage]).append(card)
    return Board(columns, closed)


# --- the directory --------------------------------------------------------------------------


@dataclass
class Listing:
    contact: SafeContact
    biography: Biography
    badges: list[TrainingTopic]


@dataclass
class DirectoryPage:
    listings: list[Listing]
    total: int
    page: int
    pages: int
    topics: list[TrainingTopic] = field(default_factory=list)


def spoken_languages(centre: str | None) -> list[str]:
    """The languages that published Safe Contacts (at ``centre``, or anywhere) speak, sorted."""
    query = (
        sa.select(Biography.languages)
        .join(SafeContact, SafeContact.id == Biography.safe_contact_id)
        .where(SafeContact.stage == pipeline.Stage.PUBLISHED, Biography.status == "published")
        .distinct()
    )
    if centre:
        query = query.where(SafeContact.centre == centre)
    codes = {code for stored in db.session.scalars(query) for code in (stored or "").split(",")}
    return sorted(code for code in codes if code)


def directory(
    *, centre: str | None, badge: str | None, language: str | None, page: int, today: date
) -> DirectoryPage:
    """Published Safe Contacts with their approved biography and unexpired badges.

    Four queries: topics, the count, the page, and the page's trainings.
    """
    all_topics = topics()
    months = {t.id: t.refresher_months for t in all_topics}
    query = (
        sa.select(SafeContact, Biography)
        .join(
            Biography,
            sa.and_(Biography.safe_contact_id == SafeContact.id, Biography.status == "published"),
        )
        .where(SafeContact.stage == pipeline.Stage.PUBLISHED)
    )
    if centre:
        query = query.where(SafeContact.centre == centre)
    if language:
        query = query.where(Biography.languages.contains(f",{language},", autoescape=True))
    topic = next((t for t in all_topics if t.slug == badge), None) if badge else None
    if topic is not None:
        cutoff = badges.earliest_valid_training(today, topic.refresher_months)
        query = query.where(
            sa.exists().where(
                TrainingRecord.safe_contact_id == SafeContact.id,
                TrainingRecord.topic_id == topic.id,
                TrainingRecord.attended_on >= cutoff,
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // DIRECTORY_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        query.order_by(SafeContact.name, SafeContact.id)
        .limit(DIRECTORY_PAGE_SIZE)
        .offset((page - 1) * DIRECTORY_PAGE_SIZE)
    ).all()
    trainings: dict[int, list[tuple[int, date]]] = defaultdict(list)
    if rows:
        for contact_id, topic_id, attended_on in db.session.execute(
            sa.select(
                TrainingRecord.safe_contact_id, TrainingRecord.topic_id, TrainingRecord.attended_on
            ).where(TrainingRecord.safe_contact_id.in_([c.id for c, _b in rows]))
        ):
            trainings[contact_id].append((topic_id, attended_on))
    by_id = {t.id: t for t in all_topics}
    listings = [
        Listing(
            contact,
            biography,
            [by_id[t] for t in badges.active_badges(trainings[contact.id], months, today)],
        )
        for contact, biography in rows
    ]
    return DirectoryPage(listings, total, page, pages, all_topics)


# --- training, commitments, equality --------------------------------------------------------


@dataclass
class RefresherDue:
    contact: SafeContact
    topic: TrainingTopic
    last_trained: date
    valid_until: date


def scheme_members(centre: str | None = None) -> list[SafeContact]:
    """People in the scheme now: at the Biography or Published stage."""
    query = (
        sa.select(SafeContact)
        .where(SafeContact.stage.in_([pipeline.Stage.BIOGRAPHY, pipeline.Stage.PUBLISHED]))
        .order_by(SafeContact.name, SafeContact.id)
    )
    allowed = centre_filter(Permission.MANAGE_SAFE_CONTACTS)
    if allowed is not None:
        query = query.where(SafeContact.centre.in_(sorted(allowed)))
    if centre:
        query = query.where(SafeContact.centre == centre)
    return list(db.session.scalars(query.options(selectinload(SafeContact.trainings))))


def refreshers_due(members: list[SafeContact], today: date) -> list[RefresherDue]:
    all_topics = {t.id: t for t in topics()}
    months = {t.id: t.refresher_months for t in all_topics.values()}
    due = []
    for contact in members:
        pairs = [(r.topic_id, r.attended_on) for r in contact.trainings]
        for status in badges.refreshers_due(pairs, months, today):
            due.append(
                RefresherDue(
                    contact, all_topics[status.topic_id], status.last_trained, status.valid_until
                )
            )
    return due


def meetings() -> list[Meeting]:
    return list(db.session.scalars(sa.select(Meeting).order_by(Meeting.held_on.desc())))


def missed_commitments(
    members: list[SafeContact], since: date
) -> list[tuple[SafeContact, list[commitments.MeetingFacts]]]:
    facts = [
        commitments.MeetingFacts(
            m.id, m.kind, m.held_on, frozenset(a.safe_contact_id for a in m.attendances)
        )
        for m in meetings()
    ]
    published = [
        (c, (c.published_at.date() if c.published_at else date.min))
        for c in members
        if c.stage == pipeline.Stage.PUBLISHED
    ]
    missed = commitments.missed_meetings([(c.id, d) for c, d in published], facts, since)
    return [(c, missed[c.id]) for c, _d in published if c.id in missed]


def equality_answers() -> list[dict[str, str | None]]:
    """Every response, decrypted, as plain dicts (only ever passed on to be counted)."""
    columns = ("gender", "ethnic_group", "disability", "sexual_orientation", "religion")
    return [
        {name: getattr(row, name) for name in columns}
        for row in db.session.scalars(sa.select(EqualityResponse))
    ]
