"""The public directory is served from the page cache, which no change outlives: publishing,
unpublishing, approving and a badge expiring each show at once, on every app server (the
cache's version is a row in the database), and the cache holds only what a visitor without
any session is shown, under keys made only of validated filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hsm import committed, pagecache
from hsm.extensions import db
from hsm.safecontacts import operations
from hsm.safecontacts.models import SafeContact, TrainingRecord
from hsm.security import Role
from tests.factories import make_user
from tests.safecontacts.seed import add_biography, make_contact, seed_safe_contacts


@pytest.fixture(autouse=True)
def empty_cache():
    pagecache.clear()
    yield
    pagecache.clear()


def directory_keys() -> list[tuple]:
    return [k for k in pagecache._cache if "safe-contacts" in k[0]]  # noqa: SLF001


def ready_to_publish(name: str) -> SafeContact:
    contact = make_contact(stage="biography", name=name, induction_attended=True)
    add_biography(contact, text="Ready to listen.")
    db.session.commit()
    return contact


def published(name: str):
    """(a Safe Contact published by EDI through the app's own operation, that EDI officer)."""
    contact = ready_to_publish(name)
    edi = make_user(Role.EDI_OFFICER)
    operations.move(edi, contact, "published")
    db.session.commit()
    return contact, edi


def test_a_page_is_made_once_then_served_from_the_cache(client, count_queries):
    seed_safe_contacts(3)
    first = client.get("/safe-contacts?centre=paris&language=fr")
    assert len(directory_keys()) == 1
    with count_queries() as counter:
        again = client.get("/safe-contacts?centre=paris&language=fr")
    # One statement, and not through the request's session: the version, read on the
    # process's own autocommit connection (hsm/committed.py), on every request.
    assert again.data == first.data
    [statement] = counter.statements
    assert statement.startswith("SELECT name, version FROM page_version")


def test_publishing_reaches_this_process_only_through_the_database(client):
    contact = ready_to_publish("Fictional Newcomer")
    assert "Fictional Newcomer" not in client.get("/safe-contacts").get_data(as_text=True)
    [stale] = directory_keys()
    operations.move(make_user(Role.EDI_OFFICER), contact, "published")
    db.session.commit()
    # No signal reached this process's cache: the old page is still in it...
    assert directory_keys() == [stale]
    # ...and is not served, because the version row in the database moved.
    assert "Fictional Newcomer" in client.get("/safe-contacts").get_data(as_text=True)


def test_a_version_written_by_another_server_is_obeyed(app, client, count_queries):
    """Another app server's write is a row changed in the shared database, seen here on the
    next request (made here through a connection of its own)."""
    seed_safe_contacts(2)
    client.get("/safe-contacts")
    with count_queries() as hit:
        client.get("/safe-contacts")
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.begin() as connection:
            connection.execute(sa.update(pagecache.PageVersion)
                               .where(pagecache.PageVersion.name == operations.DIRECTORY)
                               .values(version=pagecache.PageVersion.version + 1))
    finally:
        other.dispose()
    with count_queries() as made_again:
        client.get("/safe-contacts")
    assert hit.count == 1 and made_again.count > 2  # the version alone; then the page too


def test_the_version_is_read_again_on_every_request(client, monkeypatch):
    seed_safe_contacts(2)
    reads = []
    real = pagecache.versions
    monkeypatch.setattr(pagecache, "versions", lambda names: reads.extend(names) or real(names))
    for _ in range(3):
        client.get("/safe-contacts")
    assert reads == [operations.DIRECTORY] * 3


def test_a_broken_version_connection_is_dropped_and_the_version_still_read(client):
    """A database restarted under the process: its own connection fails once, is dropped,
    and the version is read through the request's session; the next request opens a new
    connection. A change is never missed."""
    contact = ready_to_publish("Fictional Reconnected")
    client.get("/safe-contacts")
    committed.break_connection()
    operations.move(make_user(Role.EDI_OFFICER), contact, "published")
    db.session.commit()
    assert "Fictional Reconnected" in client.get("/safe-contacts").get_data(as_text=True)
    assert not committed.is_open()
    client.get("/safe-contacts")
    assert committed.is_open()


def test_unpublishing_takes_someone_off_at_once(client):
    contact, edi = published("Fictional Leaver")
    assert "Fictional Leaver" in client.get("/safe-contacts").get_data(as_text=True)
    assert "Fictional Leaver" in client.get("/uk/safe-contacts").get_data(as_text=True)
    operations.move(edi, contact, "biography", expected="published")
    db.session.commit()
    assert "Fictional Leaver" not in client.get("/safe-contacts").get_data(as_text=True)
    assert "Fictional Leaver" not in client.get("/uk/safe-contacts").get_data(as_text=True)


def test_an_approved_biography_shows_at_once(client):
    contact, edi = published("Fictional Writer")
    assert "Ready to listen." in client.get("/safe-contacts").get_data(as_text=True)
    draft = add_biography(contact, status="draft", text="Now also on Fridays.")
    db.session.commit()
    operations.approve_draft(edi, contact, draft.version)
    db.session.commit()
    html = client.get("/safe-contacts").get_data(as_text=True)
    assert "Now also on Fridays." in html and "Ready to listen." not in html


def test_a_recorded_training_shows_its_badge_at_once(client):
    contact, edi = published("Fictional Trainee")
    topic = operations.ensure_default_topics()[0]
    db.session.commit()
    assert topic.badge_for("en") not in client.get("/safe-contacts?lang=en").get_data(as_text=True)
    operations.record_training(edi, contact, topic, datetime.now(UTC).date())
    db.session.commit()
    assert topic.badge_for("en") in client.get("/safe-contacts?lang=en").get_data(as_text=True)


def test_a_badge_that_expires_overnight_is_gone_the_next_morning(client, monkeypatch):
    contact, edi = published("Fictional Expiring")
    topic = operations.ensure_default_topics()[0]
    today = datetime.now(UTC).date()
    db.session.add(TrainingRecord(safe_contact=contact, topic=topic,
                                  attended_on=today - timedelta(days=30)))
    db.session.commit()  # written directly: no version change, only the day moves on
    badge = topic.badge_for("en")
    assert badge in client.get("/safe-contacts?lang=en").get_data(as_text=True)
    later = today + timedelta(days=31 * topic.refresher_months)
    monkeypatch.setattr("hsm.safecontacts.views.directory.today", lambda: later)
    assert badge not in client.get("/safe-contacts?lang=en").get_data(as_text=True)


def test_nothing_is_stored_for_someone_signed_in(client, login_as):
    seed_safe_contacts(2)
    user = login_as("edi_officer", name="Fictional Signed-In Person")
    assert client.get("/safe-contacts").status_code == 200
    assert client.get("/safe-contacts?centre=uk").status_code == 200
    assert directory_keys() == []
    assert user.name not in str(pagecache._cache)  # noqa: SLF001


def test_nothing_is_stored_for_a_visitor_holding_a_session(client):
    seed_safe_contacts(2)
    client.get("/uk/report")  # a form: its CSRF token is now in this browser's session
    assert client.get("/safe-contacts").status_code == 200
    assert directory_keys() == []


def test_what_is_stored_holds_no_token_and_no_cookie(app):
    seed_safe_contacts(2)
    fresh = app.test_client()
    response = fresh.get("/safe-contacts?centre=uk&language=en")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    [key] = directory_keys()
    body = pagecache._cache[key][0]["identity"]  # noqa: SLF001
    assert b"csrf" not in body.lower() and b'type="hidden"' not in body


@pytest.mark.parametrize("query", [
    "centre=atlantis", "language=zz", "badge=nope", "badge=<script>", "page=999", "page=01",
    "page=0", "foo=1", "centre=uk&centre=paris", "centre=", "page=-1", "language=fr&x=%00",
])
def test_keys_are_made_only_of_validated_filters(client, query):
    seed_safe_contacts(3)
    assert client.get(f"/safe-contacts?{query}").status_code == 200
    assert directory_keys() == []


def test_a_key_keeps_each_validated_filter_in_its_order(client):
    seed_safe_contacts(3)
    topic = operations.ensure_default_topics()[0]
    db.session.commit()
    client.get(f"/safe-contacts?language=fr&badge={topic.slug}&page=1&lang=nl")
    [key] = directory_keys()
    path, locale, kind, args, (_marker, endpoint, (_version, day)) = key
    assert (path, locale, kind, endpoint) == ("/safe-contacts", "nl", "page",
                                              "safecontacts.directory")
    assert args == (("language", "fr"), ("badge", topic.slug), ("page", "1"))
    assert date.fromisoformat(day) == datetime.now(UTC).date()
