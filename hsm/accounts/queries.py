"""Reads about staff accounts (no writes here)."""

from __future__ import annotations

import sqlalchemy as sa

from hsm.accounts.models import RoleAssignment, User
from hsm.extensions import db


def addresses_of(role: str, centre: str) -> list[str]:
    """Emails of the active staff who hold ``role`` at ``centre`` or centrally, sorted."""
    stmt = (
        sa.select(User.email)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role == role,
            User.active.is_(True),
            sa.or_(RoleAssignment.centre.is_(None), RoleAssignment.centre == centre),
        )
        .distinct()
        .order_by(User.email)
    )
    return list(db.session.scalars(stmt))
