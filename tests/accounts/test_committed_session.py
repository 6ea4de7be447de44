"""The session check on the process's own connection (hsm/accounts/sessions.py,
hsm/committed.py): the user and their roles are built from what is committed, and every
change to the session, the user or their roles counts from the very next request.

In production each request starts with an empty session. The tests share one app context
with their requests, so each request here is made after ``as_a_new_request``, which gives
the request an empty session as production would: otherwise the user the test holds would
be used as it is already loaded.
"""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hsm.accounts import sessions
from hsm.accounts.models import RoleAssignment, StaffSession, User
from tests.accounts.conftest import PASSWORD, sign_in
from tests.helpers import post

STATS = "/staff/statistics"


def as_a_new_request(db) -> None:
    db.session.remove()


@pytest.fixture
def built(monkeypatch):
    """(id, roles, created_at) of each user the session check built from its read (not found
    already loaded), as built."""
    made = []
    real = sessions.make_transient_to_detached

    def watch(instance):
        if isinstance(instance, User):
            made.append((instance.id, instance.role_scopes(), instance.created_at))
        return real(instance)

    monkeypatch.setattr(sessions, "make_transient_to_detached", watch)
    return made


def test_the_user_and_roles_are_built_from_the_read(client, login_as, db, built):
    user = login_as("executive", name="Fictional Built Reader")
    user_id = user.id
    as_a_new_request(db)
    response = client.get(STATS)
    assert response.status_code == 200
    assert "Fictional Built Reader" in response.get_data(as_text=True)
    [(made_id, roles, created_at)] = built
    assert made_id == user_id and roles == [("executive", None)]
    assert created_at.tzinfo is not None  # as the ORM loads it: aware, in UTC


def test_a_session_ended_elsewhere_is_refused_on_the_next_request(client, login_as, db, built):
    user_id = login_as("executive").id
    as_a_new_request(db)
    assert client.get(STATS).status_code == 200
    sessions.end_all_sessions(user_id)
    db.session.commit()
    as_a_new_request(db)
    assert client.get(STATS).status_code == 302
    assert len(built) == 1  # the refused request built no user


def test_a_deactivated_user_is_refused_on_the_next_request(client, login_as, db):
    user_id = login_as("executive").id
    as_a_new_request(db)
    assert client.get(STATS).status_code == 200
    db.session.execute(sa.update(User).where(User.id == user_id).values(active=False))
    db.session.commit()
    as_a_new_request(db)
    assert client.get(STATS).status_code == 302
    row = db.session.scalar(sa.select(StaffSession))
    assert row.ended_at is not None  # the ordinary check ended it


def test_a_role_removed_or_added_counts_from_the_next_request(client, login_as, db, built):
    user = login_as("executive")
    user_id = user.id
    as_a_new_request(db)
    assert client.get(STATS).status_code == 200
    db.session.execute(sa.delete(RoleAssignment).where(RoleAssignment.user_id == user_id))
    db.session.commit()
    as_a_new_request(db)
    assert client.get(STATS).status_code in (403, 404)
    assert built[-1][1] == []  # a user without any role: no assignment made of NULLs
    db.session.add(RoleAssignment(user_id=user_id, role="executive", centre=None))
    db.session.commit()
    as_a_new_request(db)
    assert client.get(STATS).status_code == 200


def test_what_the_read_leaves_out_is_loaded_when_a_page_needs_it(app, client, staff, db,
                                                                   built):
    """The password hash and the TOTP secret are not read on every page; the password page
    loads them, and the change it makes through the built user is kept."""
    user = staff()
    sign_in(client, user.email)
    email = user.email
    as_a_new_request(db)
    page = client.get("/staff/account").get_data(as_text=True)
    assert "Two-step sign-in" in page
    as_a_new_request(db)
    response = post(
        client, "/staff/account/password",
        {"current_password": PASSWORD, "password": "quiet harbour violin seven",
         "confirm": "quiet harbour violin seven"},
        token_from="/staff/account/password")
    assert response.status_code == 303
    assert built  # the pages above used a user built from the read
    assert sign_in(app.test_client(), email, "quiet harbour violin seven").status_code == 303


def test_a_session_seen_over_a_minute_ago_is_touched_once(client, login_as, db):
    login_as("executive")
    as_a_new_request(db)
    assert client.get(STATS).status_code == 200
    db.session.execute(sa.update(StaffSession).values(last_seen_at=datetime.now(UTC)
                                                      - sessions.TOUCH_EVERY * 2))
    db.session.commit()
    as_a_new_request(db)
    assert client.get(STATS).status_code == 200
    seen = db.session.scalar(sa.select(StaffSession.last_seen_at))
    assert seen > datetime.now(UTC) - sessions.TOUCH_EVERY  # committed by the request
