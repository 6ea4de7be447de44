"""Applying: word limits on the server, the work email, and the confirmation link."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hsm.extensions import db
from hsm.safecontacts import applications
from hsm.safecontacts.models import SafeContact
from hsm.tokens import token_hash
from tests.helpers import csrf_from
from tests.safecontacts.conftest import application, words


@pytest.mark.parametrize(("count", "ok"), [(149, False), (150, True), (200, True), (201, False)])
def test_statement_word_limits_on_the_server(client, mail, count, ok):
    response = client.post("/safe-contacts/apply", data=application(client, statement=words(count)))
    saved = db.session.scalar(sa.select(sa.func.count(SafeContact.id)))
    if ok:
        assert response.status_code == 303
        assert saved == 1
    else:
        assert response.status_code == 400
        assert saved == 0
        html = response.get_data(as_text=True)
        assert f"Your statement has {count} words" in html
        assert 'href="#statement"' in html  # the error summary links to the field
        assert "word0 word1 word2" in html  # the applicant's text is kept


def test_count_words_counts_like_the_live_counter():
    assert applications.count_words("  one\ttwo\nthree  ") == 3
    assert applications.count_words("") == 0


def test_email_domain_must_be_on_the_list(client):
    response = client.post(
        "/safe-contacts/apply", data=application(client, email="alex@example.org.evil.test")
    )
    assert response.status_code == 400
    assert "Use your work email address" in response.get_data(as_text=True)
    assert applications.email_domain_allowed("a@EXAMPLE.org", ["example.org"])
    assert not applications.email_domain_allowed("a@sub.example.org", ["example.org"])
    assert not applications.email_domain_allowed("example.org", ["example.org"])


def test_missing_answers_are_named_and_nothing_is_lost(client):
    response = client.post(
        "/safe-contacts/apply",
        data=application(client, name="", line_manager_permission="", centre="nowhere"),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your name" in html
    assert "Tell us whether your line manager has agreed" in html
    assert "Choose one of the options." in html
    assert 'value="alex.volunteer@example.org"' in html


def test_confirmation_link_is_single_use_and_stores_only_a_hash(client, mail):
    client.post("/safe-contacts/apply", data=application(client))
    [message] = mail
    assert message["To"] == "alex.volunteer@example.org"
    body = message.get_content()
    token = re.search(r"/safe-contacts/apply/confirm/(\S+)", body).group(1)
    contact = db.session.scalar(sa.select(SafeContact))
    assert contact.confirm_token_hash == token_hash(token)
    assert token not in (contact.confirm_token_hash or "")
    assert "word0" not in body  # the email carries a link, not the application
    assert not contact.email_confirmed

    page = client.get(f"/safe-contacts/apply/confirm/{token}")
    assert page.status_code == 200  # opening the link alone changes nothing
    db.session.refresh(contact)
    assert not contact.email_confirmed

    csrf = csrf_from(page.data)
    done = client.post(f"/safe-contacts/apply/confirm/{token}", data={"csrf_token": csrf})
    assert done.status_code == 200
    db.session.refresh(contact)
    assert contact.email_confirmed
    assert contact.confirm_token_hash is None
    again = client.post(f"/safe-contacts/apply/confirm/{token}", data={"csrf_token": csrf})
    assert again.status_code == 404


def test_expired_link_does_not_confirm(client, mail):
    from datetime import UTC, datetime, timedelta

    client.post("/safe-contacts/apply", data=application(client))
    token = re.search(r"/confirm/(\S+)", mail[0].get_content()).group(1)
    contact = db.session.scalar(sa.select(SafeContact))
    contact.confirm_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/safe-contacts/apply/confirm/{token}").status_code == 404


@pytest.mark.parametrize(
    "address",
    [
        "a@b@example.org",  # was accepted, and the confirmation went to nobody
        "alex\n@example.org",
        '"alex smith"@example.org',
        "alex@example.org, eve@example.org",
        "<alex@example.org>",
        ".alex@example.org",
        "@example.org",
    ],
)
def test_an_address_that_is_not_one_plain_address_is_refused(client, mail, address):
    response = client.post("/safe-contacts/apply", data=application(client, email=address))
    assert response.status_code == 400
    assert "Enter an email address like name@example.org" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SafeContact.id))) == 0
    assert mail == []


def test_an_ordinary_work_address_is_accepted():
    for address in ("alex.volunteer@example.org", "a+b_c-d@example.org", " Alex@Example.org "):
        assert applications.plain_address(address), address


def test_a_second_application_while_one_is_in_progress_is_refused(client, mail):
    from datetime import UTC, datetime, timedelta

    assert client.post("/safe-contacts/apply", data=application(client)).status_code == 303
    again = client.post(
        "/safe-contacts/apply",
        data=application(client, email="Alex.Volunteer@example.org", job_title="Kept title"),
    )
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert "already applied with this email address" in html
    assert "Kept title" in html
    assert db.session.scalar(sa.select(sa.func.count(SafeContact.id))) == 1
    assert len(mail) == 1

    # Once the first link has expired unconfirmed, applying again works.
    first = db.session.scalar(sa.select(SafeContact))
    first.confirm_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert client.post("/safe-contacts/apply", data=application(client)).status_code == 303


def test_applying_again_after_withdrawing_works(client, mail):
    client.post("/safe-contacts/apply", data=application(client))
    first = db.session.scalar(sa.select(SafeContact))
    first.stage = "withdrawn"
    db.session.commit()
    assert client.post("/safe-contacts/apply", data=application(client)).status_code == 303
