"""Demo reports at several centres (fictional); safe to load more than once, prints nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app

from hsm.extensions import db
from hsm.reports import operations
from hsm.reports.models import Report

_BASE = {
    "about": "me",
    "when_kind": "ongoing",
    "where": "on_campus",
    "respondent": "student",
    "wishes": ["support"],
    "immediate_danger": False,
    "under_18": False,
    "consent_earlier_notes": "not_applicable",
}

# (reference, centre, what differs from _BASE). Every person here is invented.
DEMO_REPORTS = (
    ("R-DEMO0001", "uk", {
        "anonymous": True, "anonymity_reason": "not_believed", "categories": ["harassment"],
        "narrative": "A student in my seminar group keeps making comments about my body.",
        "where": "on_campus",
    }),
    ("R-DEMO0002", "amsterdam", {
        "anonymous": False, "first_name": "Noor", "last_name": "Demo", "student_number": "D0000002",
        "date_of_birth": date(2004, 2, 11), "contact_method": "email",
        "contact_detail": "noor.demo@example.net", "safe_times": "Weekdays after 5pm",
        "categories": ["sexual_domestic_abuse"], "immediate_danger": True,
        "narrative": "Someone I met at a party will not stop turning up at my accommodation.",
        "where": "accommodation", "respondent": "third_party", "wishes": ["support", "police"],
    }),
    ("R-DEMO0003", "paris", {
        "anonymous": True, "anonymity_reason": "retaliation", "categories": ["bullying"],
        "narrative": "A member of staff shouts at students in one class.",
        "respondent": "staff", "wishes": ["formal_report"], "when_kind": "long_ago",
    }),
    ("R-DEMO0004", "ireland", {
        "anonymous": False, "first_name": "Aoife", "last_name": "Example",
        "student_number": "D0000004", "date_of_birth": date(2008, 6, 1),
        "contact_method": "phone", "contact_detail": "+353 87 000 0000",
        "about": "someone_else", "under_18": True, "categories": ["safeguarding"],
        "narrative": "My friend told me someone online asked her for photos.",
        "where": "online", "respondent": "unknown", "wishes": ["not_sure"],
    }),
    ("R-DEMO0005", "uk", {
        "anonymous": False, "first_name": "Sam", "last_name": "Sample",
        "student_number": "D0000005", "date_of_birth": date(2003, 9, 23),
        "contact_method": "email", "contact_detail": "sam.sample@example.net",
        "safe_times": "Any time by email", "about": "someone_else",
        "categories": ["harassment", "discrimination"],
        "narrative": "Someone in my flat is being sent messages mocking her religion.",
        "where": "online", "wishes": ["information_only"],
    }),
    ("R-DEMO0006", "amsterdam", {
        "anonymous": True, "anonymity_reason": "privacy", "categories": ["sexual_domestic_abuse"],
        "narrative": "Last year someone touched me without asking at a student event.",
        "when_kind": "long_ago", "where": "elsewhere", "wishes": ["support", "no_action_now"],
    }),
)


def load() -> None:
    """Add the demo reports that are not there yet."""
    pepper = current_app.config["HSM_RECEIPT_PEPPER"]
    references = [reference for reference, _centre, _details in DEMO_REPORTS]
    existing = set(
        db.session.scalars(sa.select(Report.reference).where(Report.reference.in_(references)))
    )
    for reference, centre, details in DEMO_REPORTS:
        if reference in existing:
            continue
        report, _code = operations.submit_report(
            operations.Submission(**(_BASE | details)), centre=centre, pepper=pepper
        )
        report.reference = reference
    db.session.flush()
