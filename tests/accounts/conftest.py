"""Helpers for the accounts tests: real sign-in through the forms, with CSRF tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from tests.factories import make_user
from tests.helpers import post

PASSWORD = "amber-kettle-orbit-meadow-42"


def sign_in(client, email: str, password: str = PASSWORD):
    return post(client, "/staff/login", {"email": email, "password": password})


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

