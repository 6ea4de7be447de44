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
from hsm.accounts import mfa, passwords
from hsm.accounts.models import (
    AccountToken,
    RecoveryCode,
    RoleAssignment,
    SignInFailure,
    User,
)
from hsm.accounts.sessions import end_all_sessions
from hsm.extensions import db
from hsm.i18n import _
from hsm.security import ROLE_PERMISSIONS, Permission, Role, role_is_centre_scoped
from hsm.tokens import new_token, token_hash

FAILURE_WINDOW = timedelta(seconds=60)
FAILURES_ALLOWED = 5  # the 6th attempt inside the window is refused, right password or not
TOKEN_LIFETIME = {"reset": timedelta(hours=1), "invite": timedelta(days=3)}
# Reset emails per account per hour: enough for a lost email, too few to flood a mailbox.
RESET_EMAILS_PER_HOUR = 3
# What an administrator's account may also hold: nothing that opens reports, cases, equality
# data or the audit log (the people who run the system do not see what is in it).
ADMIN_COMPATIBLE_PERMISSIONS = frozenset(
    {Permission.OWN_ACCOUNT, Permission.MANAGE_USERS, Permission.EDIT_OWN_BIOGRAPHY,
     Permission.VIEW_STATISTICS}
)


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


# --- the per-account throttle ---------------------------------------------------------------


def recent_failures(user: User, now: datetime | None = None) -> int:
    since = _now(now) - FAILURE_WINDOW
    return db.session.scalar(
        sa.select(sa.func.count(SignInFailure.id)).where(
            SignInFailure.user_id == user.id, SignInFailure.failed_at > since
        )
    )


def is_throttled(user: User, now: datetime | None = None) -> bool:
    return recent_failures(user, now) >= FAILURES_ALLOWED


def _record_failure(user: User, now: datetime) -> None:
    db.session.add(SignInFailure(user_id=user.id, failed_at=now))
    # Old failures no longer count; keep the table small.
    db.session.execute(
        sa.delete(SignInFailure).where(
            SignInFailure.user_id == user.id, SignInFailure.failed_at < now - FAILURE_WINDOW * 10
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
    email: str, password: str, *, hash_key: str, now: datetime | None = None
) -> SignInResult:
    """Check a password. Failures and refusals are audited and committed at once."""
    now = _now(now)
    user = find_user(email)
    usable = user is not None and user.active and user.password_hash is not None
    if usable and is_throttled(user, now):
        # No actor: whoever is trying has not shown they are the account holder.
        audit.record("login.throttled", actor=None, target_type="user", target_id=user.id)
        db.session.commit()
        return SignInResult(SignIn.THROTTLED)
    ok = passwords.verify_password(user.password_hash if usable else None, password)
    if not (usable and ok):
        if user is not None:
            _record_failure(user, now)
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


def record_login(user: User, *, method: str) -> None:
    audit.record("login.succeeded", target_type="user", target_id=user.id, actor=user,
                 detail={"second_factor": method})


def check_second_factor(user: User, code: str, now: datetime | None = None) -> SignInResult:
    """Check a TOTP or a recovery code for a user who has passed the password step."""
    now = _now(now)
    if is_throttled(user, now):
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
        _record_failure(user, now)
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
    refused_action: str = "password.change_refused",
    detail: dict[str, str] | None = None,
) -> None:
    """Before a signed-in change: the current password, under the same throttle as sign-in.

    Someone who found a session left open cannot try passwords without limit. A wrong
    password is audited (as ``refused_action``) and committed at once (the caller saves
    nothing else).
    """
    now = _now(now)
    if is_throttled(user, now):
        raise AccountError(
            _("Too many tries. Please wait a minute, then try again."), field="current_password"
        )
    if not passwords.verify_password(user.password_hash, password):
        _record_failure(user, now)
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


def create_user(
    actor: User | None,
    *,
    name: str,
    email: str,
    allowed_domains: tuple[str, ...],
    role: str | None = None,
    centre: str | None = None,
) -> User:
    """Create an account (without a password: it is set through the invitation link)."""
    address = check_staff_email(email, allowed_domains)
    if find_user(address) is not None:
        raise AccountError(_("There is already an account with this email address."),
                           field="email")
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


def assign_role(actor: User | None, user: User, role: str, centre: str | None) -> RoleAssignment:
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
    if actor is not None and actor.id == user.id:
        raise AccountError(
            _("You cannot give yourself a role. Ask another administrator."), field="role"
        )
    if _breaks_separation(role, {r.role for r in user.roles}):
        raise AccountError(
            _("An administrator cannot also hold a role that opens reports, cases, equality "
              "data or the audit log. Use a separate account for that work."),
            field="role",
        )
    assignment = RoleAssignment(role=str(role), centre=centre)
    user.roles.append(assignment)
    db.session.flush()
    audit.record("role.assigned", target_type="user", target_id=user.id, centre=centre,
                 actor=actor, detail={"role": str(role)})
    return assignment


def _opens_content(role: str) -> bool:
    return not ROLE_PERMISSIONS[Role(role)] <= ADMIN_COMPATIBLE_PERMISSIONS


def _breaks_separation(new_role: Role, held: set[str]) -> bool:
    """Whether the administrator role and a content role would meet on one account."""
    roles = held | {str(new_role)}
    return Role.ADMIN in roles and any(_opens_content(r) for r in roles)


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
