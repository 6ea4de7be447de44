"""The same form sent twice stores one report; the default limit suits a shared campus address."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hsm.audit import AuditEntry
from hsm.config import DEFAULT_REPORT_RATE_LIMIT
from hsm.extensions import db
from hsm.reports import follow_ups, operations, receipts
from hsm.reports.models import FollowUpSession, Report
from tests.helpers import csrf_from
from tests.reports.conftest import RECEIPT, valid_form

KEY = re.compile(r'<input id="submission_key" name="submission_key" type="hidden" value="([^"]*)"')


def reports():
    return db.session.scalars(sa.select(Report)).all()


def shown_form(client, url="/uk/report?lang=en"):
    """GET the form as a browser does; return (csrf token, submission key)."""
    html = client.get(url).get_data(as_text=True)
    return csrf_from(html), KEY.search(html).group(1)


def send(client, token, key, centre="uk", **overrides):
    data = valid_form(**overrides) | {"csrf_token": token, "submission_key": key}
    response = client.post(f"/{centre}/report", data=data)
    found = RECEIPT.search(response.get_data(as_text=True))
    return response, found.group(1) if found else None


def opens(code: str) -> Report | None:
    from flask import current_app

    db.session.expire_all()  # the requests wrote through their own sessions
    return operations.find_by_receipt(
        receipts.parse(code), current_app.config["HSM_RECEIPT_PEPPER"]
    )


def test_the_form_carries_a_random_key_kept_while_it_is_shown_again(client):
    token, key = shown_form(client)
    assert receipts.valid_submission_key(key)
    assert shown_form(client)[1] != key  # a new form, a new key
    response, code = send(client, token, key, narrative="")
    html = response.get_data(as_text=True)
    assert code is None and "Tell us what happened" in html
    assert KEY.search(html).group(1) == key  # the same form, shown again with its mistakes
    # A mangled key is quietly replaced: the reporter can do nothing about a hidden field.
    response, code = send(client, token, "not-a-key<>")
    assert code and len(reports()) == 1
    assert reports()[0].submission_key_hash != receipts.submission_key_hash("not-a-key<>")


def test_the_same_form_sent_twice_stores_one_report_with_a_new_code(client, mail):
    token, key = shown_form(client)
    first, code1 = send(client, token, key)
    assert code1 and "replaces any code" not in first.get_data(as_text=True)
    [report] = reports()
    # Stored bound to the session, centre and answers: not the key, nor its bare hash.
    assert report.submission_key_hash not in (key, receipts.submission_key_hash(key))
    enter = client.post("/follow-up", data={"csrf_token": token, "code": code1})
    assert enter.status_code == 303  # a follow-up session on the first code

    again, code2 = send(client, token, key)  # a refresh of the receipt page posts it again
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert code2 and code2 != code1
    assert "This report had already been sent, so it was not sent twice." in html
    assert "This code replaces any code shown before" in html
    assert [r.id for r in reports()] == [report.id]
    assert opens(code1) is None and opens(code2).id == report.id
    assert len(mail) == 1  # Student Services hears about it once
    # The follow-up opened with the old code is over.
    assert db.session.scalar(sa.select(FollowUpSession.ended_at)) is not None
    assert report.reference not in client.get("/follow-up").get_data(as_text=True)
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "report.receipt_reissued")
    ).all()
    assert entry.target_id == str(report.id) and entry.detail in ("", "{}", None)


def test_a_repeat_long_after_sending_shows_no_code(client):
    token, key = shown_form(client)
    _first, code1 = send(client, token, key)
    db.session.execute(sa.update(Report).values(
        received_at=datetime.now(UTC) - timedelta(hours=3)))
    db.session.commit()
    again, code2 = send(client, token, key)
    html = again.get_data(as_text=True)
    assert code2 is None and len(reports()) == 1
    assert "it was not sent twice" in html and "contact Student Services" in html
    assert opens(code1) is not None  # the reporter's code still works


def test_two_sends_racing_each_other_store_one_report(client, monkeypatch):
    token, key = shown_form(client)
    _first, code1 = send(client, token, key)
    # The second send looked before the first was stored: the unique key stops the insert.
    real = operations.find_by_submission_key
    calls = []

    def late(found_key, binding=""):
        calls.append(found_key)
        return None if len(calls) <= 2 else real(found_key, binding)

    monkeypatch.setattr(operations, "find_by_submission_key", late)
    again, code2 = send(client, token, key)
    assert again.status_code == 200 and code2 and code2 != code1
    assert len(reports()) == 1 and len(calls) == 3
    assert opens(code2) is not None


def test_a_repeat_is_not_stopped_by_the_limit_and_does_not_count(client, app):
    app.config["HSM_REPORT_RATE_LIMIT"] = "1 per hour"
    try:
        token, key = shown_form(client)
        assert send(client, token, key)[1]
        again, code = send(client, token, key)
        assert again.status_code == 200 and code
        other_token, other_key = shown_form(client)
        assert send(client, other_token, other_key)[0].status_code == 429
        assert len(reports()) == 1
    finally:
        app.config["HSM_REPORT_RATE_LIMIT"] = DEFAULT_REPORT_RATE_LIMIT


def test_the_default_limit_lets_a_campus_behind_one_address_send_ten(client, app):
    assert app.config["HSM_REPORT_RATE_LIMIT"] == DEFAULT_REPORT_RATE_LIMIT
    assert DEFAULT_REPORT_RATE_LIMIT == "10 per hour; 50 per day"
    for _ in range(10):
        token, key = shown_form(client)
        assert send(client, token, key)[1]
    token, key = shown_form(client)
    assert send(client, token, key)[0].status_code == 429
    assert len(reports()) == 10


def test_reissuing_ends_every_follow_up_on_the_report(make_report, app):
    report, _code = make_report()
    now = datetime.now(UTC)
    tokens = [follow_ups.start(report, now) for _ in range(2)]
    operations.reissue_receipt(report, pepper=app.config["HSM_RECEIPT_PEPPER"], now=now)
    db.session.commit()
    assert all(follow_ups.resume(t, now) is None for t in tokens)


def test_a_submission_key_never_takes_over_another_report(app, client, login_as):
    """The outside test's finding: K sent at /amsterdam/report gave C1; the same K posted
    from a fresh browser to /uk/report with other words answered with a replacing code C2,
    which opened the thread and ended the reporter's follow-up. Now it is a new report."""
    from hsm.reports.models import ReportMessage

    token, key = shown_form(client, "/amsterdam/report?lang=en")
    first, code1 = send(client, token, key, centre="amsterdam")
    assert code1
    [report] = reports()
    db.session.add(ReportMessage(report=report, author=ReportMessage.STAFF, internal=False,
                                 body="Staff-reply-canary: we can meet on Tuesday.",
                                 created_at=datetime.now(UTC)))
    db.session.commit()
    assert client.post("/follow-up", data={"csrf_token": token, "code": code1}).status_code == 303

    stranger = app.test_client()  # another browser, another session
    other_token = shown_form(stranger)[0]
    for centre, words in (("uk", "Something else entirely."), ("amsterdam", None)):
        overrides = {"narrative": words} if words else {}
        response, code2 = send(stranger, other_token, key, centre=centre, **overrides)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and code2 and code2 != code1
        assert "Staff-reply-canary" not in html and "not sent twice" not in html
        assert opens(code2).id != report.id  # a report of its own
    assert opens(code1).id == report.id  # the reporter's code still works
    followed = client.get("/follow-up").get_data(as_text=True)
    assert "Staff-reply-canary" in followed  # and their follow-up was not ended
    assert len(reports()) == 3
