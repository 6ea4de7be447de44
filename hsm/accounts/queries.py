"""Reads about staff accounts and the audit log (no writes here), and the one user loader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from hsm.accounts.models import RoleAssignment, RoleGrant, User
from hsm.audit import AuditEntry
from hsm.extensions import db
from hsm.security import Permission, can, deny


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


def load_user_for(actor: User, user_id: int) -> User:
    """The user an administrator works on; 404 when absent or when the actor may not."""
    user = db.session.get(User, user_id)
    if user is None or not can(Permission.MANAGE_USERS, user=actor):
        deny("user_not_found", status=404)
    return user


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.name, User.id)))


# --- the audit log -------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None
    centre: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def audit_actions() -> list[str]:
    """Every action the log holds, for the filter."""
    return list(db.session.scalars(
        sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ))


def _audit_query(filters: AuditFilters) -> sa.Select:
    query = sa.select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        query = query.where(
            sa.func.lower(AuditEntry.actor_label).contains(filters.actor.strip().lower(),
                                                            autoescape=True)
        )
    if filters.centre:
        query = query.where(AuditEntry.centre == filters.centre)
    if filters.date_from:
        query = query.where(
            AuditEntry.created_at >= datetime.combine(filters.date_from, time.min, UTC)
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to, time.min, UTC) + timedelta(days=1)
        query = query.where(AuditEntry.created_at < end)
    return query


def audit_page(filters: AuditFilters, page: int) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, and whether a next page exists."""
    rows = db.session.scalars(
        _audit_query(filters)
        .order_by(AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE + 1)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    return list(rows[:AUDIT_PAGE_SIZE]), len(rows) > AUDIT_PAGE_SIZE


# --- grants of roles that read content, waiting for a second person ------------------------


def pending_grants() -> list[RoleGrant]:
    """Every grant that waits, oldest first, with the people it names."""
    return list(db.session.scalars(
        sa.select(RoleGrant).where(RoleGrant.outcome.is_(None))
        .options(joinedload(RoleGrant.user).options(lazyload(User.roles)),
                 joinedload(RoleGrant.requested_by).options(lazyload(User.roles)))
        .order_by(RoleGrant.requested_at, RoleGrant.id)
    ).unique())


def load_grant_for(actor: User, grant_id: int) -> RoleGrant:
    """A grant the actor may decide on; 404 when absent or when the actor may not."""
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or not can(Permission.APPROVE_GRANTS, user=actor):
        deny("grant_not_found", status=404)
    return grant
