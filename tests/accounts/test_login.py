"""Signing in: generic failures, the two throttles, CSRF, audit entries, safe redirects."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hsm.accounts.models import SignInFailure
from hsm.audit import AuditEntry
from tests.accounts.conftest import PASSWORD, sign_in
from tests.helpers import csrf_from, post

GENERIC = b"Those details did not work"


def actions(db):
    return [e.action for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_sign_in_starts_a_session_and_is_audited(client, staff, db):
    user = staff()
    response = sign_in(client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert "login.succeeded" in actions(db)


def test_wrong_password_and_unknown_account_get_the_same_message(client, staff, db):
    user = staff()
    wrong = sign_in(client, user.email, "not-the-right-password")
    unknown = sign_in(client, "nobody.here@example.org", "not-the-right-password")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.data and GENERIC in unknown.data
    assert user.email.encode() in wrong.data  # the email typed is kept
    assert b"not-the-right-password" not in wrong.data  # the password is not
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "login.failed").order_by(AuditEntry.id)
    ).all()
    assert [e.target_id for e in entries] == [str(user.id), ""]
    unknown_detail = entries[1].detail
    assert "nobody.here" not in unknown_detail and "unknown" in unknown_detail


def test_a_page_with_a_mistake_says_so_first_in_its_title(client, staff):
    """WCAG 3.3.1: a screen reader hears "Error:" before the page's name, on every form page
    (the title's prefix is set once, in base.html)."""
    user = staff()
    assert b"<title>Sign in \xc2\xb7" in client.get("/staff/login").data
    wrong = sign_in(client, user.email, "not-the-right-password")
    assert b"<title>Error: Sign in \xc2\xb7" in wrong.data
    empty = post(client, "/staff/login", {"email": "", "password": ""})
    assert b"<title>Error: Sign in \xc2\xb7" in empty.data
    forgot = post(client, "/staff/password/forgot", {"email": ""})
    assert forgot.status_code == 200, forgot.status_code
    assert b"<title>Error: " in forgot.data and forgot.data.count(b"Error: ") >= 1
    assert b"<title>Error: Error:" not in forgot.data


def test_an_inactive_account_cannot_sign_in_and_gets_the_same_message(client, staff):
    user = staff(active=False)
    response = sign_in(client, user.email)
    assert GENERIC in response.data
    assert client.get("/staff/").status_code == 302


def test_sixth_failure_from_one_address_is_refused_even_with_the_right_password(
    client, staff, db
):
    user, other = staff(), staff()
    for _ in range(5):
        assert GENERIC in sign_in(client, user.email, "wrong-password-guess").data
    refused = sign_in(client, user.email, PASSWORD)
    assert GENERIC in refused.data  # same words: the refusal reveals nothing
    assert client.get("/staff/").status_code == 302
    assert "login.throttled" in actions(db)

    # Another account is not affected.
    assert sign_in(client, other.email).status_code == 303

    # Once the window has passed, the right password works again from there.
    db.session.execute(
        sa.update(SignInFailure).values(failed_at=datetime.now(UTC) - timedelta(minutes=16))
    )
    db.session.commit()
    other_client = client.application.test_client()
    assert sign_in(other_client, user.email).status_code == 303


def test_the_per_address_limit_answers_429(client):
    token = csrf_from(client.get("/staff/login").data)
    statuses = [
        client.post("/staff/login", data={"csrf_token": token, "email": f"n{i}@example.org",
                                          "password": "whatever-it-is"}).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    # The limit applies to POSTs only: the page itself still loads.
    assert client.get("/staff/login").status_code == 200


def test_login_refuses_a_post_without_its_csrf_token(client, staff):
    user = staff()
    response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_logout_refuses_a_post_without_its_csrf_token(client, staff):
    user = staff()
    sign_in(client, user.email)
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200  # still signed in
    assert client.get("/staff/logout").status_code == 405  # never on GET


def test_logout_clears_site_data_and_the_session(client, staff, db):
    user = staff()
    sign_in(client, user.email)
    response = post(client, "/staff/logout", token_from="/staff/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/signed-out"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/staff/").status_code == 302
    assert "logout" in actions(db)


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, staff):
    user = staff()
    client.get("/staff/account")
    assert sign_in(client, user.email).headers["Location"] == "/staff/account"
    with client.session_transaction() as session:
        session.clear()
        session["next_path"] = "//evil.example/"
    assert sign_in(client, user.email).headers["Location"] == "/staff/"


def test_anonymous_redirect_carries_the_exact_security_headers(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_anonymous_htmx_request_gets_401_and_hx_redirect(client):
    response = client.get("/staff/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/staff/login"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data == b""  # never a login page swapped into a card


def test_the_login_page_speaks_dutch_and_french(app):
    for lang, heading, error in (
        ("nl", "Inloggen bij Safe Support", "Vul je e-mailadres in."),
        ("fr", "Se connecter à Safe Support", "Saisissez votre adresse e-mail."),
    ):
        client = app.test_client()
        page = client.get(f"/staff/login?lang={lang}")
        assert heading in page.data.decode()
        token = csrf_from(page.data)
        response = client.post("/staff/login", data={"csrf_token": token, "email": "",
                                                     "password": ""})
        assert error in response.data.decode()


def test_a_throttled_attempt_is_not_put_in_the_account_holders_name(client, staff, db):
    user = staff()
    for _ in range(6):
        sign_in(client, user.email, "wrong-password-guess")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login.throttled"))
    assert entry.target_id == str(user.id)
    assert entry.actor_id is None and entry.actor_label == ""


def test_a_too_long_email_gets_a_plain_message_in_the_users_language(app):
    client = app.test_client()
    token = csrf_from(client.get("/staff/login?lang=nl").data)
    response = client.post("/staff/login", data={"csrf_token": token,
                                                 "email": "a" * 300 + "@example.org",
                                                 "password": "whatever"})
    assert response.status_code == 200
    assert "Dit mag hoogstens 255 tekens lang zijn." in response.data.decode()
