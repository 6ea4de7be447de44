"""The daily reminder: each responsible person gets their due-soon and overdue deadlines as
counts and a link, never a reference, a name or a detail (``flask --app wsgi hsm reminders``).

Once a day per person: the unique ``(user, day)`` row of ``ReminderSent`` is written in the
same transaction as the email's outbox message, so a second run the same day (or a second app
server running it at the same moment) sends nothing more. On PostgreSQL the whole run also
takes an advisory lock (``hsm.jobs.lock``), so two servers do not even try at once; on SQLite
the unique key is the arbiter, behind a lock file.

Who answers for which deadline, and who may see which case, is the same rule as "My
deadlines" (``queries.my_deadlines``): conflicts of interest included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hsm import jobs, mail
from hsm.accounts.models import RoleAssignment, User
from hsm.cases import queries
from hsm.cases.models import ReminderSent
from hsm.cases.notifications import DEADLINES_ENDPOINT, FOOTER, link
from hsm.cases.terms import DeadlineState
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _, force_locale, ngettext
from hsm.security import Role

# Any number will do, as long as nothing else uses it (the audit chain uses 727274).
ADVISORY_LOCK = 727275
RESPONSIBLE_ROLES = (Role.STUDENT_SERVICES, Role.CENTRE_DIRECTOR, Role.SAFEGUARDING_DIRECTOR,
                     Role.CASE_REVIEW_MEMBER, Role.REVIEWING_OFFICER)


@dataclass
class Run:
    """What one run did."""

    sent: list[int] = field(default_factory=list)  # user ids emailed
    already: list[int] = field(default_factory=list)  # emailed earlier today
    skipped_locked: bool = False


def _people() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.active.is_(True), RoleAssignment.role.in_([str(r) for r in RESPONSIBLE_ROLES]))
        .distinct().order_by(User.id)
    ))


def _locale(user: User) -> str:
    for _role, centre in user.role_scopes():
        found = get_centre(centre) if centre else None
        if found:
            return found.default_locale
    return "en"


def counts_for(user: User, now: datetime) -> tuple[int, int]:
    """(due soon, overdue) open deadlines ``user`` answers for, on cases they may see."""
    items = queries.my_deadlines(user, now, limit=10_000)
    soon = sum(1 for i in items if i.state is DeadlineState.DUE_SOON)
    late = sum(1 for i in items if i.state is DeadlineState.OVERDUE)
    return soon, late


def _body(soon: int, late: int) -> tuple[str, str]:
    subject = _("Your case deadlines")
    lines = []
    if late:
        lines.append(ngettext("%(num)d deadline on your cases is overdue.",
                              "%(num)d deadlines on your cases are overdue.", late))
    if soon:
        lines.append(ngettext("%(num)d deadline on your cases is due soon.",
                              "%(num)d deadlines on your cases are due soon.", soon))
    lines.append(_("See them in My deadlines (sign-in needed):\n%(link)s",
                   link=link(DEADLINES_ENDPOINT)))
    lines.append(str(FOOTER))
    return subject, "\n\n".join(lines) + "\n"


def send_reminders(now: datetime | None = None, *, locked: bool = False) -> Run:
    """Email every responsible person their counts, once a day. Commits per person.

    ``locked``: the caller (``hsm.jobs``) already holds the reminders' lock."""
    now = now or datetime.now(UTC)
    today = now.astimezone(UTC).date()
    run = Run()
    if locked:
        for user in _people():
            _remind(user, now, today, run)
        return run
    with jobs.lock("reminders", ADVISORY_LOCK) as got:
        if not got:
            run.skipped_locked = True
            return run
        for user in _people():
            _remind(user, now, today, run)
    return run


def _remind(user: User, now: datetime, today, run: Run) -> None:
    if db.session.scalar(sa.select(ReminderSent.id).where(
            ReminderSent.user_id == user.id, ReminderSent.sent_on == today)):
        run.already.append(user.id)
        return
    soon, late = counts_for(user, now)
    if not soon and not late:
        return
    db.session.add(ReminderSent(user_id=user.id, sent_on=today, due=soon, overdue=late,
                                created_at=now))
    with force_locale(_locale(user)):
        subject, body = _body(soon, late)
    message = mail.queue(user.email, subject, body)
    try:
        db.session.commit()
    except IntegrityError:  # another server sent it a moment ago
        db.session.rollback()
        run.already.append(user.id)
        return
    mail.deliver([message.id])
    run.sent.append(user.id)
