"""Helpers for the accounts tests: real sign-in through the forms, with CSRF tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest

from hsm.accounts.sessions import new_session_payload
from tests.factories import make_user

PASSWORD = "amber-kettle-orbit-meadow-42"
TOKEN_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_from(html: str | bytes) -> str:
    """The CSRF token printed in a page (form field or the body's hx-headers)."""
    text = html.decode() if isinstance(html, bytes) else html
    match = TOKEN_RE.search(text)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def post(client, path: str, data: dict | None = None, *, token_from: str = "/staff/login",
         **kwargs):
    """POST like a browser: first read a fresh CSRF token from a page of this session."""
    token = csrf_from(client.get(token_from).data)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def sign_in(client, email: str, password: str = PASSWORD):
    return post(client, "/staff/login", {"email": email, "password": password})


def second_client(app, user, db):
    """Another browser signed in as the same user."""
    other = app.test_client()
    payload = new_session_payload(user)
    db.session.commit()
    with other.session_transaction() as session:
        session.update(payload)
    return other


def totp_now(user, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(user.mfa_secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC)) + offset_steps)


@pytest.fixture
def staff():
    """A signed-out user with a password, holding one role."""

    def make(*roles, **kwargs):
        kwargs.setdefault("password", PASSWORD)
        return make_user(*(roles or (("student_services", "uk"),)), **kwargs)

    return make


@pytest.fixture
def mfa_user(staff, db):
    """A user with TOTP switched on (the secret is known to the test)."""
    user = staff()
    user.mfa_secret = pyotp.random_base32()
    user.mfa_enabled_at = datetime.now(UTC)
    db.session.commit()
    return user


def post_prefixed(client, path: str, prefix: str, data: dict, *, token_from: str):
    """POST one of several forms on a page, whose fields (CSRF included) carry ``prefix``."""
    token = csrf_from(client.get(token_from).data)
    fields = {f"{prefix}-{name}": value for name, value in {"csrf_token": token, **data}.items()}
    return client.post(path, data=fields)
