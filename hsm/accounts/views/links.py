"""Emailed one-time links: asking for a password reset, and choosing a password from a link."""

from __future__ import annotations

from flask import flash, redirect, session, url_for

from hsm.accounts import invitations, oidc, operations, sso
from hsm.accounts.forms import ForgotPasswordForm, NewPasswordForm
from hsm.accounts.operations import AccountError
from hsm.accounts.views.common import SIGN_IN_LIMIT, bp
from hsm.extensions import limiter
from hsm.htmx import render
from hsm.i18n import _
from hsm.security import public

TOKEN_SESSION_KEY = "account_token"  # noqa: S105 - a session key name


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = operations.find_user(form.email.data)
        if (user is not None and user.active and sso.password_allowed(user, oidc.settings())
                and operations.may_send_reset(user)):
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
    if not sso.password_allowed(row.user, oidc.settings()):
        # With single sign-on, only accounts marked local choose a password; an invited
        # person links their account at the identity provider instead.
        if row.purpose == "invite":
            return render("accounts/sso_invitation.html", provider=oidc.settings().label)
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
            flash(_("Your password is set. You can now sign in."))
            return redirect(url_for("accounts.login"), code=303)
    return render("accounts/new_password.html", form=form, invitation=row.purpose == "invite")
