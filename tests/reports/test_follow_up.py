"""Follow-up by receipt code: the thread, replies, leaving, idle expiry and the throttle."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hsm.extensions import db
from hsm.reports import follow_ups, operations
from hsm.reports.models import FollowUpSession, ReportMessage
from hsm.reports.views import FOLLOW_UP_KEY
from tests.factories import make_user
from tests.helpers import csrf_token

WRONG = "ABCD-EFGH-JKMN-PQRS-TVWX"


def idle(minutes: int) -> None:
    """Make every follow-up session look idle for ``minutes``."""
    db.session.execute(sa.update(FollowUpSession).values(
        last_seen_at=datetime.now(UTC) - timedelta(minutes=minutes)))
    db.session.commit()


def enter(client, code, **kwargs):
    token = csrf_token(client, "/follow-up")
    return client.post("/follow-up", data={"csrf_token": token, "code": code}, **kwargs)


def test_the_code_opens_the_thread_in_any_shape(client, make_report):
    report, code = make_report("amsterdam")
    typed = code.replace("-", " ").lower()
    response = enter(client, typed)
    assert response.status_code == 303
    assert response.headers["Location"] == "/follow-up"
    assert code not in response.headers["Location"]
    html = client.get("/follow-up").get_data(as_text=True)
    assert "Your report has reached Student Services. Nobody has opened it yet." in html
    assert report.reference in html
    assert 'href="tel:112"' in html  # the centre's emergency strip


def test_wrong_and_malformed_codes_get_the_same_kind_answer(client, make_report):
    make_report()
    html = enter(client, WRONG).get_data(as_text=True)
    assert "We could not find a report with that code." in html
    # Not the report form's words: only a code was typed here.
    assert "everything you wrote is still here" not in html
    with client.session_transaction() as session:
        assert FOLLOW_UP_KEY not in session
    html = enter(client, "hello").get_data(as_text=True)
    assert "We could not find a report with that code." in html
    html = enter(client, "").get_data(as_text=True)
    assert "Enter your receipt code." in html


def test_the_reporter_reads_replies_but_never_internal_notes(client, make_report):
    report, code = make_report()
    caseworker = make_user(("student_services", "uk"))
    operations.reply(caseworker, report, "We have read your report. How can we help?")
    operations.add_note(caseworker, report, "Internal: check the timetable 55aa")
    db.session.commit()
    enter(client, code)
    html = client.get("/follow-up").get_data(as_text=True)
    assert "We have read your report. How can we help?" in html
    assert "55aa" not in html
    assert "A member of Student Services has read your report." in html


def test_the_reporter_writes_back_and_student_services_is_told(client, make_report, mail):
    report, code = make_report("paris")
    enter(client, code)
    token = csrf_token(client, "/follow-up")
    response = client.post(
        "/follow-up/message", data={"csrf_token": token, "body": "One more thing 77bb"}
    )
    assert response.status_code == 303
    [message] = db.session.scalars(sa.select(ReportMessage)).all()
    assert (message.author, message.internal) == ("reporter", False)
    assert message.body == "One more thing 77bb"
    assert message.created_at.minute == 0  # anonymous: to the hour
    [email] = mail
    assert email["To"] == "student-services.paris@example.org"
    assert "77bb" not in str(email)
    assert "One more thing 77bb" in client.get("/follow-up").get_data(as_text=True)


def test_an_empty_message_is_refused_with_a_message(client, make_report):
    _report, code = make_report()
    enter(client, code)
    token = csrf_token(client, "/follow-up")
    response = client.post(
        "/follow-up/message", data={"csrf_token": token, "body": "  "},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert html.strip().startswith('<div id="follow-up">')
    assert "Write your message first." in html
    assert db.session.scalars(sa.select(ReportMessage)).all() == []


def test_leave_ends_the_session_at_once(client, make_report):
    _report, code = make_report()
    enter(client, code)
    token = csrf_token(client, "/follow-up")
    response = client.post("/follow-up/leave", data={"csrf_token": token})
    assert response.status_code == 303
    html = client.get("/follow-up").get_data(as_text=True)
    assert 'name="code"' in html and "Your report" not in html
    response = client.post("/follow-up/message", data={"csrf_token": token, "body": "late"})
    # Nothing is stored, and the words come back on the code page instead of being lost.
    assert response.status_code == 200
    assert 'name="code"' in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(ReportMessage)).all() == []


def test_the_session_ends_after_15_idle_minutes(client, make_report):
    _report, code = make_report()
    enter(client, code)
    idle(14)
    assert "Your report" in client.get("/follow-up").get_data(as_text=True)  # just in time
    idle(16)
    html = client.get("/follow-up").get_data(as_text=True)
    assert "closed after 15 minutes without activity" in html
    assert 'name="code"' in html


def test_the_eleventh_wrong_code_is_blocked_then_even_the_right_one(client, make_report):
    _report, code = make_report()
    for _ in range(10):
        response = enter(client, WRONG)
        assert response.status_code == 200
        assert "We could not find a report with that code." in response.get_data(as_text=True)
    blocked = enter(client, WRONG)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    right = enter(client, code)
    assert right.status_code == 429
    assert "Your report" not in client.get("/follow-up").get_data(as_text=True)
    # Another address is not blocked.
    assert enter(client, code, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 303


def test_words_written_while_the_follow_up_closed_are_kept(client, make_report):
    _report, code = make_report()
    enter(client, code)
    token = csrf_token(client, "/follow-up")
    idle(16)
    words = "I took a long time to write this <and> it matters 31cd"
    response = client.post("/follow-up/message", data={"csrf_token": token, "body": words})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "has not been sent yet" in html
    assert "I took a long time to write this &lt;and&gt; it matters 31cd" in html
    assert db.session.scalars(sa.select(ReportMessage)).all() == []

    # A wrong code keeps them too; the right one opens the thread with them, still unsent.
    token = csrf_token(client, "/follow-up")
    wrong = client.post("/follow-up", data={"csrf_token": token, "code": WRONG, "pending": words})
    assert "it matters 31cd" in wrong.get_data(as_text=True)
    assert "Your message has not been sent yet, and it is still below." in wrong.get_data(
        as_text=True)
    opened = client.post("/follow-up", data={"csrf_token": token, "code": code, "pending": words})
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and 'id="messages"' in html
    assert "Your message has not been sent yet." in html
    assert ">I took a long time to write this &lt;and&gt; it matters 31cd</textarea>" in html
    assert db.session.scalars(sa.select(ReportMessage)).all() == []
    client.post("/follow-up/message", data={"csrf_token": token, "body": words})
    [message] = db.session.scalars(sa.select(ReportMessage)).all()
    assert message.body == words


def test_words_are_kept_even_when_the_cookie_is_gone(app, make_report):
    make_report()
    fresh = app.test_client()  # no session, no CSRF token: a browser that lost its cookie
    response = fresh.post("/follow-up/message", data={"body": "still here 8e2f"},
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith('<div id="follow-up">') and "<html" not in html
    assert "still here 8e2f" in html
    assert db.session.scalars(sa.select(ReportMessage)).all() == []


def test_a_message_still_needs_the_csrf_token_while_the_follow_up_is_open(client, make_report):
    _report, code = make_report()
    enter(client, code)
    response = client.post("/follow-up/message", data={"body": "forged 4d4d"})
    html = response.get_data(as_text=True)
    assert "forged 4d4d" in html and "this page had expired" in html  # kept, not stored
    assert db.session.scalars(sa.select(ReportMessage)).all() == []


def test_the_cookie_holds_a_random_token_and_only_its_hash_is_stored(client, make_report):
    report, code = make_report()
    enter(client, code)
    with client.session_transaction() as session:
        token = session[FOLLOW_UP_KEY]
    assert isinstance(token, str) and len(token) >= 40
    [row] = db.session.scalars(sa.select(FollowUpSession)).all()
    assert row.token_hash == follow_ups.token_hash(token) != token
    assert row.report_id == report.id and row.ended_at is None
    assert {c.name for c in FollowUpSession.__table__.columns} == {
        "id", "token_hash", "report_id", "created_at", "last_seen_at", "ended_at"}


def copy_cookie(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    copy = app.test_client()
    copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def test_a_copied_cookie_stops_working_when_the_reporter_leaves(app, client, make_report):
    report, code = make_report()
    enter(client, code)
    copy = copy_cookie(app, client)
    assert report.reference in copy.get("/follow-up").get_data(as_text=True)
    token = csrf_token(client, "/follow-up")
    client.post("/follow-up/leave", data={"csrf_token": token})
    [row] = db.session.scalars(sa.select(FollowUpSession)).all()
    assert row.ended_at is not None
    html = copy.get("/follow-up").get_data(as_text=True)
    assert 'name="code"' in html and report.reference not in html
    response = copy.post("/follow-up/message", data={"csrf_token": token, "body": "replayed"})
    assert 'name="code"' in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(ReportMessage)).all() == []


def test_a_copied_cookie_stops_working_after_15_idle_minutes(app, client, make_report):
    report, code = make_report()
    enter(client, code)
    copy = copy_cookie(app, client)
    idle(16)
    assert "closed after 15 minutes" in client.get("/follow-up").get_data(as_text=True)
    [row] = db.session.scalars(sa.select(FollowUpSession)).all()
    assert row.ended_at is not None
    db.session.execute(sa.update(FollowUpSession).values(last_seen_at=datetime.now(UTC)))
    db.session.commit()
    # Even looking fresh again, an ended session never comes back.
    assert report.reference not in copy.get("/follow-up").get_data(as_text=True)


def test_an_old_style_cookie_is_refused(client, make_report):
    report, _code = make_report()
    with client.session_transaction() as session:
        session[FOLLOW_UP_KEY] = {"report": report.id, "seen": 2_000_000_000}
    html = client.get("/follow-up").get_data(as_text=True)
    assert report.reference not in html and 'name="code"' in html


def test_sessions_unused_for_a_day_are_deleted(client, make_report):
    _report, code = make_report()
    enter(client, code)
    idle(24 * 60 + 1)
    enter(client, code)
    rows = db.session.scalars(sa.select(FollowUpSession)).all()
    assert len(rows) == 1 and rows[0].ended_at is None
