""""My work" and one's own account: recovery codes, two-step sign-in, the password."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from hsm.accounts import navigation, oidc, operations, sessions, sso
from hsm.accounts.forms import PasswordChangeForm, ReauthForm
from hsm.accounts.models import User
from hsm.accounts.operations import AccountError
from hsm.accounts.views.common import acting_user, bp
from hsm.accounts.views.sign_in import check_password_for
from hsm.extensions import hashed_remote_address
from hsm.htmx import render
from hsm.i18n import _
from hsm.security import Permission, deny, require


@bp.get("/")
@require(Permission.OWN_ACCOUNT)
def home():
    links = [link for link in navigation.links_for(current_user)
             if link.endpoint != "accounts.account"]
    return render(
        "accounts/home.html",
        links=links,
        waiting=operations.pending_grants_of(current_user),
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
        unused_codes=operations.unused_recovery_codes(acting_user()),
        mfa_required=current_app.config["HSM_MFA_REQUIRED"],
        codes_form=codes_form or ReauthForm(prefix=CODES_PREFIX, formdata=None),
        off_form=off_form or ReauthForm(prefix=MFA_OFF_PREFIX, formdata=None),
        uses_password=sso.password_allowed(acting_user(), oidc.settings()),
        provider=oidc.settings().label if oidc.settings() else "",
    )


@bp.post("/account/recovery-codes")
@require(Permission.OWN_ACCOUNT)
def recovery_codes():
    user = acting_user()
    if not user.mfa_enabled:
        return redirect(url_for("accounts.account"), code=303)
    form = ReauthForm(prefix=CODES_PREFIX)
    if not _reauthenticated(user, form, "recovery_codes"):
        return _account_page(codes_form=form)
    codes = operations.new_recovery_codes(user)
    return render("accounts/recovery_codes.html", codes=codes,
                  next_url=url_for("accounts.account"), first_time=False)


@bp.post("/account/mfa/off")
@require(Permission.OWN_ACCOUNT)
def mfa_off():
    if current_app.config["HSM_MFA_REQUIRED"]:
        deny("mfa_required")
    user = acting_user()
    if not user.mfa_enabled:
        return redirect(url_for("accounts.account"), code=303)
    form = ReauthForm(prefix=MFA_OFF_PREFIX)
    if not _reauthenticated(user, form, "disable"):
        return _account_page(off_form=form)
    operations.disable_mfa(user, user)
    flash(_("Two-step sign-in is off for your account."))
    return redirect(url_for("accounts.account"), code=303)


def _reauthenticated(user: User, form: ReauthForm, change: str) -> bool:
    """Whether the posted form holds the current password; if not, the form says why."""
    if not form.validate_on_submit():
        return False
    try:
        check_password_for(user, form, change)
    except AccountError as error:
        form.current_password.errors.append(error.message)
        return False
    return True


@bp.route("/account/password", methods=["GET", "POST"])
@require(Permission.OWN_ACCOUNT)
def change_password():
    user = acting_user()
    if not sso.password_allowed(user, oidc.settings()):
        # Its password lives at the identity provider: nothing to change here.
        return redirect(url_for("accounts.account"), code=303)
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            operations.check_current_password(user, form.current_password.data,
                                              address_key=hashed_remote_address())
            operations.change_password(user, user, form.password.data, reason="changed")
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            # Every other session has ended; this one continues under a new identity.
            sessions.start_session(user, mfa_passed=True)
            flash(_("Your password is changed. You were signed out everywhere else."))
            return redirect(url_for("accounts.account"), code=303)
    return render("accounts/change_password.html", form=form)
