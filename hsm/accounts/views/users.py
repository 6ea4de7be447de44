"""User administration: inviting staff, roles, deactivation, MFA resets, invitations."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for

from hsm import mail
from hsm.accounts import invitations, operations
from hsm.accounts.forms import InviteForm, RoleForm
from hsm.accounts.models import RoleGrant, User
from hsm.accounts.operations import AccountError
from hsm.accounts.queries import all_users, load_user_for, pending_grants
from hsm.accounts.views.common import acting_user, bp, centre_choices
from hsm.extensions import db
from hsm.forms import keeps_input
from hsm.htmx import is_htmx, render
from hsm.i18n import _, _l
from hsm.security import Permission, require


def _users_page(invite_form=None, row_forms=None, status=200, notice=None):
    return render(
        "accounts/users.html",
        "accounts/_users.html",
        status=status,
        users=all_users(),
        waiting=_waiting(),
        invite_form=invite_form or InviteForm(centre_choices=centre_choices(), formdata=None),
        row_forms=row_forms or {},
        role_form_for=_role_form,
        notice=notice,
    )


def _waiting(user: User | None = None) -> dict[int, list[RoleGrant]]:
    """Roles waiting for a second person, by account (of ``user`` alone, or of everyone)."""
    grants = operations.pending_grants_of(user) if user is not None else pending_grants()
    waiting: dict[int, list[RoleGrant]] = {}
    for grant in grants:
        waiting.setdefault(grant.user_id, []).append(grant)
    return waiting


WAITS_NOTICE = _l("The role opens reports, cases, equality data or the audit log, so it "
                  "waits for a second person: the Director of Student Experience and "
                  "Safeguarding approves it. Until then it opens nothing.")


def _role_form(user: User, formdata=None) -> RoleForm:
    """The "give a role" form of one row; the prefix keeps field ids unique on the page."""
    return RoleForm(prefix=f"user{user.id}", centre_choices=centre_choices(), formdata=formdata)


def _row_response(user: User, form=None, error=None, notice=None):
    """After a change to one user: their row for htmx, the whole page otherwise."""
    if is_htmx():
        return render(
            "accounts/_user_row.html",
            user=user,
            waiting=_waiting(user),
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
@keeps_input
def invite():
    form = InviteForm(centre_choices=centre_choices())
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                acting_user(),
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
            waits = bool(operations.pending_grants_of(user))
            if _invite(user):
                notice = _("%(name)s is invited. We have emailed them a link to set a "
                           "password.", name=user.name)
            else:
                notice = _("We made an account for %(name)s, but could not send the "
                           "invitation email. Please use “Send the invitation again” "
                           "in a few minutes.", name=user.name)
            if waits:
                notice = f"{notice} {WAITS_NOTICE}"
            if not is_htmx():
                flash(notice)
                return redirect(url_for("accounts.users"), code=303)
            return _users_page(notice=notice)
    return _users_page(invite_form=form)


@bp.post("/admin/users/<int:user_id>/roles")
@require(Permission.MANAGE_USERS)
def add_role(user_id: int):
    user = load_user_for(acting_user(), user_id)
    form = _role_form(user, formdata=request.form)
    if form.validate_on_submit():
        try:
            given = operations.assign_role(acting_user(), user, form.role.data,
                                           form.centre.data)
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "role").errors.append(error.message)
        else:
            if isinstance(given, RoleGrant):
                notice = _("Role asked for %(name)s.", name=user.name)
                return _row_response(user, notice=f"{notice} {WAITS_NOTICE}")
            return _row_response(user, notice=_("Role given to %(name)s.", name=user.name))
    return _row_response(user, form=form)


@bp.post("/admin/users/<int:user_id>/roles/<int:assignment_id>/remove")
@require(Permission.MANAGE_USERS)
def remove_role(user_id: int, assignment_id: int):
    user = load_user_for(acting_user(), user_id)
    try:
        operations.remove_role(acting_user(), user, assignment_id)
    except AccountError as error:
        return _row_response(user, error=error.message)
    return _row_response(user, notice=_("Role removed from %(name)s.", name=user.name))


@bp.post("/admin/users/<int:user_id>/active")
@require(Permission.MANAGE_USERS)
def set_active(user_id: int):
    user = load_user_for(acting_user(), user_id)
    active = request.form.get("active") == "1"
    try:
        operations.set_active(acting_user(), user, active)
    except AccountError as error:
        return _row_response(user, error=error.message)
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
    user = load_user_for(acting_user(), user_id)
    try:
        operations.reset_mfa(acting_user(), user)
    except AccountError as error:
        return _row_response(user, error=error.message)
    return _row_response(user, notice=_(
        "Two-step sign-in is reset for %(name)s. They set it up again the next time they "
        "sign in.", name=user.name))


@bp.post("/admin/users/<int:user_id>/invitation")
@require(Permission.MANAGE_USERS)
def resend_invitation(user_id: int):
    user = load_user_for(acting_user(), user_id)
    if not user.active or user.password_hash is not None or user.sso_subject is not None:
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
        invitations.send_invitation(user, acting_user())
    except mail.ERRORS:
        current_app.logger.exception("could not send an invitation email")
        return False
    return True
