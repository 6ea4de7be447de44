"""Helpers every area's tests share: CSRF tokens read from real pages, posting like a browser,
and second sessions. Fixtures live in conftest.py; these are plain functions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp

from hsm.accounts.sessions import new_session_payload

# A form field (prefixed or not) or the body's data-hx-headers JSON.
TOKEN_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_from(html: str | bytes) -> str:
    """The CSRF token printed in a page (a form field, or the body's hx-headers)."""
    text = html.decode() if isinstance(html, bytes) else html
    match = TOKEN_RE.search(text)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def csrf_token(client, url: str) -> str:
    """A CSRF token for this client's session, read from the page at ``url``."""
    return csrf_from(client.get(url).data)


def post(client, path: str, data: dict | None = None, *, token_from: str = "/staff/login",
         **kwargs):
    """POST like a browser: first read a fresh CSRF token from a page of this session."""
    token = csrf_token(client, token_from)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def post_prefixed(client, path: str, prefix: str, data: dict, *, token_from: str):
    """POST one of several forms on a page, whose fields (CSRF included) carry ``prefix``."""
    token = csrf_token(client, token_from)
    fields = {f"{prefix}-{name}": value for name, value in {"csrf_token": token, **data}.items()}
    return client.post(path, data=fields)


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
