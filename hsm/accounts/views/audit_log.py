"""The audit viewer: the log, filtered and paged, and the check of its chain."""

from __future__ import annotations

from flask import request, url_for

from hsm import audit
from hsm.accounts.forms import AuditFilterForm
from hsm.accounts.queries import AuditFilters, audit_actions, audit_page
from hsm.accounts.views.common import bp, centre_choices
from hsm.htmx import render
from hsm.i18n import _
from hsm.security import Permission, require


@bp.get("/audit")
@require(Permission.VIEW_AUDIT_LOG)
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", _("Any action"))] + [(a, a) for a in audit_actions()]
    form.centre.choices = [("", _("Any centre")), *centre_choices()]
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    entries, has_next = [], False
    valid = form.validate() if request.args else True
    if valid:
        filters = AuditFilters(
            action=form.action.data or None,
            actor=form.actor.data or None,
            centre=form.centre.data or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        entries, has_next = audit_page(filters, page)
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
