"""Factories for test data. Each returns a saved object; pass what matters to the test."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hsm.accounts.models import RoleAssignment, User
from hsm.accounts.passwords import hash_password
from hsm.extensions import db

_counter = itertools.count(1)


def make_user(
    *roles: tuple[str, str | None] | str,
    email: str | None = None,
    name: str | None = None,
    password: str | None = None,
    active: bool = True,
) -> User:
    """A staff user holding ``roles``: each a role name, or (role, centre slug or None)."""
    n = next(_counter)
    user = User(
        email=email or f"staff{n}@example.org",
        name=name or f"Test Person {n}",
        active=active,
        created_at=datetime.now(UTC),
    )
    if password is not None:
        user.password_hash = hash_password(password)
    for role in roles:
        role_name, centre = (role, None) if isinstance(role, str) else role
        user.roles.append(RoleAssignment(role=role_name, centre=centre))
    db.session.add(user)
    db.session.commit()
    return user
