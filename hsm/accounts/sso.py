"""Single sign-on: who the identity provider says someone is, and which account that opens.

The provider says who someone is; HSM alone says what they may do. An account is linked to
the provider's (issuer, subject) once, from its invitation link, and after that only that
pair opens it. An email claim never does (Entra ID's ``email`` is mutable and unverified:
the "nOAuth" takeover), and nothing is ever created or granted from claims.

The rules (``identity_from``, ``mfa_asserted``, ``password_allowed``) read no request; the
operations take an explicit actor and write their audit entries. ``hsm/accounts/oidc.py``
talks to the provider (through Authlib); ``hsm/accounts/views/sso.py`` holds the pages.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from hsm import audit
from hsm.accounts import operations, passwords
from hsm.accounts.models import AccountToken, User
from hsm.config import OidcSettings
from hsm.extensions import db
from hsm.i18n import _


class Refusal(enum.StrEnum):
    """Why a sign-in through the provider was refused (the audit log's ``reason``)."""

    DECLINED = "declined"  # the person (or the provider) said no: error=access_denied
    PROVIDER_ERROR = "provider_error"  # any other error the provider sent back
    INVALID_RESPONSE = "invalid_response"  # state, nonce, signature, issuer, audience, expiry
    UNREACHABLE = "unreachable"  # the provider could not be reached
    WRONG_TENANT = "wrong_tenant"
    NO_SUBJECT = "no_subject"
    UNKNOWN_PERSON = "unknown_person"  # no account is linked to this (issuer, subject)
    EMAIL_NOT_LINKED = "email_not_linked"  # the email matches an account linked elsewhere, or not
    INACTIVE = "inactive"  # the account is deactivated in HSM
    LINK_EXPIRED = "link_expired"  # the invitation was used, expired or withdrawn
    ALREADY_LINKED = "already_linked"  # the account, or this person, is linked to another


class SsoRefused(Exception):
    def __init__(self, reason: Refusal, *, audited: bool = False):
        super().__init__(reason.value)
        self.reason = reason
        self.audited = audited


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str


def identity_from(claims: Mapping, settings: OidcSettings) -> Identity:
    """The (issuer, subject) of validated ID token claims, under the pinned issuer and tenant.

    The signature, issuer, audience, expiry and nonce are checked by Authlib before this; the
    issuer is checked here again against the configured one (not only the discovered one).
    """
    if claims.get("iss") != settings.issuer:
        raise SsoRefused(Refusal.INVALID_RESPONSE)
    if settings.tenant_id and claims.get("tid") != settings.tenant_id:
        raise SsoRefused(Refusal.WRONG_TENANT)
    subject = claims.get(settings.subject_claim)
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise SsoRefused(Refusal.NO_SUBJECT)
    return Identity(settings.issuer, subject)


def mfa_asserted(claims: Mapping, settings: OidcSettings) -> bool:
    """Whether the provider says this sign-in used more than one factor (``amr``/``acr``)."""
    amr = claims.get("amr")
    methods = {m for m in amr if isinstance(m, str)} if isinstance(amr, list) else set()
    acr = claims.get("acr")
    return bool(methods & set(settings.mfa_amr)) or (
        isinstance(acr, str) and acr in settings.mfa_acr
    )


def password_allowed(user: User, settings: OidcSettings | None) -> bool:
    """Whether ``user`` may sign in with a password: always without single sign-on (the
    demo); with it, only accounts the administrator marks local (break-glass)."""
    return settings is None or user.password_sign_in


class Method(enum.StrEnum):
    """How someone signs in, as the administrator sees it."""

    SSO = "sso"
    PASSWORD = "password"  # noqa: S105 - a name, not a password
    BOTH = "both"
    NOT_LINKED = "not_linked"


def sign_in_method(user: User, settings: OidcSettings | None) -> Method:
    linked = user.sso_subject is not None
    password = user.password_hash is not None and password_allowed(user, settings)
    if linked and password and settings is not None:
        return Method.BOTH
    if linked and settings is not None:
        return Method.SSO
    if password:
        return Method.PASSWORD
    return Method.NOT_LINKED


# --- operations -----------------------------------------------------------------------------


def linked_user(identity: Identity) -> User | None:
    return db.session.scalar(
        sa.select(User).where(
            User.sso_issuer == identity.issuer, User.sso_subject == identity.subject
        )
    )


def account_for(identity: Identity, email_claim: object) -> User:
    """The account linked to ``identity``; refusals are audited (and committed at once).

    An email claim is only ever used to note, in the audit log, that someone tried to reach
    an account that is not linked to them; it never opens it.
    """
    user = linked_user(identity)
    if user is None:
        usable = isinstance(email_claim, str) and len(email_claim) <= 255 and (
            "\x00" not in email_claim)
        match = operations.find_user(email_claim) if usable else None
        if match is not None:
            refuse(Refusal.EMAIL_NOT_LINKED, user=match)
        refuse(Refusal.UNKNOWN_PERSON)
    if not user.active:
        refuse(Refusal.INACTIVE, user=user)
    return user


def link(token: AccountToken | None, identity: Identity, now: datetime | None = None) -> User:
    """Link the invited account to ``identity`` and spend its invitation.

    Linking turns password sign-in off: a leaver disabled at the provider must not keep a
    way in. The person is their own actor (they hold the invitation and the provider account).
    """
    now = now or datetime.now(UTC)
    if (token is None or token.purpose != "invite" or token.used_at is not None
            or token.expires_at <= now or not token.user.active):
        refuse(Refusal.LINK_EXPIRED)
    user = token.user
    if user.sso_subject is not None or linked_user(identity) is not None:
        refuse(Refusal.ALREADY_LINKED, user=user)
    # One conditional UPDATE: of two callbacks racing with the same invitation, one wins.
    spent = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        refuse(Refusal.LINK_EXPIRED, user=user)
    user.sso_issuer = identity.issuer
    user.sso_subject = identity.subject
    user.sso_linked_at = now
    user.password_sign_in = False
    operations.spend_tokens(user, now=now)
    audit.record("sso.linked", target_type="user", target_id=user.id, actor=user,
                 detail={"issuer": identity.issuer})
    return user


def set_password_sign_in(actor: User, user: User, allowed: bool) -> None:
    """The administrator marks an account local (password sign-in kept) or not; never their
    own (a way in that bypasses the provider is for another administrator to give)."""
    if actor.id == user.id:
        raise operations.AccountError(
            _("You cannot change how you sign in yourself. Ask another administrator."),
            field="password_sign_in")
    if user.password_sign_in == allowed:
        return
    user.password_sign_in = allowed
    audit.record("sso.password_sign_in_allowed" if allowed else "sso.password_sign_in_stopped",
                 target_type="user", target_id=user.id, actor=actor)


def refuse(reason: Refusal, *, user: User | None = None):
    """Audit a refused single sign-on, commit it, and raise ``SsoRefused``."""
    record_refusal(reason, user=user)
    raise SsoRefused(reason, audited=True)


def record_refusal(reason: Refusal, *, user: User | None = None) -> None:
    """The audit entry of a refused single sign-on (no actor: nobody has shown who they
    are), committed at once: the response that follows saves nothing."""
    db.session.rollback()
    audit.record(
        "sso.refused",
        actor=None,
        target_type="user" if user is not None else "account",
        target_id=user.id if user is not None else "",
        detail={"reason": reason.value},
    )
    db.session.commit()


def password_refused(email: str, password: str, settings: OidcSettings | None) -> bool:
    """With single sign-on, a password for an account that is not local is refused (and the
    refusal audited and committed). The password is still hashed against nothing, so the
    answer takes as long as a wrong password; the page says the same as for one."""
    if settings is None:
        return False
    user = operations.find_user(email)
    if user is None or user.password_sign_in:
        return False
    passwords.verify_password(None, password)
    audit.record("login.refused", actor=None, target_type="user", target_id=user.id,
                 detail={"reason": "single_sign_on_only"})
    db.session.commit()
    return True
