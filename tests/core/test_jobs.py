"""``hsm jobs run``: the outbox is sent with retries and backoff (every message exactly once,
even across a mail server that was down), old sent mail is removed, and each job runs under a
lock so that two servers never run it at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from hsm import jobs
from hsm import mail as hsm_mail
from hsm.extensions import db
from hsm.security import public
from tests.conftest import free_port


class Sink:
    """A real SMTP server on a fixed port that can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.received: list[str] = []
        self.controller = None

    def start(self):
        received = self.received

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                received.extend(envelope.rcpt_tos)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def sink(app):
    found = Sink()
    old = app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"]
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = "127.0.0.1", found.port
    yield found
    found.stop()
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = old


def _pending():
    db.session.rollback()
    row = hsm_mail.OutboxMessage
    return db.session.scalar(sa.select(sa.func.count()).select_from(row)
                             .where(row.sent_at.is_(None)))


def test_a_mail_server_that_was_down_gets_every_message_exactly_once(app, make_app, sink):
    """Changes made while the mail server is down send nothing and lose nothing; once it is
    back, the job delivers each message once, however many times the job runs."""
    other = make_app({"HSM_SMTP_HOST": "127.0.0.1", "HSM_SMTP_PORT": sink.port,
                      "HSM_FIELD_KEYS": app.config["HSM_FIELD_KEYS"], "WTF_CSRF_ENABLED": False})

    @public
    def change():
        from flask import request
        hsm_mail.queue(request.form["to"], "A change", "Open the link to see it.")
        return "ok"

    other.add_url_rule("/_t/change", view_func=change, methods=["POST"])
    client = other.test_client()
    addresses = [f"person{n}@example.org" for n in range(12)]
    for address in addresses:  # the sink is down: each request's own send fails
        assert client.post("/_t/change", data={"to": address}).status_code == 200
    assert _pending() == len(addresses) and sink.received == []

    start = datetime.now(UTC)
    outcome = {o.name: o for o in jobs.run(["outbox"], now=start)}["outbox"]
    assert outcome.ran and outcome.summary.startswith("0 sent")  # still down; all waiting
    assert _pending() == len(addresses)

    sink.start()
    assert jobs.run(["outbox"], now=start + timedelta(seconds=30))[0].summary.startswith(
        "0 sent")  # their wait is not over: nothing is hammered
    later = start + hsm_mail.backoff(2) + timedelta(seconds=1)
    jobs.run(["outbox"], now=later)
    jobs.run(["outbox"], now=later + timedelta(hours=2))  # again: nothing more leaves
    assert sorted(sink.received) == sorted(addresses)
    assert _pending() == 0


def test_the_wait_between_attempts_grows_and_then_stays(app):
    waits = [hsm_mail.backoff(n) for n in range(1, 10)]
    assert waits == sorted(waits) and waits[0] == timedelta(minutes=1)
    assert waits[-1] == waits[-2] == timedelta(hours=1)  # never given up, never longer


def test_sent_messages_are_removed_after_the_set_time(app, sink):
    sink.start()
    sent_id = hsm_mail.queue("old@example.org", "Old", "A link.").id
    db.session.commit()
    hsm_mail.deliver([sent_id])
    waiting_id = hsm_mail.queue("waiting@example.org", "Waiting", "A link.").id
    db.session.commit()
    keep = timedelta(days=app.config["HSM_OUTBOX_KEEP_DAYS"])
    assert hsm_mail.purge_sent(datetime.now(UTC) + keep - timedelta(hours=1)) == 0
    assert hsm_mail.purge_sent(datetime.now(UTC) + keep + timedelta(hours=1)) == 1
    db.session.rollback()
    assert db.session.get(hsm_mail.OutboxMessage, sent_id) is None
    assert db.session.get(hsm_mail.OutboxMessage, waiting_id) is not None  # never unsent mail


def test_a_job_another_server_is_running_is_skipped(app):
    holding, release = threading.Event(), threading.Event()

    def other_server():
        with app.app_context(), jobs.lock("outbox", jobs.lock_key("outbox")) as got:
            assert got
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=other_server)
    thread.start()
    try:
        assert holding.wait(10)
        [outcome] = jobs.run(["outbox"])
        assert not outcome.ran and "another server" in outcome.summary
    finally:
        release.set()
        thread.join()
    [outcome] = jobs.run(["outbox"])
    assert outcome.ran


def test_the_command_runs_every_job(app, sink):
    sink.start()
    result = app.test_cli_runner().invoke(args=["hsm", "jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "outbox:" in result.output and "reminders:" in result.output
