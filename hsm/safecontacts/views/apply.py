"""Applying to be a Safe Contact, and confirming the email address."""

from __future__ import annotations

from flask import current_app, redirect, url_for

from hsm import mail
from hsm.extensions import db, limiter
from hsm.forms import keeps_input
from hsm.htmx import render
from hsm.i18n import _
from hsm.routing import external_url
from hsm.safecontacts import operations, queries
from hsm.safecontacts.forms import (
    ApplicationForm,
    ConfirmForm,
)
from hsm.safecontacts.views.common import bp, locale
from hsm.security import public


@bp.route("/safe-contacts/apply", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
@keeps_input
def apply():
    """The application form: the role explained, then the questions."""
    form = ApplicationForm()
    mail_failed = False
    if form.validate_on_submit():
        if queries.application_in_progress(form.email.data, operations.now()):
            form.email.errors.append(
                _(
                    "You have already applied with this email address. If you have not "
                    "confirmed it yet, look for our email, which may be in your junk folder; "
                    "the link works for 3 days. For anything else, contact the EDI office."
                )
            )
        else:
            mail_failed = _submit(form)
            if not mail_failed:  # sent: the next step is in the applicant's inbox
                return redirect(url_for("safecontacts.apply_sent"), code=303)
    status = 400 if form.errors else (503 if mail_failed else 200)
    return render("safecontacts/apply.html", form=form, mail_failed=mail_failed, status=status)


def _submit(form: ApplicationForm) -> bool:
    """Store the application and email its confirmation link.

    Returns True when the mail could not be sent: then nothing is stored, and the form comes
    back with the answers.
    """
    data = operations.ApplicationData(
        name=form.name.data,
        email=form.email.data,
        job_title=form.job_title.data,
        department=form.department.data,
        centre=form.centre.data,
        staff_type=form.staff_type.data,
        statement=form.statement.data,
        line_manager_permission=form.line_manager_permission.data == "yes",
        specialist_interest=form.specialist_interest.data == "yes",
        locale=locale(),
    )
    contact, token = operations.submit_application(data, form.equality_answers())
    link = external_url("safecontacts.confirm", token=token)
    try:
        # Sent now, not through the outbox: the applicant is told at once whether it left,
        # and nothing is kept if it did not (they send the form again, answers in place).
        mail.send(
            contact.email,
            _("Confirm your Safe Contact application"),
            _(
                "Thank you for applying to be a Safe Contact.\n\n"
                "To send your application to the EDI office, confirm your email address "
                "by opening this link within 3 days:\n%(link)s\n\n"
                "If you did not apply, you can ignore this email.",
                link=link,
            ),
        )
    except mail.ERRORS:
        current_app.logger.warning("could not send a Safe Contact confirmation email")
        db.session.rollback()
        return True
    db.session.commit()
    return False


@bp.get("/safe-contacts/apply/sent")
@public
def apply_sent():
    return render("safecontacts/apply_sent.html")


@bp.route("/safe-contacts/apply/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def confirm(token: str):
    """Confirm the work email. A button, so that mail scanners opening the link change nothing."""
    contact = operations.find_by_token(token)
    form = ConfirmForm()
    if contact is not None and form.validate_on_submit():
        operations.confirm_email(contact)
        return render("safecontacts/confirmed.html")
    return render(
        "safecontacts/confirm.html",
        form=form,
        valid=contact is not None,
        status=200 if contact is not None else 404,
    )
