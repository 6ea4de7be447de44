"""Staff users, their role assignments, server-side sessions, MFA and one-time tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hsm.crypto import EncryptedText
from hsm.extensions import UTCDateTime, db


class User(db.Model):
    __tablename__ = "user"
    __table_args__ = (sa.UniqueConstraint("sso_issuer", "sso_subject", name="uq_user_sso"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # TOTP: the confirmed secret (the one being enrolled waits, encrypted, in the session).
    mfa_secret: Mapped[str | None] = mapped_column(EncryptedText)
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last TOTP time step accepted: a code for this step or an earlier one is a replay.
    mfa_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Failed passwords and codes since the last full sign-in, and how many there were before
    # it (what the owner is shown after signing in): counts only, never where they came from.
    failures_since_sign_in: Mapped[int] = mapped_column(default=0, server_default="0")
    failures_before_sign_in: Mapped[int] = mapped_column(default=0, server_default="0")
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Single sign-on (hsm/accounts/sso.py): the provider's (issuer, subject) this account is
    # linked to, once, through its invitation; and whether the password may still be used
    # while single sign-on is configured (the administrator marks break-glass accounts local).
    sso_issuer: Mapped[str | None] = mapped_column(sa.String(255))
    sso_subject: Mapped[str | None] = mapped_column(sa.String(255))
    sso_linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_sign_in: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return self.active

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_secret is not None

    def get_id(self) -> str:
        return str(self.id)

    def role_scopes(self) -> list[tuple[str, str | None]]:
        """(role, centre slug or None for central) for each assignment."""
        return [(r.role, r.centre) for r in self.roles]

    def has_role(self, role: str, centre: str | None = None) -> bool:
        return any(
            r.role == role and (centre is None or r.centre in (None, centre)) for r in self.roles
        )


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (sa.UniqueConstraint("user_id", "role", "centre", name="uq_role_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(40))
    # None: central (every centre).
    centre: Mapped[str | None] = mapped_column(sa.String(40))

    user: Mapped[User] = relationship(back_populates="roles")


class StaffSession(db.Model):
    """A signed-in session. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mfa_passed: Mapped[bool] = mapped_column(default=False)
    # A single sign-on session lasts until ``expires_at`` (HSM_OIDC_SESSION_HOURS), then the
    # provider is asked again; a password session has the fixed absolute limit.
    via_sso: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time MFA recovery code; only its hash is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInFailure(db.Model):
    """A failed password or code for a known account, kept for the throttle.

    ``address_key`` is a keyed hash of the client address (``hashed_remote_address``), never
    the address itself: the throttle locks an (account, address) pair quickly and the whole
    account only at a much higher count, so nobody can keep someone else locked out.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        sa.Index("ix_sign_in_failure_user_at", "user_id", "failed_at"),
        sa.Index("ix_sign_in_failure_user_address_at", "user_id", "address_key", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    address_key: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoleGrant(db.Model):
    """A grant of a role that reads content, asked for by one person and decided by another.

    It gives nothing while it waits: the ``RoleAssignment`` is made only when a second person
    (a holder of ``APPROVE_GRANTS``, never the one who asked) approves it. A decided grant is
    kept as the record of who asked and who approved or refused.
    """

    __tablename__ = "role_grant"
    __table_args__ = (sa.Index("ix_role_grant_pending", "decided_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(40))
    centre: Mapped[str | None] = mapped_column(sa.String(40))
    # None: asked for from the command line.
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "approved", "refused", or None while it waits.
    outcome: Mapped[str | None] = mapped_column(sa.String(20))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])


class AccountToken(db.Model):
    """A single-use emailed link (password reset or invitation); only the token's hash is kept."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
