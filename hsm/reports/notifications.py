"""Emails about reports: a link to the report, never any detail of it.

Who is told is the plain rule in ``alerts``; this module finds the addresses and puts the
emails in the outbox, in the request's transaction: they leave after it commits, and a mail
server that is down never loses the report. Every email is written in the centre's language
(not the reporter's).
"""

from __future__ import annotations

import logging

from hsm import mail
from hsm.accounts.queries import addresses_of
from hsm.centres.registry import get_centre
from hsm.i18n import _, _l, force_locale
from hsm.reports.alerts import Alert, Audience, Kind, alerts_for
from hsm.reports.models import Report
from hsm.routing import external_url

log = logging.getLogger(__name__)

SUBJECTS = {
    Kind.NEW: (_l("A new report has arrived"), _l("A new report has arrived for your centre.")),
    Kind.URGENT: (
        _l("Urgent: a new report needs attention now"),
        _l("An urgent report has arrived for your centre. Please read it as soon as you can."),
    ),
}


def _link(report: Report) -> str:
    return external_url("reports.detail", report_id=report.id)


def _addresses(audience: Audience, report: Report) -> list[str]:
    if audience is Audience.STUDENT_SERVICES:
        centre = get_centre(report.centre)
        address = centre.student_services_email if centre else ""
        if not address:
            log.warning("no Student Services address for centre %s", report.centre)
        return [address] if address else []
    return addresses_of(audience.value, report.centre)


def _send(report: Report, subject, first_line, addresses: list[str]) -> int:
    """Queue one email per address (they leave after the commit); returns how many."""
    centre = get_centre(report.centre)
    with force_locale(centre.default_locale if centre else "en"):
        subject, first_line = str(subject), str(first_line)
        body = "\n\n".join([
            first_line,
            _("Open it in the reports inbox (sign-in needed):\n%(link)s",
              link=_link(report)),
            _("This email holds no details of the report, on purpose. Please do not forward it."),
        ]) + "\n"
    for address in addresses:
        mail.queue(address, subject, body)
    return len(addresses)


def new_report(report: Report) -> int:
    """Tell the people the alert rule names that a report has arrived; urgent ones at once."""
    alerts: list[Alert] = alerts_for(
        immediate_danger=report.immediate_danger,
        under_18=report.under_18,
        staff_respondent=report.staff_respondent,
    )
    sent = 0
    told: set[str] = set()
    # Urgent alerts first, so that a person who holds two roles gets the urgent one.
    for alert in sorted(alerts, key=lambda a: a.kind is not Kind.URGENT):
        addresses = [a for a in _addresses(alert.audience, report) if a not in told]
        told.update(addresses)
        sent += _send(report, *SUBJECTS[alert.kind], addresses)
    return sent


def new_reporter_message(report: Report) -> int:
    """Tell the centre's Student Services that a reporter has written."""
    return _send(report, _l("A reporter has sent a new message"),
                 _l("A reporter has sent a new message."),
                 _addresses(Audience.STUDENT_SERVICES, report))
