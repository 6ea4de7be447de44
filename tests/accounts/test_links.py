"""Password reset and invitation emails: a link only, single use, expiring, token-less URL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hsm.accounts import operations
from hsm.accounts.invitations import send_invitation
from hsm.accounts.models import AccountToken
from tests.accounts.conftest import PASSWORD, sign_in
from tests.factories import make_user
from tests.helpers import csrf_token, post

NEW = "quiet harbour violin seven"
LINK_RE = re.compile(r"https?://\S+/staff/password/link/(\S+)")


def only_link(message) -> tuple[str, str]:
    body = message.get_content()
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1
    match = LINK_RE.search(body)
    assert match
    return links[0], match.group(1)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_reset_email_holds_only_a_link_and_the_link_works_once(app, client, staff, mail, db):
    user = staff(("student_services", "paris"), name="Casey Lindqvist")
    response = post(client, "/staff/password/forgot", {"email": user.email.upper()},
                    token_from="/staff/password/forgot")
    assert b"If there is a staff account for that address" in response.data
    assert len(mail) == 1
    message = mail[0]
    assert message["To"] == user.email
    body = message.get_content()
    link, token = only_link(message)
    for private in ("Casey", "Lindqvist", "paris", "student_services"):
        assert private not in body
    stored = db.session.scalar(sa.select(AccountToken))
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.purpose == "reset"

    # The link shows the form at once (no redirect: see the cross-site browser test); the form
    # posts to the token-less address, which app.js also puts in the address bar.
    response = client.get(path_of(link))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'action="/staff/password/new"' in html
    assert 'data-replace-url="/staff/password/new"' in html
    page = client.get("/staff/password/new")
    assert page.status_code == 200 and token.encode() not in page.data
    done = post(client, "/staff/password/new", {"password": NEW, "confirm": NEW},
                token_from="/staff/password/new")
    assert done.headers["Location"] == "/staff/login"
    assert sign_in(app.test_client(), user.email, NEW).status_code == 303

    # Single use.
    again = app.test_client()
    again.get(path_of(link))
    assert again.get("/staff/password/new").status_code == 410


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, mail):
    response = post(client, "/staff/password/forgot", {"email": "nobody@example.org"},
                    token_from="/staff/password/forgot")
    assert b"If there is a staff account for that address" in response.data
    assert mail == []


def test_a_reset_link_expires_after_an_hour(client, staff, mail, db):
    user = staff()
    post(client, "/staff/password/forgot", {"email": user.email},
         token_from="/staff/password/forgot")
    link, _ = only_link(mail[0])
    db.session.execute(sa.update(AccountToken).values(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.session.commit()
    client.get(path_of(link))
    response = client.get("/staff/password/new")
    assert response.status_code == 410
    assert b"This link no longer works" in response.data


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, staff, mail):
    user = staff()
    post(client, "/staff/password/forgot", {"email": user.email},
         token_from="/staff/password/forgot")
    link, _ = only_link(mail[0])
    client.get(path_of(link))
    response = post(client, "/staff/password/new", {"password": "short", "confirm": "short"},
                    token_from="/staff/password/new")
    assert response.status_code == 200
    assert b"at least 12 characters" in response.data
    assert client.get("/staff/password/new").status_code == 200


def test_a_reset_ends_every_session(app, client, staff, mail, db):
    user = staff()
    signed_in = app.test_client()
    sign_in(signed_in, user.email)
    assert signed_in.get("/staff/").status_code == 200
    post(client, "/staff/password/forgot", {"email": user.email},
         token_from="/staff/password/forgot")
    link, _ = only_link(mail[0])
    client.get(path_of(link))
    post(client, "/staff/password/new", {"password": NEW, "confirm": NEW},
         token_from="/staff/password/new")
    assert signed_in.get("/staff/").status_code == 302


def test_an_invitation_sets_the_first_password(app, client, mail, db):
    user = make_user(("safe_contact", None), name="Charlie Dunmore")
    send_invitation(user, None)
    assert len(mail) == 1
    body = mail[0].get_content()
    link, _ = only_link(mail[0])
    assert "Charlie" not in body and "safe_contact" not in body
    client.get(path_of(link))
    page = client.get("/staff/password/new")
    assert b"Choose your password" in page.data
    post(client, "/staff/password/new", {"password": NEW, "confirm": NEW},
         token_from="/staff/password/new")
    assert sign_in(app.test_client(), user.email, NEW).status_code == 303
    assert db.session.scalar(sa.select(AccountToken.purpose)) == "invite"


def test_a_new_link_cancels_the_previous_one(client, staff, mail):
    user = staff()
    for _ in range(2):
        post(client, "/staff/password/forgot", {"email": user.email},
             token_from="/staff/password/forgot")
    first, _ = only_link(mail[0])
    client.get(path_of(first))
    assert client.get("/staff/password/new").status_code == 410


def test_setting_a_password_spends_every_other_link(app, client, mail, db):
    user = make_user(("executive", None))  # invited: no password yet
    send_invitation(user, None)
    invite_link, _ = only_link(mail[0])
    # The person uses "I forgot my password" instead of the invitation.
    post(client, "/staff/password/forgot", {"email": user.email},
         token_from="/staff/password/forgot")
    reset_link, _ = only_link(mail[1])
    client.get(path_of(reset_link))
    done = post(client, "/staff/password/new", {"password": NEW, "confirm": NEW},
                token_from="/staff/password/new")
    assert done.status_code == 303
    # The invitation, found later in the mailbox, no longer sets the password.
    later = app.test_client()
    later.get(path_of(invite_link))
    assert later.get("/staff/password/new").status_code == 410


def test_a_password_change_spends_a_pending_reset_link(app, client, staff, mail):
    user = staff()
    post(client, "/staff/password/forgot", {"email": user.email},
         token_from="/staff/password/forgot")
    reset_link, _ = only_link(mail[0])
    sign_in(client, user.email)
    changed = post(client, "/staff/account/password",
                   {"current_password": PASSWORD, "password": NEW, "confirm": NEW},
                   token_from="/staff/account/password")
    assert changed.status_code == 303
    other = app.test_client()
    other.get(path_of(reset_link))
    assert other.get("/staff/password/new").status_code == 410


def test_a_link_does_not_come_back_to_life_when_the_account_is_reactivated(
    app, client, login_as, mail, db
):
    admin = login_as("admin")
    user = make_user(("executive", None))
    send_invitation(user, None)
    link, _ = only_link(mail[0])
    operations.set_active(admin, user, False)
    operations.set_active(admin, user, True)
    db.session.commit()
    other = app.test_client()
    other.get(path_of(link))
    assert other.get("/staff/password/new").status_code == 410


def test_two_requests_racing_with_one_link_set_one_password(db):
    user = make_user(("executive", None))
    token = operations.issue_token(user, "invite")
    db.session.commit()
    row = operations.live_token(token)
    # Another request has just spent the link; this request's copy does not know yet.
    db.session.execute(sa.update(AccountToken).values(used_at=datetime.now(UTC))
                       .execution_options(synchronize_session=False))
    with pytest.raises(operations.AccountError):
        operations.redeem_token(row, NEW)
    db.session.rollback()
    assert db.session.get(type(user), user.id).password_hash is None


def test_reset_emails_to_one_account_are_capped_without_saying_so(app, staff, mail):
    user = staff()
    for _ in range(5):
        response = post(app.test_client(), "/staff/password/forgot", {"email": user.email},
                        token_from="/staff/password/forgot")
        assert b"If there is a staff account for that address" in response.data
    assert len(mail) == operations.RESET_EMAILS_PER_HOUR == 3


def test_the_reset_email_leaves_after_the_response(app, client, staff, monkeypatch):
    """The page is complete before any mail is sent, and a broken mail server changes nothing
    the visitor sees: neither the words nor the timing say whether the account exists."""
    from hsm import mail as mail_module
    from tests.conftest import free_port

    user = staff()
    order = []
    real_deliver = mail_module._deliver  # noqa: SLF001

    def deliver(message, settings):
        order.append("mail")
        real_deliver(message, settings)

    monkeypatch.setattr(mail_module, "_deliver", deliver)
    monkeypatch.setitem(app.config, "HSM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "HSM_SMTP_PORT", free_port())  # nothing listens there
    token = csrf_token(client, "/staff/password/forgot")
    with client.post(
        "/staff/password/forgot",
        data={"csrf_token": token, "email": user.email},
        buffered=False,
    ) as response:
        assert order == []  # the response exists; the mail has not been tried yet
        body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "If there is a staff account for that address" in body
    assert order == ["mail"]  # tried after the response, and its failure stayed quiet
