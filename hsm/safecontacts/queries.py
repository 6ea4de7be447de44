"""Reading the scheme: the one per-object loader, the board, the directory and the lists EDI uses.

Every list is read in a fixed number of queries, whatever the number of Safe Contacts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from hsm import workflow
from hsm.audit import AuditEntry
from hsm.extensions import UTCDateTime, db
from hsm.safecontacts import applications, badges, commitments, pipeline
from hsm.safecontacts.models import (
    Biography,
    EqualityResponse,
    Meeting,
    Photo,
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


def load_photo_for(actor, photo_id: int) -> Photo:
    """A photo: public once its biography is published; a draft's only to EDI (for the
    person's centre) and to its owner. Anything else is a 404, recorded for staff.

    ``actor`` is the signed-in staff user, or ``None`` for a visitor.
    """
    stored = db.session.get(Photo, photo_id)
    if stored is None:
        abort(404)
    uses = db.session.scalars(sa.select(Biography).where(Biography.photo_id == photo_id)).all()
    if any(b.status == "published" and b.safe_contact.stage == pipeline.Stage.PUBLISHED
           for b in uses):
        return stored
    if actor is not None and any(
        can(Permission.MANAGE_SAFE_CONTACTS, centre=b.safe_contact.centre, user=actor)
        or (b.safe_contact.user_id == actor.id
            and can(Permission.EDIT_OWN_BIOGRAPHY, user=actor))
        for b in uses
    ):
        return stored
    if actor is not None:
        deny("photo_out_of_scope", status=404)
    abort(404)


def load_topic(topic_id: int) -> TrainingTopic:
    """A training topic, or a 404."""
    topic = db.session.get(TrainingTopic, topic_id)
    if topic is None:
        abort(404)
    return topic


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


BOARD_PAGE_SIZE = 20
# Every audited change that alters what a card shows: the board's version moves with them.
BOARD_CHANGES = (
    "safecontacts.email_confirmed",
    "safecontacts.moved",
    "safecontacts.chat_recorded",
    "safecontacts.induction_recorded",
    "safecontacts.biography_approved",
)


@dataclass
class Card:
    contact: SafeContact
    blockers: list[pipeline.Blocker]
    #: The moves the board offers (not into a side state: that needs a reason, on the page).
    moves: list[workflow.Move]

    @property
    def id(self) -> int:
        return self.contact.id

    @property
    def state(self) -> str:
        return self.contact.stage

    @property
    def title(self) -> str:
        return self.contact.name


CLOSED = "closed"  # withdrawn or not progressed: listed under the board, paged like a column


@dataclass
class Board(workflow.Board):
    #: Withdrawn or not progressed, the most recent first (a page of them).
    closed: workflow.Column | None = None


def _need(actor) -> None:
    # security.can()/centre_filter() read the request's user when given None: never here.
    if actor is None:
        raise TypeError("pass the actor explicitly")


def _scoped(query, actor, centre: str | None, column=SafeContact.centre):
    """Only the centres ``actor`` manages, and the board's own centre filter."""
    _need(actor)
    allowed = centre_filter(Permission.MANAGE_SAFE_CONTACTS, user=actor)
    if allowed is not None:
        query = query.where(column.in_(sorted(allowed)))
    if centre:
        query = query.where(column == centre)
    return query


# A column's order: the most recently moved first, so that a card moved in goes on top; a
# keyset page (``after``) stays the same while cards come and go.
_moved_at = sa.func.coalesce(SafeContact.stage_changed_at, SafeContact.created_at)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_closed = SafeContact.stage.in_([str(s) for s in pipeline.SIDE_STATES])


def _cursor(contact: SafeContact) -> str:
    moved = contact.stage_changed_at or contact.created_at
    return f"{(moved - _EPOCH) // timedelta(microseconds=1)}-{contact.id}"


def _after(cursor: str | None):
    """The keyset condition for the page after ``cursor``, or None for a bad or no cursor."""
    stamp, _sep, row_id = (cursor or "").partition("-")
    if not (stamp.isdigit() and row_id.isdigit() and len(stamp) < 20 and len(row_id) < 19):
        return None
    moved = sa.literal(_EPOCH + timedelta(microseconds=int(stamp)), UTCDateTime)
    return sa.or_(_moved_at < moved, sa.and_(_moved_at == moved, SafeContact.id < int(row_id)))


def granted_at(actor, centre: str) -> frozenset[str]:
    """The permissions ``actor`` holds at ``centre`` (what a move's table checks)."""
    _need(actor)
    return frozenset(p for p in Permission if can(p, centre=centre, user=actor))


def _card(contact: SafeContact, granted: frozenset[str]) -> Card:
    facts = facts_for(contact)
    moves = [
        m
        for m in pipeline.available_moves(contact.stage, facts, granted)
        if m.target not in pipeline.SIDE_STATES
    ]
    return Card(contact, pipeline.blockers(contact.stage, facts), moves)


def _cards(actor, contacts: list[SafeContact]) -> list[Card]:
    granted: dict[str, frozenset[str]] = {}
    return [
        _card(c, granted.setdefault(c.centre, granted_at(actor, c.centre))) for c in contacts
    ]


def _stage_totals(actor, centre: str | None) -> dict[str, int]:
    query = sa.select(SafeContact.stage, sa.func.count()).where(
        SafeContact.email_confirmed_at.is_not(None)
    )
    return dict(db.session.execute(_scoped(query, actor, centre).group_by(SafeContact.stage)).all())


def column_totals(actor, centre: str | None) -> dict[str, int]:
    """How many cards each column of the board holds (one query)."""
    totals = _stage_totals(actor, centre)
    return {str(stage): totals.get(str(stage), 0) for stage in pipeline.COLUMNS}


def card_for(actor, contact: SafeContact) -> Card:
    """One card as the board draws it (after a move, say)."""
    return _cards(actor, [contact])[0]


def board(actor, centre: str | None, *, page_size: int = BOARD_PAGE_SIZE) -> Board:
    """Confirmed applications by stage, each column's first page with its blockers and moves.

    Four queries whatever the numbers: the counts, the version, the pages, their biographies.
    """
    confirmed = SafeContact.email_confirmed_at.is_not(None)
    totals = _stage_totals(actor, centre)
    group = sa.case((_closed, CLOSED), else_=SafeContact.stage)
    ranked = _scoped(
        sa.select(
            SafeContact.id,
            sa.func.row_number()
            .over(partition_by=group, order_by=(_moved_at.desc(), SafeContact.id.desc()))
            .label("n"),
        ).where(confirmed),
        actor,
        centre,
    ).subquery()
    rows = db.session.scalars(
        sa.select(SafeContact)
        .join(ranked, ranked.c.id == SafeContact.id)
        .where(ranked.c.n <= page_size + 1)
        .options(selectinload(SafeContact.biographies))
        .order_by(_moved_at.desc(), SafeContact.id.desc())
    ).all()
    pages: dict[str, list[SafeContact]] = defaultdict(list)
    for contact in rows:
        stage = pipeline.Stage(contact.stage)
        pages[CLOSED if stage in pipeline.SIDE_STATES else stage].append(contact)
    columns = [
        _column(actor, stage, pages[stage], totals.get(str(stage), 0), page_size)
        for stage in pipeline.COLUMNS
    ]
    closed_total = sum(totals.get(str(s), 0) for s in pipeline.SIDE_STATES)
    closed = _column(actor, CLOSED, pages[CLOSED], closed_total, page_size)
    return Board(columns, board_version(actor, centre), closed)


def _column(actor, stage, contacts: list[SafeContact], total: int, page_size: int):
    page = contacts[:page_size]
    more = len(contacts) > page_size
    return workflow.Column(
        stage,
        pipeline.STAGE_LABELS.get(stage, ""),
        _cards(actor, page),
        total,
        _cursor(page[-1]) if more else None,
    )


def board_column(
    actor, centre: str | None, stage: str, after: str | None, *, page_size: int = BOARD_PAGE_SIZE
) -> workflow.Column | None:
    """The next page of one column (or of the closed list), after ``after`` (a cursor)."""
    if stage == CLOSED:
        in_column = _closed
    elif stage in pipeline.COLUMNS:
        stage = pipeline.Stage(stage)
        in_column = SafeContact.stage == stage
    else:
        return None
    query = _scoped(
        sa.select(SafeContact).where(SafeContact.email_confirmed_at.is_not(None), in_column),
        actor,
        centre,
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    condition = _after(after)
    if condition is not None:
        query = query.where(condition)
    rows = db.session.scalars(
        query.options(selectinload(SafeContact.biographies))
        .order_by(_moved_at.desc(), SafeContact.id.desc())
        .limit(page_size + 1)
    ).all()
    return _column(actor, stage, list(rows), total, page_size)


def board_version(actor, centre: str | None) -> str:
    """A token that changes whenever any card this board shows changes (a cheap poll).

    Every such change is audited (``BOARD_CHANGES``), and the log only grows: its newest
    matching entry is the version. One indexed query; no row of the board is read.
    """
    newest = db.session.scalar(
        _scoped(
            sa.select(sa.func.max(AuditEntry.id)).where(
                AuditEntry.action.in_(BOARD_CHANGES), AuditEntry.target_type == "safe_contact"
            ),
            actor,
            centre,
            column=AuditEntry.centre,
        )
    )
    return str(newest or 0)


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


def scheme_members(actor, centre: str | None = None) -> list[SafeContact]:
    """People in the scheme now, at centres ``actor`` manages: at Biography or Published."""
    query = _scoped(
        sa.select(SafeContact)
        .where(SafeContact.stage.in_([pipeline.Stage.BIOGRAPHY, pipeline.Stage.PUBLISHED]))
        .order_by(SafeContact.name, SafeContact.id),
        actor,
        centre,
    )
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
