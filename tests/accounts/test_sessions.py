"""Server-side sessions: limits, ending every session, replayed cookies, cookie flags."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from cryptography.fernet import Fernet

from hsm.accounts.models import StaffSession, User
from hsm.accounts.passwords import verify_password
from hsm.audit import AuditEntry
from hsm.config import load_settings
from tests.accounts.conftest import PASSWORD, sign_in
from tests.helpers import post, second_client


def set_row(db, **values):
    db.session.execute(sa.update(StaffSession).values(**values))
    db.session.commit()


def test_idle_limit_is_30_minutes(client, login_as, db):
    login_as("executive")
    assert client.get("/staff/").status_code == 200
    set_row(db, last_seen_at=datetime.now(UTC) - timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200
    set_row(db, last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
    assert client.get("/staff/").status_code == 302
    row = db.session.scalar(sa.select(StaffSession))
    assert row.ended_at is not None


def test_absolute_limit_is_8_hours_however_active(client, login_as, db):
    login_as("executive")
    now = datetime.now(UTC)
    set_row(db, created_at=now - timedelta(hours=7, minutes=59), last_seen_at=now)
    assert client.get("/staff/").status_code == 200
    set_row(db, created_at=now - timedelta(hours=8, minutes=1), last_seen_at=now)
    assert client.get("/staff/").status_code == 302


def test_sign_in_issues_a_new_session_identity(client, staff):
    user = staff()
    with client.session_transaction() as session:
        session["sid"] = "planted-by-an-attacker"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-an-attacker"


def test_logout_ends_every_session_of_the_user(app, client, staff, db):
    user = staff()
    sign_in(client, user.email)
    other = second_client(app, user, db)
    assert other.get("/staff/").status_code == 200
    post(client, "/staff/logout", token_from="/staff/")
    assert other.get("/staff/").status_code == 302


def test_a_replayed_cookie_is_refused_after_logout(app, client, staff):
    user = staff()
    sign_in(client, user.email)
    with client.session_transaction() as session:
        saved = dict(session)
    post(client, "/staff/logout", token_from="/staff/")
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(saved)
    assert replay.get("/staff/").status_code == 302


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, staff, db):
    user = staff()
    sign_in(client, user.email)
    other = second_client(app, user, db)
    response = post(
        client,
        "/staff/account/password",
        {"current_password": PASSWORD, "password": "quiet harbour violin seven",
         "confirm": "quiet harbour violin seven"},
        token_from="/staff/account/password",
    )
    assert response.status_code == 303
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200
    fresh = app.test_client()
    assert sign_in(fresh, user.email, "quiet harbour violin seven").status_code == 303


def test_password_change_errors_keep_the_form_and_change_nothing(client, staff):
    user = staff()
    sign_in(client, user.email)
    wrong = post(client, "/staff/account/password",
                 {"current_password": "not-it-at-all", "password": "quiet harbour violin seven",
                  "confirm": "quiet harbour violin seven"}, token_from="/staff/account")
    assert b"That is not your current password." in wrong.data
    weak = post(client, "/staff/account/password",
                {"current_password": PASSWORD, "password": "password1234",
                 "confirm": "password1234"}, token_from="/staff/account")
    assert b"too easy to guess" in weak.data
    assert b'href="#password"' in weak.data  # the error summary links to the field
    mismatch = post(client, "/staff/account/password",
                    {"current_password": PASSWORD, "password": "quiet harbour violin seven",
                     "confirm": "quiet harbour violin eight"}, token_from="/staff/account")
    assert b"not the same" in mismatch.data
    assert sign_in(client.application.test_client(), user.email).status_code == 303


def test_cookies_in_production_are_host_prefixed_secure_httponly_strict(app, make_app):
    env = {
        "HSM_PROFILE": "production",
        "HSM_SECRET_KEY": "x" * 40,
        "HSM_FIELD_KEYS": Fernet.generate_key().decode(),
        "HSM_RECEIPT_PEPPER": "pepper",
        "HSM_AUDIT_KEY": "audit-key",
        "HSM_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HSM_BASE_URL": "https://hsm.example.org",
        "HSM_SMTP_HOST": "smtp.example.org",
        "HSM_RATELIMIT_STORAGE_URL": app.config["RATELIMIT_STORAGE_URI"],
    }
    settings = load_settings(env).flask_config()
    prod = make_app(
        {
            "HSM_FIELD_KEYS": app.config["HSM_FIELD_KEYS"],
            **{k: settings[k] for k in settings if k.startswith("SESSION_COOKIE")},
        }
    )
    client = prod.test_client()
    response = client.get("/staff/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-hsm=")
    for flag in ("Secure", "HttpOnly", "Path=/", "SameSite=Strict"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_the_step_between_password_and_code_lasts_10_minutes(client, db):
    import pyotp

    from tests.factories import make_user

    user = make_user(("executive", None), password=PASSWORD)
    user.mfa_secret = pyotp.random_base32()
    db.session.commit()
    assert sign_in(client, user.email).headers["Location"] == "/staff/login/code"
    set_row(db, created_at=datetime.now(UTC) - timedelta(minutes=9))
    assert client.get("/staff/login/code").status_code == 200
    set_row(db, created_at=datetime.now(UTC) - timedelta(minutes=11))
    assert client.get("/staff/login/code").headers["Location"] == "/staff/login"
    assert db.session.scalar(sa.select(StaffSession.ended_at)) is not None


def test_guessing_the_current_password_is_throttled_like_sign_in(client, staff, db):
    user = staff()
    sign_in(client, user.email)
    new = "quiet harbour violin seven"
    for _ in range(5):
        wrong = post(client, "/staff/account/password",
                     {"current_password": "a wrong guess here", "password": new,
                      "confirm": new}, token_from="/staff/account")
        assert b"That is not your current password." in wrong.data
    right = post(client, "/staff/account/password",
                 {"current_password": PASSWORD, "password": new, "confirm": new},
                 token_from="/staff/account")
    assert right.status_code == 200 and b"Too many tries" in right.data
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)  # unchanged
    refused = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert refused.count("password.change_refused") == 5


def test_touching_an_older_session_costs_one_update_and_is_kept(client, login_as, db,
                                                               count_queries):
    login_as("student_services", "uk")
    assert client.get("/staff/reports").status_code == 200
    with count_queries() as fresh:
        assert client.get("/staff/reports").status_code == 200
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    set_row(db, last_seen_at=earlier)
    with count_queries() as touched:
        assert client.get("/staff/reports").status_code == 200
    assert touched.count == fresh.count + 1  # one UPDATE, nothing reloaded
    db.session.expire_all()
    row = db.session.scalar(sa.select(StaffSession))
    assert row.last_seen_at > earlier + timedelta(minutes=4)  # committed by the request
