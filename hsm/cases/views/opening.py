"""Opening a case: from a report in the inbox, or from a disclosure made to a member of staff."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from hsm import workflow
from hsm.cases import operations
from hsm.cases.forms import DisclosureForm, Options
from hsm.cases.views.common import P, bp, refusal_message
from hsm.centres.registry import centres_by_name
from hsm.extensions import db
from hsm.forms import keeps_input
from hsm.htmx import render
from hsm.i18n import _, centre_name, get_locale
from hsm.reports.queries import load_report_for
from hsm.security import centre_filter, require


@bp.post("/staff/cases/from-report/<int:report_id>")
@require(P.MANAGE_CASES)
def from_report(report_id: int):
    """"Open a case" from a report: the report becomes the case's first record."""
    report = load_report_for(current_user, report_id)
    try:
        opened = operations.open_case_from_report(current_user, report)
    except workflow.Refused as refused:
        flash(" ".join(map(str, refused.reasons)), "error")
        return redirect(url_for("reports.detail", report_id=report_id), code=303)
    flash(_("Case %(reference)s is open.", reference=opened.reference))
    return redirect(url_for("cases.case", case_id=opened.id), code=303)


def _disclosure_form() -> DisclosureForm:
    allowed = centre_filter(P.MANAGE_CASES, current_user)
    centres = [(c.slug, centre_name(c.slug)) for c in centres_by_name(str(get_locale()))
               if allowed is None or c.slug in allowed]
    form = DisclosureForm().offer(Options(centres=centres))
    if len(centres) == 1 and not form.centre.data:
        form.centre.data = centres[0][0]
    return form


@bp.route("/staff/cases/new", methods=["GET", "POST"])
@require(P.MANAGE_CASES)
@keeps_input
def disclosure():
    """Record a disclosure made to staff (A 5.1) by phone, email, at a drop-in, through a Safe
    Contact, a claim or an appeal, or from a friend; it opens a case."""
    form = _disclosure_form()
    error = None
    if form.is_submitted() and form.validate():
        flags = set(form.flags.data or ())
        try:
            opened = operations.record_disclosure(current_user, form.centre.data,
                                                  operations.Disclosure(
                channel=form.channel.data, disclosure=form.disclosure.data,
                disclosed_on=form.disclosed_on.data,
                responding_party_type=form.responding_party_type.data,
                immediate_danger="immediate_danger" in flags, under_18="under_18" in flags,
                anonymous="anonymous" in flags, third_party="third_party" in flags))
        except workflow.Refused as refused:
            db.session.rollback()
            error = refusal_message(refused, move=False)
        else:
            flash(_("Case %(reference)s is open.", reference=opened.reference))
            return redirect(url_for("cases.case", case_id=opened.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render("cases/disclosure.html", form=form, error=error, status=status)
