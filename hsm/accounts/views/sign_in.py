"""Signing in and out: the password, the second step (TOTP), enrolment, and signing out."""

from __future__ import annotations

from flask import current_app, flash, redirect, session, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from hsm import audit
from hsm.accounts import mfa, oidc, operations, sessions, sso
from hsm.accounts.forms import CodeForm, EnrolForm, LoginForm, ReauthEnrolForm
from hsm.accounts.models import User
from hsm.accounts.operations import AccountError, SignIn
from hsm.accounts.views.common import SIGN_IN_LIMIT, acting_user, bp, safe_next
from hsm.crypto import TamperedCiphertext, keyring
from hsm.extensions import hashed_remote_address, limiter
from hsm.htmx import render
from hsm.i18n import _, ngettext
from hsm.security import public

PENDING_SECRET_KEY = "mfa_pending"  # noqa: S105 - a session key name


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        if sso.password_refused(form.email.data, form.password.data, oidc.settings()):
            return render("accounts/login.html", form=form, failed=True, sso=oidc.settings())
        result = operations.authenticate(
            form.email.data, form.password.data, hash_key=current_app.config["SECRET_KEY"],
            address_key=hashed_remote_address(),
        )
        if result.outcome is SignIn.OK:
            return _after_password(result.user)
        failed = True
    return render("accounts/login.html", form=form, failed=failed, sso=oidc.settings())


def _after_password(user: User):
    next_path = session.pop("next_path", None)
    if user.mfa_enabled or current_app.config["HSM_MFA_REQUIRED"]:
        sessions.start_session(user, mfa_passed=False)
        if next_path:
            session["next_path"] = next_path
        step = "accounts.mfa_challenge" if user.mfa_enabled else "accounts.mfa_setup"
        return redirect(url_for(step), code=303)
    sessions.start_session(user, mfa_passed=True)
    signed_in(user, "none")
    return redirect(safe_next(next_path), code=303)


def signed_in(user: User, method: str) -> None:
    """A full sign-in: audited, and the owner is told of the failed tries since the last one."""
    failures = operations.record_login(user, method=method)
    if failures:
        flash(ngettext(
            "There was %(num)d failed attempt to sign in to your account since you last "
            "signed in. If it was not you, change your password.",
            "There were %(num)d failed attempts to sign in to your account since you last "
            "signed in. If they were not you, change your password.",
            failures,
        ))


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
        result = operations.check_second_factor(user, form.code.data,
                                                 address_key=hashed_remote_address())
        outcome = result.outcome
        if outcome is SignIn.OK:
            next_path = session.get("next_path")
            sessions.complete_sign_in(user)
            signed_in(user, "totp")
            return redirect(safe_next(next_path), code=303)
    return render("accounts/mfa_challenge.html", form=form, outcome=outcome)


def _enrolling_user() -> tuple[User | None, bool]:
    """Who may enrol here, and whether it is the second step of signing in."""
    if current_user.is_authenticated:
        return acting_user(), False
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
    if not signing_in and not sso.password_allowed(user, oidc.settings()):
        # A change asks for the password, which an account signing in only with its work
        # account does not use here: an administrator resets it, and it is set up at sign-in.
        return redirect(url_for("accounts.account"), code=303)
    # During sign-in the password was just typed. Later, an open session alone does not
    # prove who is at the keyboard: changing the second factor asks for the password again.
    form = EnrolForm() if signing_in else ReauthEnrolForm()
    if form.validate_on_submit():
        try:
            if not signing_in:
                check_password_for(user, form, "replace" if user.mfa_enabled else "enable")
            codes = operations.confirm_enrolment(user, _pending_secret(), form.code.data)
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            next_url = url_for("accounts.account")
            if signing_in:
                next_url = safe_next(session.get("next_path"))
                sessions.complete_sign_in(user)
                signed_in(user, "totp_enrolment")
            session.pop(PENDING_SECRET_KEY, None)
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


def check_password_for(user: User, form, change: str) -> None:
    """The current password before a change to two-step sign-in; AccountError when wrong."""
    operations.check_current_password(
        user, form.current_password.data, refused_action="mfa.change_refused",
        detail={"change": change}, address_key=hashed_remote_address(),
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
    user = acting_user() if current_user.is_authenticated else sessions.signing_in_user()
    # A session begun at the identity provider ends there too (RP-initiated logout), when
    # the provider offers it; it then sends the browser back to "signed out".
    provider_logout = oidc.logout_url() if sessions.current_is_sso() else None
    if user is not None:
        sessions.end_all_sessions(user.id)
        audit.record("logout", target_type="user", target_id=user.id, actor=user)
    sessions.end_current_session()
    response = redirect(provider_logout or url_for("accounts.signed_out"), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.get("/signed-out")
@public
def signed_out():
    return render("accounts/signed_out.html")
