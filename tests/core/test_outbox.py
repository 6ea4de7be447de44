"""Email leaves after the commit that caused it, never after a rollback, and is never lost."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from hsm import mail as hsm_mail
from hsm.extensions import db
from hsm.security import public
from tests.conftest import free_port


def _app_with_routes(app, make_app, smtp_server):
    controller, _outbox = smtp_server
    other = make_app({"HSM_SMTP_HOST": controller.hostname, "HSM_SMTP_PORT": controller.port,
                      "HSM_FIELD_KEYS": app.config["HSM_FIELD_KEYS"], "WTF_CSRF_ENABLED": False})

    @public
    def works():
        hsm_mail.queue("kept@example.org", "Kept", "The change committed.")
        return "ok"

    @public
    def refuses():
        hsm_mail.queue("dropped@example.org", "Dropped", "The change was rolled back.")
        abort(400)

    @public
    def fails():
        hsm_mail.queue("dropped@example.org", "Dropped", "The request failed.")
        raise RuntimeError("boom")

    other.add_url_rule("/_t/works", view_func=works, methods=["POST"])
    other.add_url_rule("/_t/refuses", view_func=refuses, methods=["POST"])
    other.add_url_rule("/_t/fails", view_func=fails, methods=["POST"])
    return other


def _rows():
    db.session.rollback()
    row = hsm_mail.OutboxMessage
    return list(db.session.scalars(sa.select(row).order_by(row.id)))


def test_mail_leaves_after_the_commit_and_is_recorded_as_sent(app, make_app, smtp_server, mail):
    other = _app_with_routes(app, make_app, smtp_server)
    response = other.test_client().post("/_t/works")
    assert response.status_code == 200
    assert [m["To"] for m in mail] == ["kept@example.org"]
    [row] = _rows()
    assert row.sent_at is not None and row.attempts == 1


def test_nothing_leaves_when_the_request_is_refused_or_fails(app, make_app, smtp_server, mail):
    other = _app_with_routes(app, make_app, smtp_server)
    client = other.test_client()
    assert client.post("/_t/refuses").status_code == 400
    assert client.post("/_t/fails").status_code == 500
    assert list(mail) == []
    assert _rows() == []


def test_a_mail_server_that_is_down_loses_nothing(app, mail):
    """Changes made while the mail server is down keep their mail; once it is back, every
    message leaves exactly once, and later runs send nothing more."""
    messages = [_queue(f"later{n}@example.org") for n in range(3)]
    db.session.commit()
    ids = [m.id for m in messages]
    old = app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"]
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = "127.0.0.1", free_port()
    try:
        assert hsm_mail.deliver(ids) == dict.fromkeys(ids, False)
    finally:
        app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = old
    rows = _rows()
    assert all(r.sent_at is None and r.claimed_at is None for r in rows)
    assert all(r.attempts == 1 and r.last_error for r in rows)
    assert all(r.next_attempt_at is not None for r in rows)
    assert list(mail) == []
    # Not tried again before its wait is over; then the server is back and each leaves, once.
    assert hsm_mail.deliver(ids) == {}
    later = max(r.next_attempt_at for r in rows)
    assert hsm_mail.deliver(ids, later) == dict.fromkeys(ids, True)
    assert hsm_mail.deliver(ids, later) == {}
    assert sorted(m["To"] for m in mail) == [f"later{n}@example.org" for n in range(3)]


def test_two_senders_never_both_send_one_message(app, mail):
    message = _queue("once@example.org")
    db.session.commit()
    assert hsm_mail._claim(message.id, message.created_at) is True  # noqa: SLF001 - the race itself
    assert hsm_mail.deliver([message.id]) == {}  # the other sender finds it taken
    assert list(mail) == []


def test_the_body_is_encrypted_at_rest(app):
    message = _queue("secret@example.org", body="https://x.example/link/TOKEN123")
    db.session.commit()
    raw = db.session.execute(
        sa.text("SELECT body FROM outbox_message WHERE id = :id"), {"id": message.id}
    ).scalar_one()
    assert "TOKEN123" not in raw


def _queue(to, body="Hello."):
    return hsm_mail.queue(to, "Subject", body)


def test_an_invitation_that_could_not_leave_stays_in_the_outbox(app, mail):
    from hsm.accounts import invitations
    from tests.factories import make_user

    user = make_user(("student_services", "uk"), email="new.colleague@example.org")
    old = app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"]
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = "127.0.0.1", free_port()
    try:
        with app.test_request_context():
            try:
                invitations.send_invitation(user, None)
            except hsm_mail.ERRORS:
                pass
            else:
                raise AssertionError("the mail server was down")
    finally:
        app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = old
    [row] = _rows()
    assert row.recipient == "new.colleague@example.org" and row.sent_at is None
    assert hsm_mail.deliver([row.id], row.next_attempt_at) == {row.id: True}
    [message] = mail
    assert "/staff/password/link/" in message.get_content()
