"""The statistics page is kept whole per snapshot, language, roles and query, without anyone's
name or CSRF token in it; every request still passes the session and permission checks."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from hsm import keep
from hsm.accounts import sessions
from hsm.extensions import db
from hsm.stats import operations, views

NOW = datetime(2025, 12, 3, 9, tzinfo=UTC)
PAGE = "/staff/statistics"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    views.PAGES.clear()
    yield
    views.PAGES.clear()


@pytest.fixture
def published(known):
    snapshot = operations.publish(None, known, now=NOW)
    db.session.commit()
    return snapshot


def kept() -> str:
    return " ".join(str(value) for value in views.PAGES.entries.values())  # noqa: SLF001


def test_each_person_gets_their_own_name_and_token_and_neither_is_kept(app, published):
    pages = {}
    for name in ("Fictional Reader One", "Fictional Reader Two"):
        client = app.test_client()
        user = _sign_in(client, "executive", name)
        html = client.get(f"{PAGE}?period=year&area=uk").get_data(as_text=True)
        [token] = set(TOKEN.findall(html))
        with client.session_transaction() as session:
            assert session["csrf_token"]  # the token the page carries belongs to this session
        assert user.name == name
        pages[name] = (html, token)
    (one, token_one), (two, token_two) = pages.values()
    assert "Fictional Reader One" in one and "Fictional Reader Two" not in one
    assert "Fictional Reader Two" in two and "Fictional Reader One" not in two
    assert token_one != token_two
    assert len(views.PAGES.entries) == 1  # noqa: SLF001 - one page, kept once for both
    stored = kept()
    for secret in ("Fictional Reader", token_one, token_two):
        assert secret not in stored
    assert keep.NAME_MARK in stored and keep.TOKEN_MARK in stored  # noqa: SLF001
    # What is served is the same page apart from the name and the token.
    assert (one.replace("Fictional Reader One", "N").replace(token_one, "T")
            == two.replace("Fictional Reader Two", "N").replace(token_two, "T"))


def _sign_in(client, role: str, name: str, centre: str | None = None):
    from tests.factories import make_user

    user = make_user((role, centre), name=name)
    payload = sessions.new_session_payload(user)
    db.session.commit()
    with client.session_transaction() as session:
        session.update(payload)
    return user


def test_a_name_is_escaped_as_the_template_would(client, login_as, published):
    login_as("executive", name="Fictional <b>Bold</b> & Co")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Fictional &lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html and "<b>Bold" not in html


def test_a_revoked_session_is_refused_on_the_next_request(client, login_as, published):
    user = login_as("executive")
    assert client.get(PAGE).status_code == 200
    assert views.PAGES.entries  # noqa: SLF001 - the page is kept
    sessions.end_all_sessions(user.id)  # as "sign out everywhere" or a deactivation does
    db.session.commit()
    refused = client.get(PAGE)
    assert refused.status_code in (302, 303, 401) and b"Statistics" not in refused.data


def test_roles_are_part_of_the_key(client, login_as, published):
    login_as("safeguarding_director")
    director = client.get(PAGE).get_data(as_text=True)
    login_as("executive")
    executive = client.get(PAGE).get_data(as_text=True)
    assert "Publish the snapshot" in director and "Publish the snapshot" not in executive
    assert len(views.PAGES.entries) == 2  # noqa: SLF001


def test_the_director_publishes_with_the_token_put_back(client, login_as, published):
    login_as("safeguarding_director")
    html = client.get(PAGE).get_data(as_text=True)
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1 and keep.TOKEN_MARK not in html  # noqa: SLF001
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    from flask_wtf.csrf import validate_csrf

    with client.application.test_request_context():
        from flask import session as request_session

        request_session["csrf_token"] = raw
        validate_csrf(tokens.pop())  # raises if the token is not this session's


@pytest.mark.parametrize("query", ["foo=1", "period=nope", "period=year&period=year",
                                   "area=<script>", "snapshot=999999"])
def test_a_query_the_page_did_not_choose_is_never_a_key(client, login_as, published, query):
    login_as("executive")
    assert client.get(f"{PAGE}?{query}").status_code == 200
    assert not views.PAGES.entries  # noqa: SLF001


def test_a_page_with_a_message_to_show_once_is_not_kept(client, login_as, published):
    login_as("executive")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Fictional one-time message")]
    html = client.get(PAGE).get_data(as_text=True)
    assert "Fictional one-time message" in html and not views.PAGES.entries  # noqa: SLF001
    assert "Fictional one-time message" not in client.get(PAGE).get_data(as_text=True)


def test_a_snapshot_published_elsewhere_is_listed_on_the_next_request(
        client, login_as, published, known, count_queries):
    """The list of snapshots is kept under a version row that publishing changes in its own
    transaction: another server's publication is seen at once, nothing is missed."""
    from datetime import date, timedelta

    login_as("executive")
    client.get(PAGE)
    with count_queries() as kept_list:
        client.get(PAGE)
    assert kept_list.count == 1  # the session; the list of snapshots is kept
    operations.publish(None, date(2025, 12, 1), now=NOW + timedelta(days=40))
    db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    assert "December 2025" in html and "November 2025" in html


def test_a_kept_page_sends_one_statement_and_opens_no_transaction(client, login_as, published,
                                                                  count_queries):
    """The session check reads the session, the user, their roles and the version stamps in
    one statement on the process's own connection (hsm/committed.py); the page is kept, so
    the request takes no connection from the pool: no transaction, no commit."""
    import sqlalchemy as sa

    login_as("executive")
    client.get(PAGE)
    db.session.remove()  # as each request in production: nothing loaded yet
    checkouts = []

    def checkout(*_args):
        checkouts.append(1)

    sa.event.listen(db.engine, "checkout", checkout)
    try:
        with count_queries() as counted:
            assert client.get(PAGE).status_code == 200
    finally:
        sa.event.remove(db.engine, "checkout", checkout)
    assert checkouts == []
    [statement] = counted.statements
    assert "staff_session" in statement and "page_version" in statement
