"""Emails to a centre's Student Services: a link to the report, never any detail of it."""

from __future__ import annotations

import logging

from flask import current_app, url_for

from hsm import mail
from hsm.centres.registry import get_centre
from hsm.i18n import _, _l, force_locale
from hsm.reports.models import Report

log = logging.getLogger(__name__)


def _link(report: Report) -> str:
    path = url_for("reports.detail", report_id=report.id)
    return current_app.config["HSM_BASE_URL"].rstrip("/") + path


def _send(report: Report, subject, first_line) -> bool:
    """Email the centre's Student Services, in the centre's language (not the reporter's)."""
    centre = get_centre(report.centre)
    address = centre.student_services_email if centre else ""
    if not address:
        log.warning("no Student Services address for centre %s", report.centre)
        return False
    with force_locale(centre.default_locale):
        subject, first_line = str(subject), str(first_line)
        body = "\n\n".join([
            first_line,
            _("Open it in the Student Services inbox (sign-in needed):\n%(link)s",
              link=_link(report)),
            _("This email holds no details of the report, on purpose. Please do not forward it."),
        ]) + "\n"
    try:
        mail.send(address, subject, body)
    except mail.ERRORS:
        # The report is saved already; the inbox shows it even when mail is down.
        log.exception("could not send the notification for report %s", report.id)
        return False
    return True


def new_report(report: Report) -> bool:
    """Tell the centre's Student Services that a report has arrived."""
    return _send(report, _l("A new report has arrived"),
                 _l("A new report has arrived for your centre."))


def new_reporter_message(report: Report) -> bool:
    """Tell the centre's Student Services that a reporter has written."""
    return _send(report, _l("A reporter has sent a new message"),
                 _l("A reporter has sent a new message."))
