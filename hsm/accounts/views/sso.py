"""Single sign-on: leaving for the identity provider, coming back, linking from an invitation,
and the administrator's choice of who keeps password sign-in.

Everything here answers 404 while no provider is configured (``HSM_OIDC_ISSUER``).
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for

from hsm import audit
from hsm.accounts import oidc, operations, sessions, sso
from hsm.accounts.models import AccountToken
from hsm.accounts.operations import AccountError
from hsm.accounts.queries import load_user_for
from hsm.accounts.sso import Refusal, SsoRefused
from hsm.accounts.views.common import SIGN_IN_LIMIT, acting_user, bp, safe_next
from hsm.accounts.views.links import TOKEN_SESSION_KEY
from hsm.accounts.views.sign_in import signed_in
from hsm.accounts.views.users import _row_response
from hsm.extensions import db, limiter
from hsm.htmx import render
from hsm.i18n import _
from hsm.security import Permission, public, require

REFUSAL_STATUS = {
    Refusal.UNREACHABLE: 503,
    Refusal.INVALID_RESPONSE: 400,
    Refusal.PROVIDER_ERROR: 400,
}


def _settings():
    settings = oidc.settings()
    if settings is None:
        abort(404)
    return settings


def _refusal_page(refusal: SsoRefused):
    """The plain page for a refused single sign-on, in the reader's language; the state
    cookie goes whatever happened."""
    if not refusal.audited:
        sso.record_refusal(refusal.reason)
    response = current_app.make_response(render(
        "accounts/sso_refused.html",
        reason=refusal.reason.value,
        provider=_settings().label,
        status=REFUSAL_STATUS.get(refusal.reason, 403),
    ))
    oidc.clear_state(response)
    return response


def _leave(purpose: str, invite_token_id: int | None = None):
    try:
        started = oidc.begin(purpose, invite_token_id)
    except SsoRefused as refusal:
        return _refusal_page(refusal)
    response = redirect(started.url, code=303)
    oidc.save_state(response)
    return response


@bp.post("/sso/start")
@public
@limiter.limit(SIGN_IN_LIMIT)
def sso_start():
    """"Sign in with your work account": off to the provider (a form, so no JavaScript)."""
    _settings()
    return _leave("sign_in")


@bp.post("/sso/link")
@public  # whoever holds a live invitation (its token waits in the session)
@limiter.limit(SIGN_IN_LIMIT)
def sso_link():
    """From the invitation page: sign in at the provider to link this account to it."""
    _settings()
    row = operations.live_token(session.get(TOKEN_SESSION_KEY))
    if row is None or row.purpose != "invite":
        session.pop(TOKEN_SESSION_KEY, None)
        return render("accounts/link_expired.html", status=410)
    return _leave("link", row.id)


@bp.get("/sso/callback")
@public
@limiter.limit(SIGN_IN_LIMIT)
def sso_callback():
    settings = _settings()
    next_path = session.get("next_path")
    try:
        done = oidc.finish()
        identity = sso.identity_from(done.claims, settings)
        if done.purpose == "link":
            token = (db.session.get(AccountToken, done.invite_token_id)
                     if done.invite_token_id is not None else None)
            user = sso.link(token, identity)
            session.pop(TOKEN_SESSION_KEY, None)
        else:
            user = sso.account_for(identity, done.claims.get("email"))
    except SsoRefused as refusal:
        return _refusal_page(refusal)

    provider_mfa = sso.mfa_asserted(done.claims, settings)
    audit.record("sso.signed_in", target_type="user", target_id=user.id, actor=user,
                 detail={"mfa": "provider" if provider_mfa else "hsm"})
    if provider_mfa or not (user.mfa_enabled or current_app.config["HSM_MFA_REQUIRED"]):
        sessions.start_session(user, mfa_passed=True, sso_lifetime=settings.session_lifetime)
        signed_in(user, "provider" if provider_mfa else "none")
        target = safe_next(next_path)
    else:
        # The provider did not assert a second factor: HSM asks for its own, as after a
        # password.
        sessions.start_session(user, mfa_passed=False, sso_lifetime=settings.session_lifetime)
        if next_path:
            session["next_path"] = next_path
        target = url_for("accounts.mfa_challenge" if user.mfa_enabled else "accounts.mfa_setup")
    # The shared same-site hop, not a redirect: coming back from a provider on another site,
    # the browser would not send the SameSite=Strict session cookie on a redirect; it does on
    # the page's own navigation (and its link does the same without a refresh).
    response = current_app.make_response(render_template("continue.html", target=target))
    oidc.clear_state(response)
    return response


@bp.post("/admin/users/<int:user_id>/password-sign-in")
@require(Permission.MANAGE_USERS)
def set_password_sign_in(user_id: int):
    """Mark an account local (it keeps password sign-in next to single sign-on), or not."""
    _settings()
    user = load_user_for(acting_user(), user_id)
    allowed = request.form.get("allowed") == "1"
    try:
        sso.set_password_sign_in(acting_user(), user, allowed)
    except AccountError as error:
        return _row_response(user, error=error.message)
    if allowed:
        notice = _("%(name)s can also sign in with a password.", name=user.name)
    else:
        notice = _("%(name)s can no longer sign in with a password.", name=user.name)
    return _row_response(user, notice=notice)


@bp.app_context_processor
def sso_context():
    return {
        "sign_in_method": lambda user: sso.sign_in_method(user, oidc.settings()).value,
        "sso_enabled": lambda: oidc.settings() is not None,
    }
