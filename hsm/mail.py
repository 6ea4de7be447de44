"""Outgoing email through SMTP (``HSM_SMTP_*``); without a host it prints to the console.

Messages carry links, never report details. An email that a change causes goes to the
outbox in the same transaction as the change (``queue``): it leaves only once that
transaction has committed, and never when it is rolled back. The request's one commit point
(``hsm.transaction``) sends what the request queued once the response has gone out; a caller
that must tell the user at once whether it left calls ``deliver`` after its own commit.

A message that could not leave (the mail server is down) stays in the outbox and is tried
again with a growing wait (``BACKOFF``) by ``send_pending``, which ``hsm jobs run`` calls; it
is never dropped. Each attempt first claims the message with a conditional UPDATE, so two
senders never both send it. Sent messages are removed after ``HSM_OUTBOX_KEEP_DAYS``: the
outbox holds only what the email holds (links, never details), encrypted.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from hsm.crypto import EncryptedText
from hsm.extensions import UTCDateTime, db

log = logging.getLogger(__name__)


class NotDelivered(Exception):
    """An email that had to leave at once did not; it stays in the outbox."""


# What sending can raise; callers that tell the user whether an email left catch these.
ERRORS = (smtplib.SMTPException, OSError, NotDelivered)
# A claimed message whose sender died is claimable again after this long.
CLAIM_TIMEOUT = timedelta(minutes=10)
# The waits after the 1st, 2nd, ... failed attempt; the last one repeats, without end.
BACKOFF = tuple(timedelta(minutes=m) for m in (1, 2, 5, 15, 30, 60))
QUEUED_KEY = "hsm_outbox_queued"


class OutboxMessage(db.Model):
    """An email waiting to leave, or one that has left (kept for the record)."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    # Bodies carry one-time links: encrypted at rest like every other secret.
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    # After a failed attempt: not tried again before this (see ``BACKOFF``).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _settings() -> dict:
    config = current_app.config
    return {key: config[key] for key in config if key.startswith("HSM_SMTP_")} | {
        "HSM_MAIL_FROM": config["HSM_MAIL_FROM"]
    }


def _message(to: str | list[str], subject: str, body: str, settings: dict) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings["HSM_MAIL_FROM"]
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    message.set_content(body)
    return message


def _deliver(message: EmailMessage, settings: dict) -> None:
    host = settings["HSM_SMTP_HOST"]
    if not host:
        # Development: the console is the mail sink. The text as it reads (not the wire's
        # quoted-printable), so that a link copied from it works.
        print(f"\n----- email (not sent: HSM_SMTP_HOST is empty) -----\n"
              f"To: {message['To']}\nSubject: {message['Subject']}\n\n"
              f"{message.get_content()}", file=sys.stderr)
        return
    with smtplib.SMTP(host, settings["HSM_SMTP_PORT"], timeout=10) as smtp:
        if settings["HSM_SMTP_STARTTLS"]:
            # A verified certificate: emails carry one-time links worth stealing.
            smtp.starttls(context=ssl.create_default_context())
        if settings["HSM_SMTP_USER"]:
            smtp.login(settings["HSM_SMTP_USER"], settings["HSM_SMTP_PASSWORD"])
        smtp.send_message(message)


def queue(to: str, subject: str, body: str) -> OutboxMessage:
    """Put an email in the outbox, in the current transaction; it leaves after the commit."""
    message = OutboxMessage(
        recipient=to, subject=str(subject), body=str(body), created_at=datetime.now(UTC)
    )
    db.session.add(message)
    db.session.flush()
    if has_request_context():
        g.setdefault(QUEUED_KEY, []).append(message.id)
    return message


def _claim(message_id: int, now: datetime) -> bool:
    """Take one message for sending: a conditional UPDATE, so two senders never both send it.

    A message that was rolled back does not exist, so it is never claimed.
    """
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            sa.or_(
                OutboxMessage.claimed_at.is_(None),
                OutboxMessage.claimed_at < now - CLAIM_TIMEOUT,
            ),
            sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .values(claimed_at=now)
    )
    db.session.commit()
    return claimed.rowcount == 1


def backoff(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts before the next one."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def deliver(message_ids: list[int], now: datetime | None = None) -> dict[int, bool]:
    """Send these committed outbox messages now; returns which left (by id).

    A failure is recorded on the message (it stays in the outbox, to be tried again after
    ``backoff``) and never raised. A message that is not due yet, or that another sender has
    claimed, is left alone.
    """
    settings = _settings()
    results: dict[int, bool] = {}
    for message_id in message_ids:
        at = now or datetime.now(UTC)
        if not _claim(message_id, at):
            continue
        row = db.session.get(OutboxMessage, message_id)
        try:
            _deliver(_message(row.recipient, row.subject, row.body, settings), settings)
        except ERRORS as error:
            log.warning("could not send outbox message %s: %s", message_id, type(error).__name__)
            row.attempts += 1
            row.claimed_at = None
            row.last_error = type(error).__name__
            row.next_attempt_at = at + backoff(row.attempts)
            results[message_id] = False
        else:
            row.attempts += 1
            row.sent_at = datetime.now(UTC)
            row.next_attempt_at = None
            results[message_id] = True
        db.session.commit()
    return results


def send_pending(now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Send every message that is due (never sent, and its wait over); returns (sent, failed).

    The job runner calls it; a message whose request ended before it was sent (a worker that
    died) is sent here too, once its claim has timed out."""
    now = now or datetime.now(UTC)
    due = list(db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None),
               sa.or_(OutboxMessage.next_attempt_at.is_(None),
                      OutboxMessage.next_attempt_at <= now),
               sa.or_(OutboxMessage.claimed_at.is_(None),
                      OutboxMessage.claimed_at < now - CLAIM_TIMEOUT))
        .order_by(OutboxMessage.id).limit(limit)))
    db.session.commit()
    results = deliver(due, now)
    sent = sum(1 for ok in results.values() if ok)
    return sent, len(results) - sent


def purge_sent(now: datetime | None = None) -> int:
    """Remove the messages sent more than ``HSM_OUTBOX_KEEP_DAYS`` ago; returns how many."""
    now = now or datetime.now(UTC)
    keep = timedelta(days=current_app.config["HSM_OUTBOX_KEEP_DAYS"])
    removed = db.session.execute(
        sa.delete(OutboxMessage).where(OutboxMessage.sent_at.is_not(None),
                                       OutboxMessage.sent_at < now - keep)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return removed


def send_now(to: str, subject: str, body: str) -> None:
    """Queue an email, commit the current transaction with it, and send it at once.

    For an email whose fate the user is told about (an invitation). Raises ``NotDelivered``
    when it did not leave; it is kept in the outbox all the same.
    """
    message = queue(to, subject, body)
    db.session.commit()
    if has_request_context() and message.id in g.get(QUEUED_KEY, []):
        g.get(QUEUED_KEY).remove(message.id)
    if not deliver([message.id]).get(message.id):
        raise NotDelivered(message.id)


def take_queued() -> list[int]:
    """The ids this request queued and nobody has sent yet (and forget them)."""
    return g.pop(QUEUED_KEY, []) if has_request_context() else []


def send(to: str | list[str], subject: str, body: str) -> EmailMessage:
    """Send a plain-text email now and return it; raises one of ``ERRORS`` on failure."""
    settings = _settings()
    message = _message(to, subject, body, settings)
    _deliver(message, settings)
    return message
