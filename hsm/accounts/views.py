"""Staff sign-in, MFA, sessions, "My work", user administration and the audit viewer."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape

from hsm import audit, mail
from hsm.accounts import invitations, mfa, navigation, operations, sessions
from hsm.accounts.forms import (
    AuditFilterForm,
    CodeForm,
    EnrolForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ReauthEnrolForm,
    ReauthForm,
    RoleForm,
    role_label,
)
from hsm.accounts.models import User
from hsm.accounts.operations import AccountError, SignIn
from hsm.audit import AuditEntry
from hsm.centres.registry import all_centres, get_centre
from hsm.crypto import TamperedCiphertext, keyring
from hsm.extensions import db, limiter
from hsm.htmx import is_htmx, render
from hsm.i18n import _, get_locale
from hsm.security import Permission, can, deny, public, require

bp = Blueprint("accounts", __name__, url_prefix="/staff")

SIGN_IN_LIMIT = "20 per minute"
AUDIT_PAGE_SIZE = 50
PENDING_SECRET_KEY = "mfa_pending"  # noqa: S105 - a session key name
TOKEN_SESSION_KEY = "account_token"  # noqa: S105 - a session key name


@bp.app_context_processor
def staff_context():
    return {
        "staff_nav_links": lambda: navigation.links_for(current_user),
        "role_label": role_label,
        "centre_name": centre_name,
    }


def centre_name(slug: str | None) -> str:
    if not slug:
        return _("All centres")
    centre = get_centre(slug)
    return centre.name_for(get_locale()) if centre else slug


def centre_choices() -> list[tuple[str, str]]:
    return [(c.slug, c.name_for(get_locale())) for c in all_centres()]


def safe_next(path: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may follow sign-in."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return url_for("accounts.home")


def _user() -> User:
    return current_user._get_current_object()


# --- signing in and out ---------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        result = operations.authenticate(
            form.email.data, form.password.data, hash_key=current_app.config["SECRET_KEY"]
        )
        if result.outcome is SignIn.OK:
            return _after_password(result.user)
        failed = True
    return render("accounts/login.html", form=form, failed=failed)


def _after_password(user: User):
    next_path = session.pop("next_path", None)
    if user.mfa_enabled or current_app.config["HSM_MFA_REQUIRED"]:
        sessions.start_session(user, mfa_passed=False)
        if next_path:
            session["next_path"] = next_path
        db.session.commit()
        step = "accounts.mfa_challenge" if user.mfa_enabled else "accounts.mfa_setup"
        return redirect(url_for(step), code=303)
    sessions.start_session(user, mfa_passed=True)
    operations.record_login(user, method="none")
    db.session.commit()
    return redirect(safe_next(next_path), code=303)


@bp.route("/login/code", methods=["GET", "POST"])
@public  # the session is half-open here: the password is checked, the second step is not
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def mfa_challenge():
    user = sessions.signing_in_user()
    if user is None or not user.mfa_enabled:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    outcome = None
    if form.validate_on_submit():
        result = operations.check_second_factor(user, form.code.data)
        outcome = result.outcome
        if outcome is SignIn.OK:
            next_path = session.get("next_path")
            sessions.complete_sign_in(user)
            operations.record_login(user, method="totp")
            db.session.commit()
            return redirect(safe_next(next_path), code=303)
    return render("accounts/mfa_challenge.html", form=form, outcome=outcome)


def _enrolling_user() -> tuple[User | None, bool]:
    """Who may enrol here, and whether it is the second step of signing in."""
    if current_user.is_authenticated:
        return _user(), False
    user = sessions.signing_in_user()
    # Someone half-signed-in who already has MFA must pass the challenge, never re-enrol.
    if user is not None and not user.mfa_enabled:
        return user, True
    return None, False


@bp.route("/mfa/setup", methods=["GET", "POST"])
@public  # signed-in staff, or (when MFA is required) the second step of a first sign-in
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def mfa_setup():
    user, signing_in = _enrolling_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    # During sign-in the password was just typed. Later, an open session alone does not
    # prove who is at the keyboard: changing the second factor asks for the password again.
    form = EnrolForm() if signing_in else ReauthEnrolForm()
    if form.validate_on_submit():
        try:
            if not signing_in:
                _check_password_for(user, form, "replace" if user.mfa_enabled else "enable")
            codes = operations.confirm_enrolment(user, _pending_secret(), form.code.data)
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            next_url = url_for("accounts.account")
            if signing_in:
                next_url = safe_next(session.get("next_path"))
                sessions.complete_sign_in(user)
                operations.record_login(user, method="totp_enrolment")
            session.pop(PENDING_SECRET_KEY, None)
            db.session.commit()
            return render("accounts/recovery_codes.html", codes=codes, next_url=next_url,
                          first_time=True)
    secret = _pending_secret() or _new_pending_secret()
    uri = mfa.provisioning_uri(secret, user.email)
    return render(
        "accounts/mfa_setup.html",
        form=form,
        signing_in=signing_in,
        qr=_accessible_svg(mfa.qr_svg(uri, _("QR code to scan with your authenticator app"))),
        secret=mfa.grouped(secret),
        mfa_required=current_app.config["HSM_MFA_REQUIRED"],
        replacing=user.mfa_enabled,
        asks_password=not signing_in,
    )


def _check_password_for(user: User, form, change: str) -> None:
    """The current password before a change to two-step sign-in; AccountError when wrong."""
    operations.check_current_password(
        user, form.current_password.data, refused_action="mfa.change_refused",
        detail={"change": change},
    )


def _pending_secret() -> str | None:
    """The secret being enrolled: kept in the session, encrypted, so a GET writes nothing."""
    sealed = session.get(PENDING_SECRET_KEY)
    if not sealed:
        return None
    try:
        return keyring().decrypt(sealed)
    except TamperedCiphertext:
        return None


def _new_pending_secret() -> str:
    secret = mfa.new_secret()
    session[PENDING_SECRET_KEY] = keyring().encrypt(secret)
    return secret


def _accessible_svg(svg: str) -> Markup:
    label = escape(_("QR code to scan with your authenticator app"))
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704 - segno output, label escaped


@bp.post("/logout")
@public  # a half-signed-in or expired visitor may always sign out
def logout():
    user = _user() if current_user.is_authenticated else sessions.signing_in_user()
    if user is not None:
        sessions.end_all_sessions(user.id)
        audit.record("logout", target_type="user", target_id=user.id, actor=user)
    sessions.end_current_session()
    db.session.commit()
    response = redirect(url_for("accounts.signed_out"), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.get("/signed-out")
@public
def signed_out():
    return render("accounts/signed_out.html")


# --- "My work" and the own account ----------------------------------------------------------


@bp.get("/")
@require(Permission.OWN_ACCOUNT)
def home():
    links = [link for link in navigation.links_for(current_user)
             if link.endpoint != "accounts.account"]
    return render(
        "accounts/home.html",
        links=links,
        mfa_required=current_app.config["HSM_MFA_REQUIRED"],
    )


# The account page holds two small forms asking for the password; prefixes keep ids unique.
CODES_PREFIX = "codes"
MFA_OFF_PREFIX = "off"


@bp.get("/account")
@require(Permission.OWN_ACCOUNT)
def account():
    return _account_page()


def _account_page(codes_form=None, off_form=None):
    return render(
        "accounts/account.html",
        unused_codes=operations.unused_recovery_codes(_user()),
        mfa_required=current_app.config["HSM_MFA_REQUIRED"],
        codes_form=codes_form or ReauthForm(prefix=CODES_PREFIX, formdata=None),
        off_form=off_form or ReauthForm(prefix=MFA_OFF_PREFIX, formdata=None),
    )


@bp.post("/account/recovery-codes")
@require(Permission.OWN_ACCOUNT)
def recovery_codes():
    user = _user()
    if not user.mfa_enabled:
        return redirect(url_for("accounts.account"), code=303)
    form = ReauthForm(prefix=CODES_PREFIX)
    if not _reauthenticated(user, form, "recovery_codes"):
        return _account_page(codes_form=form)
    codes = operations.new_recovery_codes(user)
    db.session.commit()
    return render("accounts/recovery_codes.html", codes=codes,
                  next_url=url_for("accounts.account"), first_time=False)


@bp.post("/account/mfa/off")
@require(Permission.OWN_ACCOUNT)
def mfa_off():
    if current_app.config["HSM_MFA_REQUIRED"]:
        deny("mfa_required")
    user = _user()
    if not user.mfa_enabled:
        return redirect(url_for("accounts.account"), code=303)
    form = ReauthForm(prefix=MFA_OFF_PREFIX)
    if not _reauthenticated(user, form, "disable"):
        return _account_page(off_form=form)
    operations.disable_mfa(user, user)
    db.session.commit()
    flash(_("Two-step sign-in is off for your account."))
    return redirect(url_for("accounts.account"), code=303)


def _reauthenticated(user: User, form: ReauthForm, change: str) -> bool:
    """Whether the posted form holds the current password; if not, the form says why."""
    if not form.validate_on_submit():
        return False
    try:
        _check_password_for(user, form, change)
    except AccountError as error:
        form.current_password.errors.append(error.message)
        return False
    return True


@bp.route("/account/password", methods=["GET", "POST"])
@require(Permission.OWN_ACCOUNT)
def change_password():
    user = _user()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            operations.check_current_password(user, form.current_password.data)
            operations.change_password(user, user, form.password.data, reason="changed")
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            # Every other session has ended; this one continues under a new identity.
            sessions.start_session(user, mfa_passed=True)
            db.session.commit()
            flash(_("Your password is changed. You were signed out everywhere else."))
            return redirect(url_for("accounts.account"), code=303)
    return render("accounts/change_password.html", form=form)


# --- password reset and invitation links ----------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = operations.find_user(form.email.data)
        if user is not None and user.active and operations.may_send_reset(user):
            # The same page whatever happens, and the mail leaves after the response: neither
            # the words nor the timing tell whether the account exists.
            invitations.send_password_reset(user)
        return render("accounts/reset_sent.html")
    return render("accounts/forgot_password.html", form=form)


@bp.get("/password/link/<token>")
@public
def password_link(token: str):
    """Open an emailed link: keep the token in the session and show the form straight away.

    No redirect: webmail opens the link as a cross-site navigation, and the SameSite=Strict
    session cookie set on that response would not come back on a redirect. The form posts to
    the token-less URL (a same-site request), and app.js drops the token from the address bar.
    """
    session[TOKEN_SESSION_KEY] = token[:100]
    return _new_password_page()


@bp.route("/password/new", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def new_password():
    return _new_password_page()


def _new_password_page():
    row = operations.live_token(session.get(TOKEN_SESSION_KEY))
    if row is None:
        session.pop(TOKEN_SESSION_KEY, None)
        return render("accounts/link_expired.html", status=410)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            operations.redeem_token(row, form.password.data)
        except AccountError as error:
            form.password.errors.append(error.message)
        else:
            session.pop(TOKEN_SESSION_KEY, None)
            db.session.commit()
            flash(_("Your password is set. You can now sign in."))
            return redirect(url_for("accounts.login"), code=303)
    return render("accounts/new_password.html", form=form, invitation=row.purpose == "invite")


# --- user administration --------------------------------------------------------------------


def load_user_for(actor: User, user_id: int) -> User:
    """The user an administrator works on; 404 when absent or when the actor may not."""
    user = db.session.get(User, user_id)
    if user is None or not can(Permission.MANAGE_USERS, user=actor):
        deny("user_not_found", status=404)
    return user


def _all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.name, User.id)))


def _users_page(invite_form=None, row_forms=None, status=200, notice=None):
    return render(
        "accounts/users.html",
        "accounts/_users.html",
        status=status,
        users=_all_users(),
        invite_form=invite_form or InviteForm(centre_choices=centre_choices(), formdata=None),
        row_forms=row_forms or {},
        role_form_for=_role_form,
        notice=notice,
    )


def _role_form(user: User, formdata=None) -> RoleForm:
    """The "give a role" form of one row; the prefix keeps field ids unique on the page."""
    return RoleForm(prefix=f"user{user.id}", centre_choices=centre_choices(), formdata=formdata)


def _row_response(user: User, form=None, error=None, notice=None):
    """After a change to one user: their row for htmx, the whole page otherwise."""
    if is_htmx():
        return render(
            "accounts/_user_row.html",
            user=user,
            form=form or _role_form(user),
            row_error=error,
            notice=notice,
        )
    if error or (form is not None and form.errors):
        return _users_page(row_forms={user.id: (form, error)})
    if notice:
        flash(notice)
    return redirect(url_for("accounts.users", _anchor=f"user-{user.id}"), code=303)


@bp.get("/admin/users")
@require(Permission.MANAGE_USERS)
def users():
    return _users_page()


@bp.post("/admin/users")
@require(Permission.MANAGE_USERS)
def invite():
    form = InviteForm(centre_choices=centre_choices())
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                _user(),
                name=form.name.data,
                email=form.email.data,
                allowed_domains=tuple(current_app.config["HSM_ALLOWED_STAFF_DOMAINS"]),
                role=form.role.data,
                centre=form.centre.data,
            )
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            if _invite(user):
                notice = _("%(name)s is invited. We have emailed them a link to set a "
                           "password.", name=user.name)
            else:
                notice = _("We made an account for %(name)s, but could not send the "
                           "invitation email. Please use “Send the invitation again” "
                           "in a few minutes.", name=user.name)
            if not is_htmx():
                flash(notice)
                return redirect(url_for("accounts.users"), code=303)
            return _users_page(notice=notice)
    return _users_page(invite_form=form)


@bp.post("/admin/users/<int:user_id>/roles")
@require(Permission.MANAGE_USERS)
def add_role(user_id: int):
    user = load_user_for(_user(), user_id)
    form = _role_form(user, formdata=request.form)
    if form.validate_on_submit():
        try:
            operations.assign_role(_user(), user, form.role.data, form.centre.data)
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "role").errors.append(error.message)
        else:
            db.session.commit()
            return _row_response(user, notice=_("Role given to %(name)s.", name=user.name))
    return _row_response(user, form=form)


@bp.post("/admin/users/<int:user_id>/roles/<int:assignment_id>/remove")
@require(Permission.MANAGE_USERS)
def remove_role(user_id: int, assignment_id: int):
    user = load_user_for(_user(), user_id)
    try:
        operations.remove_role(_user(), user, assignment_id)
    except AccountError as error:
        return _row_response(user, error=error.message)
    db.session.commit()
    return _row_response(user, notice=_("Role removed from %(name)s.", name=user.name))


@bp.post("/admin/users/<int:user_id>/active")
@require(Permission.MANAGE_USERS)
def set_active(user_id: int):
    user = load_user_for(_user(), user_id)
    active = request.form.get("active") == "1"
    try:
        operations.set_active(_user(), user, active)
    except AccountError as error:
        return _row_response(user, error=error.message)
    db.session.commit()
    notice = (
        _("%(name)s can sign in again.", name=user.name)
        if active
        else _("%(name)s is deactivated and signed out everywhere.", name=user.name)
    )
    return _row_response(user, notice=notice)


@bp.post("/admin/users/<int:user_id>/mfa/reset")
@require(Permission.MANAGE_USERS)
def reset_mfa(user_id: int):
    """For someone who lost their phone and their recovery codes."""
    user = load_user_for(_user(), user_id)
    try:
        operations.reset_mfa(_user(), user)
    except AccountError as error:
        return _row_response(user, error=error.message)
    db.session.commit()
    return _row_response(user, notice=_(
        "Two-step sign-in is reset for %(name)s. They set it up again the next time they "
        "sign in.", name=user.name))


@bp.post("/admin/users/<int:user_id>/invitation")
@require(Permission.MANAGE_USERS)
def resend_invitation(user_id: int):
    user = load_user_for(_user(), user_id)
    if not user.active or user.password_hash is not None:
        return _row_response(user, error=_("Only people who have not set a password yet "
                                           "can be sent a new invitation."))
    if not _invite(user):
        return _row_response(user, error=_("The invitation email could not be sent. Please "
                                           "try again in a few minutes."))
    return _row_response(user, notice=_("A new invitation is on its way to %(email)s.",
                                        email=user.email))


def _invite(user: User) -> bool:
    """Send an invitation; False when the mail server could not take it (the link is kept)."""
    try:
        invitations.send_invitation(user)
    except mail.ERRORS:
        current_app.logger.exception("could not send an invitation email")
        return False
    return True


# --- the audit log --------------------------------------------------------------------------


def _audit_query(form: AuditFilterForm) -> sa.Select:
    query = sa.select(AuditEntry)
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.actor.data:
        query = query.where(
            sa.func.lower(AuditEntry.actor_label).contains(form.actor.data.strip().lower(),
                                                            autoescape=True)
        )
    if form.centre.data:
        query = query.where(AuditEntry.centre == form.centre.data)
    if form.date_from.data:
        query = query.where(
            AuditEntry.created_at >= datetime.combine(form.date_from.data, time.min, UTC)
        )
    if form.date_to.data:
        end = datetime.combine(form.date_to.data, time.min, UTC) + timedelta(days=1)
        query = query.where(AuditEntry.created_at < end)
    return query


@bp.get("/audit")
@require(Permission.VIEW_AUDIT_LOG)
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    actions = db.session.scalars(
        sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    form.action.choices = [("", _("Any action"))] + [(a, a) for a in actions]
    form.centre.choices = [("", _("Any centre")), *centre_choices()]
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    entries, has_next = [], False
    valid = form.validate() if request.args else True
    if valid:
        rows = db.session.scalars(
            _audit_query(form)
            .order_by(AuditEntry.id.desc())
            .limit(AUDIT_PAGE_SIZE + 1)
            .offset((page - 1) * AUDIT_PAGE_SIZE)
        ).all()
        entries, has_next = rows[:AUDIT_PAGE_SIZE], len(rows) > AUDIT_PAGE_SIZE
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}
    return render(
        "accounts/audit_log.html",
        "accounts/_audit.html",
        form=form,
        entries=entries,
        page_number=page,
        focus_results=bool(request.args) and valid,
        prev_url=url_for("accounts.audit_log", page=page - 1, **args) if page > 1 else None,
        next_url=url_for("accounts.audit_log", page=page + 1, **args) if has_next else None,
    )


@bp.get("/audit/chain")
@require(Permission.VIEW_AUDIT_LOG)
def audit_chain():
    """Walks the whole chain, so it is its own request, loaded after the page."""
    return render("accounts/audit_chain.html", "accounts/_chain.html", problem=audit.verify())

