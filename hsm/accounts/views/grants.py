"""Roles that read content, waiting for a second person: the approvals page.

Plain forms and redirects (it works without JavaScript); the one who asked, or the one who
would receive the role, is refused with the reason.
"""

from __future__ import annotations

from flask import flash, redirect, url_for

from hsm.accounts import operations
from hsm.accounts.operations import AccountError
from hsm.accounts.queries import load_grant_for, pending_grants
from hsm.accounts.views.common import acting_user, bp
from hsm.htmx import render
from hsm.i18n import _
from hsm.security import Permission, require


def _page(error: str | None = None, status: int = 200):
    return render("accounts/grants.html", grants=pending_grants(), error=error, status=status)


@bp.get("/grants")
@require(Permission.APPROVE_GRANTS)
def grants():
    return _page()


@bp.post("/grants/<int:grant_id>/approve")
@require(Permission.APPROVE_GRANTS)
def approve_grant(grant_id: int):
    return _decide(grant_id, operations.approve_grant,
                   lambda name: _("Approved: %(name)s now holds the role.", name=name))


@bp.post("/grants/<int:grant_id>/refuse")
@require(Permission.APPROVE_GRANTS)
def refuse_grant(grant_id: int):
    return _decide(grant_id, operations.refuse_grant,
                   lambda name: _("Refused: %(name)s does not get the role.", name=name))


def _decide(grant_id: int, decide, said):
    """Approve or refuse; a refusal of the decision shows the page again with its reason."""
    grant = load_grant_for(acting_user(), grant_id)
    try:
        decide(acting_user(), grant)
    except AccountError as error:
        return _page(error=error.message, status=409)
    flash(said(grant.user.name))
    return redirect(url_for("accounts.grants"), code=303)
