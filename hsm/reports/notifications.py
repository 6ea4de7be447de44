"""Emails to a centre's Student Services: a link to the report, never any detail of it."""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, url_for

from hsm import mail
from hsm.centres.registry import get_centre
from hsm.reports.models import Report

log = logging.getLogger(__name__)


def _link(report: Report) -> str:
    path = url_for("reports.detail", report_id=report.id)
    return current_app.config["HSM_BASE_URL"].rstrip("/") + path


def _send(report: Report, subject: str, first_line: str) -> bool:
    centre = get_centre(report.centre)
    address = centre.student_services_email if centre else ""
    if not address:
        log.warning("no Student Services address for centre %s", report.centre)
        return False
    body = (
        f"{first_line}\n\n"
        f"Open it in the Student Services inbox (sign-in needed):\n{_link(report)}\n\n"
        "This email holds no details of the report, on purpose. Please do not forward it.\n"
    )
    try:
        mail.send(address, subject, body)
    except (smtplib.SMTPException, OSError):
        # The report is saved already; the inbox shows it even when mail is down.
        log.exception("could not send the notification for report %s", report.id)
        return False
    return True


def new_report(report: Report) -> bool:
    """Tell the centre's Student Services that a report has arrived."""
    return _send(report, "A new report has arrived", "A new report has arrived for your centre.")


def new_reporter_message(report: Report) -> bool:
    """Tell the centre's Student Services that a reporter has written."""
    return _send(
        report, "A reporter has sent a new message", "A reporter has sent a new message."
    )
