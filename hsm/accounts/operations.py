"""Every change to an account, taking an explicit actor and writing its audit entry.

Views call these; these never read ``request`` or ``g``. The caller commits (one commit per
request), except where a refusal must be recorded even though nothing else is saved.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm.attributes import set_committed_value

from hsm import audit
from hsm.accounts import grant_mail, mfa, passwords
from hsm.accounts.models import (
    AccountToken,
    RecoveryCode,
    RoleAssignment,
    RoleGrant,
    SignInFailure,
    User,
)
from hsm.accounts.sessions import end_all_sessions
from hsm.extensions import db
from hsm.i18n import _
from hsm.security import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    role_is_centre_scoped,
    role_reads_content,
)
from hsm.tokens import new_token, token_hash

# The throttle (finding 6 of the outside test): failures are counted per account *and* per
# client address (a keyed hash of it). A few wrong tries lock that pair, so the owner signing
# in from elsewhere is not refused; the account as a whole is slowed only at a count no owner
# reaches by mistyping and an attacker at one address cannot reach.
FAILURE_WINDOW = timedelta(minutes=15)
PAIR_FAILURES_ALLOWED = 5  # the 6th try from one address inside the window is refused
ACCOUNT_FAILURES_ALLOWED = 100  # from every address together
TOKEN_LIFETIME = {"reset": timedelta(hours=1), "invite": timedelta(days=3)}
# Reset emails per account per hour: enough for a lost email, too few to flood a mailbox.
RESET_EMAILS_PER_HOUR = 3


class AccountError(ValueError):
    """A change that the rules refuse; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field



def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def keyed_hash(value: str, key: str) -> str:
    """A short keyed hash, so the log can link attempts without holding what was typed."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:16]


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


# --- the throttle: per (account, address), and per account at a much higher count ---------


def recent_failures(user: User, address_key: str, now: datetime | None = None) -> tuple[int, int]:
    """Failures inside the window: (from this address, from every address)."""
    since = _now(now) - FAILURE_WINDOW
    from_here, total = db.session.execute(
        sa.select(
            sa.func.count(SignInFailure.id).filter(SignInFailure.address_key == address_key),
            sa.func.count(SignInFailure.id),
        ).where(SignInFailure.user_id == user.id, SignInFailure.failed_at > since)
    ).one()
    return from_here, total


def is_throttled(user: User, address_key: str, now: datetime | None = None) -> bool:
    from_here, total = recent_failures(user, address_key, now)
    return from_here >= PAIR_FAILURES_ALLOWED or total >= ACCOUNT_FAILURES_ALLOWED


def _record_failure(user: User, address_key: str, now: datetime) -> None:
    db.session.add(SignInFailure(user_id=user.id, address_key=address_key, failed_at=now))
    # Told to the owner at their next sign-in (one UPDATE: concurrent failures all count).
    db.session.execute(
        sa.update(User).where(User.id == user.id)
        .values(failures_since_sign_in=User.failures_since_sign_in + 1)
        .execution_options(synchronize_session=False)
    )
    # Failures older than the window no longer count; keep the table small.
    db.session.execute(
        sa.delete(SignInFailure).where(
            SignInFailure.user_id == user.id, SignInFailure.failed_at < now - FAILURE_WINDOW
        )
    )


# --- signing in -----------------------------------------------------------------------------


class SignIn(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignIn
    user: User | None = None


def authenticate(
    email: str, password: str, *, hash_key: str, address_key: str, now: datetime | None = None
) -> SignInResult:
    """Check a password. Failures and refusals are audited and committed at once.

    ``address_key``: the keyed hash of the client address (never the address).
    """
    now = _now(now)
    user = find_user(email)
    usable = user is not None and user.active and user.password_hash is not None
    if usable and is_throttled(user, address_key, now):
        # No actor: whoever is trying has not shown they are the account holder.
        audit.record("login.throttled", actor=None, target_type="user", target_id=user.id)
        db.session.commit()
        return SignInResult(SignIn.THROTTLED)
    ok = passwords.verify_password(user.password_hash if usable else None, password)
    if not (usable and ok):
        if user is not None:
            _record_failure(user, address_key, now)
            audit.record(
                "login.failed",
                actor=None,
                target_type="user",
                target_id=user.id,
                detail={"reason": "password" if usable else "inactive_or_no_password"},
            )
        else:
            audit.record(
                "login.failed",
                actor=None,
                target_type="account",
                detail={"account": "unknown", "email_hash": keyed_hash(email.lower(), hash_key)},
            )
        db.session.commit()
        return SignInResult(SignIn.FAILED)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return SignInResult(SignIn.OK, user)


def record_login(user: User, *, method: str, now: datetime | None = None) -> int:
    """A full sign-in: audited; returns how many failed tries there were since the last one.

    That count moves to ``failures_before_sign_in`` (the account page shows it) and the
    running count starts again from zero.
    """
    # One UPDATE (its SET reads the row as it was), so a failure recorded meanwhile is
    # neither lost nor counted twice.
    db.session.execute(
        sa.update(User).where(User.id == user.id)
        .values(failures_before_sign_in=User.failures_since_sign_in, failures_since_sign_in=0,
                last_sign_in_at=_now(now))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failures_before_sign_in", "failures_since_sign_in",
                              "last_sign_in_at"])
    failures = user.failures_before_sign_in
    audit.record("login.succeeded", target_type="user", target_id=user.id, actor=user,
                 detail={"second_factor": method, "failures_before": failures})
    return failures


def check_second_factor(
    user: User, code: str, *, address_key: str, now: datetime | None = None
) -> SignInResult:
    """Check a TOTP or a recovery code for a user who has passed the password step."""
    now = _now(now)
    if is_throttled(user, address_key, now):
        audit.record("mfa.throttled", target_type="user", target_id=user.id, actor=user)
        db.session.commit()
        return SignInResult(SignIn.THROTTLED)
    method = ""
    if user.mfa_secret and (
        step := mfa.matching_step(user.mfa_secret, code, now, user.mfa_last_step)
    ) is not None and _claim_step(user, step):
        method = "totp"
    elif mfa.looks_like_recovery_code(code) and _use_recovery_code(user, code, now):
        method = "recovery_code"
    if not method:
        _record_failure(user, address_key, now)
        audit.record("mfa.failed", target_type="user", target_id=user.id, actor=user)
        db.session.commit()
        return SignInResult(SignIn.FAILED)
    if method == "recovery_code":
        audit.record("mfa.recovery_code_used", target_type="user", target_id=user.id, actor=user)
    return SignInResult(SignIn.OK, user)


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as the last one used, unless another request already used it or a later one.

    A single conditional UPDATE, so two requests racing with the same code cannot both pass.
    """
    result = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.mfa_last_step.is_(None), User.mfa_last_step < step),
        )
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "mfa_last_step", step)  # already written: no second UPDATE
    return True


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    # A single UPDATE, so two requests cannot both spend the same code.
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == mfa.hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


# --- MFA enrolment --------------------------------------------------------------------------


def confirm_enrolment(
    user: User, secret: str | None, code: str, now: datetime | None = None
) -> list[str]:
    """Switch MFA on once a first code for ``secret`` matches; return the recovery codes."""
    now = _now(now)
    step = mfa.matching_step(secret, code, now) if secret else None
    if step is None:
        raise AccountError(
            _("That code did not work. Check the time on your phone, then enter the newest "
              "6-digit code from your app."),
            field="code",
        )
    replacing = user.mfa_enabled
    user.mfa_secret = secret
    user.mfa_enabled_at = now
    user.mfa_last_step = step
    codes = replace_recovery_codes(user)
    audit.record("mfa.replaced" if replacing else "mfa.enabled", target_type="user",
                 target_id=user.id, actor=user)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = mfa.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=mfa.hash_recovery_code(c)) for c in codes
    )
    return codes


def new_recovery_codes(user: User) -> list[str]:
    codes = replace_recovery_codes(user)
    audit.record("mfa.recovery_codes_replaced", target_type="user", target_id=user.id, actor=user)
    return codes


def disable_mfa(actor: User, user: User) -> None:
    _clear_mfa(user)
    audit.record("mfa.disabled", target_type="user", target_id=user.id, actor=actor)


def reset_mfa(actor: User, user: User) -> None:
    """An administrator clears someone's lost phone and codes; they set it up at next sign-in.

    Their sessions end, so whoever holds the lost phone (and a session) is out at once.
    """
    if user.id == actor.id:
        raise AccountError(
            _("You cannot reset your own two-step sign-in here. Ask another administrator."),
            field="mfa",
        )
    if not user.mfa_enabled:
        raise AccountError(_("This person has not set up two-step sign-in."), field="mfa")
    _clear_mfa(user)
    end_all_sessions(user.id)
    audit.record("mfa.reset", target_type="user", target_id=user.id, actor=actor)


def _clear_mfa(user: User) -> None:
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- passwords and emailed links ------------------------------------------------------------


def check_current_password(
    user: User,
    password: str,
    now: datetime | None = None,
    *,
    address_key: str,
    refused_action: str = "password.change_refused",
    detail: dict[str, str] | None = None,
) -> None:
    """Before a signed-in change: the current password, under the same throttle as sign-in.

    Someone who found a session left open cannot try passwords without limit. A wrong
    password is audited (as ``refused_action``) and committed at once (the caller saves
    nothing else).
    """
    now = _now(now)
    if is_throttled(user, address_key, now):
        raise AccountError(
            _("Too many tries. Please wait 15 minutes, then try again."),
            field="current_password",
        )
    if not passwords.verify_password(user.password_hash, password):
        _record_failure(user, address_key, now)
        audit.record(refused_action, target_type="user", target_id=user.id, actor=user,
                     detail=detail)
        db.session.commit()
        raise AccountError(_("That is not your current password."), field="current_password")


def change_password(actor: User | None, user: User, new_password: str, *, reason: str) -> None:
    """Set a new password and end every session of the user (the caller starts a new one)."""
    problem = passwords.password_problem(new_password, (user.email, user.name))
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = passwords.hash_password(new_password)
    end_all_sessions(user.id)
    spend_tokens(user)
    audit.record(f"password.{reason}", target_type="user", target_id=user.id, actor=actor)



def spend_tokens(user: User, purpose: str | None = None, now: datetime | None = None) -> None:
    """Stop every unused emailed link of ``user`` (of one ``purpose``, or all) from working.

    A password change or reset spends them all, so that an old invitation or reset email
    found later in a mailbox cannot set the password again.
    """
    query = sa.update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.used_at.is_(None)
    )
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose)
    db.session.execute(query.values(used_at=_now(now)))


def issue_token(user: User, purpose: str, now: datetime | None = None) -> str:
    """A new single-use token; earlier unused tokens for the same purpose stop working."""
    now = _now(now)
    spend_tokens(user, purpose, now)
    token, stored_hash = new_token()
    db.session.add(
        AccountToken(
            token_hash=stored_hash,
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME[purpose],
        )
    )
    return token


def may_send_reset(user: User, now: datetime | None = None) -> bool:
    """Whether another reset email may go to ``user`` (a few per hour, whoever asks)."""
    since = _now(now) - timedelta(hours=1)
    sent = db.session.scalar(
        sa.select(sa.func.count(AccountToken.id)).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == "reset",
            AccountToken.created_at > since,
        )
    )
    return sent < RESET_EMAILS_PER_HOUR


def live_token(token: str | None, now: datetime | None = None) -> AccountToken | None:
    """The unused, unexpired token row for ``token`` (of an active user), or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == token_hash(token))
    )
    if (
        row is None
        or row.used_at is not None
        or row.expires_at <= _now(now)
        or not row.user.active
    ):
        return None
    return row


def redeem_token(row: AccountToken, new_password: str, now: datetime | None = None) -> User:
    """Set the password through an emailed link, and spend the link (and every other one)."""
    user = row.user
    problem = passwords.password_problem(new_password, (user.email, user.name))
    if problem:
        raise AccountError(problem, field="password")
    # One conditional UPDATE: of two requests racing with the same link, only one wins.
    spent = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=_now(now))
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise AccountError(
            _("This link has just been used. If that was not you, ask for a new link."),
            field="password",
        )
    change_password(None, user, new_password,
                    reason="reset" if row.purpose == "reset" else "first_set")
    return user


# --- administration -------------------------------------------------------------------------


def check_staff_email(email: str, allowed_domains: tuple[str, ...]) -> str:
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError(
            _("Enter an email address in the right format, like name@example.org."),
            field="email",
        ) from None
    if address.rsplit("@", 1)[1] not in allowed_domains:
        raise AccountError(
            _("Use a staff email address ending in %(domains)s.",
              domains=", ".join("@" + d for d in allowed_domains)),
            field="email",
        )
    return address


# Providers that deliver every address with dots in the local part to the same mailbox, and
# the domains that are one (googlemail.com is gmail.com).
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
DOTS_IGNORED = frozenset({"gmail.com"})


def mailbox_of(address: str) -> str:
    """The mailbox ``address`` delivers to: without its ``+tag``, and without dots where the
    provider ignores them. ``Admin+sg@example.org`` reaches ``admin@example.org``."""
    local, _, domain = address.strip().lower().rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def account_sharing_mailbox(address: str) -> User | None:
    """An existing account whose address reaches the same mailbox as ``address``, or None."""
    mailbox = mailbox_of(address)
    domain = mailbox.rpartition("@")[2]
    domains = {domain} | {alias for alias, to in DOMAIN_ALIASES.items() if to == domain}
    candidates = db.session.scalars(
        sa.select(User).where(sa.or_(*(User.email.endswith("@" + d, autoescape=True)
                                       for d in sorted(domains))))
    )
    return next((u for u in candidates if mailbox_of(u.email) == mailbox), None)


def create_user(
    actor: User | None,
    *,
    name: str,
    email: str,
    allowed_domains: tuple[str, ...],
    role: str | None = None,
    centre: str | None = None,
) -> User:
    """Create an account (without a password: it is set through the invitation link).

    With a role that reads content, the role waits for a second person (``assign_role``).
    """
    address = check_staff_email(email, allowed_domains)
    if find_user(address) is not None:
        raise AccountError(_("There is already an account with this email address."),
                           field="email")
    if account_sharing_mailbox(address) is not None:
        # admin+sg@… would reach the admin's own mailbox: one person, two accounts.
        raise AccountError(
            _("This address reaches the same mailbox as an existing account: only a "
              "“+” part or dots make it different. Each account needs a mailbox of "
              "its own: use the person's own address."),
            field="email",
        )
    name = name.strip()
    if not name:
        raise AccountError(_("Enter the person's name."), field="name")
    user = User(email=address, name=name, active=True, created_at=datetime.now(UTC))
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", target_type="user", target_id=user.id, actor=actor)
    if role:
        assign_role(actor, user, role, centre)
    return user


# --- roles, and the second person on a role that reads content ------------------------------


def assign_role(
    actor: User | None, user: User, role: str, centre: str | None, now: datetime | None = None
) -> RoleAssignment | RoleGrant:
    """Give ``user`` a role; one that reads content only waits for a second person.

    Returns the assignment, or the pending ``RoleGrant`` that gives nothing until another
    person approves it (``approve_grant``). Every holder of the role, and everyone who can
    approve, is emailed a link.
    """
    role, centre = _check_assignable(actor, user, role, centre)
    if role_reads_content(role):
        grant = RoleGrant(user_id=user.id, role=str(role), centre=centre,
                          requested_by_id=actor.id if actor else None, requested_at=_now(now))
        db.session.add(grant)
        db.session.flush()
        audit.record("role.requested", target_type="user", target_id=user.id, centre=centre,
                     actor=actor, detail={"role": str(role), "grant": grant.id})
        grant_mail.tell_requested(grant)
        return grant
    return _assign(actor, user, role, centre)


def _check_assignable(
    actor: User | None, user: User, role: str, centre: str | None
) -> tuple[Role, str | None]:
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(_("Choose a role from the list."), field="role") from None
    centre = centre or None
    if role_is_centre_scoped(role) and centre is None:
        raise AccountError(_("This role is held at one centre. Choose the centre."),
                           field="centre")
    if not role_is_centre_scoped(role) and centre is not None:
        raise AccountError(
            _("This role covers every centre. Choose \u201cAll centres\u201d."), field="centre"
        )
    if any(r.role == role and r.centre == centre for r in user.roles):
        raise AccountError(_("This person already holds this role there."), field="role")
    waiting = pending_grants_of(user)
    if any(g.role == role and g.centre == centre for g in waiting):
        raise AccountError(_("This role already waits for a second person's approval for this "
                             "person."), field="role")
    if actor is not None and actor.id == user.id:
        raise AccountError(
            _("You cannot give yourself a role. Ask another administrator."), field="role"
        )
    if _breaks_separation(role, {r.role for r in user.roles} | {g.role for g in waiting}):
        raise AccountError(
            _("An administrator cannot also hold a role that opens reports, cases, equality "
              "data or the audit log. Use a separate account for that work."),
            field="role",
        )
    return role, centre


def _assign(actor: User | None, user: User, role: Role, centre: str | None, *,
            action: str = "role.assigned", detail: dict | None = None) -> RoleAssignment:
    assignment = RoleAssignment(role=str(role), centre=centre)
    user.roles.append(assignment)
    db.session.flush()
    audit.record(action, target_type="user", target_id=user.id, centre=centre,
                 actor=actor, detail={"role": str(role), **(detail or {})})
    return assignment


def pending_grants_of(user: User) -> list[RoleGrant]:
    return list(db.session.scalars(
        sa.select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.outcome.is_(None))
        .order_by(RoleGrant.id)))


def approve_grant(actor: User, grant: RoleGrant, now: datetime | None = None) -> RoleAssignment:
    """The second person approves: only now does the role open anything.

    Refused (with its reason, audited and committed) when ``actor`` asked for it or would
    receive it; the role's rules are checked again, as the account may have changed.
    """
    if grant.outcome is not None:
        raise AccountError(_("This request has already been decided."), field="grant")
    reason = None
    if grant.requested_by_id is not None and grant.requested_by_id == actor.id:
        reason = ("own_request", _("You asked for this role to be given, so another person "
                                   "must approve it."))
    elif grant.user_id == actor.id:
        reason = ("own_grant", _("This role is for you, so another person must approve it."))
    if reason:
        audit.record("role.approval_refused", target_type="user", target_id=grant.user_id,
                     centre=grant.centre, actor=actor,
                     detail={"role": grant.role, "grant": grant.id, "reason": reason[0]})
        db.session.commit()
        raise AccountError(reason[1], field="grant")
    user = grant.user
    if not user.active:
        raise AccountError(_("This account is deactivated. Refuse the request, or ask an "
                             "administrator to reactivate the account first."), field="grant")
    role = Role(grant.role)
    if any(r.role == role and r.centre == grant.centre for r in user.roles):
        raise AccountError(_("This person already holds this role there."), field="grant")
    if _breaks_separation(role, {r.role for r in user.roles}):
        raise AccountError(
            _("An administrator cannot also hold a role that opens reports, cases, equality "
              "data or the audit log. Use a separate account for that work."),
            field="grant",
        )
    _decide(actor, grant, "approved", now)
    assignment = _assign(actor, user, role, grant.centre,
                         detail={"grant": grant.id, "approved": True})
    audit.record("role.approved", target_type="user", target_id=user.id, centre=grant.centre,
                 actor=actor, detail={"role": grant.role, "grant": grant.id})
    grant_mail.tell_approved(grant)
    return assignment


def refuse_grant(actor: User, grant: RoleGrant, now: datetime | None = None) -> None:
    """The second person says no: the grant is closed and the account gets nothing."""
    if grant.outcome is not None:
        raise AccountError(_("This request has already been decided."), field="grant")
    _decide(actor, grant, "refused", now)
    audit.record("role.refused", target_type="user", target_id=grant.user_id,
                 centre=grant.centre, actor=actor, detail={"role": grant.role, "grant": grant.id})


def _decide(actor: User, grant: RoleGrant, outcome: str, now: datetime | None) -> None:
    """One conditional UPDATE: of two people deciding at once, only the first counts."""
    decided = db.session.execute(
        sa.update(RoleGrant)
        .where(RoleGrant.id == grant.id, RoleGrant.outcome.is_(None))
        .values(outcome=outcome, decided_by_id=actor.id, decided_at=_now(now))
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise AccountError(_("This request has already been decided."), field="grant")
    db.session.refresh(grant)


def bootstrap_grant(user: User, role: str, centre: str | None = None) -> RoleAssignment:
    """The very first person who can approve grants, from the command line (audited).

    Only for a role that approves grants, and only while no active account holds one: from
    then on, every role that reads content waits for that person (or another) to approve it.
    """
    checked, centre = _check_assignable(None, user, role, centre)
    if Permission.APPROVE_GRANTS not in ROLE_PERMISSIONS[checked]:
        raise AccountError(_("Only a role that approves other roles can be given this way."),
                           field="role")
    if db.session.scalar(approvers_query().limit(1)) is not None:
        raise AccountError(_("Someone can already approve roles: give the role in the app, "
                             "and they approve it."), field="role")
    return _assign(None, user, checked, centre, action="role.bootstrapped")


def approvers_query() -> sa.Select:
    """Active accounts holding a role that approves grants (read from the permission table)."""
    roles = [str(r) for r, granted in ROLE_PERMISSIONS.items()
             if Permission.APPROVE_GRANTS in granted]
    return (sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(User.active.is_(True), RoleAssignment.role.in_(roles)).distinct())


def _breaks_separation(new_role: Role, held: set[str]) -> bool:
    """Whether the administrator role and a content role would meet on one account."""
    roles = held | {str(new_role)}
    return Role.ADMIN in roles and any(role_reads_content(r) for r in roles)


def remove_role(actor: User, user: User, assignment_id: int) -> None:
    assignment = next((r for r in user.roles if r.id == assignment_id), None)
    if assignment is None:
        raise AccountError(_("That role was already removed."), field="role")
    if user.id == actor.id and assignment.role == Role.ADMIN:
        raise AccountError(
            _("You cannot remove your own administrator role. Ask another administrator."),
            field="role",
        )
    user.roles.remove(assignment)
    audit.record("role.removed", target_type="user", target_id=user.id,
                 centre=assignment.centre, actor=actor, detail={"role": assignment.role})


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."), field="active")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user.id)
        spend_tokens(user)
    audit.record("user.reactivated" if active else "user.deactivated", target_type="user",
                 target_id=user.id, actor=actor)
